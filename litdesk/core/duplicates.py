"""Duplicate verdicts: whether two records are the same paper, and on what evidence.

Identifiers decide first: a DOI, PMID, PMCID or accession number of one database that both
records carry and that agrees makes a duplicate; one that conflicts makes two records, whatever
the titles say. Without a shared identifier the bibliographic fields are weighed: normalised
title, year (one year apart is allowed for online-first), authors, venue, volume, issue, first
page, type and abstract. An empty field is never evidence. There are three outcomes: `CERTAIN`
(skipped on import), `POSSIBLE` (imported and shown to the researcher), `DISTINCT`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

from litdesk.core.model import Record

CERTAIN: Final = "certain"
POSSIBLE: Final = "possible"
DISTINCT: Final = "distinct"

_DOI_PREFIX: Final = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.I)
_NON_WORD: Final = re.compile(r"[\W_]+", re.UNICODE)
_TAG: Final = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_STOP: Final = frozenset({"of", "the", "and", "for", "in", "on", "de", "la", "der", "und", "a"})
#: Vendor boilerplate around an abstract: never evidence that two abstracts differ.
_BOILERPLATE: Final = re.compile(
    r"\[(?:publication abstract|abstract from author|abstract from publisher)\]"
    r"|\(publication abstract\)|abstract truncated at \d+ words\.?"
    r"|\(?psyc\s*info database record[^)]*\)?"
    r"|copyright (?:of|\(c\)|©)[^.]*(?:\.|$)|©[^.]*(?:\.|$)|\(c\) \d{4}[^.]*(?:\.|$)"
    r"|all rights reserved\.?|^\s*(?:abstract|summary)\s*[:.]", re.I | re.M)
_TYPE_CLASS: Final = {
    "JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article",
    "NEWS": "article", "INPR": "article", "ABST": "article", "CPAPER": "conference",
    "CONF": "conference", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter",
    "ECHAP": "chapter", "THES": "thesis", "RPRT": "report", "PAT": "patent",
}


def normalise_doi(doi: str) -> str:
    """DOI in lower case without URL or ``doi:`` prefixes ("" when it is not a DOI)."""
    doi = doi.strip()
    if not doi.startswith("10."):  # the usual form needs no pattern (an import: every record)
        doi = _DOI_PREFIX.sub("", doi).strip()
    doi = doi.rstrip(".").lower()
    return doi if doi.startswith("10.") and "/" in doi else ""


@lru_cache(maxsize=4096)  # an import folds each title and first author several times
def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text for comparing titles and names."""
    if text.isascii():  # the same result, without decomposing (most titles and names)
        return _NON_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", no_marks).strip()


def plain(text: str) -> str:
    """Text without HTML tags and with entities decoded (``<i>E. coli</i> &amp; ...``)."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    return html.unescape(text) if "&" in text else text


def title_key(title: str) -> str:
    """The normalised title the library indexes for duplicate look-ups ("" for none)."""
    return fold(plain(title))[:400]


def identifier_keys(record: Record) -> tuple[str, ...]:
    """The record's identifiers as stored and looked up: ``doi:...``, ``pmid:...``,
    ``pmcid:...`` and its accession numbers (which carry their database already)."""
    out = []
    if doi := normalise_doi(record.doi):
        out.append(f"doi:{doi}")
    if record.pmid.strip():
        out.append(f"pmid:{record.pmid.strip()}")
    if record.pmcid.strip():
        out.append(f"pmcid:{record.pmcid.strip().upper()}")
    out += [a for a in record.accessions if a]
    if len(out) < 2:
        return (out[0][:255],) if out else ()
    return tuple(dict.fromkeys(k[:255] for k in out))


def _namespace(key: str) -> str:
    return "CENTRAL" if key.startswith("CN-") else key.split(":", 1)[0]


class Fingerprint(NamedTuple):
    """What the verdict compares of a record (small: an import keeps one per record). Only the
    keys looked up are normalised at once; the other fields when two records are compared.
    A named tuple: an import makes one per record, and a tuple is made in a quarter of the
    time of a frozen dataclass."""

    identifiers: tuple[str, ...] = ()
    title: str = ""
    year: int | None = None
    authors: tuple[str, ...] = ()
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    type: str = ""
    abstract: str = ""  # its start: enough words to compare


def fingerprint(record: Record) -> Fingerprint:
    """The `Fingerprint` of a record."""
    return Fingerprint(
        identifiers=identifier_keys(record), title=title_key(record.title), year=record.year,
        authors=record.authors[:30], journal=record.journal, volume=record.volume,
        issue=record.issue, pages=record.pages, type=record.type,
        abstract=record.abstract[:_ABSTRACT_HEAD].strip(),
    )


@dataclass(frozen=True, slots=True)
class _Fields:
    """A fingerprint's fields normalised for comparing."""

    surnames: tuple[str, ...]
    initials: str  # the first author's
    venue: str
    volume: str
    issue: str
    page: str
    kind: str


