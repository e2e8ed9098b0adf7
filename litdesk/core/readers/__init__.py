"""Open any export litdesk reads (RIS, MEDLINE, BibTeX, EndNote/PubMed XML, Scopus, WoS).

`open_records` judges a file by its content (`litdesk.core.readers.sniff`) and returns the
reader of its format. Every reader has `RisFile`'s interface: iterate it for `ReadRecord`s, one
at a time; `problems`, `format`, `encoding`, `size` and `bytes_read` say how it went. A file
that cannot be read at all raises `ReadError` (the importer's one error for a refused file).
"""

from __future__ import annotations

import os
from typing import Final

from litdesk.core.readers import sniff as _sniff
from litdesk.core.readers.base import SourceFile
from litdesk.core.readers.bibtex import BibtexFile
from litdesk.core.readers.delimited import ScopusCsvFile, WosTabFile
from litdesk.core.readers.endnote_xml import EndnoteXmlFile
from litdesk.core.readers.medline import MedlineFile
from litdesk.core.readers.pubmed_xml import PubmedXmlFile
from litdesk.core.ris_encoding import NotTextError, decode_sample
from litdesk.core.ris_reader import Problem, ReadRecord, RisFile, open_source
from litdesk.core.ris_reader import RisReadError as ReadError

READABLE: Final = _sniff.READABLE
#: File types for an open-file dialog: (name, patterns); any file is judged by its content.
FILE_TYPES: Final = (
    ("Reference exports", "*.ris *.nbib *.txt *.bib *.xml *.csv *.tsv *.enw"),
    ("RIS", "*.ris *.txt"), ("MEDLINE/PubMed", "*.nbib *.txt"), ("BibTeX", "*.bib"),
    ("EndNote or PubMed XML", "*.xml"), ("Scopus CSV", "*.csv"),
    ("Web of Science", "*.txt *.tsv"), ("All files", "*"),
)
#: The non-RIS readers, by the format name `sniff` gives.
_READERS: Final[dict[str, type[SourceFile]]] = {
    cls.format: cls for cls in (MedlineFile, BibtexFile, EndnoteXmlFile, PubmedXmlFile,
                                ScopusCsvFile, WosTabFile)
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
    reader = _READERS.get(fmt)
    if reader is None:  # RIS and Web of Science plain text: the RIS reader's
        return RisFile(name, fh, size, fmt, sniffed)
    return reader(name, fh, size, sniffed)
