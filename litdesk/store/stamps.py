"""What a library writes about itself: the application's name and the time of each change."""

from __future__ import annotations

from datetime import UTC, datetime

#: The ``application`` value of ``library_meta``: tells our libraries from other databases.
APPLICATION = "litdesk"


def now() -> str:
    """The current UTC time as an ISO 8601 string to the second, as the library stores it."""
    return datetime.now(UTC).isoformat(timespec="seconds")
