"""A fast pre-test for `litdesk.core.sections.suggest_sections`: may a text have sections?

suggest_sections costs about 0.2 ms per abstract. The pre-test here rules most unstructured
abstracts out in a fraction of that, and never rules out one it would suggest for: it needs
headings of two sections, each followed by a delimiter. One regular expression (a trie of the
headings' last words, then what the heading delimiter accepts, over-approximated) finds the few
words that may end a heading; only those are walked back through a suffix trie of the headings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Final

from litdesk.core.sections import NOT_CODED, lexicon, suggest_sections, token_key

_PRE_WORD: Final = r"[^\W\d_]+(?:['’][^\W\d_]+)*"  # a word as `_TOKEN` reads it
_PRE_TOKENS: Final = re.compile(rf"({_PRE_WORD})(?:\([sS]\))?|(&|/|,|-)")
_PRE_SEP: Final = re.compile(r"[ \t]*(?:\r?\n[ \t]*)?")  # between the tokens of a heading
# What `_DELIMITER` accepts after a coded heading, over-approximated: a colon, a dash, a full
# stop, a line break, or (group "space") spaces before a word. Matched on lower-cased text, so
# the word after spaces is then checked in the original: a lower-case sentence word ("were")
# can follow no coded heading.
_PRE_DELIMITER: Final = (
    r"(?=[ \t]*:|\s+[-‐‑–—]+(?=\s)|[ \t]*[–—]|[ \t]+-+(?=\S)"
    r"|[ \t]*\.(?=\s|$)|[ \t]*[\r\n]|(?P<space>[ \t]+)(?=\S))"
)
_SENTENCE_WORD: Final = re.compile(r"[a-z](?:[a-z_]|[^\w\s])*(?:\s|$)")
_PRE_WINDOW: Final = 120  # characters searched before a heading's last word (longer: assumed)


class _Node(dict[str, "_Node"]):
    """A node of the headings' suffix trie: children by the token before, labels ending here."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()  # of the headings that start here
        self.below: set[str] = set()  # of every heading through this node


@cache
def _suffix_trie() -> _Node:
    root = _Node()
    for key, label in lexicon()[0].items():
        if label == NOT_CODED:
            continue
        node = root
        for token in reversed(key):
            node = node.setdefault(token, _Node())
            node.below.add(label)
        node.labels.add(label)
    return root


def _alternation(words: list[str]) -> str:
    """A regular expression matching exactly ``words``, shaped as a trie (fast to match)."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [("['’]" if ch == "'" else re.escape(ch)) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


@cache
def _heading_end(ignore_case: bool) -> re.Pattern[str]:
    """Words that may end a coded heading (lower case unless ``ignore_case``), then a delimiter."""
    words = sorted(w for w in _suffix_trie() if re.fullmatch(_PRE_WORD, w))
    return re.compile(
        rf"\b({_alternation(words)})(?![^\W\d_]|['’][^\W\d_])(?:\([sS]\))?{_PRE_DELIMITER}",
        re.IGNORECASE if ignore_case else 0,
    )


def _heading_ends(text: str) -> list[tuple[int, str]]:
    """(start, lexicon key) of each word in ``text`` that may end a coded heading."""
    lowered = text.lower()
    # Matching lower-cased text is 3 times faster than ignoring case; it needs the same
    # offsets, which a letter whose lower case is longer ("İ") would shift.
    same = len(lowered) == len(text)
    ends = []
    for m in _heading_end(not same).finditer(lowered if same else text):
        space = m.end("space")
        if space >= 0 and _SENTENCE_WORD.match(text, space):
            continue
        ends.append((m.start(), m.group(1).lower().replace("’", "'")))
    return ends


def _labels_ending_at(text: str, start: int, key: str) -> set[str]:
    """Sections of the headings that may end with the word ``key`` starting at ``start``."""
    node = _suffix_trie().get(key)
    if node is None:
        return set()
    found = set(node.labels)
    lo = max(0, start - _PRE_WINDOW)
    before = list(_PRE_TOKENS.finditer(text, lo, start))
    after = start
    for tok in reversed(before):
        if tok.end() != after and not _PRE_SEP.fullmatch(text, tok.end(), after):
            break
        if tok is before[0] and lo > 0:  # it may be cut: assume any longer heading
            return found | node.below
        node = node.get(token_key(tok))
        if node is None:
            break
        found |= node.labels
        after = tok.start()
    return found


def may_have_sections(text: str) -> bool:
    """False only when `suggest_sections` certainly finds nothing in ``text`` (a fast test).

    That needs headings of two different sections, each followed by a delimiter.
    """
    ends = _heading_ends(text)
    if len(ends) < 2:
        return False
    trie = _suffix_trie()
    bound: set[str] = set()
    for _, key in ends:  # an upper bound first: most texts end here
        if (node := trie.get(key)) is not None:
            bound |= node.below
    if len(bound) < 2:
        return False
    labels: set[str] = set()
    for start, key in ends:
        labels |= _labels_ending_at(text, start, key)
        if len(labels) >= 2:
            return True
    return False


def with_suggestions(abstracts: Sequence[str]) -> list[bool]:
    """For each abstract, whether `suggest_sections` finds sections in it (the pre-test first).

    Plain data in and out: the store runs it in a process of its own for a large batch."""
    return [bool(a) and may_have_sections(a) and bool(suggest_sections(a)) for a in abstracts]
