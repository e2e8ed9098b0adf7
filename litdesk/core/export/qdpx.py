"""REFI-QDA project (.qdpx) export, for NVivo, ATLAS.ti, MAXQDA, QualCoder and others.

The archive holds ``project.qde`` (QDA-XML 1.0) and one ``sources/<GUID>.txt`` per record
(UTF-8, LF, no BOM). Each abstract is a TextSource named by its citation; each span is a
PlainTextSelection (code-point offsets, end exclusive) coded with one of the five section
codes. GUIDs are uuid5 values over the record id (and span), so re-exports can be reconciled.

Sources are written to the zip as records stream past; their XML goes to a temporary file,
because the schema wants ``Users`` (known only at the end) before ``Sources``.
"""

from __future__ import annotations

import bisect
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Final

from lxml import etree

from litdesk import __version__
from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.export.table import ordered_spans
from litdesk.core.model import LABEL_COLOURS, LABEL_TITLES, LABELS, Record

NS: Final[str] = "urn:QDA-XML:project:1.0"
#: Namespace of every litdesk GUID; never change it, or re-exports stop matching.
LITDESK_NAMESPACE: Final[uuid.UUID] = uuid.UUID("5b0f3c1e-8d7a-5c53-9f0e-6c1d1a7e2b44")
DEFAULT_USER: Final[str] = "litdesk"
PROJECT_NAME: Final[str] = "litdesk export"
SELECTION_NAME_LENGTH: Final[int] = 100

# Not allowed in XML 1.0; replaced one for one so offsets keep their meaning.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def guid(*parts: object) -> str:
    """The stable GUID of a litdesk object, from its kind and identifying parts."""
    return str(uuid.uuid5(LITDESK_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def write_qdpx(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write ``records`` as a REFI-QDA project archive to ``out``; the count written."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    coders: set[str] = set()
    names = _Names()
    written: set[str] = set()
    count = 0
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile() as pending,
    ):
        for record in each_record(records, progress, cancelled):
            source_guid = guid("source", _record_key(record))
            if source_guid in written:
                continue  # the same record twice would give clashing GUIDs
            written.add(source_guid)
            text, to_text = _plain_text(record.abstract)
            archive.writestr(f"sources/{source_guid}.txt", text.encode("utf-8"))
            name = names.unique(record.citation or record.title or "Untitled")
            source = _source(record, source_guid, name, text, to_text, stamp, coders)
            blob = etree.tostring(source, encoding="utf-8")
            pending.write(len(blob).to_bytes(8, "big") + blob)
            count += 1
        pending.seek(0)
        with archive.open("project.qde", "w") as qde:
            _write_project(qde, _stored(pending), coders or {DEFAULT_USER}, stamp, count > 0)
    return count


def _record_key(record: Record) -> object:
    if record.id is not None:
        return record.id
    return f"{record.title}\x1f{record.abstract}"  # unsaved record: content decides


class _Names:
    """Source names made unique ("Gill, 2020", "Gill, 2020 (2)", ...) in amortised O(1)."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._next: dict[str, int] = {}

    def unique(self, name: str) -> str:
        n = self._next.get(name, 1)
        candidate = name if n == 1 else f"{name} ({n})"
        while candidate in self._used:
            n += 1
            candidate = f"{name} ({n})"
        self._next[name] = n + 1
        self._used.add(candidate)
        return candidate


def _plain_text(abstract: str) -> tuple[str, list[int]]:
    """The abstract as written to the .txt (LF only, XML-safe), and where ``\\r``s were cut."""
    text = _NOT_XML.sub("\ufffd", abstract)
    if "\r" not in text:
        return text, []
    cut = [m.start() for m in re.finditer("\r\n", text)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), cut


def _source(
    record: Record,
    source_guid: str,
    name: str,
    text: str,
    cut: list[int],
    stamp: str,
    coders: set[str],
) -> etree._Element:
    source = etree.Element(
        _q("TextSource"),
        guid=source_guid,
        name=_NOT_XML.sub("\ufffd", name),
        plainTextPath=f"internal://{source_guid}.txt",
        creationDateTime=stamp,
        nsmap={None: NS},
    )
    if record.memo:
        etree.SubElement(source, _q("Description")).text = _NOT_XML.sub("\ufffd", record.memo)
    done: set[tuple[int, int, str]] = set()
    for span in ordered_spans(record):
        if not 0 <= span.start < span.end <= len(record.abstract):
            continue  # offsets that do not fit this abstract: nothing sensible to point at
        start = span.start - bisect.bisect_left(cut, span.start)
        end = span.end - bisect.bisect_left(cut, span.end)
        coder = span.coder or DEFAULT_USER
        if start >= end or (start, end, span.label + "\x1f" + coder) in done:
            continue
        done.add((start, end, span.label + "\x1f" + coder))
        coders.add(coder)
        key = ("selection", _record_key(record), span.start, span.end, span.label, coder)
        user = guid("user", coder)
        selected = text[start:end]
        if len(selected) > SELECTION_NAME_LENGTH:
            selected = selected[:SELECTION_NAME_LENGTH] + "…"
        selection = etree.SubElement(
            source,
            _q("PlainTextSelection"),
            guid=guid(*key),
            name=selected,
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=user,
            creationDateTime=stamp,
        )
        coding = etree.SubElement(
            selection,
            _q("Coding"),
            guid=guid("coding", *key[1:]),
            creatingUser=user,
            creationDateTime=stamp,
        )
        etree.SubElement(coding, _q("CodeRef"), targetGUID=guid("code", span.label))
    return source


def _stored(pending: IO[bytes]) -> Iterator[etree._Element]:
    while size := pending.read(8):
        yield etree.fromstring(pending.read(int.from_bytes(size, "big")))


def _write_project(
    qde: IO[bytes], sources: Iterator[etree._Element], users: set[str], stamp: str, any_: bool
) -> None:
    attrib = {
        "name": PROJECT_NAME,
        "origin": f"litdesk {__version__}",
        "creationDateTime": stamp,
    }
    qde.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    with (
        etree.xmlfile(qde, encoding="utf-8") as xf,
        xf.element(_q("Project"), attrib, nsmap={None: NS}),
    ):
        xf.write(_users(users))
        xf.write(_codebook())
        if any_:
            with xf.element(_q("Sources")):
                for source in sources:
                    xf.write(source)


def _users(names: set[str]) -> etree._Element:
    users = etree.Element(_q("Users"), nsmap={None: NS})
    for name in sorted(names):
        etree.SubElement(users, _q("User"), guid=guid("user", name), name=_NOT_XML.sub("", name))
    return users


def _codebook() -> etree._Element:
    book = etree.Element(_q("CodeBook"), nsmap={None: NS})
    codes = etree.SubElement(book, _q("Codes"))
    for label in LABELS:
        etree.SubElement(
            codes,
            _q("Code"),
            guid=guid("code", label),
            name=LABEL_TITLES[label],
            isCodable="true",
            color=LABEL_COLOURS[label],
        )
    return book
