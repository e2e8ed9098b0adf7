"""The PRISMA counts of a library as an export writes them: a CSV table or an XLSX sheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
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


def flow_counts(files: Sequence[tuple[str, int]], duplicates_removed: int, records: int,
                finals: Sequence[tuple[str | None, str]]) -> dict[str, int]:
    """The PRISMA 2020 identification and screening counts, in the flow diagram's order.

    ``files``: each imported file's name and the records read from it; ``duplicates_removed``:
    certain duplicates skipped at import and records merged since; ``records``: records in the
    library now; ``finals``: each screened record's final decision (None: the screeners
    disagree, no consensus yet) and exclusion reason.
    """
    out: dict[str, int] = {}
    for name, read in files:
        key = f"identified: {name}"
        out[key] = out.get(key, 0) + read  # the same file imported twice: one row
    out["records identified"] = sum(read for _name, read in files)
    out["duplicates removed"] = duplicates_removed
    out["records screened"] = len(finals)
    excluded = [reason for decision, reason in finals if decision == "exclude"]
    out["records excluded"] = len(excluded)
    by_reason: dict[str, int] = {}
    for reason in excluded:
        by_reason[reason or "no reason given"] = by_reason.get(reason or "no reason given", 0) + 1
    for reason, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        out[f"excluded: {reason}"] = n
    out["records included"] = sum(1 for decision, _r in finals if decision == "include")
    out["records marked maybe"] = sum(1 for decision, _r in finals if decision == "maybe")
    out["records in conflict"] = sum(1 for decision, _r in finals if decision is None)
    out["records awaiting screening"] = max(records - len(finals), 0)
    return out
