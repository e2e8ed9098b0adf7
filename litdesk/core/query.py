"""The search-box language, parsed into terms the store turns into a full-text query.

    opioid pain          both words (any field)
    opio*                words starting with "opio"
    "chronic pain"       the phrase
    author:gill          a word in one field (title, author, abstract, keyword, journal, memo)
    year:2022            a year; year:2010-2015 a range
    -cancer              not this word

Anything the grammar does not understand is searched as plain words, so typing never fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Field names the researcher types → store column names.
FIELDS: dict[str, str] = {
    "title": "title",
    "ti": "title",
    "author": "authors",
    "authors": "authors",
    "au": "authors",
    "abstract": "abstract",
    "ab": "abstract",
    "keyword": "keywords",
    "keywords": "keywords",
    "kw": "keywords",
    "journal": "journal",
    "jo": "journal",
    "memo": "memo",
}

HELP = (
    "Search title, authors, abstract, keywords and journal.\n"
    "  opioid pain — both words\n"
    "  opio* — words starting with 'opio'\n"
    '  "chronic pain" — the exact phrase\n'
    "  author:gill  title:interview  keyword:opioids  journal:bmj  memo:check\n"
    "  year:2022  or  year:2015-2020\n"
    "  -cancer — leave out records with this word"
)

_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))', re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One full-text condition: ``words`` as a phrase (a single word when one)."""

    words: tuple[str, ...]
    column: str | None = None
    prefix: bool = False
    negated: bool = False


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and self.year_from is None and self.year_to is None


def parse(text: str) -> Query:
    """Parse what the researcher typed in the search box."""
    query = Query()
    for m in _TOKEN.finditer(text):
        neg, name, phrase, bare = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
        column = FIELDS.get(name.lower()) if name else None
        if name and name.lower() == "year" and bare and _set_years(query, bare):
            continue
        if name and column is None:  # "ratio:3" is two words, not a field
            bare = f"{name} {bare or phrase or ''}"
            phrase = None
        raw = phrase if phrase is not None else (bare or "")
        prefix = phrase is None and raw.endswith("*")
        words = tuple(w.casefold() for w in _WORD.findall(raw))
        if not words:
            continue
        # "covid-19" becomes the phrase "covid 19", as the full-text index splits it so
        query.terms.append(Term(words, column, prefix, neg))
    return query


def _set_years(query: Query, value: str) -> bool:
    m = re.fullmatch(r"(\d{4})(?:-(\d{4})?)?", value)
    if not m:
        return False
    query.year_from = int(m.group(1))
    query.year_to = int(m.group(2)) if m.group(2) else (None if "-" in value else query.year_from)
    return True
