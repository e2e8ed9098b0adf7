"""litdesk's coding carried inside RIS records as ``N1`` notes, so a RIS export loses nothing.

# The litdesk notes format

Each tagged span of the abstract becomes one ``N1`` note, and the record memo one more; they
are appended after the record's own tags, just before ``ER``. Zotero imports every ``N1`` as a
child note and EndNote keeps them in *Notes*, so the coding travels through reference managers
and litdesk can read it back.

```
N1  - [litdesk] aim 317-452 (coder "Ana María"): We aimed to explore how nurses…
N1  - [litdesk] method 453-610: Semi-structured interviews with 24 nurses were…
N1  - [litdesk memo] "Good example of a mixed design.\nCheck the sample size."
N1  - [litdesk memo] (coder "bob") "Sample size is fine."
```

- Span note: ``[litdesk] <label> <start>-<end>``, then `` (coder <JSON string>)`` when the
  span has a coder, then ``:`` and a space and the span's text. ``label`` is one of
  ``background aim method results conclusion``; ``start``/``end`` are code-point offsets into
  the abstract, end exclusive (Python ``abstract[start:end]``).
- The text is for people and for recovery only: line breaks and tabs become spaces (one for
  one), and text longer than 200 characters is cut to 200 followed by ``…``.
- Memo note: ``[litdesk memo] <JSON string>``; JSON escapes keep line breaks and any other
  character intact. An export of every coder's coding writes one memo note per coder, with
  `` (coder <JSON string>) `` after the prefix.
- JSON strings are written with ``ensure_ascii=False``; in addition, U+0085, U+2028 and U+2029
  and lone surrogates are written as ``\\uXXXX`` escapes so no reader splits the line.

Reading back (:func:`decode_notes`): offsets are trusted when the abstract still has the noted
text there (whitespace-insensitive, since RIS readers strip and join lines). Otherwise the text
is searched in the abstract and the span moved to the occurrence nearest its old place; a span
whose text cannot be found is dropped. Several litdesk lines inside one ``N1`` (EndNote merges
notes) and notes that came back as Zotero HTML (``<p>…</p>``) are understood too.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Iterable

from litdesk.core.model import LABELS, Record, Span

SPAN_PREFIX = "[litdesk] "
MEMO_PREFIX = "[litdesk memo] "
NOTE_TAG = "N1"
MAX_NOTE_TEXT = 200
ELLIPSIS = "…"

#: Characters that some reader may treat as a line break, plus tab: all become spaces.
_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x85\u2028\u2029\ud800-\udfff]")
_SPAN_HEAD = re.compile(r"\[litdesk\] (?P<label>[a-z]+) (?P<start>\d+)-(?P<end>\d+)")
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)


def encode_notes(record: Record) -> list[tuple[str, str]]:
    """The ``("N1", value)`` pairs that carry ``record``'s spans and memo (see module doc)."""
    notes: list[tuple[str, str]] = []
    for span in sorted(set(record.spans), key=lambda s: (s.start, s.end, s.label, s.coder)):
        text = _span_text(record.abstract, span)
        text = _SURROGATE.sub("\ufffd", _BREAKS.sub(" ", text))
        if len(text) > MAX_NOTE_TEXT:
            text = text[:MAX_NOTE_TEXT] + ELLIPSIS
        coder = f" (coder {_json_string(span.coder)})" if span.coder else ""
        notes.append(
            (NOTE_TAG, f"{SPAN_PREFIX}{span.label} {span.start}-{span.end}{coder}: {text}")
        )
    if record.memos:
        notes += [(NOTE_TAG, f"{MEMO_PREFIX}(coder {_json_string(coder)}) {_json_string(text)}")
                  for coder, text in record.memos]
    elif record.memo:
        notes.append((NOTE_TAG, MEMO_PREFIX + _json_string(record.memo)))
    return notes


