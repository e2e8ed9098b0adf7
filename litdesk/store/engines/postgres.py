"""The PostgreSQL engine: a team library on a server, opened and upgraded, and its backend.

None of the file library's safety nets apply (file checks, backups before upgrades,
``quick_check``): the server keeps its data safe, and backups are the server's tools' job::

    pg_dump --format=custom --file=litdesk-$(date +%F).dump "postgresql://OWNER@HOST/DBNAME"
    # restore into a new, empty database owned by the same login:
    createdb -O OWNER litdesk_restored
    pg_restore --no-owner --role=OWNER -d "postgresql://OWNER@HOST/litdesk_restored" FILE.dump

``pg_dump`` runs as the owner (row-level security does not hide rows from a table's owner);
the logins granted access must be granted again on a restored database (``litdesk grant``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Select,
    cast,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from litdesk.core import spans as span_ops
from litdesk.core.model import Record, Span
from litdesk.store import creation, migrate
from litdesk.store.convert import to_record
from litdesk.store.engines import pg_connection, pg_team
from litdesk.store.engines.base import Indexer, check_revision, prepare_or_close, upgrade
from litdesk.store.engines.pg_search import SEARCH_TABLE
from litdesk.store.errors import LibraryError, LibraryMissing, PasswordNeeded
from litdesk.store.schema import MemoRow, MetaRow, RecordRow, SpanRow
from litdesk.store.stamps import APPLICATION, now

if TYPE_CHECKING:
    from litdesk.store.engines.pg_live import ChangeListener
    from litdesk.store.library import Library

#: The library_meta key of the count of statements that added or removed records, kept by
#: a trigger (migration 0006).
RECORD_CHANGES = "record_changes"
#: A coder's spans on a record replaced, and the status's section count set, in one
#: statement on a server (atomic without a transaction around it).
_REPLACE_SPANS = text(
    "WITH gone AS (DELETE FROM span WHERE record_id = :rid AND coder = :coder), "
    "added AS (INSERT INTO span (record_id, coder, start, \"end\", label, text) "
    "SELECT :rid, :coder, (v->>0)::int, (v->>1)::int, v->>2, v->>3 "
    "FROM json_array_elements(CAST(:spans AS json)) WITH ORDINALITY AS e(v, n) ORDER BY n) "
    "INSERT INTO coding_status (record_id, coder, sections, done, suggestions) "
    "VALUES (:rid, :coder, :sections, false, '') "
    "ON CONFLICT (record_id, coder) DO UPDATE SET sections = EXCLUDED.sections")


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
        display = ServerName(pg_connection.safe_display(location))
        engine = pg_connection.create_engine(location, password=password, read_only=read_only,
                                             lock_timeout_ms=lock_timeout_ms)
    except pg_connection.AddressError as e:
        raise LibraryError(str(e)) from e
    try:
        with engine.connect() as conn:
            user = pg_connection.login(conn)
    except OperationalError as e:
        engine.dispose()
        if pg_connection.is_password_problem(e):
            raise PasswordNeeded(f"The server {display} needs the password of this login.") from e
        raise LibraryError(pg_connection.environment_message(e, display)
                           or f"Cannot open the library {display}: {e.orig}.") from e
    pg_connection.guard_engine(engine, display)
    lib = cls(engine, display, coder or user, read_only)  # type: ignore[arg-type]
    return prepare_or_close(BACKEND, lib, fresh=False, create=create, failing=DBAPIError)


class PostgreSQL:
    """The backend of a server library (see :class:`litdesk.store.engines.base.Backend`)."""

    name = "postgresql"

    def reads(self, engine: Engine) -> Engine:
        # One-statement reads run outside a transaction: no BEGIN and ROLLBACK round trips
        # around every look at the library.
        return engine.execution_options(isolation_level="AUTOCOMMIT")

    def prepare(self, lib: Library, *, fresh: bool, create: bool) -> None:
        display = lib.path
        with lib.engine.connect() as conn:
            revision = check_revision(conn, display)
            fresh = revision is None
            if fresh and _has_other_tables(conn):
                if _has_library_stamp(conn):
                    raise LibraryError(
                        f"The library {display} has lost its schema version (the "
                        "alembic_version table or its row is missing), so litdesk cannot tell "
                        "how to read or upgrade it; it was left untouched. Restore it from a "
                        "pg_dump backup into a new database (see the user guide).")
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
                if not fresh and not pg_connection.is_owner(conn):
                    conn.rollback()
                    raise LibraryError(f"{display} needs an upgrade to this litdesk's schema: "
                                       "ask its owner to open it once with this version.")
                conn.rollback()
                upgrade(conn)
            if conn.execute(text(
                    "SELECT value FROM library_meta WHERE key = 'application'")).scalar() != (
                    APPLICATION):
                raise LibraryError(f"The database {display} is not a litdesk library; it was "
                                   "left untouched.")

    def check(self, lib: Library) -> LibraryError | None:
        return None  # the server's business

    def integrity_ok(self, engine: Engine) -> bool:
        return True  # the server's business

    def record(self, lib: Library, record_id: int) -> Record:
        """In one statement: the spans (as JSON) and memo in subqueries."""
        spans = select(func.json_agg(aggregate_order_by(func.json_build_array(
            SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.text), SpanRow.start))).where(
            SpanRow.record_id == record_id, SpanRow.coder == lib.coder).scalar_subquery()
        memo = select(MemoRow.text).where(
            MemoRow.record_id == record_id, MemoRow.coder == lib.coder).scalar_subquery()
        with Session(self.reads(lib.engine), expire_on_commit=False) as s:
            found = s.execute(select(RecordRow, spans, memo).where(
                RecordRow.id == record_id)).one_or_none()
        if found is None:
            raise KeyError(record_id)
        row, span_list, memo_text = found
        return to_record(row, tuple(Span(a, b, label, text_ or "", lib.coder)
                                    for a, b, label, text_ in span_list or ()), memo_text or "")

    def replace_spans(self, lib: Library, record_id: int, spans: Sequence[Span]) -> list[Span]:
        """Read the abstract, then one statement (atomic by itself) replaces the spans and
        sets the status; two round trips instead of eight."""
        lib._writable()
        with lib.write_path.held(), self.reads(lib.engine).connect() as conn:
            abstract = conn.execute(select(RecordRow.abstract).where(
                RecordRow.id == record_id)).scalar_one_or_none()
            if abstract is None:
                raise KeyError(record_id)
            clean = span_ops.normalise(
                [Span(x.start, x.end, x.label, coder=lib.coder) for x in spans], abstract)
            try:
                conn.execute(_REPLACE_SPANS, {
                    "rid": record_id, "coder": lib.coder,
                    "spans": json.dumps([[x.start, x.end, x.label, x.text] for x in clean],
                                        ensure_ascii=False),
                    "sections": len({x.label for x in clean})})
            except IntegrityError as e:  # the record was deleted in between
                raise KeyError(record_id) from e
        return clean

    def record_changes(self) -> Select[int]:
        # A server counts its changes to records (migration 0006): counting 100,000 rows
        # there takes tens of milliseconds, and the window looks after every tag.
        return select(func.coalesce(select(cast(MetaRow.value, BigInteger)).where(
            MetaRow.key == RECORD_CHANGES).scalar_subquery(), 0))

    def fetch_ids(self, conn: Connection, stmt: Select[int]) -> list[int]:
        compiled = stmt.compile(conn)
        driver: Any = conn.connection.driver_connection
        # psycopg: named parameters, through a cursor. Binary results: 100,000 ids arrive as
        # int4s, not as text to parse (a quarter less time for a sort of the whole library).
        with driver.cursor(binary=True) as cur:
            cur.execute(compiled.string, compiled.params)
            return [row[0] for row in cur.fetchall()]

    @contextmanager
    def bulk_insert(self, conn: Connection, *, rebuild: bool = False) -> Iterator[Indexer]:
        yield lambda first, last: None  # the server indexes by its own triggers

    def after_bulk(self, engine: Engine) -> None:
        settle(engine)

    def checkpoint(self, engine: Engine) -> None:
        return None  # the server checkpoints on its own

    def may_change_others(self, conn: Connection) -> bool:
        return pg_connection.is_owner(conn)

    def advance_ids(self, conn: Connection) -> None:
        for table in ("record", "import_batch", "span", "merge_log", "duplicate_pair"):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"))

    def listener(self, engine: Engine) -> ChangeListener:
        from litdesk.store.engines.pg_live import ChangeListener

        return ChangeListener(engine)

    def own_file(self, lib: Library, path: str) -> str | None:
        return None  # a server library has no files

    def grant(self, lib: Library, login: str) -> None:
        pg_team.grant(lib, login)

    def revoke(self, lib: Library, login: str) -> None:
        pg_team.revoke(lib, login)

    def members(self, lib: Library) -> list[str]:
        return pg_team.members(lib)


BACKEND = PostgreSQL()


def settle(engine: Engine) -> None:
    """``VACUUM (ANALYZE)`` the tables a large import filled, at once rather than when
    autovacuum next wakes: sorted pages become index-only scans, and plans use statistics.
    Only the tables' owner may; for other logins this is a no-op (the server says why)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if pg_connection.is_owner(conn):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) record, {SEARCH_TABLE}, coding_status, span")


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
