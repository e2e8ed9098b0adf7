"""Records whose has-suggestions flag is still to be worked out, as ranges of ids.

An import stores ``has_suggestions = False`` and notes its ids here (they are consecutive), in
``library_meta``; `litdesk.store.suggestions.check_pending` works the flags out afterwards.
This module reads and writes the note inside the caller's transaction; it knows no `Library`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy is imported when a note is read or written, not to `load` one
    from sqlalchemy.orm import Session

PENDING_KEY = "suggestions_pending"
Ranges = list[tuple[int, int]]


def load(value: str | None) -> Ranges:
    try:
        raw = json.loads(value) if value else []
        return [(int(a), int(b)) for a, b in raw if int(a) <= int(b)]
    except (ValueError, TypeError):
        return []  # a damaged note only costs the flags: nothing is pending then


def normal(ranges: Iterable[tuple[int, int]]) -> Ranges:
    """Sorted, with overlapping and touching ranges merged."""
    out: Ranges = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def without(ranges: Ranges, a: int, b: int) -> Ranges:
    out: Ranges = []
    for lo, hi in ranges:
        if hi < a or lo > b:
            out.append((lo, hi))
            continue
        if lo < a:
            out.append((lo, a - 1))
        if hi > b:
            out.append((b + 1, hi))
    return out


def as_ranges(ids: Iterable[int]) -> Ranges:
    """Sorted ids as consecutive ranges: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    return normal((i, i) for i in ids)


def locked_ranges(s: Session) -> Ranges:
    """The pending ranges, read inside a write transaction (locked on a server)."""
    from sqlalchemy import select

    from litdesk.store.schema import MetaRow

    value = s.scalar(select(MetaRow.value).where(MetaRow.key == PENDING_KEY).with_for_update())
    return load(value)


def store_ranges(s: Session, ranges: Ranges) -> None:
    from litdesk.store.schema import MetaRow

    s.merge(MetaRow(key=PENDING_KEY, value=json.dumps(normal(ranges))))


def mark_pending(s: Session, ranges: Iterable[tuple[int, int]]) -> None:
    """Note, inside the caller's write transaction, records whose flags are to be worked out."""
    new = list(ranges)
    if new:
        store_ranges(s, locked_ranges(s) + new)


