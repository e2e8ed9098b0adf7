"""BibTeX export (``.bib``): LaTeX-safe values, unique and stable citation keys, UTF-8.

What bibtexparser and litdesk's BibTeX reader read back as the same record: the type, title,
authors ("Family, Given"), year, venue, volume, number, pages, DOI, URL, abstract, keywords
and identifiers; fields a BibTeX import kept under their own names go back as they were.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, Final

from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.model import Record

#: RIS type -> BibTeX entry type (biblatex's where classic BibTeX has none).
ENTRY_TYPES: Final = {
    "JOUR": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "collection", "CHAP": "incollection",
    "ECHAP": "incollection", "CPAPER": "inproceedings", "CONF": "proceedings",
    "THES": "phdthesis", "RPRT": "techreport", "UNPB": "unpublished", "ELEC": "online",
    "PAT": "patent", "DATA": "dataset", "COMP": "software", "PAMP": "booklet",
    "JFULL": "periodical", "STAND": "standard",
}
#: RIS tags a BibTeX import made of BibTeX fields, back to those fields.
_FROM_RIS: Final = {"SN": "issn", "PB": "publisher", "CY": "address", "N1": "note",
                    "LA": "language", "ET": "edition", "J2": "shortjournal", "ST": "shorttitle",
                    "T3": "series", "DA": "date", "Y2": "urldate"}
_VENUE_IN_T2: Final = frozenset({"CHAP", "ECHAP", "CPAPER", "CONF"})
_SPECIAL: Final = re.compile(r"[\\{}&%$#_~^]|--|''|``")
_ESCAPES: Final = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}", "--": "-{}-", "''": "'{}'", "``": "`{}`"}
_KEY_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_:.-]+")
_OWN: Final = "BibTeX:"


def write_bibtex(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write ``records`` as UTF-8 BibTeX to ``out``; the count written."""
    keys: set[str] = set()
    count = 0
    for record in each_record(records, progress, cancelled):
        key = unique_key(citation_key(record), keys)
        out.write(entry_text(record, key).encode("utf-8", errors="replace"))
        count += 1
    return count


def citation_key(record: Record) -> str:
    """The record's own BibTeX key if it came with one, else surname + year + title word
    ("Gill2022Qualitative"): the same for the same record in every export."""
    own = next((v for t, v in record.tags if t == "ID"), "")
    if re.fullmatch(r"[A-Za-z][\w:.-]*", own):
        return own
    word = next((w for w in re.findall(r"\w+", _ascii(record.title)) if len(w) > 3), "")
    key = f"{_ascii(record.first_author_surname)}{record.year or ''}{word.capitalize()}"
    return _KEY_UNSAFE.sub("", key) or "record"


def unique_key(key: str, taken: set[str]) -> str:
    """``key``, or with the first free suffix "a", "b"... when an earlier entry has it."""
    candidate, n = key, 0
    while candidate in taken:
        n += 1
        candidate = key + _letters(n)
    taken.add(candidate)
    return candidate


def entry_text(record: Record, key: str) -> str:
    """One BibTeX entry, a blank line after it."""
    lines = [f"@{ENTRY_TYPES.get(record.type, 'misc')}{{{key},"]
    fields = list(_fields(record))
    written = {name.lower() for name, _ in fields}
    wos = not any(t == "TY" for t, _ in record.tags)  # Web of Science tags: DA is not a date
    for tag, value in record.tags:  # what a BibTeX import kept, or made RIS tags of
        name = (None if wos else _FROM_RIS.get(tag)) or (
            tag[len(_OWN):] if tag.startswith(_OWN) else "")
        if name and name.lower() not in written and re.fullmatch(r"[A-Za-z][\w:.+-]*", name):
            written.add(name.lower())
            fields.append((name, escape(value)))
    lines += [f"  {name} = {{{value}}}," for name, value in fields]
    return "\n".join(lines) + "\n}\n\n"


def _fields(record: Record) -> Iterator[tuple[str, str]]:
    tags = record.tags
    if record.authors:
        yield "author", " and ".join(_person(a) for a in record.authors)
    editors = [v for t, v in tags if t == "A2"]
    if editors:
        yield "editor", " and ".join(_person(a) for a in editors)
    if record.title:
        yield "title", escape(record.title)
    venue = record.journal or (next((v for t, v in tags if t in ("T2", "BT")), "")
                               if record.type in _VENUE_IN_T2 else "")
    if venue:
        yield ("booktitle" if record.type in _VENUE_IN_T2 else "journal"), escape(venue)
    if record.year is not None:
        yield "year", str(record.year)
    for name, value in (("volume", record.volume), ("number", record.issue)):
        if value:
            yield name, escape(value)
    if record.pages:
        yield "pages", escape(re.sub(r"\s*[-\u2013]+\s*", "--", record.pages)).replace(
            "-{}-", "--")
    if record.doi:
        yield "doi", _url(record.doi)
    if record.urls:
        yield "url", _url(record.urls[0])
    if record.abstract:
        yield "abstract", "\n\n".join(escape(p) for p in record.abstract.split("\n") if p)
    if record.keywords:
        yield "keywords", escape("; ".join(record.keywords))
    if record.pmid:
        yield "pmid", escape(record.pmid)
    if record.pmcid:
        yield "pmcid", escape(record.pmcid)
    accessions = record.accessions or tuple(
        v for t, v in tags if t == "AN" and v.startswith(("WOS:", "SCOPUS:", "EMBASE:")))
    for accession in accessions:
        if accession.startswith("WOS:"):
            yield "unique-id", escape(accession)
        elif accession.startswith("SCOPUS:"):
            yield "eid", escape(accession.removeprefix("SCOPUS:"))


def escape(text: str) -> str:
    """``text`` safe inside a braced BibTeX value: LaTeX specials escaped, so braces balance
    and nothing is taken for a command, a comment or a ligature."""
    if not _SPECIAL.search(text):
        return text
    return _SPECIAL.sub(lambda m: _ESCAPES.get(m[0], "\\" + m[0]), text)


def _person(name: str) -> str:
    """A name as BibTeX reads it: "Family, Given"; any other (an organisation, a list that
    came as one name) braced whole, so it is never split or reordered."""
    text = escape(" ".join(name.split()))
    family, comma, given = name.partition(",")
    if (comma and family.strip() and given.strip() and "," not in given
            and not re.search(r"\band\b|;", name, re.I) and "{" not in text):
        return text
    return f"{{{text}}}"


def _url(value: str) -> str:
    return value.replace("\\", "").replace("{", "%7B").replace("}", "%7D").replace(
        "%", r"\%").replace("#", r"\#")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _letters(n: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa"..."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


__all__ = ["ENTRY_TYPES", "citation_key", "entry_text", "escape", "write_bibtex"]
