"""Read PubMed's MEDLINE format (.nbib, "PubMed format" .txt), streaming, line by line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from litdesk.core.readers.base import SourceFile, build_record, id_tags, pmcid_of
from litdesk.core.readers.sniff import MEDLINE
from litdesk.core.ris_reader import ReadRecord

#: "PMID- 1", "TI  - Title", "STAT- MEDLINE": a tag of 1-4 characters padded to 4, "- ".
_TAG: Final = re.compile(r"([A-Z][A-Z0-9]{0,3}) *- ?(.*)")
#: MEDLINE tag -> RIS tag, where the two mean the same thing.
_TO_RIS: Final = {
    "TI": "TI", "BTI": "BT", "FAU": "AU", "DP": "PY", "JT": "JF", "TA": "J2", "VI": "VL",
    "IP": "IS", "PG": "SP", "AB": "AB", "MH": "KW", "OT": "KW", "IS": "SN", "LA": "LA",
    "AD": "AD", "PB": "PB", "ED": "A2", "FED": "A2", "CTI": "T3",
}
_DOI_ID: Final = re.compile(r"(10\.\d{4,9}/\S+)\s*\[doi\]")


class MedlineFile(SourceFile):
    """A MEDLINE file: records start at ``PMID-`` lines (or after blank lines when those are
    missing); a line starting with spaces continues the value above it."""

    format = MEDLINE

    def _records(self) -> Iterator[ReadRecord]:
        position = 0
        fields: list[list[str]] = []  # [tag, value] pairs of the record being read
        first_line = 0
        for number, line in self.lines():
            if not line.strip():
                if fields:
                    position += 1
                    yield self._record(position, first_line, fields)
                    fields = []
                continue
            if line[:1] in " \t":
                if fields:
                    fields[-1][1] += " " + line.strip()
                else:
                    self.report(None, number, "a continuation line outside a record",
                                "line skipped")
                continue
            m = _TAG.fullmatch(line.rstrip())
            if m is None or m[0].find("-") > 5:
                if fields:
                    fields[-1][1] += " " + line.strip()
                else:
                    self.report(None, number, f"text outside a record: {line[:60]!r}",
                                "line skipped")
                continue
            if m[1] == "PMID" and fields:  # no blank line between two records
                position += 1
                yield self._record(position, first_line, fields)
                fields = []
            if not fields:
                first_line = number
            fields.append([m[1], m[2].strip()])
        if fields:
            position += 1
            yield self._record(position, first_line, fields)

    def _record(self, position: int, line: int, fields: list[list[str]]) -> ReadRecord:
        pmid = next((v for t, v in fields if t == "PMID"), "")
        if not pmid:
            self.report(position, line, "the record has no PMID line",
                        "record kept without a PubMed ID")
        has_fau = any(t == "FAU" for t, _ in fields)
        pmcid = next((pmcid_of(v) for t, v in fields if t == "PMC"), "")
        doi = next((m[1] for t, v in fields if t in ("LID", "AID")
                    if (m := _DOI_ID.search(v))), "")
        books = {t for t, _ in fields} & {"BTI", "TI"}
        kind = "CHAP" if books == {"BTI", "TI"} else "BOOK" if books == {"BTI"} else "JOUR"
        ris = [("TY", kind)]
        own = []
        for tag, value in fields:
            target = _TO_RIS.get(tag)
            if tag == "AU" and not has_fau:
                target = "AU"
            if target:
                ris.append((target, value))
            else:
                own.append((tag, value))
        if doi:
            ris.append(("DO", doi))
        ris += id_tags(pmid, pmcid, ())
        record = build_record(ris, own, "MEDLINE", pmid=pmid, pmcid=pmcid)
        return ReadRecord(position, line, record)
