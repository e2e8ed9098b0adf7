"""Read RIS and Web of Science tagged files into `Record`s, streaming, with a list of problems.

Parsing is rispy's (`rispy.RisParser`, `rispy.WokParser` and their tag mappings), extended to
keep every tag verbatim and in order, to yield records one at a time, and to tolerate what real
exports do: byte order marks, odd spacing around the dash, tags before ``TY``, a missing final
``ER``, text between records, and RIS flattened onto a single line. A file that is not RIS at
all raises `RisReadError`; anything odd inside a RIS file becomes a `Problem` and reading goes on.
A record's named fields are worked out from its tags in `litdesk.core.ris_fields`.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, BinaryIO, ClassVar, Final

import rispy
from rispy.config import TAG_KEY_MAPPING, WOK_LIST_TYPE_TAGS

from litdesk.core.model import Record
from litdesk.core.ris_encoding import (
    SAMPLE_SIZE,
    LineSource,
    NotTextError,
    Sniffed,
    decode_sample,
    sniff_encoding,
)
from litdesk.core.ris_fields import (  # record_from_tags, sanitise: part of this interface
    INVALID_XML,
    record_from_tags,
    record_of_clean_tags,
    sanitise,
)

__all__ = ["Problem", "ReadRecord", "RisFile", "RisReadError", "open_ris", "read_ris_text",
           "record_from_tags", "sanitise"]

RIS: Final = "RIS"
WEB_OF_SCIENCE: Final = "Web of Science"
#: Lines longer than this are never taken for RIS flattened onto one line.
FLAT_LINE_MAX: Final = 1 << 20

#: "TY  - ", "TY - ", "TY\t- ", "ER  -"; lower case only in the standard "ty  - " form.
_RIS_TAG: Final = re.compile(
    r"\ufeff?(?:([A-Z][A-Z0-9])(?:[ \t]+-|[ \t]*-(?![^ \t]))|([a-z][a-z0-9])  -(?![^ \t]))(.*)",
    re.S,
)
_WOK_TAG: Final = re.compile(r"\ufeff?([A-Z][A-Z0-9])(?: (.*)|$)", re.S)
_KNOWN_TAGS: Final = "|".join(sorted({*TAG_KEY_MAPPING, "ER"}))
_FLAT_SPLIT: Final = re.compile(rf"[ \t]+(?=(?:{_KNOWN_TAGS})[ \t]{{1,2}}-(?:[ \t]|$))")


class RisReadError(Exception):
    """The file cannot be read as RIS at all (missing, unreadable, not RIS)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path, self.message, self.line = path, message, line
        where = f"{path}, line {line}" if line else path
        super().__init__(f"Cannot read {where}: {message}.")


@dataclass(frozen=True)
class Problem:
    """Something odd in a file that was read anyway, and what litdesk did about it."""

    file: str
    record: int | None
    line: int | None
    message: str
    action: str

    def __str__(self) -> str:
        where = [self.file]
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{', '.join(where)}: {self.message}; {self.action}"


@dataclass(frozen=True)
class ReadRecord:
    """One record as read: its 1-based position in the file, its first line, and its fields."""

    position: int
    line: int
    record: Record


# -- parsing ------------------------------------------------------------------------------------

Report = Callable[[int | None, int | None, str, str], None]  # (record, line, message, action)


