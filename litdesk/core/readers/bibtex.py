"""Read BibTeX and BibLaTeX with bibtexparser v2 (LaTeX decoded to Unicode), in chunks.

bibtexparser parses a whole string at once, so the file is cut at lines starting with ``@``
(where bibtexparser itself starts a new block) into chunks of `CHUNK_ENTRIES` entries, each
parsed on its own: memory holds one chunk. ``@string`` macros seen so far are put before every
later chunk, so they resolve as in one parse; duplicate keys are told across chunks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from bibtexparser import middlewares as mw
from bibtexparser import model
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.middleware import Middleware
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from litdesk.core.model import Record
from litdesk.core.readers import latex
from litdesk.core.readers.base import SourceFile, build_record, id_tags, pmcid_of
from litdesk.core.readers.sniff import BIBTEX
from litdesk.core.ris_reader import ReadRecord

CHUNK_ENTRIES: Final = 500
# bibtexparser logs each block it cannot read, with line numbers counted in the chunk it was
# given; litdesk reports the same blocks itself, with the file's line numbers.
logging.getLogger("bibtexparser.splitter").setLevel(logging.CRITICAL)
_BLOCK_START: Final = re.compile(r"[ \t]*@")
#: BibTeX entry type -> RIS type.
TYPES: Final = {
    "article": "JOUR", "book": "BOOK", "inbook": "CHAP", "incollection": "CHAP",
    "inproceedings": "CPAPER", "conference": "CPAPER", "proceedings": "CONF",
    "phdthesis": "THES", "mastersthesis": "THES", "thesis": "THES", "techreport": "RPRT",
    "report": "RPRT", "unpublished": "UNPB", "online": "ELEC", "electronic": "ELEC",
    "www": "ELEC", "patent": "PAT", "dataset": "DATA", "software": "COMP", "misc": "GEN",
    "manual": "GEN", "booklet": "PAMP", "collection": "EDBOOK", "periodical": "JFULL",
    "standard": "STAND",
}
#: Field -> RIS tag, where the two mean the same thing.
_TO_RIS: Final = {
    "title": "TI", "year": "PY", "date": "DA", "journal": "JF", "journaltitle": "JF",
    "booktitle": "T2", "series": "T3", "volume": "VL", "number": "IS", "issue": "IS",
    "doi": "DO", "url": "UR", "abstract": "AB", "issn": "SN", "isbn": "SN", "publisher": "PB",
    "address": "CY", "location": "CY", "note": "N1", "language": "LA", "edition": "ET",
    "shortjournal": "J2", "journal-iso": "J2", "shorttitle": "ST", "urldate": "Y2",
}
_LISTS: Final = {"keywords": "KW", "author_keywords": "KW", "mesh": "KW", "author-keywords": "KW",
                 "keywords-plus": "KW"}
_NAMES: Final = {"author": "AU", "editor": "A2", "translator": "A4"}
_PAGE_RANGE: Final = re.compile(r"\s*[-\u2010-\u2015]+\s*")
_PARAGRAPH: Final = re.compile(r"\n[ \t]*\n")
_EID: Final = re.compile(r"2-s2\.0-\d+")


_BARE_PERCENT: Final = re.compile(r"(?<!\\)%")


_DECODER: list[mw.LatexDecodingMiddleware] = []


def _decode(value: str) -> str:
    """A value with its LaTeX made Unicode: `latex.decode`, else bibtexparser's decoder
    (pylatexenc). A bare ``%`` is text, as BibTeX reads it, not the start of a LaTeX comment
    that would drop the rest of the line."""

    def decoder(text: str) -> str:
        if not _DECODER:  # built once: its LaTeX tables take a while to set up
            _DECODER.append(mw.LatexDecodingMiddleware(True))
        decoded, _ = _DECODER[0]._transform_python_value_string(_BARE_PERCENT.sub(r"\\%", text))
        return str(decoded)

    return latex.decode(value, decoder)


#: bibtexparser's default parse (macros resolved, outer braces and quotes removed). Names are
#: split before LaTeX is decoded (`_names`): braces keep "{World Health Organization}" whole.
_STACK: Final[list[Middleware]] = [mw.ResolveStringReferencesMiddleware(True),
                                   mw.RemoveEnclosingMiddleware(True)]


class BibtexFile(SourceFile):
    """A BibTeX or BibLaTeX file: one record per entry (``@article{key, ...}``)."""

    format = BIBTEX

    def _records(self) -> Iterator[ReadRecord]:
        self._strings: list[str] = []  # raw @string blocks, put before each later chunk
        self._keys: dict[str, int] = {}  # key -> position of the first entry with it
        self._position = 0
        chunk: list[str] = []
        first_line, entries, depth = 1, 0, 0
        for number, line in self.lines():
            if _BLOCK_START.match(line):
                # Cut between entries only: a value may hold a line starting with "@" (an
                # e-mail, a handle). Past twice the size, cut anyway: braces may never balance.
                if entries >= CHUNK_ENTRIES and depth <= 0 or entries >= 2 * CHUNK_ENTRIES:
                    yield from self._parse(chunk, first_line)
                    chunk, first_line, entries, depth = [], number, 0, 0
                entries += 1
            if "{" in line or "}" in line:
                depth += _braces(line)
            chunk.append(line)
        yield from self._parse(chunk, first_line)

    def _parse(self, lines: list[str], first_line: int) -> Iterator[ReadRecord]:
        if not lines:
            return
        prefix = "".join(s + "\n" for s in self._strings)
        offset = first_line - prefix.count("\n")
        library = parse_string(prefix + "\n".join(lines), parse_stack=_STACK)
        for block in library.blocks:
            line = offset + (block.start_line or 0)
            if isinstance(block, model.String):
                if line >= first_line:
                    self._strings.append(block.raw or "")
                continue
            entry: model.Block | None = block
            note = ""
            if isinstance(block, model.ParsingFailedBlock):
                entry = block.ignore_error_block
                if not isinstance(block, model.DuplicateBlockKeyBlock):  # told below
                    note = _first_line(block.error)
                if not isinstance(entry, model.Entry):
                    self._position += 1
                    self.report(self._position, line, f"the entry cannot be read: {note}",
                                "entry skipped")
                    continue
            if not isinstance(entry, model.Entry):
                continue  # @comment, @preamble, text between entries
            self._position += 1
            if (earlier := self._keys.setdefault(entry.key, self._position)) != self._position:
                self.report(self._position, line, f"the key {entry.key!r} is used by record "
                            f"{earlier} too", "record kept")
            if note:
                self.report(self._position, line, note, "record kept")
            yield ReadRecord(self._position, line, entry_record(entry))


def entry_record(entry: model.Entry) -> Record:
    """The `Record` of one parsed (LaTeX-decoded, names split) BibTeX entry."""
    ris = [("TY", TYPES.get(entry.entry_type.lower(), "GEN")), ("ID", entry.key)]
    own: list[tuple[str, str]] = []
    fields = {f.key.lower(): f.value for f in entry.fields}
    pmid = str(fields.get("pmid", "")).strip()
    pmcid = pmcid_of(str(fields.get("pmcid", "")))
    for field in entry.fields:
        key, value = field.key.lower(), field.value
        if isinstance(value, str) and key not in _NAMES:
            value = _spaced(_decode(value))
        if key in _NAMES:
            ris += [(_NAMES[key], n) for n in _names(value)]
        elif key == "pages":
            start, _, end = _PAGE_RANGE.sub("-", str(value).strip()).partition("-")
            ris += [("SP", start), ("EP", end)]
        elif key in _LISTS:
            sep = ";" if ";" in str(value) else ","
            ris += [(_LISTS[key], k) for part in str(value).split(sep) if (k := part.strip())]
        elif key in _TO_RIS:
            ris.append((_TO_RIS[key], str(value)))
        elif key not in ("pmid", "pmcid"):
            own.append((field.key, str(value)))
    accessions = _accessions(fields)
    ris += id_tags(pmid, pmcid, accessions)
    return build_record(ris, own, "BibTeX", pmid=pmid, pmcid=pmcid, accessions=accessions)


def _names(value: object) -> list[str]:
    """The people of an author list, each "Family, Given" ("von Last, First Jr")."""
    names = split_multiple_persons_names(" ".join(str(value).split()))
    # Web of Science and some converters separate people with ";" inside one " and " part.
    people = [p for n in names for part in (n.split(";") if n[:1] != "{" else [n])
              if (p := part.strip())]
    return [_name(p) for p in people]


@lru_cache(maxsize=16384)  # people recur across a file's entries; splitting one is ~40 us
def _name(person: str) -> str:
    """"von Last, Jr, First" as "von Last, First Jr" ("Family, Given"); else as written."""
    try:
        name = parse_single_name_into_parts(person, strict=False)
    except InvalidNameError:
        return _decode(person)
    family = _decode(" ".join([*name.von, *name.last]))
    given = _decode(" ".join([*name.first, *name.jr]))
    return f"{family}, {given}" if family and given else family or given


def _accessions(fields: dict[str, object]) -> list[str]:
    found = []
    unique = str(fields.get("unique-id", "")).strip()
    if unique.upper().startswith("WOS:"):
        found.append(unique)
    eid = _EID.search(str(fields.get("eid", "")) or "")
    if eid is None and "scopus" in str(fields.get("source", "")).lower():
        eid = _EID.search(str(fields.get("url", "")))
    if eid:
        found.append(f"SCOPUS:{eid[0]}")
    return found


def _spaced(value: str) -> str:
    """A value's white space as BibTeX reads it: runs made one space, blank lines kept."""
    if "\n" not in value and "  " not in value:
        return value
    return "\n".join(" ".join(p.split()) for p in _PARAGRAPH.split(value) if p.strip())


def _braces(line: str) -> int:
    """How many more braces ``line`` opens than it closes (escaped ones not counted)."""
    opened, closed = line.count("{"), line.count("}")
    if "\\" in line:
        opened, closed = opened - line.count("\\{"), closed - line.count("\\}")
    return opened - closed


def _first_line(error: object) -> str:
    """The first line of why bibtexparser could not read a block (its exception's reason: the
    exception's own text is empty)."""
    reason = getattr(error, "abort_reason", None) or getattr(error, "message", None) or error
    text = str(reason).strip().split("\n", 1)[0].rstrip(":. ")
    return text or type(error).__name__
