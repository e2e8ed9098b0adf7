"""The PRISMA counts of a library as an export writes them: a CSV table or an XLSX sheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Final

#: The name of the workbook sheet holding the counts (after the Evidence sheet).
SHEET: Final[str] = "PRISMA counts"
#: The header of the counts' two columns.
HEADER: Final[tuple[str, str]] = ("count", "value")


@dataclass(frozen=True)
class PrismaCounts:
    """Named counts (``count name -> number``, in order) of a library on the day of export."""

    counts: Mapping[str, int] = field(default_factory=dict)
    library: str = ""
    date: str = ""


def write_counts_csv(counts: Mapping[str, int], out: IO[bytes]) -> int:
    """Write ``counts`` as ``count,value`` rows (UTF-8, no BOM: it is also printed); the rows."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for name, value in counts.items():
        writer.writerow([name, int(value)])
    text.flush()
    text.detach()
    return len(counts)
