"""Split an abstract into sentences, as ``(start, end)`` Python string offsets.

A sentence ends at ".", "?" or "!" (closing quotes and brackets included) followed by white
space and something that can start a sentence (a capital, a digit, an opening bracket or
quote), or glued to a capital ("...were used.Results showed"), or at a blank line. Common
abbreviations ("e.g.", "et al.", "vs.", "Fig.", an initial "J.") and decimals do not end one.
"""

from __future__ import annotations

import re
from typing import Final

_BOUNDARY: Final = re.compile(
    r"""
    [.?!…]+["'”’)\]]*          # the end of a sentence, with closing quotes or brackets
    (?: \s+ (?=[^\W_]|[("'“‘\[])  # white space, then a word (not a lower-case one) or an opener
      | (?=[A-Z][a-z])         # or glued to a capitalised word
    )
    | \n[ \t]*\n\s*            # or a blank line
    """,
    re.VERBOSE,
)
# Words that end with a full stop without ending a sentence (compared lower-cased).
_ABBREVIATIONS: Final = frozenset({
    "e.g", "i.e", "et", "al", "vs", "cf", "fig", "figs", "no", "nos", "approx", "ca", "dr", "mr",
    "mrs", "ms", "prof", "st", "jr", "inc", "ltd", "co", "corp", "resp", "eq", "eqs", "ref", "refs",
    "vol", "pp", "sp", "spp", "var", "ed", "eds", "dept", "univ", "min", "max", "mo", "yr", "yrs",
    "wk", "wks", "hr", "hrs", "u.s", "u.k", "e.u", "viz", "incl",
})  # fmt: skip
_WORD_BEFORE: Final = re.compile(r"(\S+)$")
_WORD_AFTER: Final = re.compile(r"[^\s.,;:]+")


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or an initial."""
    if text[stop] != ".":
        return False
    m = _WORD_BEFORE.search(text, 0, stop)
    if m is None:
        return False
    word = m.group(1).lstrip("([\"'“‘").lower()
    if word in _ABBREVIATIONS:
        return True
    # A single capital letter is an initial ("J. Smith"); "et al" also reads "al".
    return len(m.group(1)) == 1 and m.group(1).isupper()


def _lower_word(text: str, pos: int) -> bool:
    """Whether a plain lower-case word starts at ``pos`` ("e.g. the"), not "mRNA" or "(n"."""
    m = _WORD_AFTER.match(text, pos)
    return m is not None and m.group().islower() and m.group().isalpha()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` as ``(start, end)``, end exclusive, without surrounding white space.

    The sentences are in order, do not overlap and are never empty; text of white space only
    gives ``[]``.
    """
    out: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] != "\n" and (
            _is_abbreviation(text, m.start()) or _lower_word(text, m.end())
        ):
            continue
        end = m.start()
        while end < len(text) and text[end] in ".?!…\"'”’)]":
            end += 1
        _add(text, start, end, out)
        start = end
    _add(text, start, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))
