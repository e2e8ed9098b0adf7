"""A SQLite library file as the standard library sees it: header, id, URI, a read-only look.

No SQLAlchemy here: these run before an engine exists, and for `litdesk.store.glance`
(and so this module is the one engine module imported outside a SQLite engine's own).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
#: ``PRAGMA application_id`` of a litdesk library: "LITD".
APPLICATION_ID = 0x4C495444


def looks_like_sqlite(path: Path) -> bool:
    """True when ``path`` starts with SQLite's file header."""
    with path.open("rb") as f:
        return f.read(16) == SQLITE_MAGIC


@dataclass(frozen=True)
class FileState:
    """What a read-only look at an existing library file found."""

    revision: str | None
    intact: bool
    problem: str = ""


def file_uri(path: Path, *, read_only: bool, immutable: bool = False) -> str:
    """A SQLite URI for ``path`` (percent-encoded, so any file name works)."""
    uri = path.resolve().as_uri()
    if read_only:
        uri += "?mode=ro" + ("&immutable=1" if immutable else "")
    return uri


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection on which SQLite refuses writes (``immutable`` too when the folder is
    read-only, since no ``-shm`` file can be made there); sqlite3.Error if it cannot open."""
    immutable = not os.access(path.parent, os.W_OK)
    return sqlite3.connect(file_uri(path, read_only=True, immutable=immutable), uri=True)


def inspect_file(path: Path, *, check: bool = True) -> FileState:
    """The schema revision and (with ``check``) the result of ``PRAGMA quick_check``, read
    without writing."""
    try:
        con = connect_read_only(path)
    except sqlite3.Error as e:
        return FileState(None, False, str(e))
    try:
        return inspect(con, check=check)
    finally:
        con.close()


def inspect(con: sqlite3.Connection, *, check: bool = True) -> FileState:
    """`inspect_file` on an open connection."""
    try:
        found = [row[0] for row in con.execute("PRAGMA quick_check(5)")] if check else ["ok"]
        if found != ["ok"]:
            return FileState(None, False, "; ".join(map(str, found)))
        has_version = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()[0]
        revision = None
        if has_version:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return FileState(revision, True)
    except sqlite3.DatabaseError as e:
        return FileState(None, False, str(e))