class _Draft(dict[str, Any]):
    """A record being read: rispy's field dict, plus the ordered raw tags and where it starts."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line, self.position = line, 0
        self.tags: list[tuple[str, str]] = []
        self.open_tag: str | None = None
        self.parts: list[str] = []
        self.ended = False  # its end tag is read already (a record that lost its start tag)


class _Streaming:
    """The streaming, order-keeping parse loop shared by the RIS and Web of Science parsers."""

    START_TAG: str
    END_TAG: str
    UNKNOWN_TAG: str
    ignore: list[str]
    mapping: dict[str, str]
    JOIN: ClassVar[str] = "\n"  # joins the lines of a value that spans several lines
    #: Tags whose standard line "XX  - value" `parse_line` reads as (tag, value.strip()).
    STANDARD_TAGS: ClassVar[frozenset[str]] = frozenset()
    SPLIT_CONTINUED: ClassVar[frozenset[str]] = frozenset()  # a continuation is a new value
    FLAT_MARK: ClassVar[str | None] = None  # a line without it is never `expand`ed (None: none)

    def __init__(self, report: Report) -> None:
        super().__init__(enforce_list_tags=False)  # type: ignore[call-arg]
        self.report = report
        self._held: tuple[int, str] | None = None

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        raise NotImplementedError

    def expand(self, line: str) -> list[str]:
        """The pieces of one physical line that are parsed as lines."""
        return [line]

    def parse_lines(self, lines: Iterable[str]) -> Iterator[_Draft]:
        """Records of ``lines`` (str lines, counted from 1), yielded one at a time."""
        return self.parse_numbered(enumerate((line.rstrip("\r\n") for line in lines), 1))

    def parse_numbered(self, numbered: Iterable[tuple[int, str]]) -> Iterator[_Draft]:
        """Records of ``(line number, text)`` pairs (text without its line break), yielded
        one at a time."""
        pieces = self._pieces(numbered)
        position = 0
        # The loop below runs once per line of the file: `_open`, `_continue` and `_flush`
        # are inlined, on locals, and the standard "XX  - value" line is told without a call.
        parse_line, standard = self.parse_line, self.STANDARD_TAGS
        end_tag, start_tag, ignore = self.END_TAG, self.START_TAG, self.ignore
        split_continued, join = self.SPLIT_CONTINUED, self.JOIN
        while (draft := self._iter_till_start(pieces)) is not None:
            position += 1
            draft.position = position
            unended: str | None = "missing ER at the end of the file"
            if draft.ended:
                unended = None
                self.report(position, draft.line, f"no {start_tag} line before "
                            f"{_names(draft)}", "record kept")
            tags, open_tag, parts = draft.tags, draft.open_tag, draft.parts
            for number, line in () if draft.ended else pieces:
                if line[2:6] == "  - " and line[:2] in standard:
                    tag: str | None = line[:2]
                    content = line[6:].strip()
                else:
                    tag, content = parse_line(line)
                if not content.isprintable():
                    content = _clean_line(content)
                if tag is None:
                    if open_tag is None:
                        continue
                    if open_tag in split_continued:
                        tags.append((open_tag, _value(parts, join)))
                        parts = [content]
                    else:
                        parts.append(content)
                elif tag == end_tag:
                    unended = None
                    if content:
                        self.report(position, number, f"text after ER: {content[:60]!r}",
                                    "text ignored")
                    break
                elif tag == start_tag:
                    unended, self._held = "no ER before the next record", (number, line)
                    break
                elif tag not in ignore:
                    if open_tag is not None:  # `_value`, inlined: one line is clean already
                        tags.append((open_tag, parts[0] if len(parts) == 1
                                     else sanitise(join.join(parts))))
                    open_tag, parts = tag, [content]
            draft.open_tag, draft.parts = open_tag, parts
            self._flush(draft)
            if not any(value for tag, value in draft.tags if tag != self.START_TAG):
                self.report(position, draft.line, "empty record", "skipped")
                continue
            if unended:
                self.report(position, draft.line, unended, "record kept")
            yield draft

    def _pieces(self, numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        mark = self.FLAT_MARK
        if mark is None:  # never flat: no work per line
            yield from numbered
            return
        expand = self.expand
        for number, line in numbered:
            if mark in line:
                for piece in expand(line):
                    yield number, piece
            else:
                yield number, line

    def _iter_till_start(self, lines: Iterator[tuple[int, str]]) -> _Draft | None:
        """Skip text between records; gather tags that come before the start tag into it."""
        draft: _Draft | None = None
        held, self._held = self._held, None
        for number, line in itertools.chain([held] if held else [], lines):
            tag, content = self.parse_line(line)
            if not content.isprintable():
                content = _clean_line(content)
            if tag is None:
                if draft is not None:
                    self._continue(draft, content)
            elif tag == self.START_TAG:
                draft = _Draft(number) if draft is None else draft
                self._open(draft, tag, content)
                return draft
            elif tag == self.END_TAG:
                if draft is not None and _looks_like_record(draft):
                    self._flush(draft)
                    draft.ended = True  # a record whose first line (its TY) was lost
                    return draft
                if draft is not None:
                    self.report(None, draft.line, f"tags outside a record ({_names(draft)})",
                                "lines skipped")
                    draft = None
            elif tag not in self.ignore:
                draft = _Draft(number) if draft is None else draft
                self._open(draft, tag, content)
        if draft is not None:
            self.report(None, draft.line, f"tags after the last record ({_names(draft)})",
                        "lines skipped")
        return None

    def _open(self, draft: _Draft, tag: str, content: str) -> None:
        self._flush(draft)
        draft.open_tag, draft.parts = tag, [content]

    def _continue(self, draft: _Draft, content: str) -> None:
        if draft.open_tag is None:
            return
        if draft.open_tag in self.SPLIT_CONTINUED:
            self._open(draft, draft.open_tag, content)
        else:
            draft.parts.append(content)

    def _flush(self, draft: _Draft) -> None:
        # Only the ordered tags are kept: `record_from_tags` derives every field from them, so
        # rispy's own field dict is never built (that halved the time spent per line).
        if draft.open_tag is not None:
            draft.tags.append((draft.open_tag, _value(draft.parts, self.JOIN)))
            draft.open_tag, draft.parts = None, []


def _clean_line(content: str) -> str:
    """A line's value without control characters, then stripped: what is left at its ends
    must not depend on whether a control character stood there (export and import again)."""
    return INVALID_XML.sub("", content).strip()


def _value(parts: list[str], join: str) -> str:
    """A tag's value from its lines (each stripped already), sanitised."""
    if len(parts) == 1:
        one = parts[0]
        return one if one.isprintable() else sanitise(one)  # stripped: sanitise's result
    return sanitise(join.join(parts))


