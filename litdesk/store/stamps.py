"""What a library writes about itself: the application's name, the coder, the time of a change."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

#: The ``application`` value of ``library_meta``: tells our libraries from other databases.
APPLICATION = "litdesk"


def now() -> str:
    """The current UTC time as an ISO 8601 string to the second, as the library stores it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_coder() -> str:
    """The coder when none is named: the user's login name ("coder" when there is none)."""
    try:
        return getpass.getuser() or "coder"
    except (KeyError, OSError):  # no user name in the environment (containers)
        return "coder"
