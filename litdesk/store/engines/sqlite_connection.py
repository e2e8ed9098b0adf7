"""SQLite connections: PRAGMAs, the write lock at BEGIN, driver-level inserts, file copies.

Every SQLite connection litdesk opens is configured here; what a library file is, and its
backups, are in :mod:`.sqlite_files` and :mod:`.sqlite_backup`, its search index in
:mod:`.sqlite_search`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from litdesk.store.engines.sqlite_look import APPLICATION_ID as APPLICATION_ID
from litdesk.store.engines.sqlite_look import SQLITE_MAGIC as SQLITE_MAGIC

BUSY_TIMEOUT_MS = 10_000
#: Execution option marking a connection that will write (its transactions BEGIN IMMEDIATE).
WRITE_OPTION = "litdesk_write"
#: SQLite page cache while importing, in KiB (the default 2 MB makes the search index spill
#: to disk again and again); bounded, so memory stays bounded too.
IMPORT_CACHE_KIB = 32 * 1024
#: Rows in one multi-row INSERT of `insert_many` (fewer where SQLite allows fewer variables).
MAX_ROWS_PER_INSERT = 500


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


def checkpoint(conn: Connection) -> None:
    """Copy what the write-ahead log holds into the database file, as far as readers allow,
    without waiting for anyone (a background thread does it, so that the window's commit never
    finds the log over SQLite's auto-checkpoint size and does it instead)."""
    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()


def integrity_ok(conn: Connection) -> bool:
    return conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"


@contextmanager
def import_cache(conn: Connection) -> Iterator[None]:
    """A larger page cache for the length of one import, then the previous size."""
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def backup(source: Connection, dest: Path) -> None:
    """A consistent copy of the open library at ``dest``, with SQLite's online backup API."""
    raw = source.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    copy_database(raw, dest)


def copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """A consistent copy of the database open on ``source`` at ``dest`` (the backup API)."""
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()


def insert_many(conn: Connection, table: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` straight through the driver, in the connection's transaction: no per-row
    work in SQLAlchemy (an import's hot path). Values are what SQLite stores (JSON as text).

    Many rows go in one ``INSERT ... VALUES (...), (...)`` rather than an ``executemany``: the
    driver releases the GIL around each statement it steps, and an import's reading thread
    holds it most of the time, so one step per row made this (writer) thread wait for the GIL
    once per row. The rows of one statement are stepped in a single release.
    """
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    width = len(columns)
    per = max(1, min(MAX_ROWS_PER_INSERT, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                     // width))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    row = "(" + ", ".join("?" * width) + ")"
    for at in range(0, len(rows), per):
        part = rows[at:at + per]
        raw.execute(head + ", ".join([row] * len(part)), list(chain.from_iterable(part)))
