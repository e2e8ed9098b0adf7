"""Opening a team library on a PostgreSQL server: connect, check the schema, upgrade it.

What :meth:`litdesk.store.library.Library.open_server` does. None of the file library's
safety nets apply (file checks, backups before upgrades, ``quick_check``): the server keeps
its data safe, and backups are ``pg_dump``'s job (see :mod:`litdesk.store.postgres`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from litdesk.store import creation, dup_check, migrate, postgres, safety
from litdesk.store.errors import LibraryError, LibraryMissing
from litdesk.store.schema import MetaRow
from litdesk.store.stamps import APPLICATION, now

if TYPE_CHECKING:
    from litdesk.store.library import Library


class PasswordNeeded(LibraryError):
    """The server wants a password that neither PGPASSWORD nor ~/.pgpass gave: ask and retry
    with ``password=``. The password is never stored by litdesk."""


class ServerName(str):
    """A server library's address without its password, standing in for a file path.

    ``name`` is what a window title shows; ``parent`` is where file dialogs start.
    """

    __slots__ = ()

    @property
    def name(self) -> str:
        return str(self)

    @property
    def parent(self) -> Path:
        return Path.home()


def open_library(
    cls: type[Library], location: str, *, coder: str | None = None, read_only: bool = False,
    password: str | None = None, lock_timeout_ms: int | None = None, create: bool = True,
) -> Library:
    """Open (and create or upgrade, if the login owns it) the server library at ``location``.

    ``create``: make a new library in an empty database; else LibraryMissing (nothing made).
    """
    try:
        display = ServerName(postgres.safe_display(location))
        engine = postgres.create_engine(location, password=password, read_only=read_only,
                                        lock_timeout_ms=lock_timeout_ms)
    except postgres.AddressError as e:
        raise LibraryError(str(e)) from e
    try:
        with engine.connect() as conn:
            user = postgres.login(conn)
    except OperationalError as e:
        engine.dispose()
        if postgres.is_password_problem(e):
            raise PasswordNeeded(f"The server {display} needs the password of this login.") from e
        raise LibraryError(postgres.environment_message(e, display)
                           or f"Cannot open the library {display}: {e.orig}.") from e
    postgres.guard_engine(engine, display, LibraryError)
    lib = cls(engine, display, coder or user, read_only)  # type: ignore[arg-type]
    try:
        _prepare(lib, display, create)
    except DBAPIError as e:
        engine.dispose()
        raise LibraryError(f"Cannot open the library {display}: {e.orig}.") from e
    except BaseException:
        engine.dispose()
        raise
    return lib


def _prepare(lib: Library, display: str, create: bool) -> None:
    with lib.engine.connect() as conn:
        revision = migrate.current_revision(conn)
        conn.rollback()
        if revision is not None and revision not in migrate.known_revisions():
            raise LibraryError(safety.unknown_version_message(display, revision))
        fresh = revision is None
        if fresh and _has_other_tables(conn):
            if _has_library_stamp(conn):
                raise LibraryError(
                    f"The library {display} has lost its schema version (the alembic_version "
                    "table or its row is missing), so litdesk cannot tell how to read or "
                    "upgrade it; it was left untouched. Restore it from a pg_dump backup into "
                    "a new database (see the user guide).")
            raise LibraryError(f"The database {display} holds other tables but no litdesk "
                               "library; it was left untouched. Use an empty database.")
        if fresh and not create:
            raise LibraryMissing(f"The database {display} holds no litdesk library yet; "
                                 "nothing was created.")
        if fresh and not lib.read_only:
            conn.rollback()
            with conn.begin():  # all or nothing: a killed creation leaves an empty database
                migrate.upgrade(conn)
                creation.stage("server-built")
                _stamp(conn)
            return
        if revision != migrate.head_revision():
            if lib.read_only:
                raise LibraryError(f"{display} needs an upgrade but is open read-only.")
            if not fresh and not postgres.is_owner(conn):
                conn.rollback()
                raise LibraryError(f"{display} needs an upgrade to this litdesk's schema: ask "
                                   "its owner to open it once with this version.")
            conn.rollback()
            migrate.upgrade(conn)
            conn.commit()
            with conn.begin():  # keys by this litdesk's rules (see dup_check)
                dup_check.refresh_keys(conn)
        if conn.execute(text(
                "SELECT value FROM library_meta WHERE key = 'application'")).scalar() != (
                APPLICATION):
            raise LibraryError(f"The database {display} is not a litdesk library; it was left "
                               "untouched.")


def _stamp(conn: Connection) -> None:
    conn.execute(insert(MetaRow), [
        {"key": "application", "value": APPLICATION},
        {"key": "created", "value": now()},
    ])


def _has_library_stamp(conn: Connection) -> bool:
    """Whether the database has litdesk's own table with litdesk's stamp in it."""
    try:
        found = conn.execute(text(
            "SELECT value FROM library_meta WHERE key = 'application'")).scalar() == APPLICATION
    except DBAPIError:
        found = False
    conn.rollback()
    return found


def _has_other_tables(conn: Connection) -> bool:
    names = inspect(conn).get_table_names()
    conn.rollback()
    return bool(names)