@lru_cache(maxsize=4096)
def _fields(fp: Fingerprint) -> _Fields:
    names = [_name(a) for a in fp.authors]
    return _Fields(
        surnames=tuple(s for s, _ in names if s), initials=names[0][1] if names else "",
        venue=" ".join(w for w in fold(plain(fp.journal)).split() if w not in _STOP),
        volume=_simple(fp.volume), issue=_simple(fp.issue),
        page=_simple(re.split(r"[-–—]", fp.pages, maxsplit=1)[0]) if fp.pages else "",
        kind=_TYPE_CLASS.get(fp.type.upper(), ""),
    )


_ADAPTED: Final = "adapted from the source document"
_MARKERS: Final = ("publication abstract", "abstract from", "truncated at", "psyc",
                   "copyright", "©", "(c) ", "rights reserved", "abstract", "summary")
#: The start of an abstract that is compared (a fingerprint keeps no more: memory).
_ABSTRACT_HEAD: Final = 600


@lru_cache(maxsize=2048)
def abstract_words(abstract: str) -> tuple[str, ...]:
    """The words of an abstract, normalised, without vendor boilerplate."""
    text = plain(abstract)
    lower = text.lower()
    at = lower.find(_ADAPTED)
    if at >= 0:  # "(The abstract was) adapted from the source document.": that sentence goes
        text = text[:text.rfind(".", 0, at) + 1] + text[at + len(_ADAPTED):]
    if any(m in lower for m in _MARKERS):  # the boilerplate pattern only where it may match
        text = _BOILERPLATE.sub(" ", text)
    return tuple(fold(text).split())


def _simple(value: str) -> str:
    v = fold(value).replace(" ", "")
    return v.lstrip("0") or v


@lru_cache(maxsize=16384)  # names repeat across records (and every author list is read)
def _name(author: str) -> tuple[str, str]:
    """(folded surname, initials) of "Family, Given", "Given Family" or "Family GA"."""
    author = plain(author).strip()
    if "," in author:
        family, given = (p.strip() for p in author.split(",", 1))
    else:
        parts = author.split()
        if len(parts) > 1 and parts[-1].replace(".", "").isupper() and len(
                parts[-1].replace(".", "")) <= 3:
            family, given = " ".join(parts[:-1]), parts[-1]
        else:
            family, given = (parts[-1] if parts else ""), " ".join(parts[:-1])
    initials = "".join(w[0] for w in fold(given.replace(".", " ")).split()) if given else ""
    if given and given.replace(".", "").isupper() and " " not in given.strip() \
            and len(given.replace(".", "")) <= 3:
        initials = fold(given).replace(" ", "")  # "GA": two initials, not one word
    return fold(family), initials


