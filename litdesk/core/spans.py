"""Span arithmetic: one label per character, tagging over a span replaces the overlapped part.

All offsets are Python string indices into the abstract, end exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from litdesk.core.model import LABELS, Span


class SpanError(ValueError):
    """A span request that cannot apply to this abstract (offsets, label)."""


def parse_label(name: str) -> str:
    """The label a person typed, in any case ("Background", "AIM"); SpanError if none."""
    label = name.strip().casefold()
    if label not in LABELS:
        raise SpanError(f"unknown label {name!r}; use one of {', '.join(LABELS)}")
    return label


def validate(text: str, start: int, end: int, label: str | None = None) -> None:
    """Raise :class:`SpanError` unless ``text[start:end]`` is a taggable non-empty range."""
    if label is not None and label not in LABELS:
        raise SpanError(f"unknown label {label!r}; use one of {', '.join(LABELS)}")
    if start < 0 or end > len(text):
        raise SpanError(f"offsets {start}..{end} are outside the abstract (length {len(text)})")
    if start >= end:
        raise SpanError(f"start ({start}) must be before end ({end})")


def remove_range(spans: Iterable[Span], text: str, start: int, end: int) -> list[Span]:
    """Spans with ``[start, end)`` cut out of them (a span may split in two)."""
    out: list[Span] = []
    for s in spans:
        if s.end <= start or s.start >= end:
            out.append(s)
            continue
        if s.start < start:
            out.append(_piece(s, text, s.start, start))
        if s.end > end:
            out.append(_piece(s, text, end, s.end))
    return sorted(out, key=lambda s: s.start)


def apply_tag(
    spans: Iterable[Span], text: str, start: int, end: int, label: str, coder: str = ""
) -> list[Span]:
    """Spans after tagging ``text[start:end]`` with ``label``.

    The new span replaces whatever it overlaps; it merges with touching spans of the same
    label so that a section tagged in two strokes is one span.
    """
    validate(text, start, end, label)
    rest = remove_range(spans, text, start, end)
    new_start, new_end = start, end
    kept: list[Span] = []
    for s in rest:
        if s.label == label and (s.end == new_start or s.start == new_end):
            new_start, new_end = min(new_start, s.start), max(new_end, s.end)
        else:
            kept.append(s)
    kept.append(Span(new_start, new_end, label, text[new_start:new_end], coder))
    return sorted(kept, key=lambda s: s.start)


def normalise(spans: Sequence[Span], text: str) -> list[Span]:
    """Apply spans in order so the result has no overlaps (later spans win)."""
    out: list[Span] = []
    for s in spans:
        out = apply_tag(out, text, s.start, s.end, s.label, s.coder)
    return out


def label_at(spans: Iterable[Span], pos: int) -> Span | None:
    """The span covering string index ``pos``, if any."""
    for s in spans:
        if s.start <= pos < s.end:
            return s
    return None


def _piece(s: Span, text: str, start: int, end: int) -> Span:
    return Span(start, end, s.label, text[start:end], s.coder, s.suggested)


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words and trim white space at both ends.

    A selection made with the mouse rarely starts exactly at a word; coders expect the whole
    word tagged. Returns ``(start, start)`` when the range holds only white space.
    """
    start, end = max(0, start), min(len(text), end)
    while start > 0 and start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s+|(?=[A-Z]))|\n+")


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The sentence containing string index ``pos``, without surrounding white space.

    Sentences end at ".", "!" or "?" followed by white space or, as in abstracts whose line
    breaks were lost ("...high doses.Aim To explore"), directly by a capital letter; a line
    break always ends one.
    """
    starts, ends = [0], []
    for m in _SENTENCE_END.finditer(text):
        ends.append(m.start())
        starts.append(m.end())
    ends.append(len(text))
    for start, end in zip(starts, ends, strict=True):
        if pos < end:  # the first sentence ending after pos (the next one, from a gap)
            return snap_to_words(text, start, end)
    return snap_to_words(text, starts[-1], ends[-1])
