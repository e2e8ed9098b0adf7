"""Coded segments as CSV: one row per tagged span, for analysis in R, Python or a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from litdesk.core.export.csv_table import csv_rows
from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.export.table import SEGMENT_COLUMNS, segment_rows
from litdesk.core.model import Record


def write_segments_csv(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write one :data:`SEGMENT_COLUMNS` row per span of ``records``; the count of records."""
    count = 0
    with csv_rows(out, SEGMENT_COLUMNS) as write_row:
        for record in each_record(records, progress, cancelled):
            for row in segment_rows(record):
                write_row(row)
            count += 1
    return count