@dataclass(frozen=True, slots=True)
class Evidence:
    """One field compared: ``relation`` is "agrees", "close" or "conflicts"."""

    field: str
    relation: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.field} {self.relation}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for a pair of records and the evidence that decided it."""

    outcome: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def reason(self) -> str:
        """The deciding evidence in words, e.g. "same DOI" or "title, year, authors agree"."""
        ids = [e for e in self.evidence if e.field in _ID_FIELDS]
        if ids and self.outcome == CERTAIN:
            return f"same {ids[0].field}"
        agree = [e.field for e in self.evidence if e.relation == "agrees"]
        differ = [e.field for e in self.evidence if e.relation == "conflicts"]
        text = ", ".join(agree) + (" agree" if len(agree) > 1 else " agrees") if agree else (
            "nothing agrees")
        return text + (f"; {', '.join(differ)} differ" if len(differ) > 1 else
                       f"; {differ[0]} differs" if differ else "")


_ID_NAMES: Final = {"doi": "DOI", "pmid": "PubMed ID", "pmcid": "PMCID", "CENTRAL": "CENTRAL ID"}
_ID_FIELDS: Final = frozenset({*_ID_NAMES.values(), *(f"{n} accession" for n in (
    "EMBASE", "PSYCINFO", "WOS", "SCOPUS", "PROQUEST", "LENS", "CINAHL"))})


def _id_field(namespace: str) -> str:
    return _ID_NAMES.get(namespace, f"{namespace} accession")


def judge(a: Fingerprint, b: Fingerprint) -> Verdict:
    """Whether ``a`` and ``b`` are the same paper (`CERTAIN`, `POSSIBLE` or `DISTINCT`)."""
    ids = _compare_identifiers(a.identifiers, b.identifiers)
    agree = [e for e in ids if e.relation == "agrees"]
    conflict = [e for e in ids if e.relation == "conflicts"]
    if conflict and not agree:
        return Verdict(DISTINCT, tuple(ids))
    if agree and not conflict:  # the same identifier, and a title that is not another paper's
        title = _compare_title(a, b)
        if title is None or title.relation != "conflicts":
            return Verdict(CERTAIN, (*agree, *([title] if title else [])))
    fields = _compare_fields(a, b)
    if agree:  # and a conflicting identifier, or another title: shown, never dropped
        return Verdict(POSSIBLE, (*ids, *fields))
    return Verdict(_weigh(fields), tuple(fields))


def _compare_identifiers(a: tuple[str, ...], b: tuple[str, ...]) -> list[Evidence]:
    by_ns_a: dict[str, set[str]] = {}
    by_ns_b: dict[str, set[str]] = {}
    for keys, into in ((a, by_ns_a), (b, by_ns_b)):
        for k in keys:
            into.setdefault(_namespace(k), set()).add(k)
    out = []
    for ns in by_ns_a.keys() & by_ns_b.keys():
        same = by_ns_a[ns] & by_ns_b[ns]
        shown = min(same) if same else f"{min(by_ns_a[ns])} / {min(by_ns_b[ns])}"
        out.append(Evidence(_id_field(ns), "agrees" if same else "conflicts", shown))
    return sorted(out, key=lambda e: (e.relation, e.field))


def _compare_title(a: Fingerprint, b: Fingerprint) -> Evidence | None:
    if not (a.title and b.title):
        return None
    if a.title == b.title:
        return Evidence("title", "agrees")
    return Evidence("title", "close" if _similar(a.title, b.title) else "conflicts")


def _compare_fields(fa: Fingerprint, fb: Fingerprint) -> list[Evidence]:
    out: list[Evidence] = []
    a, b = _fields(fa), _fields(fb)
    if title := _compare_title(fa, fb):
        out.append(title)
    if fa.year and fb.year:
        gap = abs(fa.year - fb.year)
        out.append(Evidence("year", "agrees" if not gap else "close" if gap == 1 else "conflicts",
                            "" if not gap else f"{fa.year} / {fb.year}"))
    if a.surnames and b.surnames:
        out.append(_compare_authors(a, b))
    if a.venue and b.venue:
        out.append(Evidence("journal", "agrees" if _same_venue(a.venue, b.venue)
                            else "conflicts"))
    for name, x, y in (("volume", a.volume, b.volume), ("issue", a.issue, b.issue),
                       ("first page", a.page, b.page)):
        if x and y:
            out.append(Evidence(name, "agrees" if x == y else "conflicts",
                                "" if x == y else f"{x} / {y}"))
    if a.kind and b.kind and a.kind != b.kind:
        out.append(Evidence("type", "conflicts", f"{a.kind} / {b.kind}"))
    words_a, words_b = abstract_words(fa.abstract), abstract_words(fb.abstract)
    if words_a and words_b:
        n = min(len(words_a), len(words_b))  # the same stretch of each: heads cut alike
        overlap = _overlap(list(words_a[:n]), list(words_b[:n]))
        out.append(Evidence("abstract", "agrees" if overlap >= 0.8 else
                            "conflicts" if overlap < 0.5 else "close", f"{overlap:.0%} shared"))
    return out


def _compare_authors(a: _Fields, b: _Fields) -> Evidence:
    if a.surnames[0] != b.surnames[0]:
        return Evidence("authors", "conflicts", "first author differs")
    x, y = a.initials, b.initials
    if x and y and not (x.startswith(y) or y.startswith(x)):
        return Evidence("authors", "conflicts", "first author's initials differ")
    shorter, longer = sorted((a.surnames, b.surnames), key=len)
    if len(shorter) > 1 and longer[:len(shorter)] == shorter:
        return Evidence("authors", "agrees", "author list")
    if len(shorter) > 1 and _overlap(list(shorter), list(longer)) < 0.5:
        return Evidence("authors", "conflicts", "co-authors differ")
    return Evidence("authors", "agrees", "first author")


def _weigh(fields: list[Evidence]) -> str:
    """The outcome of bibliographic evidence alone."""
    rel = {e.field: e.relation for e in fields}
    if rel.get("title") not in ("agrees", "close"):
        return DISTINCT  # no title on one side, or another title: nothing to go on
    conflicts = [e.field for e in fields if e.relation == "conflicts"]
    # A conference paper and its journal version differ in type and venue: shown, not hidden.
    hard = set(conflicts) - {"type", "journal"}
    if {"year", "authors"} & hard or len(hard) >= 3:
        return DISTINCT
    corroborating = [f for f in ("journal", "volume", "first page", "abstract")
                     if rel.get(f) == "agrees"]
    full_list = any(e.field == "authors" and e.detail == "author list" for e in fields)
    year_ok = rel.get("year") == "agrees" or (rel.get("year") == "close"
                                               and len(corroborating) >= 2)
    if (not conflicts and rel["title"] == "agrees" and year_ok and rel.get("authors") == "agrees"
            and (corroborating or full_list)):
        return CERTAIN
    return POSSIBLE


def _similar(x: str, y: str) -> bool:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.93


def _overlap(x: list[str], y: list[str]) -> float:
    """Share of the smaller word set found in the other (truncation-tolerant)."""
    sx, sy = set(x), set(y)
    return len(sx & sy) / min(len(sx), len(sy)) if sx and sy else 0.0


def _same_venue(x: str, y: str) -> bool:
    """Same journal, allowing abbreviations ("j adv nurs" / "journal advanced nursing")."""
    if x == y:
        return True
    wx, wy = x.split(), y.split()
    if len(wx) != len(wy):
        return False
    return all(p.startswith(q) or q.startswith(p) for p, q in zip(wx, wy, strict=True))
