"""Row contents shared by the spreadsheet exports (evidence table CSV/XLSX, coded segments)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Final

from litdesk.core.model import CONSENSUS_CODER, LABELS, Record, Span
from litdesk.core.status import sections_of, status_of

#: Columns of the evidence table: one row per record, or per coder of a record (all coders).
TABLE_COLUMNS: Final[tuple[str, ...]] = (
    "id", "authors", "year", "title", "journal", "doi", "coder", *LABELS, "memo", "status",
)  # fmt: skip

#: Columns of the coded-segments table, one row per span.
SEGMENT_COLUMNS: Final[tuple[str, ...]] = (
    "record_id", "citation", "coder", "label", "start", "end", "text",
)  # fmt: skip

#: The ``label`` of a coded-segments row that holds a coder's memo on the record.
MEMO_LABEL: Final[str] = "memo"

#: Separator between several spans of one label (always one coder's) in a table cell.
SPAN_JOINER: Final[str] = " … "

#: A spreadsheet treats a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_TRIGGERS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | None


def looks_like_formula(value: Cell) -> bool:
    """Whether a spreadsheet could run ``value`` as a formula if written as is."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def coding_status(record: Record) -> str:
    """The coder's status on the record, as the table and filter name it (core.status): the
    store's, or for a record built elsewhere the one its spans give."""
    return record.status or status_of(sections_of(record.spans), False, False, "").value


def span_text(record: Record, span: Span) -> str:
    """The abstract text under ``span`` (its stored text if the offsets no longer fit)."""
    if span.end <= len(record.abstract):
        return record.abstract[span.start : span.end]
    return span.text


def ordered_spans(record: Record) -> list[Span]:
    """The record's spans in reading order, exact duplicates (double coding) once."""
    return sorted(set(record.spans), key=lambda s: (s.start, s.end, s.label, s.coder))


def coder_order(coder: str) -> tuple[bool, str]:
    """Sort key putting the consensus coder first, then the others by name."""
    return coder != CONSENSUS_CODER, coder


def codings(record: Record) -> list[tuple[str, list[Span], str]]:
    """(coder, the coder's spans in reading order, the coder's memo), consensus first.

    A record exported for one coder (no ``memos``, spans of at most one coder) gives one item
    with its ``memo``; one exported with every coder's coding gives one item per coder who has
    spans or a memo on it (at least one item, for an uncoded record).
    """
    by_coder: dict[str, list[Span]] = {}
    for span in ordered_spans(record):
        by_coder.setdefault(span.coder, []).append(span)
    if not record.memos and len(by_coder) <= 1:
        coder = next(iter(by_coder), record.coder)
        return [(coder, by_coder.get(coder, []), record.memo)]
    memos = dict(record_memos(record))
    names = sorted(by_coder.keys() | memos.keys(), key=coder_order)
    return [(name, by_coder.get(name, []), memos.get(name, "")) for name in names]


def record_memos(record: Record) -> tuple[tuple[str, str], ...]:
    """The record's memos as (coder, text): ``memos``, else ``memo`` as ``coder``'s."""
    if record.memos:
        return record.memos
    return ((record.coder, record.memo),) if record.memo else ()


def table_rows(record: Record) -> Iterator[list[Cell]]:
    """The evidence-table rows of ``record`` (one per :func:`codings` item), in column order.

    Several spans of one section by one coder share a cell, joined by :data:`SPAN_JOINER`;
    two coders' texts never do.
    """
    for coder, spans, memo in codings(record):
        sections: dict[str, list[str]] = {label: [] for label in LABELS}
        for span in spans:
            sections[span.label].append(span_text(record, span))
        yield [
            record.id,
            "; ".join(record.authors),
            record.year,
            record.title,
            record.journal,
            record.doi,
            coder,
            *(SPAN_JOINER.join(sections[label]) for label in LABELS),
            memo,
            # The store's status is record.coder's; another coder's row goes by its spans.
            coding_status(dataclasses.replace(record, spans=tuple(spans), status=(
                record.status if coder == record.coder else ""))),
        ]


def segment_rows(record: Record) -> Iterator[list[Cell]]:
    """The coded-segments rows of ``record``, in :data:`SEGMENT_COLUMNS` order.

    One row per span, then one per memo (``label`` :data:`MEMO_LABEL`, no offsets).
    """
    for span in ordered_spans(record):
        yield [
            record.id,
            record.citation,
            span.coder,
            span.label,
            span.start,
            span.end,
            span_text(record, span),
        ]
    for coder, memo in sorted(record_memos(record), key=lambda m: coder_order(m[0])):
        yield [record.id, record.citation, coder, MEMO_LABEL, None, None, memo]
