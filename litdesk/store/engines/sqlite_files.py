"""SQLite library files: is this file one of ours, a read-only look inside, its messages.

Everything litdesk checks about a library file before (or without) opening it for writing:
the one test of whether a file is a litdesk library (:func:`identify`, used for libraries and
their backups alike), its schema revision and integrity, and the messages for people when a
file cannot be used.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError

from litdesk.store.engines.sqlite_connection import APPLICATION_ID, SQLITE_MAGIC
from litdesk.store.engines.sqlite_look import FileState as FileState
from litdesk.store.engines.sqlite_look import file_uri as file_uri
from litdesk.store.engines.sqlite_look import inspect_file as inspect_file
from litdesk.store.errors import LibraryError


class Kind(Enum):
    """What :func:`identify` found a file to be."""

    OURS = "a litdesk library"
    UNREADABLE = "cannot be read"
    NOT_SQLITE = "not a database file"
    OTHER_DATABASE = "a database, but not a litdesk library"
    DAMAGED = "a damaged database"
    BUSY = "locked by another program"


@dataclass(frozen=True)
class Identity:
    """What a file is (``kind``), why (``detail``: the error), and (asked for) its check."""

    kind: Kind
    detail: str = ""
    intact: bool = True


def identify(path: Path, *, check: bool = False) -> Identity:
    """Whether ``path`` is a litdesk library (SQLite's header, then litdesk's application
    id), read without writing; ``check``: run ``PRAGMA quick_check`` too (``intact``)."""
    try:
        with path.open("rb") as f:
            header = f.read(16)
    except OSError as e:
        return Identity(Kind.UNREADABLE, str(e.strerror))
    if header != SQLITE_MAGIC:
        return Identity(Kind.NOT_SQLITE)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            intact = not check or con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            con.close()
    except sqlite3.OperationalError as e:
        # Locked (another program writes to it in rollback-journal mode) is not damaged: it
        # must not send anyone to restore a backup.
        busy = e.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        return Identity(Kind.BUSY if busy else Kind.DAMAGED, str(e))
    except sqlite3.Error as e:
        return Identity(Kind.DAMAGED, str(e))
    if app_id != APPLICATION_ID:
        return Identity(Kind.OTHER_DATABASE)
    return Identity(Kind.OURS, intact=intact)


def check_is_library(path: Path) -> None:
    """Refuse (LibraryError), without writing to it, a file that is not a litdesk library."""
    found = identify(path)
    if found.kind is Kind.UNREADABLE:
        raise LibraryError(f"Cannot read {path}: {found.detail}.")
    if found.kind is Kind.NOT_SQLITE:
        raise LibraryError(f"{path} is not a litdesk library (it is not a database file).")
    if found.kind is Kind.OTHER_DATABASE:
        raise LibraryError(
            f"{path} is a database, but not a litdesk library. It was left untouched.")
    if found.kind is Kind.DAMAGED:
        raise LibraryError(f"{path} is damaged or not a litdesk library ({found.detail}).")
    if found.kind is Kind.BUSY:
        raise LibraryError(f"The library {path} is locked by another program that is writing "
                           "to it; it was left untouched. Try again when that program is done.")


def read_only_engine(path: Path) -> Engine:
    """An engine on which SQLite itself refuses writes (``mode=ro``; ``immutable`` when the
    folder is read-only too, since no ``-shm`` file can be made there)."""
    uri = file_uri(path, read_only=True, immutable=not os.access(path.parent, os.W_OK))
    return create_engine(f"sqlite:///{path}", future=True, creator=lambda: sqlite3.connect(
        uri, uri=True, check_same_thread=False))


def guard_engine(engine: Engine, path: Path, busy_timeout_ms: int | None = None) -> None:
    """Turn environment errors on ``engine`` into LibraryError; set the busy timeout."""
    if busy_timeout_ms is not None:
        @event.listens_for(engine, "connect")
        def _timeout(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")

    @event.listens_for(engine, "handle_error")
    def _translate(ctx: ExceptionContext) -> None:
        message = environment_message(ctx.original_exception, path)
        if message is not None:
            raise LibraryError(message) from ctx.original_exception


def place_guard(path: Path) -> Callable[[], None]:
    """A check that the file at ``path`` is still the one opened now (same device and inode):
    a library moved, deleted or replaced on disk while open (a file manager, a sync client)
    must not take changes that would go to a file no one opens again, or be split between two
    files as SQLite opens new connections at the path."""
    opened = path.stat()

    def check() -> None:
        try:
            now = path.stat()
        except OSError:
            now = None
        if now is None or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            raise LibraryError(
                f"The library file {path} was {'moved or deleted' if now is None else 'replaced'}"
                " on disk after litdesk opened it: nothing more is saved to it. Put it back, "
                "or open the library where it is now (File > Open).")

    return check


def lost_version_message(path: Path, advice: str) -> str:
    """Why a litdesk library file without its schema version row was refused."""
    return (f"The library {path} has lost its schema version (the alembic_version table or "
            "its row is missing), so litdesk cannot tell how to read or upgrade it; it was "
            f"left untouched. {advice}")


def missing_message(path: Path, read_only: bool = False) -> str:
    """Why opening ``path``, where there is no file, created nothing."""
    folder = "" if path.parent.is_dir() else f" (the folder {path.parent} does not exist either)"
    doing = " to open read-only" if read_only else ""
    return f"There is no library at {path}{doing}{folder}; nothing was created."


def empty_file_message(path: Path) -> str:
    return (f"{path} is an empty file (0 bytes), not a litdesk library; it was left untouched. "
            "To start a new library there, delete the empty file first, or choose another "
            "name.")


def environment_message(exc: BaseException, path: Path) -> str | None:
    """A message for people when ``exc`` comes from the environment, else None (a bug)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.Error):
        return None
    text = str(orig).lower()
    if "locked" in text or "busy" in text:
        return (f"The library {path} is in use by another program (another litdesk, a sync "
                "or backup tool, or a database browser) and stayed locked; nothing was "
                "changed. Close that program and try again.")
    if "readonly" in text or "read-only" in text:
        return f"The library {path} is read-only: changes cannot be saved."
    if "full" in text:
        return f"The disk holding {path} is full: the change could not be saved."
    if "disk i/o" in text:
        return f"The disk holding {path} could not be written to (input/output error)."
    if "malformed" in text or "not a database" in text:
        return (f"The library {path} is damaged ({orig}). Restore a backup "
                "(File > Restore Backup...).")
    return None
