"""The search-box language, parsed into a tree of terms the store turns into a query.

    opioid pain          both words (any field): terms side by side must all match
    opioid OR tramadol   either word (OR binds less tightly than the AND between terms)
    (opioid OR tramadol) pain    parentheses group
    opio*                words starting with "opio"
    "chronic pain"       the phrase
    author:gill          a word in one field (title, author, abstract, keyword, journal, memo)
    year:2022            a year; year:2010-2015 a range
    -cancer  -(a OR b)   not this word, not this group

Typing never fails: what the grammar does not understand is searched as plain words (an
unknown field "ratio:3" as "ratio 3", a dangling OR as the word "or") or left out, and
:attr:`Query.problems` names each such part, for the app to show and the CLI to refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

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
_FIELD_NAMES = "title, author, abstract, keyword, journal, memo, year"

HELP = (
    "Search title, authors, abstract, keywords and journal.\n"
    "  opioid pain — both words\n"
    "  opioid OR tramadol — either word; (opioid OR tramadol) pain — grouped\n"
    "  opio* — words starting with 'opio'\n"
    '  "chronic pain" — the exact phrase\n'
    "  author:gill  title:interview  keyword:opioids  journal:bmj  memo:check\n"
    "  year:2022  or  year:2015-2020\n"
    "  -cancer — leave out records with this word"
)

#: Most terms and deepest nesting searched (more is reported and left out).
MAX_TERMS = 64
MAX_DEPTH = 16

_TOKEN = re.compile(r'[()]|(-?)(?:(\w+):)?(?:"([^"]*)("?)|([^\s()"]+))', re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One full-text condition: ``words`` as a phrase (a single word when one)."""

    words: tuple[str, ...]
    column: str | None = None
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Years:
    """Published in ``year_from``..``year_to`` (either end open when None)."""

    year_from: int | None
    year_to: int | None
    negated: bool = False


@dataclass(frozen=True)
class Group:
    """All of ``parts`` (AND), or any of them when ``any`` (OR)."""

    parts: tuple[Node, ...]
    any: bool = False
    negated: bool = False


Node = Union[Term, Years, Group]  # noqa: UP007 - a runtime alias, used before 3.12 syntax


@dataclass
class Query:
    """The parsed search: ``root`` (a Group of ANDed parts) and what was not understood."""

    root: Group = field(default_factory=lambda: Group(()))
    problems: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[Term]:
        """The full-text terms ANDed at the top (not inside OR or parentheses)."""
        return [p for p in self.root.parts if isinstance(p, Term)]

    @property
    def year_from(self) -> int | None:
        return next((p.year_from for p in self._years()), None)

    @property
    def year_to(self) -> int | None:
        return next((p.year_to for p in self._years()), None)

    def _years(self) -> Iterator[Years]:
        return (p for p in self.root.parts if isinstance(p, Years) and not p.negated)

    @property
    def empty(self) -> bool:
        return not self.root.parts


def parse(text: str) -> Query:
    """Parse what the researcher typed in the search box (never raises)."""
    return _Parser(text).parse()


