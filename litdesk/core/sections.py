"""Suggest section spans (background, aim, method, results, conclusion) from abstract headings.

Structured abstracts label their parts with headings ("BACKGROUND:", "Aim To explore...",
"Design & setting"). :func:`suggest_sections` finds those headings and turns them into
``(start, end, label)`` spans; it never guesses sections from the prose itself.

A word from the heading list only counts as a heading where a heading can stand:

* at the start of the text, after a sentence end (". Results", or glued ".Results"), or at the
  start of a line, or right after another heading ("Abstract Background ...");
* followed by a heading delimiter: a colon, a full stop, a dash, a line break, or spaces and a
  capitalised word or number ("Results Participating GPs...", but not "Results were mixed.").

A heading before a line break must stand on its own line or be followed by a capitalised word,
a line start that does not follow a sentence end needs a colon, dash or line break after the
heading (so that hard-wrapped text does not fire), and
a capitalised heading with a colon also counts in the middle of a sentence ("...review SEARCH
STRATEGY: PubMed", "Abstract Background: ...").
Structured abstracts have several sections, so nothing is suggested unless headings of at least
two different sections are found: a lone "Conclusion" in running prose is not a structure.

The headings and their sections come from ``section_headings.txt`` (derived from NLM's list of
structured-abstract labels). Headings marked ``-`` there (trial registration, funding, keywords)
end the section before them but are not coded; so does a copyright notice or similar trailer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

from litdesk.core.model import LABELS

_HEADINGS_FILE: Final = "section_headings.txt"
NOT_CODED: Final = "-"

# One token of a heading: a word (optionally with a "(s)" plural mark) or a joining sign.
# A heading may be wrapped onto the next line ("Study\ndesign and setting").
_TOKEN: Final = re.compile(
    r"[ \t]*(?:\r?\n[ \t]*)?(?:([^\W\d_]+(?:['’][^\W\d_]+)*)(?:\([sS]\))?|(&|/|,|-))"
)

# What may follow a heading. Order matters: a colon or dash wins over bare spaces.
_DELIMITER: Final = re.compile(
    r"""
    (?P<colon>[ \t]*:)
    | (?P<dash>\s+[-‐‑–—]+(?=\s)|[ \t]*[–—]+|[ \t]+-+(?=\S))
    | (?P<stop>[ \t]*\.(?=\s|$))
    | (?P<line>[ \t]*(?=[\r\n]))
    | (?P<space>[ \t]+(?=\S))
    """,
    re.VERBOSE,
)

# Where a sentence ends and the next one starts (with or without a space between).
_SENTENCE_START: Final = re.compile(r"[.?!…][\"'”’)\]]*[ \t]*(?=[^\W\d_])")
_LINE_START: Final = re.compile(r"[\r\n][ \t\r\n]*(?=[^\W\d_])")
# Capitalised words inside a sentence: candidates for "...review SEARCH STRATEGY: PubMed".
_CAPS_WORD: Final = re.compile(r"(?<=[ \t])(?=[A-Z])")
# Vendor trailers after the last section: copyright notices, "[Author Abstract]".
_TRAILER: Final = re.compile(
    r"(?<![^\s.])(?:Copyright\b|Â?©|\([Cc]\)(?=\s*\d{4})"
    r"|\(PsycINFO Database Record|\[Author Abstract\])"
)
_OPENERS: Final = "([\"'‘“"
_WORD: Final = re.compile(r"\S+")
_CAPITALISED: Final = re.compile(r"[^\W\d_]+[ \t]+$")


@dataclass(frozen=True, slots=True)
class _Heading:
    """A heading found in the text: where it starts, where its body starts, what it labels."""

    start: int
    body: int
    label: str


@cache
def lexicon() -> tuple[dict[tuple[str, ...], str], int]:
    """The heading list as ``{normalised words: label}`` and the longest heading's token count."""
    table, _ = _read_headings()
    return table, max(len(key) for key in table)


@cache
def _colon_only() -> frozenset[tuple[str, ...]]:
    """Generic headings ("Case", "The aim") that count only when a colon follows them."""
    return _read_headings()[1]


