"""A record's own identifiers (PMID, PMCID, database accession numbers) from identifier fields.

Only fields that name the record itself are read: accession tags (``AN``, ``ID``, ``U2``, ``C5``,
``C2``, Web of Science ``UT``/``PM``), and the record's links (``UR``, ``L2``) to PubMed, PMC,
Ovid, Embase, Scopus, Web of Science, ProQuest, Cochrane or Lens. Free text never is: an Ovid note
``Comment on: ...; PMID: 27909164`` names another paper (a comment, erratum, retraction, update).
Accession numbers are prefixed by their database ("EMBASE:373791783", "WOS:000444108200009",
"PSYCINFO:2019-65183-001", "SCOPUS:2-s2.0-85054091539", "CN-01234567"), so that only numbers of
one database are ever compared.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

_PMID: Final = re.compile(r"\d{1,9}")
_PMCID: Final = re.compile(r"PMC\d{1,9}", re.I)
_PSYCINFO: Final = re.compile(r"(?:19|20)\d\d-\d{5}-\d{3}")
_CENTRAL: Final = re.compile(r"CN-\d{6,9}")
_WOS: Final = re.compile(r"WOS:[0-9A-Z]{10,20}", re.I)
_SCOPUS_EID: Final = re.compile(r"2-s2\.0-\d{6,15}")
_EMBASE: Final = re.compile(r"L?(\d{6,12})")
_PUBMED_LINK: Final = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|europepmc\.org/abs(?:tract)?/"
    r"med/)(\d{1,9})(?!\d)", re.I)
_PMC_LINK: Final = re.compile(r"(?:/pmc/articles/|europepmc\.org/articles?/(?:PMC/)?)(PMC\d+)",
                              re.I)
_LENS_LINK: Final = re.compile(r"lens\.org/(\d{3}-\d{3}-\d{3}-\d{3}-\d{3})")
_PROQUEST_LINK: Final = re.compile(r"proquest\.com/docview/(\d{6,12})")
_EMBASE_LINK: Final = re.compile(r"embase\.com/.*[?&]id=L(\d{6,12})")
_PUBMED_DB: Final = re.compile(r"pubmed|medline|\bNLM\b|^(?:mdc|cmedm)$", re.I)
_EMBASE_DB: Final = re.compile(r"embase|^(?:emed|emez|emba|emex|oemez)", re.I)
_PSYCINFO_DB: Final = re.compile(r"psyc\s*info|^(?:psyh|psyc)", re.I)
_CINAHL_DB: Final = re.compile(r"cinahl|^(?:rzh|ccm|c8h|cin)", re.I)
#: Ovid database codes (``D=`` of an Ovid link) by their alphabetic start.
_OVID_DBS: Final = (("medl", "PMID"), ("prem", "PMID"), ("mesz", "PMID"), ("mesx", "PMID"),
                    ("medp", "PMID"), ("medc", "PMID"), ("ppez", "PMID"), ("emed", "EMBASE"),
                    ("emez", "EMBASE"), ("emba", "EMBASE"), ("emex", "EMBASE"),
                    ("oemez", "EMBASE"), ("psyc", "PSYCINFO"), ("psyh", "PSYCINFO"),
                    ("cctr", "CENTRAL"), ("cin", "CINAHL"))


#: The tags `own_identifiers` reads identifiers from.
_IDENTIFIER_TAGS: Final = frozenset({"PM", "UT", "AN", "ID", "U2", "C5", "C2", "UR", "L2", "L1",
                                     "LK"})


def own_identifiers(values: dict[str, list[str]]) -> tuple[str, str, tuple[str, ...]]:
    """(PMID, PMCID, accessions) of a record, from its tag values (tag -> values in order).

    A PMID comes from ``AN`` of a PubMed/MEDLINE record, ``C5`` of an Embase record (its
    MEDLINE twin), ``C2`` of a Scopus record, ``PM`` (Web of Science), an Ovid link to a MEDLINE
    database, or a link to the record's PubMed page. Never from notes (``N1``, ``M1``...).
    """
    if values.keys().isdisjoint(_IDENTIFIER_TAGS):  # most records: nothing to look at
        return "", "", ()
    dbs = " ".join(v for n in ("DB", "DP") for v in values.get(n, ()))
    first_db = next((v[0] for n in ("DB", "DP") if (v := values.get(n))), "")
    pmids: list[str] = []
    pmcids: list[str] = []
    acc: list[str] = []

    def pmid(value: str) -> None:
        if _PMID.fullmatch(value) and int(value):
            pmids.append(str(int(value)))

    for value in values.get("PM", ()):  # Web of Science tagged format
        pmid(value.strip())
    for value in values.get("UT", ()):
        if _WOS.fullmatch(value.strip()):
            acc.append(value.strip().upper())
    for value in _accession_values(values):
        _accession(value, first_db, pmid, acc)
    if any(_EMBASE_DB.search(v) for n in ("DB", "DP") for v in values.get(n, ())):
        for value in values.get("U2", ()):
            if m := _EMBASE.fullmatch(value.strip()):
                acc.append(f"EMBASE:{m[1]}")
        for value in values.get("C5", ()):
            pmid(value.strip())
    for value in values.get("C2", ()):
        value = value.strip()
        if _PMCID.fullmatch(value):
            pmcids.append(value.upper())
        elif re.search(r"scopus", dbs, re.I):
            pmid(value)
    for link in (v for n in ("UR", "L2", "L1", "LK") for v in values.get(n, ())):
        for url in link.split():
            _link(url, pmid, pmcids, acc)
    return _one(pmids), _one(pmcids), tuple(dict.fromkeys(acc))


def _accession_values(values: dict[str, list[str]]) -> list[str]:
    """``AN`` values, then ``ID`` values that have the shape of a database accession (an
    EndNote or Zotero ``ID`` is the reference manager's own record number: never used)."""
    out = [v.strip() for v in values.get("AN", ())]
    out += [v.strip() for v in values.get("ID", ())
            if _PSYCINFO.fullmatch(v.strip()) or _CENTRAL.fullmatch(v.strip())
            or _WOS.fullmatch(v.strip())]
    return out


def _accession(value: str, db: str, pmid: object, acc: list[str]) -> None:
    """One ``AN``-like value, read by the database the record says it comes from."""
    head = value.split(";")[0].strip()  # ProQuest: "2214991469; 51887"
    if _WOS.fullmatch(head):
        acc.append(head.upper())
    elif _CENTRAL.fullmatch(head):
        acc.append(head)
    elif _PSYCINFO.fullmatch(head):
        acc.append(f"PSYCINFO:{head}")
    elif _SCOPUS_EID.fullmatch(head):
        acc.append(f"SCOPUS:{head}")
    elif not db or head.lower().startswith("rayyan-"):
        return  # a number without its database (or a screening tool's own id) says nothing
    elif _PUBMED_DB.search(db):
        pmid(head)  # type: ignore[operator]
    elif _EMBASE_DB.search(db) and (m := _EMBASE.fullmatch(head)):
        acc.append(f"EMBASE:{m[1]}")
    elif _CINAHL_DB.search(db) and head.isdigit():
        acc.append(f"CINAHL:{head}")


def _link(url: str, pmid: object, pmcids: list[str], acc: list[str]) -> None:
    """Identifiers named by one link of the record to its own page in a database."""
    if m := _PUBMED_LINK.search(url):
        pmid(m[1])  # type: ignore[operator]
    elif m := _PMC_LINK.search(url):
        pmcids.append(m[1].upper())
    elif "ovid" in url.lower() and "AN=" in url:
        query = parse_qs(urlsplit(url).query)
        code = (query.get("D") or [""])[0].lower()
        number = unquote((query.get("AN") or [""])[0]).strip()
        kind = next((k for prefix, k in _OVID_DBS if code.startswith(prefix)), "")
        if kind == "PMID":
            pmid(number)  # type: ignore[operator]
        elif kind == "CENTRAL" and _CENTRAL.fullmatch(number):
            acc.append(number)
        elif kind and number:
            acc.append(f"{kind}:{number}")
    elif "scopus.com" in url and (m := _SCOPUS_EID.search(url)):
        acc.append(f"SCOPUS:{m[0]}")
    elif ("isi" in url.lower() or "webofscience" in url.lower()) and (m := _WOS.search(url)):
        acc.append(m[0].upper())
    elif m := _EMBASE_LINK.search(url):
        acc.append(f"EMBASE:{m[1]}")
    elif m := _PROQUEST_LINK.search(url):
        acc.append(f"PROQUEST:{m[1]}")
    elif m := _LENS_LINK.search(url):
        acc.append(f"LENS:{m[1]}")
    elif "cochranelibrary" in url and (m := _CENTRAL.search(url)):
        acc.append(m[0])


def _one(found: list[str]) -> str:
    """The identifier when the record names exactly one; "" when none or several disagree."""
    distinct = list(dict.fromkeys(found))
    return distinct[0] if len(distinct) == 1 else ""