class _Parser:
    """Recursive descent over tokens: or := and ("OR" and)*; and := unary ("AND"? unary)*;
    unary := "-" unary | "(" or ")" | term."""

    def __init__(self, text: str) -> None:
        self.tokens = [m for m in _TOKEN.finditer(text) if m.group()]
        self.pos = 0
        self.depth = 0
        self.count = 0
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def parse(self) -> Query:
        root = self.any_of()
        while self.pos < len(self.tokens):  # a ")" without its "(": searched past it
            self.problem("a “)” without its “(”")
            self.pos += 1
            more = self.any_of()
            root = Group((*_parts(root), *_parts(more)))
        if root.any:
            root = Group((root,))
        return Query(root, self.problems)

    def peek(self) -> str | None:
        return self.tokens[self.pos].group() if self.pos < len(self.tokens) else None

    def any_of(self) -> Group:
        alternatives = [self.all_of()]
        while self.peek() == "OR":
            self.pos += 1
            after = self.all_of()
            if not after.parts:
                self.problem("OR with nothing on one side")
                alternatives[-1] = Group((*alternatives[-1].parts, _word("or")))
                continue
            if not alternatives[-1].parts:
                self.problem("OR with nothing on one side")
                alternatives[-1] = Group((_word("or"), *after.parts))
                continue
            alternatives.append(after)
        if len(alternatives) == 1:
            return alternatives[0]
        return Group(tuple(_single(a) for a in alternatives), any=True)

    def all_of(self) -> Group:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.pos += 1
                following = self.peek()
                if not parts or following in (None, "OR", ")", "AND"):
                    self.problem("AND with nothing on one side")
                    parts.append(_word("and"))
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        return Group(tuple(parts))

    def unary(self) -> Node | None:
        match = self.tokens[self.pos]
        self.pos += 1
        if match.group() == "(" or match.group() == "-" and self.peek() == "(":
            negated = match.group() == "-"
            if negated:
                self.pos += 1
            if self.depth >= MAX_DEPTH:
                self.problem(f"parentheses nested deeper than {MAX_DEPTH}")
                return None
            return self.group(negated)
        return self.term(match)

    def group(self, negated: bool) -> Node | None:
        self.depth += 1
        inner = self.any_of()
        self.depth -= 1
        if self.peek() == ")":
            self.pos += 1
        else:
            self.problem("a “(” without its “)”")
        if not inner.parts:
            return None
        node = _single(inner)
        return _negate(node) if negated else node

    def term(self, m: re.Match[str]) -> Node | None:
        neg, name, phrase, closing, bare = (m.group(1) == "-", m.group(2), m.group(3),
                                            m.group(4), m.group(5))
        shown = m.group()
        dangling = re.fullmatch(r"-?(\w+):", shown)
        if dangling and dangling.group(1).lower() in (*FIELDS, "year"):
            self.problem(f"nothing after “{shown}”")
            return None
        if dangling:  # "ratio:" as "ratio:3" below
            name, bare = dangling.group(1), ""
        if phrase is not None and not closing:
            self.problem(f"no closing quote in “{shown}”")
        column = FIELDS.get(name.lower()) if name else None
        if name and name.lower() == "year":
            years = _years(bare or phrase or "")
            if years is not None:
                return self.counted(Years(*years, negated=neg))
            self.problem(f"“{shown}” is not a year (2022) or a range (2015-2020)")
            column, bare, phrase = None, f"{name} {bare or phrase or ''}", None
        elif name and column is None:
            self.problem(f"unknown field “{name}:” (fields: {_FIELD_NAMES})")
            bare, phrase = f"{name} {bare or phrase or ''}", None
        raw = phrase if phrase is not None else (bare or "")
        prefix = phrase is None and raw.endswith("*")
        words = tuple(w.casefold() for w in _WORD.findall(raw))
        if not words:
            return None
        # "covid-19" becomes the phrase "covid 19", as the full-text index splits it so
        return self.counted(Term(words, column, prefix, neg))

    def counted(self, node: Node) -> Node | None:
        self.count += 1
        if self.count > MAX_TERMS:
            self.problem(f"more than {MAX_TERMS} terms (the rest left out)")
            return None
        return node


def _word(word: str) -> Term:
    return Term((word,))


def _parts(group: Group) -> tuple[Node, ...]:
    return (group,) if group.any else group.parts


def _single(group: Group) -> Node:
    """A group of one part is that part."""
    return group.parts[0] if len(group.parts) == 1 and not group.negated else group


def _negate(node: Node) -> Node:
    if isinstance(node, Term):
        return Term(node.words, node.column, node.prefix, not node.negated)
    if isinstance(node, Years):
        return Years(node.year_from, node.year_to, not node.negated)
    return Group(node.parts, node.any, not node.negated)


def _years(value: str) -> tuple[int, int | None] | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{4})?)?", value)
    if not m:
        return None
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else (None if "-" in value else start)
    return start, end
