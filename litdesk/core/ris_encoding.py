"""Byte side of reading RIS: tell what a file holds, pick its encoding, stream numbered lines.

Nothing here holds a whole file: the first megabyte is sniffed, then lines are decoded one at a
time as chunks are read, so memory stays bounded however large the file is.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import AnyStr, BinaryIO, Final

CHUNK_SIZE: Final = 1 << 20
SAMPLE_SIZE: Final = 1 << 20

#: Byte values that cp1252 leaves undefined; a file using them is taken as latin-1.
_CP1252_UNDEFINED: Final = frozenset(b"\x81\x8d\x8f\x90\x9d")
_UTF8_MULTIBYTE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_CONTROL: Final = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_HIGH_BYTES: Final = bytes(range(0x80, 0x100))
_BYTE_BREAK: Final = re.compile(rb"\r\n|\r|\n")
_TEXT_BREAK: Final = re.compile(r"\r\n|\r|\n")

#: Leading bytes of formats people pick by mistake, and how to name them to the user.
_SIGNATURES: Final = (
    (b"%PDF", "is a PDF document, not a RIS export"),
    (b"PK\x03\x04", "is a ZIP archive or an Office document (.docx, .xlsx), not a RIS export"),
    (b"\x1f\x8b", "is a gzip-compressed file; unpack it first"),
    (b"\xd0\xcf\x11\xe0", "is an old-style Office document, not a RIS export"),
    (b"SQLite format 3\x00", "is a database file, not a RIS export"),
    (b"\x89PNG", "is a PNG image, not a RIS export"),
    (b"\xff\xd8\xff", "is a JPEG image, not a RIS export"),
    (b"{\\rtf", "is an RTF document, not a RIS export"),
)
#: Lines with invalid UTF-8 reported one by one; the rest are counted in one last problem.
MAX_DECODE_PROBLEMS: Final = 20


class NotTextError(Exception):
    """The bytes are not text litdesk could read; ``str(exc)`` says what they look like."""


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say about its encoding."""

    encoding: str
    #: True while only ASCII has been seen: the encoding is then settled by the first other line.
    pending: bool = False


