"""Open any export litdesk reads (RIS, MEDLINE, BibTeX, EndNote/PubMed XML, Scopus, WoS).

`open_records` judges a file by its content (`litdesk.core.readers.sniff`) and returns the
reader of its format, imported only then (BibTeX and XML need bibtexparser and lxml).
Every reader has `RisFile`'s interface: iterate it for `ReadRecord`s, one at a time;
`problems`, `format`, `encoding`, `size` and `bytes_read` say how it went. A file that cannot
be read at all raises `ReadError` (the importer's one error for a refused file).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, Final

from litdesk.core.readers import sniff as _sniff
from litdesk.core.readers.file_types import FILE_TYPES
from litdesk.core.ris_encoding import NotTextError, decode_sample
from litdesk.core.ris_reader import Problem, ReadRecord, RisFile, open_source
from litdesk.core.ris_reader import RisReadError as ReadError

if TYPE_CHECKING:
    from litdesk.core.ris_encoding import Sniffed

READABLE: Final = _sniff.READABLE
#: The non-RIS readers, by the format name `sniff` gives: (module, class), imported when used.
_READERS: Final[dict[str, tuple[str, str]]] = {
    _sniff.MEDLINE: ("medline", "MedlineFile"),
    _sniff.BIBTEX: ("bibtex", "BibtexFile"),
    _sniff.ENDNOTE_XML: ("endnote_xml", "EndnoteXmlFile"),
    _sniff.PUBMED_XML: ("pubmed_xml", "PubmedXmlFile"),
    _sniff.SCOPUS_CSV: ("delimited", "ScopusCsvFile"),
    _sniff.WOS_TAB: ("delimited", "WosTabFile"),
}

__all__ = ["FILE_TYPES", "READABLE", "Problem", "ReadError", "ReadRecord", "open_records"]


def open_records(path: str | os.PathLike[str]) -> RisFile:
    """Open an export in any format litdesk reads, judged by its content (the extension only
    breaks ties); raise `ReadError` when it cannot be read (missing, binary, another format)."""
    name, fh, size, sample, sniffed = open_source(path)
    try:
        fmt = _sniff.sniff(decode_sample(sample, sniffed.encoding), name,
                           partial=len(sample) < size)
    except NotTextError as exc:
        fh.close()
        raise ReadError(name, f"the file {exc}") from None
    where = _READERS.get(fmt)
    if where is None:  # RIS and Web of Science plain text: the RIS reader's
        return RisFile(name, fh, size, fmt, sniffed)
    try:
        module = importlib.import_module(f"litdesk.core.readers.{where[0]}")
    except BaseException:
        fh.close()
        raise
    reader: Callable[[str, BinaryIO, int, Sniffed], RisFile] = getattr(module, where[1])
    return reader(name, fh, size, sniffed)
