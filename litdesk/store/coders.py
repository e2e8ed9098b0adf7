"""Double coding in the store: who coded what, any coder's spans, consensus, export choice.

Functions here take an open :class:`~litdesk.store.library.Library` and work for a coder named
explicitly (the library's own methods work for ``Library.coder``). No Qt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from litdesk.core import spans as span_ops
from litdesk.core.agreement import Pair
from litdesk.core.model import CONSENSUS_CODER, Record, Span
from litdesk.core.spans import SpanError
from litdesk.store.convert import to_span
from litdesk.store.rows import CoderStatus as CoderStatus
from litdesk.store.schema import MemoRow, RecordRow, SpanRow, StatusRow

if TYPE_CHECKING:
    from litdesk.store.library import Library

_CHUNK = 500


def _reader(lib: Library) -> Session:
    # Reads work on read-only libraries too, where Library.session() refuses.
    return Session(lib.engine, expire_on_commit=False)


def _check_coder(coder: str) -> None:
    if not coder or not coder.strip():
        raise ValueError("the coder name must not be empty")


def coders(lib: Library) -> list[str]:
    """Every coder with any span, memo or status in the library (empty names left out), sorted."""
    found: set[str] = set()
    with _reader(lib) as s:
        for table in (SpanRow, MemoRow, StatusRow):
            found.update(s.scalars(select(table.coder).distinct()))
    return sorted(c for c in found if c and c.strip())


def status_by_coder(lib: Library, ids: Sequence[int]) -> dict[int, dict[str, CoderStatus]]:
    """For each of ``ids`` that any coder has a status on: coder -> sections and done mark."""
    out: dict[int, dict[str, CoderStatus]] = {}
    ids = list(ids)
    with _reader(lib) as s:
        for i in range(0, len(ids), _CHUNK):
            stmt = select(StatusRow.record_id, StatusRow.coder, StatusRow.sections,
                          StatusRow.done).where(StatusRow.record_id.in_(ids[i:i + _CHUNK]))
            for rid, coder, sections, done in s.execute(stmt):
                out.setdefault(rid, {})[coder] = CoderStatus(sections or 0, bool(done))
    return out


def done_by(lib: Library, coder: str) -> set[int]:
    """Ids of the records ``coder`` has marked done."""
    with _reader(lib) as s:
        stmt = select(StatusRow.record_id).where(StatusRow.coder == coder, StatusRow.done)
        return set(s.scalars(stmt))


def spans_of(lib: Library, record_id: int, coder: str) -> list[Span]:
    """``coder``'s spans on a record, by start; KeyError when the record does not exist."""
    with _reader(lib) as s:
        if s.get(RecordRow, record_id) is None:
            raise KeyError(record_id)
        return _spans(s, [record_id], coder).get(record_id, [])


def has_coding(lib: Library, record_id: int, coder: str) -> bool:
    """Whether ``coder`` has saved any coding (spans or a status) on the record."""
    with _reader(lib) as s:
        status = s.get(StatusRow, (record_id, coder))
        return status is not None or bool(_spans(s, [record_id], coder))


def set_spans_as(lib: Library, record_id: int, coder: str, spans: Sequence[Span]) -> list[Span]:
    """Replace ``coder``'s spans on a record (normalised: no overlaps); the stored spans.

    Used to write the consensus coding. Raises KeyError for an unknown record, ValueError for
    an empty coder name, :class:`~litdesk.core.spans.SpanError` for a span outside the abstract.
    """
    _check_coder(coder)
    with lib.session() as s, s.begin():
        row = s.get(RecordRow, record_id)
        if row is None:
            raise KeyError(record_id)
        clean = span_ops.normalise(
            [Span(x.start, x.end, x.label, coder=coder) for x in spans], row.abstract
        )
        _write_spans(s, record_id, coder, clean)
    return clean


