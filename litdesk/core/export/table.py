"""Row contents shared by the spreadsheet exports (evidence table CSV/XLSX, coded segments)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from litdesk.core.model import LABELS, Record, Span
from litdesk.core.status import sections_of, status_of

#: Columns of the evidence table, one row per record.
TABLE_COLUMNS: Final[tuple[str, ...]] = (
    "id", "authors", "year", "title", "journal", "doi", *LABELS, "memo", "status",
)  # fmt: skip

#: Columns of the coded-segments table, one row per span.
SEGMENT_COLUMNS: Final[tuple[str, ...]] = (
    "record_id", "citation", "coder", "label", "start", "end", "text",
)  # fmt: skip

#: Separator between several spans of one label in a table cell.
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


def table_row(record: Record) -> list[Cell]:
    """The evidence-table row of ``record``, in :data:`TABLE_COLUMNS` order."""
    sections: dict[str, list[str]] = {label: [] for label in LABELS}
    seen: set[tuple[int, int, str]] = set()
    for span in ordered_spans(record):
        if (span.start, span.end, span.label) not in seen:  # two coders, same span: once
            seen.add((span.start, span.end, span.label))
            sections[span.label].append(span_text(record, span))
    return [
        record.id,
        "; ".join(record.authors),
        record.year,
        record.title,
        record.journal,
        record.doi,
        *(SPAN_JOINER.join(sections[label]) for label in LABELS),
        record.memo,
        coding_status(record),
    ]


def segment_rows(record: Record) -> Iterator[list[Cell]]:
    """The coded-segments rows of ``record``, in :data:`SEGMENT_COLUMNS` order."""
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
