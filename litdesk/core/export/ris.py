"""RIS export that loses nothing: every original tag in order, plus litdesk's coding as N1 notes.

Reading RIS is rispy's job (one parser in the project); writing is a matter of
``TAG  - value`` lines, done here so that tag order and unknown tags survive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Final

from rispy import RisWriter

from litdesk.core.export.source_tags import ris_tags
from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.litdesk_notes import encode_notes, strip_notes
from litdesk.core.model import Record

LINE: Final[str] = RisWriter.PATTERN  # "{tag}  - {value}"


def write_ris(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write ``records`` as UTF-8 RIS (no BOM, LF line ends) to ``out``; the count written."""
    count = 0
    for record in each_record(records, progress, cancelled):
        text = "\n".join(record_lines(record)) + "\n"
        out.write(text.encode("utf-8", errors="replace"))
        count += 1
    return count


def record_lines(record: Record) -> Iterator[str]:
    """The lines of one RIS record, ``ER`` and the blank line after it included."""
    tags = [(t, v) for t, v in ris_tags(strip_notes(record.tags)) if t != "ER"] or \
        fields_to_tags(record)
    if tags[0][0] != "TY":
        tags.insert(0, ("TY", record.type or "GEN"))
    for tag, value in [*tags, *encode_notes(record)]:
        yield from _tag_lines(tag, value)
    yield LINE.format(tag="ER", value="")
    yield ""


def fields_to_tags(record: Record) -> list[tuple[str, str]]:
    """RIS tags built from a record's fields, for records that were not imported from RIS."""
    tags = [("TY", record.type or "GEN"), ("TI", record.title)]
    tags += [("AU", author) for author in record.authors]
    if record.year is not None:
        tags.append(("PY", str(record.year)))
    tags += [("JO", record.journal), ("VL", record.volume), ("IS", record.issue)]
    start, _, end = record.pages.partition("-")
    tags += [("SP", start.strip()), ("EP", end.strip()), ("DO", record.doi)]
    tags += [("UR", url) for url in record.urls]
    tags.append(("AB", record.abstract))
    tags += [("KW", keyword) for keyword in record.keywords]
    return [(tag, value) for tag, value in tags if value or tag == "TY"]


def _tag_lines(tag: str, value: str) -> Iterator[str]:
    first, *rest = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    yield LINE.format(tag=tag, value=first)
    for line in rest:
        # A continuation line that looks like "XX  - " would be read as a new tag; readers
        # strip the leading space we add.
        yield f" {line}" if line[2:5] == "  -" else line