class TagRefused(ValueError):
    """One of several tags cannot apply; ``index`` is its position in the list given."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def tag_many(
    lib: Library, coder: str, tags: Sequence[tuple[int, int, int, str]]
) -> dict[int, list[Span]]:
    """Tag ``(record_id, start, end, label)`` after one another, in one transaction: all or
    nothing. Each tag applies as :meth:`Library.tag` would (replacing what it overlaps); the
    result is every touched record's spans. Raises :class:`TagRefused` (nothing stored) for an
    unknown record, offsets outside the abstract or an unknown label."""
    _check_coder(coder)
    ids = sorted({t[0] for t in tags})
    with lib.session() as s, s.begin():
        abstracts: dict[int, str] = {}
        current: dict[int, list[Span]] = {}
        for i in range(0, len(ids), _CHUNK):
            part = ids[i:i + _CHUNK]
            abstracts.update((rid, text or "") for rid, text in s.execute(
                select(RecordRow.id, RecordRow.abstract).where(RecordRow.id.in_(part))))
            current.update(_spans(s, part, coder))
        touched: dict[int, None] = {}
        for n, (rid, start, end, label) in enumerate(tags):
            if rid not in abstracts:
                raise TagRefused(n, f"no record with id {rid}")
            try:
                current[rid] = span_ops.apply_tag(current.get(rid, []), abstracts[rid], start,
                                                  end, label, coder)
            except SpanError as e:
                raise TagRefused(n, str(e)) from None
            touched[rid] = None
        for rid in touched:
            _write_spans(s, rid, coder, current[rid])
    return {rid: current[rid] for rid in touched}


def _write_spans(s: Session, record_id: int, coder: str, clean: Sequence[Span]) -> None:
    """Replace ``coder``'s spans on a record by ``clean`` (normalised) and count its sections."""
    s.execute(delete(SpanRow).where(SpanRow.record_id == record_id, SpanRow.coder == coder))
    if clean:
        s.execute(insert(SpanRow), [
            {"record_id": record_id, "coder": coder, "start": x.start, "end": x.end,
             "label": x.label, "text": x.text} for x in clean
        ])
    _status(s, record_id, coder).sections = len({x.label for x in clean})


def set_done_as(lib: Library, record_id: int, coder: str, done: bool = True) -> None:
    """Set ``coder``'s done mark on a record (KeyError for an unknown record)."""
    _check_coder(coder)
    with lib.session() as s, s.begin():
        if s.get(RecordRow, record_id) is None:
            raise KeyError(record_id)
        _status(s, record_id, coder).done = done


def _status(s: Session, record_id: int, coder: str) -> StatusRow:
    row = s.get(StatusRow, (record_id, coder))
    if row is None:
        row = StatusRow(record_id=record_id, coder=coder, sections=0, done=False, suggestions="")
        s.add(row)
    return row


def _spans(s: Session, ids: list[int], coder: str | None) -> dict[int, list[Span]]:
    stmt = select(SpanRow).where(SpanRow.record_id.in_(ids))
    if coder is not None:
        stmt = stmt.where(SpanRow.coder == coder)
    out: dict[int, list[Span]] = {}
    for row in s.scalars(stmt.order_by(SpanRow.record_id, SpanRow.start, SpanRow.coder)):
        out.setdefault(row.record_id, []).append(to_span(row))
    return out


def agreement_pairs(lib: Library, coder_a: str, coder_b: str) -> Iterator[Pair]:
    """(id, abstract, A's spans, B's spans) for every record both coders marked done, by id.

    The input of :func:`litdesk.core.agreement.agreement`.
    """
    ids = sorted(done_by(lib, coder_a) & done_by(lib, coder_b))
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        with _reader(lib) as s:
            stmt = select(RecordRow.id, RecordRow.abstract).where(RecordRow.id.in_(part))
            texts = {rid: text for rid, text in s.execute(stmt)}
            a, b = _spans(s, part, coder_a), _spans(s, part, coder_b)
        for rid in part:
            if rid in texts:
                yield rid, texts[rid] or "", a.get(rid, []), b.get(rid, [])


def export_records(
    lib: Library, ids: Sequence[int], *, all_coders: bool = False
) -> Iterator[Record]:
    """Records to export, in ``ids`` order, with the coding an export should carry.

    By default a record carries its consensus coding when it has one (a reconciled record,
    even one reconciled to no spans), else the current coder's (``lib.coder``). With
    ``all_coders`` it carries every coder's spans, each with its ``coder`` set, consensus
    included, and every coder's memo in ``memos`` (consensus first, then by name). ``memo``
    is always the current coder's, and ``coder`` names the current coder.
    """
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        records = list(lib.records(part))
        memos: dict[int, list[tuple[str, str]]] = {}
        with _reader(lib) as s:
            if all_coders:
                every = _spans(s, part, None)
                stmt = select(MemoRow.record_id, MemoRow.coder, MemoRow.text).where(
                    MemoRow.record_id.in_(part), MemoRow.text != "")
                for rid, coder, text in s.execute(stmt):
                    memos.setdefault(rid, []).append((coder, text))
            else:
                consensus = _spans(s, part, CONSENSUS_CODER)
                reconciled = set(s.scalars(select(StatusRow.record_id).where(
                    StatusRow.record_id.in_(part), StatusRow.coder == CONSENSUS_CODER)))
        for rec in records:
            rec = dataclasses.replace(rec, coder=lib.coder)
            assert rec.id is not None
            if all_coders:
                yield dataclasses.replace(rec, spans=tuple(every.get(rec.id, ())),
                                          memos=tuple(sorted(memos.get(rec.id, ()), key=_by_coder)))
            elif rec.id in reconciled or rec.id in consensus:
                yield dataclasses.replace(rec, spans=tuple(consensus.get(rec.id, ())))
            else:
                yield rec


def _by_coder(memo: tuple[str, str]) -> tuple[bool, str]:
    return memo[0] != CONSENSUS_CODER, memo[0]
