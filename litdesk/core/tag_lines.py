"""Tags read from JSON Lines: one ``{"id", "start", "end", "label"}`` object per line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from litdesk.core.spans import SpanError, parse_label

KEYS = ("id", "start", "end", "label")


@dataclass(frozen=True, slots=True)
class TagLine:
    """One tag request and the line it came from (1-based)."""

    line: int
    record_id: int
    start: int
    end: int
    label: str


class TagLineError(ValueError):
    """A line that is not a tag request; ``line`` is its number (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def read_tag_lines(lines: Iterable[bytes]) -> list[TagLine]:
    """Every tag request of ``lines`` (UTF-8, blank lines skipped), or :class:`TagLineError`
    for the first line that is not one: not UTF-8, not JSON, not an object with the keys
    ``id``, ``start``, ``end`` (whole numbers) and ``label`` (a section, in any case); other
    keys (a span's ``text``, say) are ignored."""
    found: list[TagLine] = []
    for number, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise TagLineError(number, "not UTF-8 text") from None
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except (ValueError, RecursionError):
            raise TagLineError(number, "not a JSON object") from None
        found.append(_tag_line(number, item))
    return found


def _tag_line(number: int, item: object) -> TagLine:
    if not isinstance(item, dict):
        raise TagLineError(number, 'not a JSON object like {"id": 1, "start": 0, "end": 10, '
                                   '"label": "aim"}')
    missing = [k for k in KEYS if k not in item]
    if missing:
        raise TagLineError(number, f"missing {', '.join(map(repr, missing))}")
    for key in KEYS[:3]:
        if type(item[key]) is not int:  # bool is an int to Python, not to a person
            raise TagLineError(number, f"{key!r} must be a whole number, not "
                                       f"{json.dumps(item[key])[:40]}")
    if not isinstance(item["label"], str):
        raise TagLineError(number, f"'label' must be a section name, not "
                                   f"{json.dumps(item['label'])[:40]}")
    try:
        label = parse_label(item["label"])
    except SpanError as e:
        raise TagLineError(number, str(e)) from None
    return TagLine(number, item["id"], item["start"], item["end"], label)
