"""Stream the record elements of an XML export with lxml's iterparse, reporting its errors.

A record element is handed over when it ends and cleared afterwards, so memory holds one
record at a time. libxml2's recovery reads past what is not well-formed (a bare ``&``, a
truncated end): each error becomes a problem naming its line; an error before the first
record refuses the file.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, Final

from lxml import etree

from litdesk.core.readers.base import SourceFile
from litdesk.core.ris_reader import RisReadError
from litdesk.core.words import counted

#: Inline markup inside text (titles, abstracts): read as part of the text around it.
INLINE: Final = frozenset({"i", "b", "u", "sub", "sup", "style", "mml:math", "math", "em",
                           "strong", "italic", "bold", "sc"})

_UNDEFINED_ENTITY: Final = re.compile(r"Entity '([^']+)' not defined")
#: An XML declaration naming its encoding (in an ASCII-compatible file).
_DECLARED: Final = re.compile(rb"\s*<\?xml[^>]*\bencoding\s*=", re.IGNORECASE)
#: libxml2 errors after which it reads no further (the limits that remain with huge_tree).
_HALTS: Final = ("Excessive depth", "Resource limit exceeded", "amplification factor",
                 "Huge input lookup")
#: Fields deeper than this in a record are read as one (valid XML may nest thousands deep).
MAX_DEPTH: Final = 64


class _Counted:
    """The file as lxml reads it, counting bytes for progress; its first chunk read ahead."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.first: bytes = source.read_chunk(1 << 16)

    def read(self, size: int = -1) -> bytes:
        if self.first:
            data, self.first = self.first, b""
            return data
        return self.source.read_chunk(size if size > 0 else 1 << 16)

    def encoding(self) -> str | None:
        """The encoding lxml must be told, where it would guess wrong by itself: UTF-32 (which
        libxml2 does not detect), or a legacy one (Latin-1, Windows-1252, ...) that the file's
        bytes show but its XML declaration does not name (libxml2 would read UTF-8)."""
        sniffed = self.source.encoding.lower()
        if sniffed.startswith("utf-32"):
            return sniffed
        if sniffed.startswith("utf-") or _DECLARED.match(self.first):
            return None
        return sniffed


def record_elements(source: SourceFile, tags: tuple[str, ...]) -> Iterator[tuple[int, int,
                                                                                  etree._Element]]:
    """(position, first line, element) of each record element named in ``tags``."""
    # huge_tree: a text over 10 MB or nesting over 256 deep is valid XML, which libxml2's
    # default limits stopped at, losing every record after it. Entities are not expanded
    # (resolve_entities=False), so lifting the limits admits no entity bomb.
    stream = _Counted(source)
    context = etree.iterparse(stream, events=("end",), tag=tags, recover=True,
                              resolve_entities=False, no_network=True, huge_tree=True,
                              encoding=stream.encoding())
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
        mine = position is not None and err.line >= line
        source.report(position if mine else None, err.line, *_problem(err.message))
    return len(errors)


def _problem(message: str) -> tuple[str, str]:
    """What a libxml2 error means here, and what was done about it."""
    message = message.strip()
    if entity := _UNDEFINED_ENTITY.match(message):
        name = f"&{entity[1]};"
        known = html.unescape(name)
        shown = (f"\"{known}\"" if known.isprintable() and not known.isspace() else
                 " + ".join(unicodedata.name(c, f"U+{ord(c):04X}").lower() for c in known))
        return (f"{name} is not an XML entity and the file does not define it",
                f"read as HTML reads it, {shown}" if known != name else "kept as written")
    if any(limit in message for limit in _HALTS):
        return (f"XML beyond libxml2's limits: {message}",
                "reading stopped there; nothing after it in the file was read")
    if "Premature end of data" in message:
        return f"the file ends early (truncated?): {message}", "read on as far as the XML allows"
    return f"XML not well-formed: {message}", "read on as far as the XML allows"


def text_of(element: etree._Element, lines: bool = False) -> str:
    """All the text inside ``element`` (inline markup such as <i> or <sub> included), its runs
    of white space made one space; with ``lines``, its line breaks kept.

    An entity the file does not define (``&eacute;``, ``&nbsp;``: HTML's, which exports use) is
    read as HTML names it, or kept as written; comments and processing instructions are not
    text, the text around them is."""
    text = _text(element) if len(element) else (element.text or "")
    if not lines:
        return " ".join(text.split())
    kept = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in kept if line)


def _text(element: etree._Element, depth: int = 0) -> str:
    if depth > MAX_DEPTH:  # nesting no export has: its text as lxml gives it, unrecursed
        return "".join(element.itertext())
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(html.unescape(child.text or ""))  # an unknown name stays as written
        elif not isinstance(child, etree._Comment | etree._ProcessingInstruction):
            parts.append(_text(child, depth + 1))
        parts.append(child.tail or "")
    return "".join(parts)


def leaves(element: etree._Element) -> list[tuple[str, etree._Element]]:
    """(path, element) of every element under ``element`` that holds text rather than
    elements (inline markup counts as text); paths are "Parent/Child" below ``element``."""
    found: list[tuple[str, etree._Element]] = []
    _collect(element, "", found)
    return found


def _collect(element: etree._Element, path: str, found: list[tuple[str, etree._Element]],
             depth: int = 0) -> None:
    for child in element:
        name = child.tag
        if name.__class__ is not str:
            continue  # comments, processing instructions
        if "}" in name:
            name = name.rpartition("}")[2]
        where = f"{path}/{name}" if path else name
        if len(child) and depth < MAX_DEPTH and not _inline_only(child):
            _collect(child, where, found, depth + 1)
        else:
            found.append((where, child))


def _inline_only(element: etree._Element) -> bool:
    """Whether every element inside ``element`` is inline markup (its text is one field);
    an entity, comment or processing instruction in the text leaves it one field."""
    for child in element:
        name = child.tag
        if name.__class__ is not str:
            continue
        if "}" in name:
            name = name.rpartition("}")[2]
        if name.lower() not in INLINE:
            return False
    return True
