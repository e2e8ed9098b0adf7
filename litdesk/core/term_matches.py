"""Where the team's inclusion and exclusion terms occur in a text (for highlighting)."""

from __future__ import annotations

import re
from collections.abc import Mapping

#: A term ending in this matches every word it begins ("child*": child, children, childhood).
WILDCARD = "*"


def _pattern(term: str) -> str | None:
    stem = term.strip()
    prefix = stem.endswith(WILDCARD)
    words = stem.rstrip(WILDCARD).split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)")


def term_spans(text: str, terms: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """Each occurrence of a term of ``terms`` (term -> kind) in ``text``, as ``(start, end,
    kind)`` in Python string indices, in text order and never overlapping (the longer term
    wins where two start together). Case and runs of white space are ignored; a term is
    matched as whole words, or as a word's beginning when it ends in ``*``."""
    found: list[tuple[int, int, str]] = []
    patterns = [(p, kind) for term, kind in terms.items() if (p := _pattern(term))]
    for pattern, kind in patterns:
        found += [(m.start(), m.end(), kind) for m in
                  re.finditer(pattern, text, re.IGNORECASE) if m.end() > m.start()]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, str]] = []
    for span in found:
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out
