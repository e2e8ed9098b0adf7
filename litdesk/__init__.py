"""litdesk: code the sections of abstracts for qualitative evidence synthesis."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("litdesk")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"


def suggest_sections(text: str) -> list[tuple[int, int, str]]:
    """Section spans ``(start, end, label)`` found from the headings of a structured abstract.

    See :func:`litdesk.core.sections.suggest_sections`.
    """
    from litdesk.core.sections import suggest_sections as _suggest

    return _suggest(text)


__all__ = ["__version__", "suggest_sections"]
