"""Read Scopus CSV and Web of Science tab-delimited exports (the `csv` module), streaming."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
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
        reader = csv.reader((line + "\n" for _, line in self.lines()), **self.dialect)
        header: list[str] | None = None
        position = 0
        while True:
            first = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                position += header is not None
                self.report(position or None, first, f"the row cannot be read ({exc})",
                            "row skipped")
                continue
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                continue
            position += 1
            while len(row) > len(header) and not row[-1].strip():
                row.pop()  # a trailing delimiter
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


def wos_accessions(tags: list[tuple[str, str]]) -> list[str]:
    """The Web of Science accession ("WOS:000123456700001") of a record's UT tag."""
    ut = next((v.strip() for t, v in tags if t == "UT" and v.strip()), "")
    if not ut:
        return []
    number = ut.split(":", 1)[1] if ut.upper().startswith(("WOS:", "ISI:")) else ut
    return [f"WOS:{number}"]


def _split(value: str) -> list[str]:
    return [item for part in value.split(";") if (item := part.strip())]