#: Tags that make a block ended by ER a record even without its TY line.
_RECORD_TAGS: Final = frozenset({"TI", "T1", "AU", "A1", "AB", "N2", "PY", "Y1", "DO", "JO",
                                 "JF", "T2", "SO", "AF"})


def _looks_like_record(draft: _Draft) -> bool:
    tags = {t for t, _ in draft.tags} | {draft.open_tag}
    return not tags.isdisjoint(_RECORD_TAGS)


def _names(draft: _Draft) -> str:
    draft_tags = [t for t, _ in draft.tags] + ([draft.open_tag] if draft.open_tag else [])
    return ", ".join(dict.fromkeys(draft_tags))


class _RisParser(_Streaming, rispy.RisParser):  # type: ignore[misc]
    """rispy's RIS parser, tolerant of spacing and of RIS flattened onto one line."""

    STANDARD_TAGS = frozenset(a + b for a in string.ascii_uppercase
                              for b in string.ascii_uppercase + string.digits)
    FLAT_MARK = "TY"  # a flattened record has a TY tag somewhere on its line

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        tag = line[:2]
        if (line[2:6] == "  - " and tag.isascii() and tag.isalnum() and tag[0].isupper()
                and not tag[1].islower()):
            return tag, line[6:].strip()  # the standard "XX  - value" (fast path)
        m = _RIS_TAG.match(line)
        return ((m[1] or m[2].upper()), m[3].strip()) if m else (None, line.strip())

    def expand(self, line: str) -> list[str]:
        if len(line) > FLAT_LINE_MAX or not _RIS_TAG.match(line):
            return [line]
        pieces = _FLAT_SPLIT.split(line)
        if len(pieces) >= 3 and any(p.startswith("TY") for p in pieces):
            return pieces
        return [line]


class _WokParser(_Streaming, rispy.WokParser):  # type: ignore[misc]
    """rispy's Web of Science parser; wrapped lines of list tags (AU, CR...) are separate values."""

    JOIN = " "
    SPLIT_CONTINUED = frozenset(WOK_LIST_TYPE_TAGS)

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        m = None if line[:1].isspace() else _WOK_TAG.match(line)
        return (m[1], (m[2] or "").strip()) if m else (None, line.strip())


# -- files ----------------------------------------------------------------------------------------