def sniff_encoding(sample: bytes) -> Sniffed:
    """Pick the encoding of a file from its first bytes; raise `NotTextError` for binary data."""
    for signature, what in _SIGNATURES:
        if sample.startswith(signature):
            raise NotTextError(what)
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return Sniffed("utf-32")
    if sample.startswith(codecs.BOM_UTF8):
        return Sniffed("utf-8-sig")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Sniffed("utf-16")
    half = max(len(sample) // 2, 1)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(sample) >= 8 and odd > 0.4 * half and even < 0.02 * half:
        return Sniffed("utf-16-le")
    if len(sample) >= 8 and even > 0.4 * half and odd < 0.02 * half:
        return Sniffed("utf-16-be")
    if len(_CONTROL.findall(sample)) > 0.02 * len(sample):
        raise NotTextError("holds binary data (NUL or control bytes), not text")
    if sample.isascii():
        return Sniffed("utf-8", pending=True)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return Sniffed("utf-8" if mostly_utf8(sample) else legacy_encoding(sample))
    return Sniffed("utf-8")


def mostly_utf8(data: bytes) -> bool:
    """True if most non-ASCII bytes form valid UTF-8 sequences (UTF-8 with a few damaged bytes)."""
    good = sum(len(m) for m in _UTF8_MULTIBYTE.findall(data))
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    return good > 0 and good >= high - good


def legacy_encoding(data: bytes) -> str:
    """The 8-bit encoding for bytes that are not UTF-8: cp1252, or latin-1 if cp1252 can't."""
    return "latin-1" if _CP1252_UNDEFINED.intersection(data) else "cp1252"


def decode_sample(sample: bytes, encoding: str) -> str:
    """Text of a sample for sniffing its format (damaged bytes replaced, never raises)."""
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    text = codecs.getincrementaldecoder(encoding)("replace").decode(sample, final=False)
    return text.lstrip("\ufeff")


def split_lines(chunks: Iterable[AnyStr], breaks: re.Pattern[AnyStr]) -> Iterator[AnyStr]:
    """Lines of a stream of chunks, split at CRLF, CR or LF (a CRLF may span two chunks)."""
    pending: list[AnyStr] = []
    skip_lf = False
    for chunk in chunks:
        if not chunk:
            continue
        pos = 0
        if skip_lf and chunk[:1] in (b"\n", "\n"):
            pos = 1
        skip_lf = False
        for m in breaks.finditer(chunk, pos):
            pending.append(chunk[pos : m.start()])
            yield chunk[:0].join(pending)
            pending = []
            pos = m.end()
            skip_lf = pos == len(chunk) and m.group() in (b"\r", "\r")
        if pos < len(chunk):
            pending.append(chunk[pos:])
    if pending:
        yield pending[0][:0].join(pending)


def whole_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes of ``chunks`` regrouped into runs of whole lines.

    Each run but the last ends with a line break, and a CRLF is never cut in two. A line
    longer than a chunk is gathered until its end (memory grows with the longest line only).
    """
    carry: list[bytes] = []
    for chunk in chunks:
        cut = max(chunk.rfind(b"\n"), chunk.rfind(b"\r", 0, len(chunk) - 1))
        if cut < 0:
            carry.append(chunk)
            continue
        carry.append(chunk[: cut + 1])
        yield b"".join(carry)
        carry = [chunk[cut + 1 :]] if cut + 1 < len(chunk) else []
    if carry:
        yield b"".join(carry)


ProblemSink = Callable[[int, str, str], None]  # (line, message, action)


class LineSource:
    """Numbered text lines of an open binary file, decoded as they are read.

    ``encoding`` may be refined while iterating: a file that is plain ASCII in its first
    megabyte is taken as UTF-8 until a line proves it is cp1252 or latin-1.
    """

    def __init__(self, fh: BinaryIO, sniffed: Sniffed, on_problem: ProblemSink) -> None:
        self.encoding = sniffed.encoding
        self.bytes_read = 0
        self._fh = fh
        self._pending = sniffed.pending
        self._bad_lines = 0
        self._on_problem = on_problem

    def _chunks(self) -> Iterator[bytes]:
        while chunk := self._fh.read(CHUNK_SIZE):
            self.bytes_read += len(chunk)
            yield chunk

    def __iter__(self) -> Iterator[tuple[int, str]]:
        if self.encoding.startswith(("utf-16", "utf-32")):
            decoder = codecs.getincrementaldecoder(self.encoding)("replace")
            texts = (decoder.decode(c) for c in self._chunks())
            for number, line in enumerate(split_lines(texts, _TEXT_BREAK), 1):
                yield number, line.lstrip("\ufeff") if number == 1 else line
            return
        number = 0
        for block in whole_lines(self._chunks()):
            if number == 0 and block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8) :]
            text = self._decode_block(block)
            if text is None:  # damaged or mixed bytes: decode (and report) line by line
                raws = _BYTE_BREAK.split(block)
                if not raws[-1]:
                    raws.pop()
                for raw in raws:
                    number += 1
                    yield number, self._decode(number, raw)
                continue
            lines = text.split("\n") if "\r" not in text else _TEXT_BREAK.split(text)
            if not lines[-1]:
                lines.pop()
            for line in lines:
                number += 1
                yield number, line
        if self._bad_lines > MAX_DECODE_PROBLEMS:
            more = self._bad_lines - MAX_DECODE_PROBLEMS
            self._on_problem(number, f"invalid UTF-8 in {more} more lines",
                             "replaced with U+FFFD, text kept")

    def _decode_block(self, block: bytes) -> str | None:
        """Text of a run of lines when it decodes cleanly as a whole (the fast path), else None.

        Valid UTF-8 settles a pending encoding as UTF-8, exactly as its first non-ASCII line
        would; anything else goes line by line so that problems name their lines.
        """
        if block.isascii():
            return block.decode("ascii")
        if self._pending or self.encoding.startswith("utf-8"):
            try:
                text = block.decode("utf-8")
            except UnicodeDecodeError:
                return None
            self._pending = False
            return text
        try:
            return block.decode(self.encoding)
        except UnicodeDecodeError:
            return None

    def _decode(self, number: int, raw: bytes) -> str:
        if raw.isascii():
            return raw.decode("ascii")
        if self._pending:
            self._pending = False
            if not mostly_utf8(raw):
                self.encoding = legacy_encoding(raw)
        if self.encoding.startswith("utf-8"):
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._bad_lines += 1
                if self._bad_lines <= MAX_DECODE_PROBLEMS:
                    self._on_problem(number, f"invalid UTF-8 (from byte {exc.start + 1} of the "
                                     "line)", "replaced with U+FFFD, text kept")
                return raw.decode("utf-8", "replace")
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:  # a byte cp1252 leaves undefined: read that line as latin-1
            return raw.decode("latin-1")
