"""Tags of records read from other formats, made fit for RIS (two-character tags only)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

#: A RIS tag: what a RIS file may hold as it is.
RIS_TAG: Final = re.compile(r"[A-Z][A-Z0-9]")


def ris_tags(tags: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``tags`` with the fields a reader kept under their own names ("MEDLINE:OWN",
    "BibTeX:month") gathered into one N1 note, a "name: value" line each, at the end."""
    kept: list[tuple[str, str]] = []
    other: list[str] = []
    for tag, value in tags:
        if RIS_TAG.fullmatch(tag):
            kept.append((tag, value))
        else:
            other.append(f"{tag}: {value}")
    if other:
        kept.append(("N1", "\n".join(other)))
    return kept
