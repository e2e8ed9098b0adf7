"""litdesk: code the sections of abstracts for qualitative evidence synthesis."""

from __future__ import annotations

from typing import Any


def _version() -> str:
    # importlib.metadata costs a command's start-up more than the rest of `litdesk list`'s
    # imports: it is read when the version is first asked for.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("litdesk")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def suggest_sections(text: str) -> list[tuple[int, int, str]]:
    """Section spans ``(start, end, label)`` found from the headings of a structured abstract.

    See :func:`litdesk.core.sections.suggest_sections`.
    """
    from litdesk.core.sections import suggest_sections as _suggest

    return _suggest(text)


__all__ = ["__version__", "suggest_sections"]
