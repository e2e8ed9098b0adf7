"""Coding status: its four values, the words for them, and the rules that decide them.

A coder's status on a record follows from what the coder has done there: the sections
(distinct labels) they tagged, their done mark, their answer to the suggested sections, and
whether the abstract has headings to suggest sections from. The table, the status filter,
the exports, the CLI and the user guide all take their words from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from litdesk.core.model import LABELS, Span


class Status(StrEnum):
    """A coder's status on a record; the value is the word people read."""

    UNCODED = "uncoded"  # nothing tagged, nothing suggested
    SUGGESTED = "suggested"  # nothing tagged; sections are suggested from headings
    PARTLY_CODED = "partly coded"  # some of the five sections tagged
    CODED = "coded"  # all five sections tagged, or marked done


#: The filter's name for each status (a menu or chooser entry), in filter order.
FILTER_TITLES: Final[dict[Status, str]] = {
    Status.UNCODED: "Uncoded",
    Status.SUGGESTED: "Suggested",
    Status.PARTLY_CODED: "Partly coded",
    Status.CODED: "Coded",
}

#: The coder's answer to a record's suggested sections ("" until they answer).
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
ANSWERS: Final[tuple[str, ...]] = ("", ACCEPTED, REJECTED)

#: The statuses of records the coder has not started: "N" (next uncoded) stops at them.
NOT_STARTED: Final[frozenset[Status]] = frozenset({Status.UNCODED, Status.SUGGESTED})


def offers_suggestions(sections: int, done: bool, answer: str) -> bool:
    """Whether a coder is offered a record's suggested sections (when its abstract has
    headings): not while they have tagged any section or marked it done, nor once they
    rejected the suggestions. The app's hatched spans, ``suggest --apply`` and accepting
    suggestions for many records all follow this one rule."""
    return not done and sections == 0 and answer != REJECTED


def status_of(sections: int, done: bool, has_suggestions: bool, answer: str | None) -> Status:
    """A coder's status on a record.

    ``sections``: how many of the five labels the coder's spans carry; ``done``: their done
    mark; ``has_suggestions``: the abstract has headings to suggest sections from;
    ``answer``: the coder's answer to those suggestions (:data:`ANSWERS`).
    """
    if done or sections >= len(LABELS):
        return Status.CODED
    if sections:
        return Status.PARTLY_CODED
    if has_suggestions and offers_suggestions(sections, done, answer or ""):
        return Status.SUGGESTED
    return Status.UNCODED


def sections_of(spans: Iterable[Span]) -> int:
    """How many of the five sections ``spans`` tag."""
    return len({s.label for s in spans})


def table_text(status: Status | str, sections: int, done: bool) -> str:
    """What the records table shows: the status word, the sections tagged of a partly coded
    record ("partly coded 3/5"), and a check mark on a record marked done."""
    word = Status(status).value
    if status == Status.PARTLY_CODED:
        word = f"{word} {sections}/{len(LABELS)}"
    return f"{word} ✓" if done else word