def strip_notes(tags: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``tags`` without litdesk's notes (other text sharing an N1 with them is kept)."""
    out: list[tuple[str, str]] = []
    for tag, value in tags:
        ours, rest = _split_note(value) if tag == NOTE_TAG else ([], value)
        if rest:
            out.append((tag, rest))
        elif not ours:
            out.append((tag, value))
    return out


def decode_notes(record: Record) -> tuple[Record, list[Span], dict[str, str]]:
    """Take litdesk's notes out of ``record.tags``: (record without them, spans, memos).

    ``memos`` maps each memo's coder ("" for a memo that names none) to its text (several
    memos of one coder joined by a line break).

    Only ``tags`` of the returned record changes. Spans are checked against
    ``record.abstract`` and relocated or dropped as described in the module doc. A line that
    starts like a litdesk note but cannot be parsed is left in the tags as an ordinary note.
    """
    tags: list[tuple[str, str]] = []
    spans: list[Span] = []
    memos: dict[str, list[str]] = {}
    for tag, value in record.tags:
        if tag != NOTE_TAG or "[litdesk" not in value:
            tags.append((tag, value))
            continue
        ours, rest = _split_note(value)
        if not ours:
            tags.append((tag, value))
            continue
        if rest:
            tags.append((tag, rest))
        for line in ours:
            if line.startswith(MEMO_PREFIX):
                coder, text = _parse_memo(line)
                memos.setdefault(coder, []).append(text)
                continue
            span = _locate(record.abstract, *_parse_span(line))
            if span is not None and span not in spans:
                spans.append(span)
    spans.sort(key=lambda s: (s.start, s.end, s.label, s.coder))
    joined = {coder: "\n".join(texts) for coder, texts in memos.items()}
    return dataclasses.replace(record, tags=tuple(tags)), spans, joined


def _span_text(abstract: str, span: Span) -> str:
    if span.end <= len(abstract):
        return abstract[span.start : span.end]
    return span.text


def _json_string(value: str) -> str:
    encoded = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def _split_note(value: str) -> tuple[list[str], str]:
    """(parsable litdesk lines, the note's other text) for one N1 value."""
    if "[litdesk" not in value:
        return [], value
    text = value
    if value.lstrip().startswith("<"):  # Zotero gives notes back as HTML
        text = html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", value)))
    ours: list[str] = []
    rest: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if _parses(stripped):
            ours.append(stripped)
        else:
            rest.append(line)
    if not ours:
        return [], value
    return ours, "\n".join(line for line in rest if line.strip())


def _parses(line: str) -> bool:
    try:
        if line.startswith(MEMO_PREFIX):
            _parse_memo(line)
            return True
        if line.startswith(SPAN_PREFIX):
            _parse_span(line)
            return True
    except ValueError:
        pass
    return False


def _parse_memo(line: str) -> tuple[str, str]:
    """(coder, text) of a memo note, coder "" when it names none; ValueError if malformed."""
    rest, coder = line[len(MEMO_PREFIX) :], ""
    if rest.startswith("(coder "):
        coder, used = json.JSONDecoder().raw_decode(rest, len("(coder "))
        if not isinstance(coder, str) or not rest.startswith(") ", used):
            raise ValueError(f"bad coder in memo note: {line[:60]!r}")
        rest = rest[used + 2 :]
    text = json.loads(rest)
    if not isinstance(text, str):
        raise ValueError(f"not a litdesk memo note: {line[:60]!r}")
    return coder, text


def _parse_span(line: str) -> tuple[int, int, str, str, str]:
    """(start, end, label, coder, noted text) of a span note; ValueError if malformed."""
    head = _SPAN_HEAD.match(line)
    if head is None or head["label"] not in LABELS:
        raise ValueError(f"not a litdesk span note: {line[:60]!r}")
    start, end = int(head["start"]), int(head["end"])
    if start >= end:
        raise ValueError(f"empty span in note: {line[:60]!r}")
    rest, coder = line[head.end() :], ""
    if rest.startswith(" (coder "):
        coder, used = json.JSONDecoder().raw_decode(rest, len(" (coder "))
        if not isinstance(coder, str) or not rest.startswith(")", used):
            raise ValueError(f"bad coder in note: {line[:60]!r}")
        rest = rest[used + 1 :]
    if not rest.startswith(":"):
        raise ValueError(f"no text in note: {line[:60]!r}")
    return start, end, head["label"], coder, rest[2:] if rest.startswith(": ") else rest[1:]


def _locate(abstract: str, start: int, end: int, label: str, coder: str, noted: str) -> Span | None:
    """The span the note describes, checked against (and if need be found in) the abstract."""
    truncated = len(noted) == MAX_NOTE_TEXT + 1 and noted.endswith(ELLIPSIS)
    probe = noted[:-1] if truncated else noted
    words = probe.split()
    if not words:  # a whitespace-only span: nothing to check or search for
        return Span(start, end, label, abstract[start:end], coder) if end <= len(abstract) else None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    here = re.compile(r"\s*" + pattern.pattern).match(abstract, start)
    if end <= len(abstract) and here is not None and here.end() <= end:
        return Span(start, end, label, abstract[start:end], coder)
    found = min(pattern.finditer(abstract), key=lambda m: abs(m.start() - start), default=None)
    if found is None:
        return None
    new_end = found.end()
    if truncated:  # the note holds only the beginning: keep the old length
        new_end = min(len(abstract), max(new_end, found.start() + end - start))
    return Span(found.start(), new_end, label, abstract[found.start() : new_end], coder)
