"""PostgreSQL connections: server addresses, engines, logins, and errors in words for people.

A team library on a PostgreSQL server is opened as ``postgresql://USER@HOST:PORT/DBNAME``
(libpq options such as ``sslmode=require`` or ``host=/run/postgresql`` go in the query
string). The password is never part of what litdesk stores or shows: libpq reads it from
``PGPASSWORD`` or ``~/.pgpass`` itself, or the caller asks for it
(:class:`litdesk.store.errors.PasswordNeeded`) and passes it in memory. :func:`safe_display`
is the only form of an address that may reach settings, logs or titles.
"""

from __future__ import annotations

import json
import select
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError

from litdesk.core.model import CONSENSUS_CODER
from litdesk.store import location as location_rules
from litdesk.store.errors import LibraryError

SCHEMES = ("postgresql", "postgres")
DRIVER = "postgresql+psycopg"


class AddressError(ValueError):
    """The library location is not a usable PostgreSQL address."""


def engine_url(location: str, password: str | None = None) -> URL:
    """The SQLAlchemy URL (psycopg driver) for ``location``; ``password`` kept in memory only."""
    try:
        url = make_url(location)
    except (ArgumentError, ValueError) as e:  # ValueError: a port that is not a number
        raise AddressError(f"{safe_display(location)} is not a PostgreSQL address "
                           "(postgresql://USER@HOST:PORT/DBNAME).") from e
    # Told from the text: asking the URL for its driver loads the dialect, and SQLAlchemy has
    # none called "postgres" (libpq takes postgres:// as postgresql://, and so does litdesk).
    backend, _, driver = url.drivername.partition("+")
    if backend not in SCHEMES or driver not in ("", "psycopg"):
        raise AddressError(f"{safe_display(location)} is not a PostgreSQL address.")
    if not url.database:
        raise AddressError(f"{safe_display(location)} names no database "
                           "(postgresql://USER@HOST:PORT/DBNAME).")
    url = url.set(drivername=DRIVER)
    if password is not None:
        url = url.set(password=password)
    return url


#: ``location`` without any password, for people to see (see :mod:`litdesk.store.location`).
safe_display = location_rules.safe_display


def _plain_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def create_engine(
    location: str, *, password: str | None = None, read_only: bool = False,
    lock_timeout_ms: int | None = None,
) -> Engine:
    """An engine on the server library at ``location`` (not connected yet)."""
    engine = sa_create_engine(
        engine_url(location, password), future=True, json_serializer=_plain_json,
        connect_args={"application_name": "litdesk", "connect_timeout": 15},
    )
    event.listen(engine, "checkout", _check_alive)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            if read_only:
                cur.execute("SET default_transaction_read_only = on")
            if lock_timeout_ms is not None:
                cur.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_conn.commit()

    return engine


def _check_alive(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Whether a pooled connection still reaches the server, at checkout, without a round trip.

    An idle connection has nothing to read: the server stopping, or ending the session,
    sends a last message and closes, so the socket turns readable (so does a reset from the
    network). Only then is there a real ping; a dead connection is replaced at once (the
    pool retries on DisconnectionError), as ``pool_pre_ping`` would, without its query per
    checkout. A connection that died without a word fails on its first statement instead;
    the error handlers then invalidate the pool, and the next checkout connects anew.
    """
    import psycopg

    pgconn = dbapi_conn.pgconn
    if dbapi_conn.closed or pgconn.status != psycopg.pq.ConnStatus.OK:
        raise DisconnectionError("the connection is closed")
    readable, _, _ = select.select([pgconn.socket], [], [], 0)
    if not readable:
        return
    try:
        dbapi_conn.execute("SELECT 1")
        dbapi_conn.rollback()
    except psycopg.Error as e:
        raise DisconnectionError(str(e).strip() or "the server closed the connection") from e


def login(conn: Connection) -> str:
    """The server login of ``conn`` (the default coder of a server library)."""
    return str(conn.execute(text("SELECT current_user")).scalar())


def is_owner(conn: Connection) -> bool:
    """Whether the login owns the library's tables (it may upgrade the schema and grant)."""
    return bool(conn.execute(text(
        "SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'record'")).scalar())


# -- errors ----------------------------------------------------------------------------------

def is_password_problem(exc: BaseException) -> bool:
    """Whether connecting failed for want of a (correct) password: ask for one and retry."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    message = str(orig).lower()
    return "no password supplied" in message or "password authentication failed" in message


def environment_message(exc: BaseException, display: str) -> str | None:
    """A message for people when ``exc`` comes from the server or the network, else None."""
    import psycopg

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        if "row-level security" in str(orig):
            return (f"The server refused the change to {display}: your login may change only "
                    f"its own coding and the {CONSENSUS_CODER!r} coding. Nothing was changed.")
        return (f"Your login has no access to {display} ({orig.diag.message_primary}): ask the "
                "library's owner to grant it (litdesk --library ADDRESS grant LOGIN).")
    if isinstance(orig, psycopg.errors.ReadOnlySqlTransaction):
        return f"The library {display} is open read-only: changes cannot be saved."
    if isinstance(orig, psycopg.errors.LockNotAvailable):
        return (f"The library {display} is busy (another coder holds a lock); nothing was "
                "changed. Try again.")
    if isinstance(orig, psycopg.OperationalError):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        return f"Cannot reach the library server {display}: {first}."
    return None


def guard_engine(engine: Engine, display: str) -> None:
    """Turn server and network errors on ``engine`` into LibraryError."""

    @event.listens_for(engine, "handle_error")
    def _translate(ctx: ExceptionContext) -> None:
        message = environment_message(ctx.original_exception, display)
        if message is not None:
            raise LibraryError(message) from ctx.original_exception

