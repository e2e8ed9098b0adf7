"""Everything in the store that only SQLite has: file checks, PRAGMAs, FTS5, the backup API.

The rest of ``litdesk.store`` is portable SQLAlchemy; a PostgreSQL library will get its own
counterpart of this module (full-text search with a GIN index, ``pg_dump`` backups).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.sql.elements import TextClause

from litdesk.core.query import Term
from litdesk.store.sqlite_file import APPLICATION_ID as APPLICATION_ID
from litdesk.store.sqlite_file import SQLITE_MAGIC as SQLITE_MAGIC
from litdesk.store.sqlite_file import looks_like_sqlite as looks_like_sqlite

BUSY_TIMEOUT_MS = 10_000
#: Execution option marking a connection that will write (its transactions BEGIN IMMEDIATE).
WRITE_OPTION = "litdesk_write"

FTS_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
#: The trigger that indexes each new record; `indexing_in_bulk` suspends it during an import.
INSERT_TRIGGER = "record_fts_ai"
#: SQLite page cache while importing, in KiB (the default 2 MB makes the search index spill
#: to disk again and again); bounded, so memory stays bounded too.
IMPORT_CACHE_KIB = 64 * 1024


def make_self_contained(path: Path) -> None:
    """Fold any WAL into the database file at ``path`` and flush it to disk, so the file
    alone is the whole database (to be renamed into place). No connection may be open on it."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = DELETE")
    finally:
        con.close()
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def fsync_folder(folder: Path) -> None:
    """Put a rename in ``folder`` on disk (where the platform can: not on Windows)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def configure_engine(engine: Engine, *, read_only: bool = False) -> None:
    """Set the per-connection PRAGMAs every litdesk connection needs."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy manage transactions, and make BEGIN take the write lock up front so
        # two processes writing at once wait for each other instead of failing mid-way.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writes (Library.session) take the write lock at BEGIN; reads begin deferred, so in
        # WAL mode they never wait for a writer, here or in another process.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write and not read_only else "BEGIN")


def mark_as_library(conn: Connection) -> None:
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def application_id(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA application_id").scalar() or 0)


def integrity_ok(conn: Connection) -> bool:
    return conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"


def create_search_index(conn: Connection) -> None:
    """Create the FTS5 index over records and the triggers that keep it in step."""
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE record_fts USING fts5({cols}, content='record', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON record BEGIN "
        f"INSERT INTO record_fts(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER record_fts_ad AFTER DELETE ON record BEGIN "
        f"INSERT INTO record_fts(record_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER record_fts_au AFTER UPDATE OF {cols} ON record BEGIN "
        f"INSERT INTO record_fts(record_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO record_fts(rowid, {cols}) VALUES (new.id, {new}); END"
    )


@contextmanager
def indexing_in_bulk(conn: Connection) -> Iterator[Callable[[int, int], None]]:
    """Within the open transaction, index new records a range at a time, not row by row.

    Yields ``index(first_id, last_id)``, which adds the records with ids in that range to the
    full-text index; every record inserted inside the block must be indexed so. Filling the
    index with one ``INSERT ... SELECT`` per range takes half the time of the per-row trigger.
    The insert trigger is dropped for the block and re-created, verbatim, when it ends
    normally; when it raises, the caller's rollback undoes the drop along with everything
    else (DDL is transactional in SQLite), so the index can never miss a committed record.
    """
    if conn.dialect.name != "sqlite":  # a server indexes by its own triggers
        yield lambda first, last: None
        return
    trigger_sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (INSERT_TRIGGER,)
    ).scalar()
    if trigger_sql is None:  # no index to keep in step (never in a migrated library)
        yield lambda first, last: None
        return
    cols = ", ".join(FTS_COLUMNS)
    fill = (f"INSERT INTO record_fts(rowid, {cols}) SELECT id, {cols} FROM record "
            "WHERE id BETWEEN ? AND ?")

    def index(first: int, last: int) -> None:
        conn.exec_driver_sql(fill, (first, last))

    conn.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    yield index
    conn.exec_driver_sql(trigger_sql)


@contextmanager
def import_cache(conn: Connection) -> Iterator[None]:
    """A larger page cache for the length of one import, then the previous size (SQLite only;
    nothing on a server)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def drop_search_index(conn: Connection) -> None:
    for trig in (INSERT_TRIGGER, "record_fts_ad", "record_fts_au"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trig}")
    conn.exec_driver_sql("DROP TABLE IF EXISTS record_fts")


def match_expression(terms: Sequence[Term]) -> str:
    """An FTS5 MATCH expression requiring every term (each word quoted: no syntax errors)."""
    parts = []
    for t in terms:
        phrase = '"' + " ".join(w.replace('"', '""') for w in t.words) + '"'
        if t.prefix:
            phrase += "*"
        parts.append(f"{t.column} : {phrase}" if t.column else phrase)
    return " AND ".join(parts)


def matching_ids(terms: Sequence[Term], param: str = "fts_q") -> TextClause:
    """SQL selecting the ids of records matching all ``terms`` (bound as ``param``)."""
    sql = text(f"SELECT rowid FROM record_fts WHERE record_fts MATCH :{param}")
    return sql.bindparams(**{param: match_expression(terms)})


def backup(source: Connection, dest: Path) -> None:
    """A consistent copy of the open library at ``dest``, with SQLite's online backup API."""
    raw = source.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    target = sqlite3.connect(dest)
    try:
        raw.backup(target)
    finally:
        target.close()


def insert_many(conn: Connection, table: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """``executemany`` straight on the driver, in the connection's transaction: no per-row
    work in SQLAlchemy (an import's hot path). Values are what SQLite stores (JSON as text)."""
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    marks = ", ".join("?" * len(columns))
    raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
