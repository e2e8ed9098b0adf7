"""The library's safety nets: a read-only look before opening, clear messages for environment
errors (locked, read-only, disk full), and snapshots that make deleting records undoable.

A :class:`Snapshot` holds the full rows of some records with every coder's spans, memos and
status rows (and, for a removed import, the batch row), so putting it back re-creates them with
the same ids; the search index follows through its triggers.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DatabaseError, DBAPIError
from sqlalchemy.orm import Session

from litdesk.store import migrate, sqlite
from litdesk.store.schema import (
    BatchRow,
    IdentifierRow,
    MemoRow,
    PairRow,
    RecordRow,
    SpanRow,
    StatusRow,
)
from litdesk.store.sqlite_file import FileState as FileState
from litdesk.store.sqlite_file import file_uri as file_uri
from litdesk.store.sqlite_file import inspect_file as inspect_file

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def read_only_engine(path: Path) -> Engine:
    """An engine on which SQLite itself refuses writes (``mode=ro``; ``immutable`` when the
    folder is read-only too, since no ``-shm`` file can be made there)."""
    uri = file_uri(path, read_only=True, immutable=not os.access(path.parent, os.W_OK))
    return create_engine(f"sqlite:///{path}", future=True, creator=lambda: sqlite3.connect(
        uri, uri=True, check_same_thread=False))


def guard_engine(engine: Engine, path: Path, error: Callable[[str], Exception],
                 busy_timeout_ms: int | None = None) -> None:
    """Turn environment errors on ``engine`` into ``error(message)``; set the busy timeout."""
    if busy_timeout_ms is not None:
        @event.listens_for(engine, "connect")
        def _timeout(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")

    @event.listens_for(engine, "handle_error")
    def _translate(ctx: ExceptionContext) -> None:
        message = environment_message(ctx.original_exception, path)
        if message is not None:
            raise error(message) from ctx.original_exception


def unknown_version_message(path: Path | str, revision: str, advice: str = "") -> str:
    """Why a library whose schema version this litdesk does not know was refused."""
    if migrate.is_newer(revision):
        return (f"{path} was made by a newer version of litdesk (schema {revision}). "
                "Update litdesk to open it; the library was not changed.")
    known = migrate.REVISIONS
    return (f"{path} has an unknown schema version ({revision!r}): not one this litdesk knows "
            f"({known[0]} to {known[-1]}) and not a newer one, so no litdesk release made it "
            "(a development build may have, or the library was damaged). It was left "
            "untouched. Open it with the litdesk that made it, or, if it was damaged, "
            f"restore a backup. {advice}").rstrip()


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


def damaged_message(path: Path, problem: str, backup: Path | None) -> str:
    offer = (f" The newest backup is {backup}: restore it with File > Restore Backup."
             if backup else " There is no backup of it.")
    return f"The library {path} is damaged ({problem}); it was left untouched.{offer}"


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


# -- undo snapshots --------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Removed records with everything attached to them, to put back with the same ids."""

    records: tuple[dict[str, Any], ...]
    spans: tuple[dict[str, Any], ...] = ()
    memos: tuple[dict[str, Any], ...] = ()
    statuses: tuple[dict[str, Any], ...] = ()
    batches: tuple[dict[str, Any], ...] = ()
    identifiers: tuple[dict[str, Any], ...] = ()
    pairs: tuple[dict[str, Any], ...] = ()

    @property
    def ids(self) -> list[int]:
        return [int(r["id"]) for r in self.records]

    def __len__(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class BatchInfo:
    """One import (a file brought in at once) and how many of its records are still there."""

    id: int
    source: str
    imported_at: str
    format: str
    encoding: str
    added: int
    duplicates: int
    coder: str
    records: int


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i:i + _CHUNK])


