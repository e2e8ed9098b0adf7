"""The export formats by name: suffix, description and writer's module, importing no writer."""

from __future__ import annotations

from typing import Final, NamedTuple


class Format(NamedTuple):
    """One export format: its writer (``module.writer`` in litdesk.core.export), file suffix
    and a description for people."""

    module: str
    writer: str
    suffix: str
    description: str


#: Format name -> how to write it (`litdesk.core.export.FORMATS` holds the writers).
FORMAT_TABLE: Final[dict[str, Format]] = {
    "ris": Format("ris", "write_ris", ".ris",
                  "RIS with litdesk's coding as notes (Zotero, EndNote, litdesk)"),
    "csv": Format("csv_table", "write_csv", ".csv", "Evidence table, one row per record (CSV)"),
    "xlsx": Format("xlsx_table", "write_xlsx", ".xlsx",
                   "Evidence table, one row per record (Excel workbook)"),
    "segments-csv": Format("segments_csv", "write_segments_csv", ".segments.csv",
                           "Coded segments, one row per span (CSV)"),
    "qdpx": Format("qdpx", "write_qdpx", ".qdpx",
                   "REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder)"),
    "json": Format("json_export", "write_json", ".json",
                   "Records with their spans and memos (JSON)"),
    "bibtex": Format("bibtex", "write_bibtex", ".bib", "BibTeX for LaTeX, JabRef, Zotero (.bib)"),
}

#: Formats whose file is a zip archive: written in one piece, never streamed to a pipe.
ARCHIVES: Final[frozenset[str]] = frozenset({"xlsx", "qdpx"})
#: Formats that carry the library's PRISMA counts (`PrismaCounts`) besides the records.
WITH_COUNTS: Final[frozenset[str]] = frozenset({"xlsx"})
#: The format of standard output, a device or a pipe when none is given.
STREAM_FORMAT: Final[str] = "ris"
