"""Plain value types that cross litdesk's layers: records, spans and section labels.

Nothing here knows about Qt or SQL. The store turns its rows into these; the UI, the CLI and
the export writers only ever see these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

#: The five abstract sections, in reading order. Their index + 1 is the key that tags them.
LABELS: Final[tuple[str, ...]] = ("background", "aim", "method", "results", "conclusion")

LABEL_TITLES: Final[dict[str, str]] = {
    "background": "Background",
    "aim": "Aim",
    "method": "Method",
    "results": "Results",
    "conclusion": "Conclusion",
}

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
LABEL_COLOURS: Final[dict[str, str]] = {
    "background": "#56B4E9",  # sky blue
    "aim": "#E69F00",  # orange
    "method": "#009E73",  # bluish green
    "results": "#CC79A7",  # reddish purple
    "conclusion": "#F0E442",  # yellow
}

#: The coder who holds the reconciled coding of a record (issue "Double coding").
CONSENSUS_CODER: Final[str] = "consensus"


@dataclass(frozen=True, slots=True)
class Span:
    """A tagged stretch of an abstract: ``abstract[start:end]`` carries ``label``.

    Offsets are Python string indices (code points), end exclusive.
    """

    start: int
    end: int
    label: str
    text: str = ""
    coder: str = ""
    suggested: bool = False

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown section label {self.label!r}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid span offsets {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class Record:
    """One bibliographic record as litdesk knows it.

    ``tags`` keeps every tag of the source record, in file order and verbatim (unknown and
    vendor tags included), so that an export can write the record back without loss. The
    named fields are derived from ``tags`` for display, search and duplicate detection.
    """

    type: str = "GEN"
    title: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    #: PubMed Central ID ("PMC1234567"), read from identifier fields only.
    pmcid: str = ""
    #: The record's own database accession numbers, prefixed by their database
    #: ("WOS:000123456700001", "EMBASE:620000000", "SCOPUS:2-s2.0-85000000000", "CN-01234567").
    accessions: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    id: int | None = None
    spans: tuple[Span, ...] = field(default=(), compare=False)
    memo: str = field(default="", compare=False)
    #: Whose record this is: the coder whose memo ``memo`` is (set for exports; "" elsewhere).
    coder: str = field(default="", compare=False)
    #: Every coder's memo as (coder, text), consensus first, when an export carries every
    #: coder's coding; empty otherwise (``memo`` is then the one memo).
    memos: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    #: The coder's coding status (a litdesk.core.status.Status word; "" when not read).
    status: str = field(default="", compare=False)

    @property
    def first_author_surname(self) -> str:
        """The first author's family name ("Gill" for "Simon Gill" or "Gill, Simon")."""
        if not self.authors:
            return ""
        return surname(self.authors[0])

    @property
    def citation(self) -> str:
        """Short citation such as "Gill et al., 2022" (used as a source name in exports)."""
        who = self.first_author_surname or "Anonymous"
        if len(self.authors) == 2:
            who = f"{who} & {surname(self.authors[1])}"
        elif len(self.authors) > 2:
            who = f"{who} et al."
        return f"{who}, {self.year}" if self.year else who


def surname(author: str) -> str:
    """Family name of an author written "Family, Given", "Given Family" or "Family G.A."."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    parts = author.split()
    if len(parts) > 1 and _is_initials(parts[-1]):  # Embase/Medline style: "Zhang X.", "Li JM"
        return " ".join(parts[:-1])
    return parts[-1] if parts else ""


def short_authors(authors: Sequence[str]) -> str:
    """"Gill", "Gill & Bailey" or "Gill et al." for a records table."""
    if not authors:
        return ""
    first = surname(authors[0]) or authors[0]
    if len(authors) == 2:
        return f"{first} & {surname(authors[1]) or authors[1]}"
    return f"{first} et al." if len(authors) > 2 else first


def _is_initials(token: str) -> bool:
    letters = token.replace(".", "").replace("-", "")
    return 0 < len(letters) <= 3 and letters.isalpha() and letters.isupper()
