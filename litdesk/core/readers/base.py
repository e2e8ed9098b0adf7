"""What every reader shares: the open file, its problems, progress, and record building."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import BinaryIO, Final

from litdesk.core.model import Record
from litdesk.core.ris_encoding import LineSource, Sniffed
from litdesk.core.ris_fields import record_of_clean_tags, sanitise
from litdesk.core.ris_reader import RisFile

_PMCID: Final = re.compile(r"\bPMC\d{1,9}\b")


class SourceFile(RisFile):
    """An open export file of one format; iterate it to read its records one at a time.

    Subclasses set `format` and implement `_records`. It is a `RisFile` (the same interface,
    open and closed alike), so the importer reads every format alike.
    """

    format: str = ""

    def __init__(self, path: str, fh: BinaryIO, size: int, sniffed: Sniffed) -> None:
        super().__init__(path, fh, size, type(self).format, sniffed)
        self._bytes = 0

    @property
    def bytes_read(self) -> int:
        """How far reading has got, for progress bars."""
        return self._source.bytes_read if self._source else self._bytes

    def lines(self) -> LineSource:
        """Numbered, decoded text lines of the file (for the text formats)."""
        self._source = LineSource(self._fh, self._sniffed, self._line_problem)
        return self._source

    def report(self, record: int | None, line: int | None, message: str, action: str) -> None:
        """Add a problem met while reading."""
        self._report(record, line, message, action)

    def read_chunk(self, size: int) -> bytes:
        """Raw bytes of the file (for the XML readers), counted for progress."""
        data = self._fh.read(size)
        self._bytes += len(data)
        return data


def build_record(ris: Iterable[tuple[str, str]], own: Iterable[tuple[str, str]], prefix: str,
                 *, pmid: str = "", pmcid: str = "", accessions: Iterable[str] = ()) -> Record:
    """A `Record` of a non-RIS record: its fields mapped to RIS tags where RIS has one (``ris``),
    the rest kept under their own names as ``prefix:name`` (``own``, never taken for RIS tags).

    The named fields are derived from the RIS tags exactly as for a RIS file, so the record is
    the same when it comes back from a RIS export; the identifiers given here win.
    """
    tags = [(t, v) for t, value in ris if (v := sanitise(value))]
    tags += [(f"{prefix}:{t}", v) for t, value in own if (v := sanitise(value))]
    record = record_of_clean_tags(tuple(tags))
    changes: dict[str, object] = {}
    if tags and tags[0][0] == "TY" and tags[0][1] != record.type:  # a name, e.g. "Book"
        changes["tags"] = (("TY", record.type), *record.tags[1:])
    found = tuple(dict.fromkeys(a for a in accessions if a))
    for name, value in (("pmid", pmid), ("pmcid", pmcid), ("accessions", found)):
        if value and value != getattr(record, name):
            changes[name] = value
    return dataclasses.replace(record, **changes) if changes else record  # type: ignore[arg-type]


def pmcid_of(text: str) -> str:
    """The PMCID named in ``text`` ("PMC1234567"), or ""."""
    m = _PMCID.search(text)
    return m[0] if m else ""


def id_tags(pmid: str, pmcid: str, accessions: Iterable[str]) -> list[tuple[str, str]]:
    """RIS tags that carry a record's identifiers through a RIS export and back, where
    `litdesk.core.identifiers` reads them: a PubMed link, C2 for the PMCID, AN accessions."""
    tags = [("L2", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")] if pmid else []
    tags += [("C2", pmcid)] if pmcid else []
    return tags + [("AN", a.removeprefix("SCOPUS:")) for a in accessions if a]