@cache
def _read_headings() -> tuple[dict[tuple[str, ...], str], frozenset[tuple[str, ...]]]:
    text = files("litdesk.core").joinpath(_HEADINGS_FILE).read_text(encoding="utf-8")
    table: dict[tuple[str, ...], str] = {}
    colon: set[tuple[str, ...]] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        heading, label, *flags = line.split("|")
        if label != NOT_CODED and label not in LABELS or flags not in ([], ["colon"]):
            raise ValueError(f"{_HEADINGS_FILE}: cannot read {line!r}")
        key = _normalise(heading)
        if key:
            table[key] = label
            if flags:
                colon.add(key)
    return table, frozenset(colon)


def _normalise(heading: str) -> tuple[str, ...]:
    """Tokens of a heading as the lexicon stores them ("Design & Setting" -> design and setting)."""
    tokens = []
    pos = 0
    while m := _TOKEN.match(heading, pos):
        if m.end() == pos:
            break
        tokens.append(token_key(m))
        pos = m.end()
    return tuple(tokens)


def token_key(m: re.Match[str]) -> str:
    word = m.group(1)
    if word is None:
        return "and" if m.group(2) == "&" else m.group(2)
    return word.lower().replace("’", "'")


def _candidates(text: str, start: int, limit: int) -> list[tuple[int, str, bool]]:
    """Headings the lexicon knows starting at ``start``, longest first, as (end, label,
    whether the heading counts only before a colon)."""
    table, longest = lexicon()
    colon_only = _colon_only()
    tokens: list[str] = []
    found: list[tuple[int, str, bool]] = []
    pos = start
    while len(tokens) < longest and (m := _TOKEN.match(text, pos, limit)) and m.end() > pos:
        if not tokens and m.start(1) != start:
            break  # a heading starts with a word
        tokens.append(token_key(m))
        pos = m.end()
        if m.group(1) is not None and (label := table.get(tuple(tokens))):
            found.append((pos, label, tuple(tokens) in colon_only))
    found.reverse()
    return found


def _case_ok(heading: str) -> bool:
    """Upper case, Title/Sentence case or lower case; not "bACKGROUND"."""
    return heading.isupper() or heading.islower() or heading[0].isupper()


def _body_start(text: str, end: int) -> tuple[str, int] | None:
    """The delimiter kind after a heading ending at ``end`` and where the body starts."""
    if end >= len(text):
        return None
    m = _DELIMITER.match(text, end)
    if m is None or m.lastgroup is None:
        return None
    kind = m.lastgroup
    body = m.end()
    if kind == "space" and not _starts_sentence(text, body):
        kind = "lowercase"
    while body < len(text) and text[body].isspace():
        body += 1
    return kind, body


