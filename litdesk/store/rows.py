"""What the records table shows for a record (its status decided by litdesk.core.status)."""

from __future__ import annotations

from dataclasses import dataclass

from litdesk.core.status import Status


@dataclass(frozen=True)
class RowSummary:
    """What the records table shows for one record, for the library's coder."""

    id: int
    authors: str
    year: int | None
    title: str
    journal: str
    sections: int
    done: bool
    status: Status
    #: The coder's answer to the record's suggested sections ("", "accepted", "rejected").
    answer: str = ""


@dataclass(frozen=True, slots=True)
class CoderStatus:
    """One coder's progress on one record."""

    sections: int
    done: bool
