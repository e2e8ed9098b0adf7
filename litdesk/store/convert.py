"""Conversions between ORM rows and the plain records the rest of litdesk uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litdesk.core import duplicates as dup
from litdesk.core.model import Record, Span
from litdesk.store.schema import RecordRow, SpanRow

_KEY_LEN = 200


def record_values(
    record: Record, *, batch_id: int | None, added_at: str, suggests: bool
) -> dict[str, Any]:
    """Column values for inserting ``record`` (derived sort and duplicate keys included; its
    identifiers go into ``record_identifier``, see `identifier_rows`)."""
    return {
        "batch_id": batch_id,
        "ris_type": record.type[:16],
        "title": record.title,
        "authors": list(record.authors),
        "year": record.year,
        "journal": record.journal,
        "volume": record.volume[:64],
        "issue": record.issue[:64],
        "pages": record.pages[:64],
        "doi": record.doi,
        "pmid": record.pmid.strip()[:32],
        "pmcid": record.pmcid.strip()[:32],
        "accessions": list(record.accessions),
        "urls": list(record.urls),
        "abstract": record.abstract,
        "keywords": list(record.keywords),
        "tags": stored_tags(record.tags, record.abstract),
        "author_key": dup.fold(record.first_author_surname)[:_KEY_LEN],
        "title_key": dup.fold(record.title)[:_KEY_LEN],
        "journal_key": dup.fold(record.journal)[:_KEY_LEN],
        "doi_key": dup.normalise_doi(record.doi)[:255],
        "dup_key": dup.title_key(record.title),
        "has_suggestions": suggests,
        "added_at": added_at,
    }


def stored_tags(tags: Sequence[tuple[str, str]], abstract: str) -> list[Any]:
    """``tags`` as the ``tags`` column keeps them: (tag, value) pairs, JSON arrays of two, in
    order, except that the first value that is the whole abstract is stored as null (read
    back from the ``abstract`` column by `read_tags`): the longest value is stored once."""
    out: list[Any] = list(tags)
    if abstract:
        for i, (tag, value) in enumerate(out):
            if value == abstract:
                out[i] = (tag, None)
                break
    return out


def read_tags(stored: Sequence[Sequence[Any]] | None, abstract: str) -> tuple[tuple[str, str], ...]:
    """The verbatim (tag, value) pairs of a ``tags`` column (see `stored_tags`)."""
    return tuple((str(t[0]), abstract if t[1] is None else str(t[1])) for t in stored or ())


def identifier_rows(record_id: int, record: Record) -> list[dict[str, Any]]:
    """The ``record_identifier`` rows of a record."""
    return [{"record_id": record_id, "value": v} for v in dup.identifier_keys(record)]


def to_record(
    row: RecordRow, spans: tuple[Span, ...] = (), memo: str = "", status: str = ""
) -> Record:
    return Record(
        id=row.id,
        type=row.ris_type,
        title=row.title,
        authors=tuple(row.authors or ()),
        year=row.year,
        journal=row.journal,
        volume=row.volume,
        issue=row.issue,
        pages=row.pages,
        doi=row.doi,
        pmid=row.pmid,
        pmcid=row.pmcid,
        accessions=tuple(row.accessions or ()),
        urls=tuple(row.urls or ()),
        abstract=row.abstract,
        keywords=tuple(row.keywords or ()),
        tags=read_tags(row.tags, row.abstract),
        spans=spans,
        memo=memo,
        status=status,
    )


def to_span(row: SpanRow) -> Span:
    return Span(row.start, row.end, row.label, row.text, row.coder)
