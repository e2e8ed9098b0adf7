"""Counts in messages: "1 record", "2 records" (every user-facing count goes through here)."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` (with thousands separators) and ``noun``, made plural unless ``n`` is 1."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
