"""Records as JSON: the shape shared by the JSON export and the CLI's ``list --json``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.export.table import coding_status, record_memos
from litdesk.core.model import Record


def record_to_json(record: Record) -> dict[str, Any]:
    """A JSON-ready dict of ``record``: its main fields, spans and memos (tags left out).

    ``memo`` is the one coder's memo; ``memos`` lists every memo the record carries with its
    coder (every coder's in an export of all coders); ``status`` is the coder's coding status.
    """
    return {
        "id": record.id,
        "type": record.type,
        "title": record.title,
        "authors": list(record.authors),
        "year": record.year,
        "journal": record.journal,
        "doi": record.doi,
        "pmid": record.pmid,
        "pmcid": record.pmcid,
        "accessions": list(record.accessions),
        "abstract": record.abstract,
        "keywords": list(record.keywords),
        "spans": [
            {"start": s.start, "end": s.end, "label": s.label, "text": s.text, "coder": s.coder}
            for s in record.spans
        ],
        "memo": record.memo,
        "memos": [{"coder": coder, "text": text} for coder, text in record_memos(record)],
        "status": coding_status(record),
    }


def write_json(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write a JSON array of :func:`record_to_json` items, one per line, to ``out``; the count.

    The array is streamed item by item, so memory does not grow with the number of records.
    """
    count = 0
    out.write(b"[")
    for record in each_record(records, progress, cancelled):
        item = json.dumps(record_to_json(record), ensure_ascii=False)
        # A lone surrogate can only sit inside a JSON string, where "\udXXX" is its escape.
        out.write((",\n" if count else "\n").encode() + item.encode("utf-8", "backslashreplace"))
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count