def _starts_sentence(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` looks like a sentence start ("The", "81", "(n", "mHealth")."""
    if pos >= len(text):
        return False
    first = text[pos]
    if first.isupper() or first.isdigit() or first in _OPENERS:
        return True
    word = _WORD.match(text, pos)
    return word is not None and any(c.isupper() or c.isdigit() for c in word.group())


def _heading_at(text: str, start: int, where: str) -> _Heading | None:
    """The longest acceptable heading at ``start``; ``where`` says how the position was reached.

    ``where`` is "start" (text start or after a wrapper heading), "chained" (right after another
    heading), "sentence" (after a sentence end, with or without a space), "line" (line start
    without a sentence end before it) or "caps" (a capitalised word inside a sentence).
    """
    for end, label, colon_only in _candidates(text, start, len(text)):
        heading = text[start:end]
        if not _case_ok(heading):
            continue
        delimited = _body_start(text, end)
        if delimited is None:
            continue
        kind, body = delimited
        if colon_only and kind != "colon":
            continue
        if kind == "lowercase":
            # Only a wrapper may stand before a lower-case word, and only when a heading
            # follows: "Abstract objectives: ...".
            if label != NOT_CODED or _heading_at(text, body, "start") is None:
                continue
            kind = "space"
        if where in ("line", "chained") and kind == "space":
            continue
        if where == "line" and (kind == "stop" or heading.islower()):
            continue  # "...the primary\nsettings. As..." is a hard-wrapped sentence
        if kind == "line" and not (_owns_line(text, start) or _starts_sentence(text, body)):
            continue  # "...results. Experimental studies\ninvolving..." is wrapped too
        if where == "caps" and not (
            kind == "colon" and heading[0].isupper() and len(heading) > 3
            and not _tail_of_longer(text, start, heading)
        ):
            continue
        return _Heading(start, body, label)
    return None


def _owns_line(text: str, start: int) -> bool:
    """Whether ``start`` begins a line (a heading followed by a line break stands alone)."""
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in "\r\n"


def _tail_of_longer(text: str, start: int, heading: str) -> bool:
    """Whether a mid-sentence heading ends a longer one in the same case, which the list does
    not know ("ETHNOPHARMOCOLOGICAL RELEVANCE:" is no "RELEVANCE:"); "Abstract" may precede."""
    before = _CAPITALISED.search(text, 0, start)
    if before is None:
        return False
    word = before.group().rstrip()
    if lexicon()[0].get((word.lower(),)) == NOT_CODED:
        return False
    return word.isupper() if heading.isupper() else word[0].isupper()


def _positions(text: str) -> list[tuple[int, str]]:
    """Places where a heading may start, in text order, with how each was reached."""
    first = len(text) - len(text.lstrip())
    where: dict[int, str] = {first: "start"}
    for m in _SENTENCE_START.finditer(text):
        where.setdefault(m.end(), "sentence")
    for m in _LINE_START.finditer(text):
        before = text[: m.start()].rstrip()
        after_sentence = before.endswith((".", "?", "!", ":")) or not before
        where.setdefault(m.end(), "sentence" if after_sentence else "line")
    for m in _CAPS_WORD.finditer(text):
        where.setdefault(m.end(), "caps")
    return sorted(where.items())


def _find_headings(text: str) -> list[_Heading]:
    headings: list[_Heading] = []
    body_from = 0
    for pos, where in _positions(text):
        if pos < body_from:
            continue  # inside a heading already taken
        found = _heading_at(text, pos, where)
        while found is not None:
            headings.append(found)
            body_from = found.body
            found = _heading_at(text, found.body, _chained(found, first=len(headings) == 1))
    return headings


def _chained(previous: _Heading, *, first: bool) -> str:
    """How a heading directly after ``previous`` may be found.

    After a wrapper ("Abstract Background ...", "Summary Background ...") anything goes;
    otherwise only with a real delimiter, so that "Results Participants (n = 9) ..." keeps its
    "Results".
    """
    wrapper = previous.label == NOT_CODED or (first and previous.start == 0)
    return "start" if wrapper else "chained"


def _stops(text: str, after: int) -> list[int]:
    """Starts of vendor trailers (copyright notices), which end a section but belong to none."""
    return [m.start() for m in _TRAILER.finditer(text, after)]


def suggest_sections(text: str) -> list[tuple[int, int, str]]:
    """Section spans ``(start, end, label)`` found from the headings of a structured abstract.

    Offsets are Python string indices, end exclusive. Each span starts at its heading and ends
    at the end of the last sentence before the next heading (no surrounding white space).
    Spans are sorted and do not overlap; neighbouring spans with the same label are merged.
    Text before the first heading is not tagged. An abstract without headings of at least two
    different sections gives ``[]``.
    """
    headings = _find_headings(text)
    if not headings:
        return []
    bounds = sorted({h.start for h in headings} | set(_stops(text, headings[0].body)))
    bounds.append(len(text))
    spans: list[tuple[int, int, str]] = []
    opened: _Heading | None = None  # a coded heading without text of its own
    for heading in headings:
        if heading.label == NOT_CODED:
            opened = None
            continue
        stop = next(b for b in bounds if b > heading.start)
        if not text[heading.body : stop].strip():
            # A heading with no text of its own: the next heading's span starts here when it
            # follows at once with the same label ("Introduction: Background: ...", "Results:
            # Results: ..."), not "Summary" above "Background".
            opened = heading if opened is None and stop == heading.body else opened
            continue
        start = opened.start if opened and opened.label == heading.label else heading.start
        opened = None
        end = heading.start + len(text[heading.start : stop].rstrip())
        last = spans[-1] if spans else None
        if last and last[2] == heading.label and not text[last[1] : start].strip():
            spans[-1] = (last[0], end, heading.label)
        else:
            spans.append((start, end, heading.label))
    if len({label for _, _, label in spans}) < 2:
        return []
    return spans
