"""Undoable removals: snapshots of records (and imports) to put back with the same ids.

A :class:`Snapshot` holds the full rows of some records with every coder's spans, memos,
status rows and screening decisions, and the team's consensus on them (and, for a removed
import, the batch row), so putting it back re-creates them with
the same ids; the search index follows through its triggers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from litdesk.store.errors import LibraryError
from litdesk.store.schema import (
    BatchRow,
    ConsensusRow,
    DecisionRow,
    IdentifierRow,
    MemoRow,
    PairRow,
    RecordRow,
    SpanRow,
    StatusRow,
)

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


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
    decisions: tuple[dict[str, Any], ...] = ()  # every screener's
    consensus: tuple[dict[str, Any], ...] = ()

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
        decisions=tuple(_rows(s, DecisionRow.__table__, DecisionRow.record_id, ids)),
        consensus=tuple(_rows(s, ConsensusRow.__table__, ConsensusRow.record_id, ids)),
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
        for table in (SpanRow, MemoRow, StatusRow, IdentifierRow, DecisionRow, ConsensusRow):
            s.execute(delete(table).where(table.record_id.in_(part)))
        s.execute(delete(PairRow).where(PairRow.record_a.in_(part) | PairRow.record_b.in_(part)))
        s.execute(delete(RecordRow).where(RecordRow.id.in_(part)))
    batch_ids = [b["id"] for b in snap.batches]
    if batch_ids:
        s.execute(delete(BatchRow).where(BatchRow.id.in_(batch_ids)))


def restore(s: Session, snap: Snapshot) -> None:
    """Put back what ``snap`` holds, with the same ids; LibraryError if one is taken."""
    taken = [i for part in _chunks(snap.ids)
             for i in s.scalars(select(RecordRow.id).where(RecordRow.id.in_(part)))]
    if taken:
        shown = ", ".join(map(str, taken[:5])) + (" ..." if len(taken) > 5 else "")
        raise LibraryError(f"The records cannot be put back: record ids {shown} are in use again.")
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
                        (IdentifierRow, snap.identifiers), (DecisionRow, snap.decisions),
                        (ConsensusRow, snap.consensus)):
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
