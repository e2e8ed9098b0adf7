"""Read EndNote XML (``<xml><records>``, and the older upper-case ``<XML><RECORDS>``), streaming."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from lxml import etree

from litdesk.core.model import Record
from litdesk.core.readers.base import SourceFile, build_record, id_tags, pmcid_of
from litdesk.core.readers.sniff import ENDNOTE_XML
from litdesk.core.readers.xml_stream import leaves, record_elements, text_of
from litdesk.core.ris_reader import ReadRecord

#: Element (lower case, "_" as "-") -> RIS tag, where the two mean the same thing.
_TO_RIS: Final = {
    "title": "TI", "secondary-title": "T2", "tertiary-title": "T3", "alt-title": "J2",
    "short-title": "ST", "full-title": "JF", "abbr-1": "J2", "pages": "SP", "volume": "VL",
    "number": "IS", "issue": "IS", "edition": "ET", "keyword": "KW", "year": "PY",
    "date": "DA", "isbn": "SN", "accession-num": "AN", "electronic-resource-num": "DO",
    "url": "UR", "abstract": "AB", "notes": "N1", "label": "LB", "language": "LA",
    "publisher": "PB", "pub-location": "CY", "place-published": "CY", "work-type": "M3",
    "auth-address": "AD", "call-num": "CN", "caption": "CA", "section": "SE",
    "remote-database-name": "DB", "remote-database-provider": "DP", "access-date": "Y2",
    "custom1": "C1", "custom2": "C2", "custom3": "C3", "custom4": "C4", "custom5": "C5",
    "custom6": "C6", "custom7": "C7", "num-vols": "NV",
}
#: Author lists -> RIS tag.
_AUTHORS: Final = {"authors": "AU", "secondary-authors": "A2", "tertiary-authors": "A3",
                   "subsidiary-authors": "A4"}
#: Periodical titles are journals only inside <periodical>; elsewhere they are kept as they are.
_PERIODICAL: Final = frozenset({"full-title", "abbr-1"})
#: Reference type numbers of the old upper-case export (EndNote 8 and before).
_OLD_TYPES: Final = {
    "0": "JOUR", "1": "BOOK", "2": "THES", "3": "CONF", "5": "NEWS", "7": "CHAP", "8": "MGZN",
    "9": "EDBOOK", "10": "RPRT", "15": "PAT", "16": "ELEC", "31": "GEN", "47": "CPAPER",
}
#: Reference type numbers of today's export, for a ``<ref-type>`` without its name (the names
#: are those EndNote writes beside them).
_REF_TYPES: Final = {
    "5": "Book Section", "6": "Book", "10": "Conference Proceedings", "12": "Web Page",
    "13": "Generic", "17": "Journal Article", "26": "Personal Communication", "27": "Report",
    "32": "Thesis", "47": "Conference Paper", "58": "Standard",
}
_DOI: Final = re.compile(r"10\.\d{4,9}/\S+")


class EndnoteXmlFile(SourceFile):
    """An EndNote XML export: one record per ``<record>`` (or ``<RECORD>``)."""

    format = ENDNOTE_XML

    def _records(self) -> Iterator[ReadRecord]:
        for position, line, element in record_elements(self, ("record", "RECORD")):
            yield ReadRecord(position, line, endnote_record(element))


def endnote_record(element: etree._Element) -> Record:
    """The `Record` of one EndNote ``<record>`` element."""
    kind = element.find("ref-type")
    if kind is not None:  # the name says it; EndNote names are RIS reference names
        number = text_of(kind)
        ris = [("TY", (kind.get("name") or "").strip() or _REF_TYPES.get(number, "Generic"))]
    else:
        ris = [("TY", _OLD_TYPES.get(element.findtext("REFERENCE_TYPE", "").strip(), "GEN"))]
    own: list[tuple[str, str]] = []
    for path, leaf in leaves(element):
        steps = path.lower().replace("_", "-").split("/")
        name, parent = steps[-1], steps[-2] if len(steps) > 1 else ""
        value = text_of(leaf, lines=name in ("abstract", "notes"))
        if name == "author" and parent in _AUTHORS:
            ris.append((_AUTHORS[parent], value))
        elif name == "electronic-resource-num" and not _DOI.search(value):
            own.append((path, value))
        elif name in _TO_RIS and (name not in _PERIODICAL or parent == "periodical") \
                and name != "ref-type":
            ris.append((_TO_RIS[name], value))
        elif name not in ("ref-type", "reference-type"):
            own.append((path, value))
    accessions = [_accession(v, ris) for t, v in ris if t == "AN"]
    pmcid = next((p for t, v in ris if t in ("C2", "AN", "N1") if (p := pmcid_of(v))), "")
    ris += id_tags("", pmcid, [])
    return build_record(ris, own, "EndNote", pmcid=pmcid, accessions=accessions)


def _accession(value: str, tags: list[tuple[str, str]]) -> str:
    """An accession number with its database's prefix, when the record says which one."""
    value = value.strip()
    if value.upper().startswith(("WOS:", "SCOPUS:", "EMBASE:")):
        return value
    database = " ".join(v for t, v in tags if t in ("DB", "DP")).lower()
    if value.startswith("2-s2.0-") or "scopus" in database:
        return f"SCOPUS:{value}"
    if "embase" in database:
        return f"EMBASE:{value}"
    if "web of science" in database or "isi" in database.split():
        return f"WOS:{value}"
    return ""
