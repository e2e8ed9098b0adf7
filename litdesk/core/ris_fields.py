"""A record's named fields, derived from its ordered raw RIS or Web of Science tags.

The reader (`litdesk.core.ris_reader`) keeps every tag verbatim and in order; the title,
authors, year, DOI... shown and searched are worked out here from those tags, with rispy's
tag and type tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from rispy.config import (
    DELIMITED_TAG_MAPPING,
    TYPE_OF_REFERENCE_MAPPING,
)

from litdesk.core.identifiers import own_identifiers
from litdesk.core.model import Record

#: What XML 1.0 (and so every export) does not allow in text.
INVALID_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def sanitise(text: str) -> str:
    """Text fit for XML 1.0 and the library: \\n line ends, no control characters, stripped."""
    if text.isprintable():  # nothing to remove or convert (the common case, checked fast)
        return text.strip()
    return INVALID_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


_TYPE_NAMES: Final = {name.lower(): code for code, name in TYPE_OF_REFERENCE_MAPPING.items()} | {
    "journal article": "JOUR", "book": "BOOK", "book section": "CHAP", "thesis": "THES",
    "conference paper": "CPAPER", "conference proceedings": "CONF", "report": "RPRT",
}
_WOS_TYPES: Final = {"J": "JOUR", "B": "BOOK", "S": "SER", "P": "PAT", "C": "CPAPER"}
#: Types whose T2 is the journal (for a chapter it is the book, for a paper the conference).
_JOURNAL_TYPES: Final = frozenset({"JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "ABST", "INPR"})
_YEAR: Final = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_DOI: Final = re.compile(r"10\.\d{4,9}/\S+")
_DOI_MENTION: Final = re.compile(r"(?:doi\.org/|\bdoi:?\s*)(10\.\d{4,9}/\S+)", re.I)
#: A note that is nothing but a DOI ("doi: 10.1000/x"): a note may cite another paper's DOI.
_DOI_NOTE: Final = re.compile(r"\s*(?:https?://(?:dx\.)?doi\.org/|doi:?\s*)(10\.\d{4,9}/\S+)\s*",
                              re.I)


_URL_DELIMITER: Final = DELIMITED_TAG_MAPPING["UR"]
_URL_SPLIT: Final = f"[{re.escape(_URL_DELIMITER)}\\s]"
#: For each split pattern `record_of_clean_tags` uses: whether a (sanitised) value certainly
#: has nothing to split (a printable value without a space holds no whitespace at all).
_PLAIN: Final[dict[str, Callable[[str], bool]]] = {
    "\n": lambda v: "\n" not in v,
    "[;\n]": lambda v: ";" not in v and "\n" not in v,
    _URL_SPLIT: lambda v: " " not in v and _URL_DELIMITER not in v and v.isprintable(),
}


def record_from_tags(tags: Sequence[tuple[str, str]]) -> Record:
    """A `Record` whose named fields are derived from ordered raw ``(tag, value)`` pairs.

    RIS: type TY (codes or EndNote names; GEN if absent); title TI/T1, else CT/BT/ST; authors
    AU then A1; year from PY, Y1, DA; journal JF, T2 (only for journal-like types), JO, JA, J2;
    issue IS or CP; pages SP-EP; DOI from DO, else a DOI link in UR, a DOI in M3, or a note that
    is only a DOI; PubMed ID, PMCID and accession numbers from identifier fields only (see
    `litdesk.core.identifiers`); abstract AB (several joined by newlines), else N2. A record
    starting with PT and without TY is read with Web of Science tags.
    """
    return record_of_clean_tags(tuple((sanitise(str(t)), sanitise(str(v))) for t, v in tags))


def record_of_clean_tags(clean: tuple[tuple[str, str], ...]) -> Record:
    """`record_from_tags` of tags that are sanitised already (as the parsers leave them)."""
    values: dict[str, list[str]] = {}
    for tag, value in clean:
        if value:
            values.setdefault(tag, []).append(value)

    get = values.get

    def first(*names: str) -> str:
        for n in names:
            if v := get(n):
                return v[0]
        return ""

    def every(*names: str, split: str = "\n", unique: bool = True) -> tuple[str, ...]:
        kept: list[str] = []
        plain = _PLAIN[split]
        for n in names:
            for v in get(n, ()):
                if plain(v):  # one value, nothing to split (fast path)
                    kept.append(v)  # sanitised, so stripped already
                else:
                    kept += [q for p in re.split(split, v) if (q := p.strip())]
        return tuple(dict.fromkeys(kept) if unique and len(kept) > 1 else kept)

    pmid, pmcid, accessions = own_identifiers(values)
    if "PT" in values and not any(t == "TY" for t, _ in clean):
        return Record(
            type=_WOS_TYPES.get(first("PT").upper(), "GEN"), title=first("TI"),
            authors=every("AF", unique=False) or every("AU", unique=False),
            year=_year(values.get("PY", [])),
            journal=first("SO"), volume=first("VL"), issue=first("IS"),
            pages=_pages(first("BP"), first("EP")) or first("AR"), doi=_doi(first("DI")),
            pmid=pmid, pmcid=pmcid, accessions=accessions,
            abstract="\n".join(values.get("AB", [])),
            keywords=every("DE", "ID", split="[;\n]"), tags=clean,
        )
    kind = _ris_type(first("TY"))
    journal_tags = ("JF", "T2", "JO", "JA", "J2") if kind in _JOURNAL_TYPES else ("JF", "JO")
    return Record(
        type=kind,
        title=first("TI", "T1") or first("CT", "BT", "ST"),
        authors=_authors(every("AU", unique=False), every("A1", unique=False)),
        year=_year([v for n in ("PY", "Y1", "DA") for v in values.get(n, ())]),
        journal=first(*journal_tags),
        volume=first("VL"),
        issue=first("IS", "CP"),
        pages=_pages(first("SP"), first("EP")),
        doi=_doi(first("DO")) or _doi_mention(values),
        pmid=pmid,
        pmcid=pmcid,
        accessions=accessions,
        urls=every("UR", split=_URL_SPLIT),
        abstract="\n".join(values.get("AB", values.get("N2", []))),
        keywords=every("KW", split="[;\n]"),
        tags=clean,
    )


def _authors(au: tuple[str, ...], a1: tuple[str, ...]) -> tuple[str, ...]:
    """AU then the A1 names not already given (two authors may share a name within one tag)."""
    return au + tuple(name for name in a1 if name not in au)


def _ris_type(value: str) -> str:
    code = value.strip().upper()
    if code in TYPE_OF_REFERENCE_MAPPING:
        return code
    return str(_TYPE_NAMES.get(value.strip().lower(), value.strip() or "GEN"))


def _year(candidates: Iterable[str]) -> int | None:
    return next((int(m[1]) for v in candidates if (m := _YEAR.search(v))), None)


def _pages(start: str, end: str) -> str:
    if start and end and end != start and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _doi(value: str) -> str:
    m = _DOI.search(value)
    return m[0].rstrip(".,;") if m else ""


def _doi_mention(values: dict[str, list[str]]) -> str:
    for value in (v for n in ("UR", "M3") for v in values.get(n, ())):
        if m := _DOI_MENTION.search(value):
            return m[1].rstrip(".,;")
    for value in values.get("N1", ()):
        if m := _DOI_NOTE.fullmatch(value):
            return m[1].rstrip(".,;")
    return ""
