"""Read Scopus CSV and Web of Science tab-delimited exports (the `csv` module), streaming."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Final

from rispy.config import WOK_LIST_TYPE_TAGS

from litdesk.core.model import Record
from litdesk.core.readers.base import SourceFile, build_record, id_tags
from litdesk.core.readers.sniff import SCOPUS_CSV, WOS_TAB
from litdesk.core.ris_reader import ReadRecord

#: Abstracts, references and author lists of real exports are far longer than csv's default.
FIELD_LIMIT: Final = 1 << 26
_AUTHOR_ID: Final = re.compile(r"\s*\(\d+\)\s*$")
_NO_ABSTRACT: Final = "[No abstract available]"
#: Scopus column -> RIS tag, where the two mean the same thing.
_SCOPUS_TO_RIS: Final = {
    "Title": "TI", "Year": "PY", "Source title": "T2", "Volume": "VL", "Issue": "IS",
    "Page start": "SP", "Page end": "EP", "DOI": "DO", "Link": "UR", "Abstract": "AB",
    "ISSN": "SN", "ISBN": "SN", "Language of Original Document": "LA", "Publisher": "PB",
    "Abbreviated Source Title": "J2", "Affiliations": "AD",
}
_SCOPUS_LISTS: Final = {"Author Keywords": "KW", "Index Keywords": "KW", "Editors": "A2"}
_SCOPUS_TYPES: Final = {
    "article": "JOUR", "review": "JOUR", "letter": "JOUR", "editorial": "JOUR", "note": "JOUR",
    "short survey": "JOUR", "erratum": "JOUR", "article in press": "JOUR",
    "conference paper": "CPAPER", "conference review": "CONF", "book chapter": "CHAP",
    "book": "BOOK", "data paper": "DATA", "report": "RPRT",
}


class _Delimited(SourceFile):
    """A table with a header row and one record per row."""

    dialect: ClassVar[dict[str, Any]] = {}

    def _records(self) -> Iterator[ReadRecord]:
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
        feed = _Lines(self.lines())
        reader = csv.reader(feed, **self.dialect)
        header: list[str] | None = None
        position = 0
        while True:
            feed.start_row()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                position += header is not None
                self.report(position or None, feed.first, f"the row cannot be read ({exc})",
                            "row skipped")
                continue
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                continue
            position += 1
            first = feed.first
            while len(row) > len(header) and not row[-1].strip():
                row.pop()  # a trailing delimiter
            if len(row) != len(header) and len(feed.taken) > 1:
                # A quote opened and never closed ran over the lines after it: read its own
                # line with the quote as a character, and the lines after it as rows again.
                end = feed.taken[-1][0]
                row = feed.reread_first(self.dialect, len(header))
                self.report(position, first, f"a quote opened on this line is not closed (it "
                            f"ran on to line {end})", "the line read on its own, record kept; "
                            "the lines after it read as rows")
            if len(row) != len(header):
                more = len(row) > len(header)
                self.report(position, first, f"the row has {len(row)} fields, the header "
                            f"{len(header)}", "extra fields ignored, record kept" if more else
                            "missing fields left empty, record kept")
            cells = [(name, value) for name, value in zip(header, row, strict=False) if name]
            yield ReadRecord(position, first, self.record(cells))

    def record(self, cells: list[tuple[str, str]]) -> Record:
        raise NotImplementedError


class ScopusCsvFile(_Delimited):
    """A Scopus CSV export (comma-separated, quoted, a header row naming the columns)."""

    format = SCOPUS_CSV

    def record(self, cells: list[tuple[str, str]]) -> Record:
        values = {name: value.strip() for name, value in cells}
        kind = _SCOPUS_TYPES.get(values.get("Document Type", "").lower(), "JOUR")
        full = [n for a in values.get("Author full names", "").split(";")
                if (n := _AUTHOR_ID.sub("", a).strip())]
        ris = [("TY", kind)]
        ris += [("AU", name) for name in full or _split(values.get("Authors", ""))]
        authors = "Author full names" if full else "Authors"  # the column read as AU
        own = []
        for name, value in cells:
            if name in _SCOPUS_TO_RIS and not (name == "Abstract" and value == _NO_ABSTRACT):
                ris.append((_SCOPUS_TO_RIS[name], value))
            elif name in _SCOPUS_LISTS:
                ris += [(_SCOPUS_LISTS[name], item) for item in _split(value)]
            elif name != authors:
                own.append((name, value))
        pmid = values.get("PubMed ID", "")
        eid = values.get("EID", "")
        accessions = [f"SCOPUS:{eid}"] if eid else []
        ris += id_tags(pmid, "", accessions)
        return build_record(ris, own, "Scopus", pmid=pmid, accessions=accessions)


class WosTabFile(_Delimited):
    """A Web of Science tab-delimited export: its columns are the plain text export's tags,
    so its records are the same as that export's (multi-valued tags split at "; ")."""

    format = WOS_TAB
    dialect: ClassVar[dict[str, Any]] = {"delimiter": "\t", "quoting": csv.QUOTE_NONE}

    def record(self, cells: list[tuple[str, str]]) -> Record:
        tags: list[tuple[str, str]] = []
        for tag, value in cells:
            if tag in WOK_LIST_TYPE_TAGS:
                tags += [(tag, item) for item in _split(value)]
            else:
                tags.append((tag, value))
        return build_record(tags, (), "WoS", accessions=wos_accessions(tags))


class _Lines:
    """The file's lines as `csv.reader` takes them, remembering those of the row being read,
    so that they can be given again (an iterator that can go on after it ran out)."""

    def __init__(self, lines: Iterable[tuple[int, str]]) -> None:
        self._lines = iter(lines)
        self._again: list[tuple[int, str]] = []
        self.taken: list[tuple[int, str]] = []  # (number, line) of the row being read
        self._last = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        number, line = self._again.pop() if self._again else next(self._lines)
        self.taken.append((number, line))
        self._last = number
        return line + "\n"

    def start_row(self) -> None:
        self.taken = []

    @property
    def first(self) -> int:
        """The line the row being read starts on."""
        return self.taken[0][0] if self.taken else self._last + 1

    def reread_first(self, dialect: dict[str, Any], width: int) -> list[str]:
        """The row's first line alone (its other lines are given again): read as CSV, or with
        quotes as characters (those around a whole field taken off), whichever has nearer
        ``width`` fields."""
        self._again.extend(reversed(self.taken[1:]))
        self.taken = self.taken[:1]
        line = self.taken[0][1]
        quoted = next(csv.reader([line], **dialect), [])
        plain = [_unquoted(cell) for cell in
                 next(csv.reader([line], **{**dialect, "quoting": csv.QUOTE_NONE}), [])]
        return min((quoted, plain), key=lambda row: abs(len(row) - width))


def _unquoted(cell: str) -> str:
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell.removeprefix('"')


def wos_accessions(tags: list[tuple[str, str]]) -> list[str]:
    """The Web of Science accession ("WOS:000123456700001") of a record's UT tag."""
    ut = next((v.strip() for t, v in tags if t == "UT" and v.strip()), "")
    if not ut:
        return []
    number = ut.split(":", 1)[1] if ut.upper().startswith(("WOS:", "ISI:")) else ut
    return [f"WOS:{number}"]


def _split(value: str) -> list[str]:
    return [item for part in value.split(";") if (item := part.strip())]
