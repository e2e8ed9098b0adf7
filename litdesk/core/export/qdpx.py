"""REFI-QDA project (.qdpx) export, for NVivo, ATLAS.ti, MAXQDA, QualCoder and others.

The archive holds ``project.qde`` (QDA-XML 1.0) and one ``sources/<GUID>.txt`` per record
(UTF-8, LF, no BOM). Each abstract is a TextSource named by its citation and record id; each
span is a PlainTextSelection (code-point offsets, end exclusive) coded with one of the five
section codes by its coder; each memo is a Note by its coder that the source refers to, and
the source's Description. GUIDs are uuid5 values over the record id (and span, memo coder),
so re-exports can be reconciled.

Conservative in what it sends, for the readers that trip over less: a record without an
abstract is left out (an empty source crashes some readers; the count says how many), and
source names hold no dots or path characters and end in the record id, so they stay distinct
whatever a reader does with them to make file names.

Sources are written to the zip as records stream past; their XML (and the notes') goes to
temporary files, because the schema wants ``Users`` (known only at the end) before
``Sources``, and ``Notes`` after them.
"""

from __future__ import annotations

import bisect
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Final

from lxml import etree

from litdesk import __version__
from litdesk.core.export.streaming import Cancelled, Progress, Written, each_record
from litdesk.core.export.table import ordered_spans, record_memos
from litdesk.core.model import LABEL_COLOURS, LABEL_TITLES, LABELS, Record

if TYPE_CHECKING:  # what ``etree.xmlfile`` gives inside its ``with`` (types-lxml's name)
    from lxml.etree._serializer import _IncrementalFileWriter as XmlWriter

NS: Final[str] = "urn:QDA-XML:project:1.0"
#: Namespace of every litdesk GUID; never change it, or re-exports stop matching.
LITDESK_NAMESPACE: Final[uuid.UUID] = uuid.UUID("5b0f3c1e-8d7a-5c53-9f0e-6c1d1a7e2b44")
DEFAULT_USER: Final[str] = "litdesk"
PROJECT_NAME: Final[str] = "litdesk export"
SELECTION_NAME_LENGTH: Final[int] = 100
#: The most UTF-8 bytes of a source name before its record id (file names allow 255).
NAME_BYTES: Final[int] = 200
#: Why a record is left out of a project (for the export summary).
LEFT_OUT_REASON: Final[str] = "no abstract: a REFI-QDA source needs text"

# Not allowed in XML 1.0; replaced one for one so offsets keep their meaning.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Not wanted in a name that a reader may turn into a file name: dots (suffix games), path
# and Windows-reserved characters, controls (XML-illegal ones included).
_END_DOT: Final = re.compile(r"\.+(?=[\s,;:)\]]|$)")
_NOT_IN_NAME: Final = re.compile(r'[.\x00-\x1f\x7f/\\:*?"<>|\ud800-\udfff\ufffe\uffff]')


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
    """Write ``records`` as a REFI-QDA project archive to ``out``; the count written.

    The count is a :class:`Written` whose ``left_out`` says how many records had no
    abstract and were left out.
    """
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    users: set[str] = set()
    owner = ""
    names = _Names()
    written: set[str] = set()
    count = left_out = 0
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile() as pending,
        tempfile.TemporaryFile() as notes,
    ):
        for record in each_record(records, progress, cancelled):
            owner = owner or record.coder or DEFAULT_USER
            source_guid = guid("source", _record_key(record))
            if source_guid in written:
                continue  # the same record twice would give clashing GUIDs
            text, to_text = _plain_text(record.abstract)
            if not record.abstract.strip() or not text.strip():  # blank: separators count too
                left_out += 1
                continue
            written.add(source_guid)
            archive.writestr(f"sources/{source_guid}.txt", text.encode("utf-8"))
            name = names.unique(source_name(record))
            source = _source(record, source_guid, name, text, to_text, stamp, users)
            for note in _notes(record, source, name, stamp, users):
                _store(notes, note)
            _store(pending, source)
            count += 1
        pending.seek(0)
        notes.seek(0)
        owner = owner or DEFAULT_USER
        with archive.open("project.qde", "w") as qde:
            _write_project(qde, _stored(pending), _stored(notes), users | {owner}, owner, stamp)
    return Written(count, left_out, LEFT_OUT_REASON)


