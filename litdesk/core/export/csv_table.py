"""Evidence table as CSV: one row per record, UTF-8 with a BOM so Excel reads it as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.export.table import TABLE_COLUMNS, Cell, looks_like_formula, table_rows
from litdesk.core.model import Record

RowSink = Callable[[Iterable[Cell]], None]


def guard_cell(value: Cell) -> str | int:
    """``value`` made inert for spreadsheets: a leading apostrophe before a formula trigger."""
    if value is None:
        return ""
    return f"'{value}" if looks_like_formula(value) else value


@contextmanager
def csv_rows(out: IO[bytes], header: Sequence[str]) -> Iterator[RowSink]:
    """A function writing one CSV row to ``out``: BOM and header first, every cell guarded.

    ``out`` is left open (the text wrapper is detached, not closed).
    """
    text = io.TextIOWrapper(out, encoding="utf-8-sig", errors="replace", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(header)
        yield lambda row: writer.writerow([guard_cell(v) for v in row])
        text.flush()
    finally:
        text.detach()


def write_csv(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write the evidence table (:data:`TABLE_COLUMNS`) of ``records`` to ``out``; the count.

    The count is of records; a record coded by several coders has a row per coder.
    """
    count = 0
    with csv_rows(out, TABLE_COLUMNS) as write_row:
        for record in each_record(records, progress, cancelled):
            for row in table_rows(record):
                write_row(row)
            count += 1
    return count
