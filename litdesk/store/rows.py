"""What the records table shows for a record, and how a coder's status is named."""

from __future__ import annotations

from dataclasses import dataclass

from litdesk.core.model import LABELS


@dataclass(frozen=True)
class RowSummary:
    """What the records table shows for one record."""

    id: int
    authors: str
    year: int | None
    title: str
    journal: str
    sections: int
    done: bool
    status: str


def status_of(sections: int, done: bool, has_suggestions: bool, suggestions: str | None) -> str:
    """A coder's status on a record: uncoded, suggested, partly coded or coded."""
    if done or sections >= len(LABELS):
        return "coded"
    if sections:
        return "partly coded"
    if has_suggestions and suggestions != "rejected":
        return "suggested"
    return "uncoded"