def _rows(s: Session, table: Any, column: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in _chunks(ids):
        out += [dict(r._mapping) for r in s.execute(select(table).where(column.in_(part)))]
    return out


def take_snapshot(s: Session, ids: Sequence[int], batches: Sequence[int] = ()) -> Snapshot:
    """Everything about the records ``ids`` (and the import batches ``batches``)."""
    ids = sorted(set(ids))
    return Snapshot(
        records=tuple(_rows(s, RecordRow.__table__, RecordRow.id, ids)),
        spans=tuple(_rows(s, SpanRow.__table__, SpanRow.record_id, ids)),
        memos=tuple(_rows(s, MemoRow.__table__, MemoRow.record_id, ids)),
        statuses=tuple(_rows(s, StatusRow.__table__, StatusRow.record_id, ids)),
        batches=tuple(_rows(s, BatchRow.__table__, BatchRow.id, list(batches))),
        identifiers=tuple(_rows(s, IdentifierRow.__table__, IdentifierRow.record_id, ids)),
        pairs=tuple({r["id"]: r for r in (
            _rows(s, PairRow.__table__, PairRow.record_a, ids)
            + _rows(s, PairRow.__table__, PairRow.record_b, ids))}.values()),
    )


def batch_snapshot(s: Session, batch_id: int) -> Snapshot:
    """Everything about an import batch and its records; KeyError if there is no such batch."""
    if s.get(BatchRow, batch_id) is None:
        raise KeyError(batch_id)
    ids = list(s.scalars(select(RecordRow.id).where(RecordRow.batch_id == batch_id)))
    return take_snapshot(s, ids, [batch_id])


def remove(s: Session, snap: Snapshot) -> None:
    """Delete what ``snap`` holds from the library."""
    ids = snap.ids
    for part in _chunks(ids):
        for table in (SpanRow, MemoRow, StatusRow, IdentifierRow):
            s.execute(delete(table).where(table.record_id.in_(part)))
        s.execute(delete(PairRow).where(PairRow.record_a.in_(part) | PairRow.record_b.in_(part)))
        s.execute(delete(RecordRow).where(RecordRow.id.in_(part)))
    batch_ids = [b["id"] for b in snap.batches]
    if batch_ids:
        s.execute(delete(BatchRow).where(BatchRow.id.in_(batch_ids)))


def restore(s: Session, snap: Snapshot, error: Callable[[str], Exception]) -> None:
    """Put back what ``snap`` holds, with the same ids; ``error(message)`` if one is taken."""
    taken = [i for part in _chunks(snap.ids)
             for i in s.scalars(select(RecordRow.id).where(RecordRow.id.in_(part)))]
    if taken:
        shown = ", ".join(map(str, taken[:5])) + (" ..." if len(taken) > 5 else "")
        raise error(f"The records cannot be put back: record ids {shown} are in use again.")
    batch_ids = [b["id"] for b in snap.batches]
    present = set(s.scalars(select(BatchRow.id).where(BatchRow.id.in_(batch_ids)))) \
        if batch_ids else set()
    new_batches = [b for b in snap.batches if b["id"] not in present]
    wanted = {r["batch_id"] for r in snap.records} - {None}
    known = set(s.scalars(select(BatchRow.id).where(BatchRow.id.in_(wanted)))) if wanted else set()
    known |= {b["id"] for b in new_batches}
    # A record whose import was removed since comes back as not belonging to any import.
    records = [r if r["batch_id"] in known else {**r, "batch_id": None} for r in snap.records]
    for table, rows in ((BatchRow, new_batches), (RecordRow, records), (SpanRow, snap.spans),
                        (MemoRow, snap.memos), (StatusRow, snap.statuses),
                        (IdentifierRow, snap.identifiers)):
        for i in range(0, len(rows), _CHUNK):
            s.execute(insert(table), list(rows[i:i + _CHUNK]))
    # A flagged pair comes back when its other record is still (or again) in the library.
    others = {p[k] for p in snap.pairs for k in ("record_a", "record_b")}
    present_ids = {i for part in _chunks(sorted(others))
                   for i in s.scalars(select(RecordRow.id).where(RecordRow.id.in_(part)))}
    pairs = [p for p in snap.pairs if {p["record_a"], p["record_b"]} <= present_ids]
    if pairs:
        s.execute(insert(PairRow), pairs)


def batches(s: Session) -> list[BatchInfo]:
    """Every import batch, oldest first, with the number of its records still in the library."""
    counts: dict[int | None, int] = {
        batch_id: n for batch_id, n in s.execute(
            select(RecordRow.batch_id, func.count(RecordRow.id)).group_by(RecordRow.batch_id))}
    return [BatchInfo(b.id, b.source, b.imported_at, b.format, b.encoding, b.added,
                      b.duplicates, b.coder, counts.get(b.id, 0))
            for b in s.scalars(select(BatchRow).order_by(BatchRow.id))]


def check_is_library(path: Path, error: Callable[[str], Exception]) -> None:
    """Refuse, without writing to it, a file that is not a litdesk library."""
    try:
        is_sqlite = sqlite.looks_like_sqlite(path)
    except OSError as e:
        raise error(f"Cannot read {path}: {e.strerror}.") from e
    if not is_sqlite:
        raise error(f"{path} is not a litdesk library (it is not a database file).")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", future=True)
    try:
        with engine.connect() as conn:
            if sqlite.application_id(conn) == sqlite.APPLICATION_ID:
                return
            raise error(f"{path} is a database, but not a litdesk library. It was left untouched.")
    except DatabaseError as e:
        raise error(f"{path} is damaged or not a litdesk library ({e.orig}).") from e
    finally:
        engine.dispose()
