"""Stream the record elements of an XML export with lxml's iterparse, reporting its errors.

A record element is handed over when it ends and cleared afterwards, so memory holds one
record at a time. libxml2's recovery reads past what is not well-formed (a bare ``&``, a
truncated end): each error becomes a problem naming its line; an error before the first
record refuses the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from lxml import etree

from litdesk.core.readers.base import SourceFile
from litdesk.core.ris_reader import RisReadError
from litdesk.core.words import counted

#: Inline markup inside text (titles, abstracts): read as part of the text around it.
INLINE: Final = frozenset({"i", "b", "u", "sub", "sup", "style", "mml:math", "math", "em",
                           "strong", "italic", "bold", "sc"})


class _Counted:
    """The file as lxml reads it, counting bytes for progress."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source

    def read(self, size: int = -1) -> bytes:
        return self.source.read_chunk(size if size > 0 else 1 << 16)


def record_elements(source: SourceFile, tags: tuple[str, ...]) -> Iterator[tuple[int, int,
                                                                                  etree._Element]]:
    """(position, first line, element) of each record element named in ``tags``."""
    context = etree.iterparse(_Counted(source), events=("end",), tag=tags, recover=True,
                              resolve_entities=False, no_network=True)
    seen = 0  # error_log entries reported so far
    position = 0
    try:
        for _, element in context:
            position += 1
            line = element.sourceline or 0
            seen = _report(source, context, seen, position, line)
            if any(text.strip() for text in element.itertext()):  # stops at the first text
                yield position, line, element
            else:
                source.report(position, line, "empty record", "skipped")
                position -= 1
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:  # what recovery could not read past
        if position == 0:
            raise RisReadError(source.path, f"the file is not well-formed XML ({exc.msg})",
                               exc.lineno) from None
        source.report(None, exc.lineno, f"XML error: {exc.msg}", "reading stopped there; the "
                      f"{counted(position, 'record')} before it kept")
        return
    _report(source, context, seen, None, 0)
    if position == 0:
        first = next(iter(context.error_log), None)
        why = f" (not well-formed XML: {first.message.strip()})" if first else ""
        raise RisReadError(source.path, f"the file holds no record{why}",
                           first.line if first else None)


def _report(source: SourceFile, context: etree.iterparse[Any], seen: int, position: int | None,
            line: int) -> int:
    """Problems for the parser's new errors; those from ``line`` on are the record's."""
    log = context.error_log
    if len(log) <= seen:
        return seen
    errors = list(log)
    for err in errors[seen:]:
        truncated = "Premature end of data" in err.message
        what = "the file ends early (truncated?)" if truncated else "XML not well-formed"
        mine = position is not None and err.line >= line
        source.report(position if mine else None, err.line, f"{what}: {err.message.strip()}",
                      "read on as far as the XML allows")
    return len(errors)


def text_of(element: etree._Element, lines: bool = False) -> str:
    """All the text inside ``element`` (inline markup such as <i> or <sub> included), its runs
    of white space made one space; with ``lines``, its line breaks kept."""
    text = "".join(element.itertext()) if len(element) else (element.text or "")
    if not lines:
        return " ".join(text.split())
    kept = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in kept if line)


def leaves(element: etree._Element) -> list[tuple[str, etree._Element]]:
    """(path, element) of every element under ``element`` that holds text rather than
    elements (inline markup counts as text); paths are "Parent/Child" below ``element``."""
    found: list[tuple[str, etree._Element]] = []
    _collect(element, "", found)
    return found


def _collect(element: etree._Element, path: str, found: list[tuple[str, etree._Element]]) -> None:
    for child in element:
        name = child.tag
        if name.__class__ is not str:
            continue  # comments, processing instructions
        if "}" in name:
            name = name.rpartition("}")[2]
        where = f"{path}/{name}" if path else name
        if len(child) and not _inline_only(child):
            _collect(child, where, found)
        else:
            found.append((where, child))


def _inline_only(element: etree._Element) -> bool:
    """Whether every element inside ``element`` is inline markup (its text is one field)."""
    for child in element:
        name = child.tag
        if name.__class__ is not str:
            return False
        if "}" in name:
            name = name.rpartition("}")[2]
        if name.lower() not in INLINE:
            return False
    return True