class RisFile:
    """An open RIS or Web of Science file; iterate it to read its records one at a time."""

    def __init__(self, path: str, fh: BinaryIO, size: int, fmt: str, sniffed: Any) -> None:
        self.path, self.size, self.format = path, size, fmt
        self.problems: list[Problem] = []
        self._fh, self._sniffed = fh, sniffed
        self._source: LineSource | None = None

    @property
    def encoding(self) -> str:
        """The encoding used, e.g. "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"."""
        return self._source.encoding if self._source else self._sniffed.encoding

    @property
    def bytes_read(self) -> int:
        """How far reading has got, for progress bars."""
        return self._source.bytes_read if self._source else 0

    def __iter__(self) -> Iterator[ReadRecord]:
        """Records in file order; problems are added to `problems` as they are met."""
        if self._fh.closed:
            raise ValueError(f"{self.path} is closed")
        self.problems.clear()
        try:
            self._fh.seek(0)
            yield from self._records()
        except OSError as exc:
            raise RisReadError(self.path, f"reading failed ({exc.strerror or exc})") from exc

    def _records(self) -> Iterator[ReadRecord]:
        """The records of the file from its start (readers of other formats override this)."""
        self._source = LineSource(self._fh, self._sniffed, self._line_problem)
        parser_class = _WokParser if self.format == WEB_OF_SCIENCE else _RisParser
        for draft in parser_class(self._report).parse_numbered(self._source):
            record = record_of_clean_tags(tuple(draft.tags))
            yield ReadRecord(draft.position, draft.line, record)

    def _report(self, record: int | None, line: int | None, message: str, action: str) -> None:
        self.problems.append(Problem(self.path, record, line, message, action))

    def _line_problem(self, line: int, message: str, action: str) -> None:
        self._report(None, line, message, action)

    def close(self) -> None:
        """Close the file."""
        self._fh.close()

    def __enter__(self) -> RisFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_ris(path: str | os.PathLike[str]) -> RisFile:
    """Open a RIS or WoS file, judged by its content; `RisReadError` (saying why) if it is not."""
    from litdesk.core.readers.sniff import ris_or_wos  # (the readers package imports us)
    name, fh, size, sample, sniffed = open_source(path)
    try:
        fmt = ris_or_wos(decode_sample(sample, sniffed.encoding), partial=len(sample) < size)
    except NotTextError as exc:
        fh.close()
        raise RisReadError(name, f"the file {exc}") from None
    return RisFile(name, fh, size, fmt, sniffed)


def open_source(path: str | os.PathLike[str]) -> tuple[str, BinaryIO, int, bytes, Sniffed]:
    """Open a file for reading records: (its name, the open file, its size, its first bytes,
    their encoding); raise `RisReadError` if it is missing, a folder, unreadable or binary."""
    name = os.fspath(path)
    name = name if isinstance(name, str) else os.fsdecode(name)
    try:
        mode = os.stat(name).st_mode
        if stat.S_ISDIR(mode):
            raise RisReadError(name, "this is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise RisReadError(name, "this is not a regular file")
        fh = open(name, "rb")  # noqa: SIM115 - the caller's reader owns and closes it
    except FileNotFoundError:
        raise RisReadError(name, "the file does not exist") from None
    except PermissionError:
        raise RisReadError(name, "you have no permission to read the file") from None
    except (OSError, ValueError) as exc:
        raise RisReadError(name, f"the file cannot be opened ({exc})") from None
    try:
        size = os.fstat(fh.fileno()).st_size
        sample = fh.read(SAMPLE_SIZE)
        sniffed = sniff_encoding(sample)
    except NotTextError as exc:
        fh.close()
        raise RisReadError(name, f"the file {exc}") from None
    except OSError as exc:
        fh.close()
        raise RisReadError(name, f"the file cannot be read ({exc.strerror or exc})") from None
    return name, fh, size, sample, sniffed


def read_ris_text(text: str, name: str = "<text>") -> list[ReadRecord]:
    """Records of RIS or Web of Science text (for tests and small strings)."""
    from litdesk.core.readers.sniff import ris_or_wos
    try:
        fmt = ris_or_wos(text, partial=False)
    except NotTextError as exc:
        raise RisReadError(name, f"the text {exc}") from None
    parser_class = _WokParser if fmt == WEB_OF_SCIENCE else _RisParser
    lines = enumerate(re.split(r"\r\n|\r|\n", text.lstrip("\ufeff")), 1)
    parser = parser_class(lambda *_: None)
    return [ReadRecord(d.position, d.line, record_of_clean_tags(tuple(d.tags)))
            for d in parser.parse_numbered(lines)]