def source_name(record: Record) -> str:
    """The name of ``record``'s source: its citation (else title) and id, safe as a file name.

    No dots (a reader replacing "the suffix" would cut "Visser et al., 2016" to "Visser et
    al"), no path or control characters, at most :data:`NAME_BYTES` bytes before the id; the
    id at the end keeps names distinct whatever their case or a reader's mangling.
    """
    base = _END_DOT.sub("", record.citation or record.title)  # "et al., 2016": "et al, 2016"
    base = " ".join(_NOT_IN_NAME.sub(" ", base).split())
    base = base.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore").rstrip() or "Untitled"
    return base if record.id is None else f"{base} [{record.id}]"


def _store(pending: IO[bytes], element: etree._Element) -> None:
    blob = etree.tostring(element, encoding="utf-8")
    pending.write(len(blob).to_bytes(8, "big") + blob)


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
        while candidate.casefold() in self._used:
            n += 1
            candidate = f"{name} ({n})"
        self._next[name] = n + 1
        self._used.add(candidate.casefold())
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
    creator = record.coder or DEFAULT_USER
    coders.add(creator)
    source = etree.Element(
        _q("TextSource"),
        guid=source_guid,
        name=name,
        plainTextPath=f"internal://{source_guid}.txt",
        creatingUser=guid("user", creator),
        creationDateTime=stamp,
        nsmap={None: NS},
    )
    if description := _description(record):
        etree.SubElement(source, _q("Description")).text = _NOT_XML.sub("\ufffd", description)
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


def _description(record: Record) -> str:
    """The source's description: the memo, or every coder's memo headed by the coder's name."""
    if not record.memos:
        return record.memo
    return "\n\n".join(f"Memo by {coder or DEFAULT_USER}:\n{text}" for coder, text in record.memos)


def _notes(
    record: Record, source: etree._Element, name: str, stamp: str, coders: set[str]
) -> Iterator[etree._Element]:
    """One Note per memo, by its coder, each referred to from ``source`` (a NoteRef)."""
    for coder, text in record_memos(record):
        author = coder or DEFAULT_USER
        coders.add(author)
        note_guid = guid("note", _record_key(record), author)
        note = etree.Element(
            _q("Note"),
            guid=note_guid,
            name=f"Memo by {_NOT_XML.sub('', author)} on {name}",
            creatingUser=guid("user", author),
            creationDateTime=stamp,
            nsmap={None: NS},
        )
        etree.SubElement(note, _q("PlainTextContent")).text = _NOT_XML.sub("\ufffd", text)
        etree.SubElement(source, _q("NoteRef"), targetGUID=note_guid)
        yield note


def _stored(pending: IO[bytes]) -> Iterator[etree._Element]:
    while size := pending.read(8):
        yield etree.fromstring(pending.read(int.from_bytes(size, "big")))


def _write_project(
    qde: IO[bytes],
    sources: Iterator[etree._Element],
    notes: Iterator[etree._Element],
    users: set[str],
    owner: str,
    stamp: str,
) -> None:
    attrib = {
        "name": PROJECT_NAME,
        "origin": f"litdesk {__version__}",
        "creatingUserGUID": guid("user", owner),
        "creationDateTime": stamp,
    }
    qde.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    with (
        etree.xmlfile(qde, encoding="utf-8") as xf,
        xf.element(_q("Project"), attrib, nsmap={None: NS}),
    ):
        xf.write(_users(users))
        xf.write(_codebook())
        _write_all(xf, "Sources", sources)
        _write_all(xf, "Notes", notes)


def _write_all(xf: XmlWriter, tag: str, elements: Iterator[etree._Element]) -> None:
    """``elements`` inside a ``tag`` element, which is left out when there are none."""
    first = next(elements, None)
    if first is None:
        return  # the schema wants at least one child in Sources and Notes
    with xf.element(_q(tag)):
        xf.write(first)
        for element in elements:
            xf.write(element)


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
