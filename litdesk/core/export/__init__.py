"""Export writers (one module per format) and the safe way to run one into a file.

Every writer has the shape ``write_<fmt>(records, out, *, progress=None, cancelled=None) ->
int``: it streams ``records`` one at a time into the binary stream ``out`` and returns how many
it wrote. :func:`export_to_path` runs one into its destination the safe way (see
:mod:`litdesk.core.export.destination`): a file through a temporary file moved into place only
when it succeeded, a pipe or device written through, a library's own files refused.
A writer's module is imported when it first writes (lxml, openpyxl and rispy cost start-up).
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, Final, Protocol

from litdesk.core.export.destination import (
    STALE_PART_SECONDS,
    STDOUT,
    Refuse,
    check_destination,
    remove_stale_parts,
    write_to,
    writes_through,
)
from litdesk.core.export.formats import ARCHIVES, FORMAT_TABLE, STREAM_FORMAT, WITH_COUNTS
from litdesk.core.export.json_export import record_to_json
from litdesk.core.export.prisma import PrismaCounts, write_counts_csv
from litdesk.core.export.streaming import Cancelled, ExportCancelled, ExportError, Progress
from litdesk.core.export.table import SEGMENT_COLUMNS, TABLE_COLUMNS
from litdesk.core.model import Record

if TYPE_CHECKING:
    from litdesk.core.export.bibtex import write_bibtex
    from litdesk.core.export.csv_table import write_csv
    from litdesk.core.export.json_export import write_json
    from litdesk.core.export.qdpx import write_qdpx
    from litdesk.core.export.ris import write_ris
    from litdesk.core.export.segments_csv import write_segments_csv
    from litdesk.core.export.xlsx_table import write_xlsx


class Writer(Protocol):
    """The call shape shared by all export writers."""

    def __call__(
        self,
        records: Iterable[Record],
        out: IO[bytes],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> int: ...


#: Each writer's module, by the writer's name.
_WRITER_MODULES: Final = {f.writer: f.module for f in FORMAT_TABLE.values()}


def _writer(name: str) -> Writer:
    """The writer ``name`` (one of `_WRITER_MODULES`), its module imported now."""
    module = importlib.import_module(f"litdesk.core.export.{_WRITER_MODULES[name]}")
    found: Writer = getattr(module, name)
    return found


def _lazy(name: str) -> Writer:
    """A writer that imports its module on its first call."""
    def write(records: Iterable[Record], out: IO[bytes], **options: Any) -> int:
        return _writer(name)(records, out, **options)

    write.__name__ = write.__qualname__ = name
    return write


def __getattr__(name: str) -> Any:
    if name in _WRITER_MODULES:
        return _writer(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Format name -> (writer, default file suffix, description for people).
FORMATS: Final[dict[str, tuple[Writer, str, str]]] = {
    name: (_lazy(f.writer), f.suffix, f.description) for name, f in FORMAT_TABLE.items()
}


def export_to_path(
    fmt: str,
    records: Iterable[Record],
    path: str | os.PathLike[str],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    refuse: Refuse | None = None,
    counts: PrismaCounts | None = None,
) -> int:
    """Export ``records`` in format ``fmt`` (a :data:`FORMATS` key) to ``path``; the count.

    ``path`` is written as :func:`~litdesk.core.export.destination.write_to` says: a file
    atomically, standard output (``"-"``), a device or a pipe through; ``refuse`` names what
    must never be written (a library's files: pass ``Library.own_file``). Raises
    :class:`ExportError` (message names the path) when it is refused or cannot be written,
    :class:`ExportCancelled` when ``cancelled()`` turned true, ``ValueError`` for an unknown
    format. In all those cases no temporary file is left and an existing file is untouched.
    ``counts`` go into the formats of :data:`WITH_COUNTS` (the others have no place for them).
    """
    try:
        writer = FORMATS[fmt][0]
    except KeyError:
        raise ValueError(
            f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}"
        ) from None
    if counts is not None and fmt in WITH_COUNTS:
        xlsx: Any = _writer("write_xlsx")  # its counts are beyond the Writer protocol
        writer = functools.partial(xlsx, counts=counts)
    return write_to(
        path, lambda out: writer(records, out, progress=progress, cancelled=cancelled),
        refuse=refuse, archive=fmt in ARCHIVES, cancelled=cancelled)


def format_for(destination: str, given: str | None = None) -> tuple[str, str]:
    """The format to write ``destination`` in, and a warning for the user ("" for none).

    ``given`` (the user's ``--format``) wins; the warning says so when the name's extension
    means another format. Without it, the extension decides (the longest suffix of
    :data:`FORMATS` the name ends with, any case); standard output, a device or a pipe gets
    :data:`STREAM_FORMAT`. Raises :class:`ExportError` listing the formats for a name whose
    extension is none of theirs, ``ValueError`` for an unknown ``given``.
    """
    named = format_of_name(destination)
    if given is not None:
        if given not in FORMATS:
            raise ValueError(f"unknown export format {given!r}; use one of {', '.join(FORMATS)}")
        # A file of the format's kind (".csv" for segments too) is no contradiction.
        fits = destination.lower().endswith("." + FORMATS[given][1].rsplit(".", 1)[-1])
        if named is None or named == given or fits:
            return given, ""
        return given, (f"{destination} is named like a {named} file, but is written as "
                       f"{given} as --format says")
    if named is not None:
        return named, ""
    if writes_through(destination):
        return STREAM_FORMAT, ""
    suffixes = ", ".join(suffix for _w, suffix, _d in FORMATS.values())
    raise ExportError(f"Cannot tell the export format from the name {destination}: end it "
                      f"with {suffixes}, or give --format ({', '.join(FORMATS)}).")


def format_of_name(name: str) -> str | None:
    """The format whose :data:`FORMATS` suffix ``name`` ends with (the longest), or None."""
    lower = name.lower()
    found = [(len(suffix), fmt) for fmt, (_w, suffix, _d) in FORMATS.items()
             if lower.endswith(suffix) and len(lower) > len(suffix)]
    return max(found)[1] if found else None


__all__ = [
    "ARCHIVES",
    "FORMATS",
    "STALE_PART_SECONDS",
    "STDOUT",
    "STREAM_FORMAT",
    "WITH_COUNTS",
    "SEGMENT_COLUMNS",
    "TABLE_COLUMNS",
    "ExportCancelled",
    "ExportError",
    "PrismaCounts",
    "Writer",
    "check_destination",
    "export_to_path",
    "format_for",
    "format_of_name",
    "record_to_json",
    "remove_stale_parts",
    "write_bibtex",
    "write_counts_csv",
    "write_csv",
    "write_json",
    "write_qdpx",
    "write_ris",
    "write_segments_csv",
    "write_to",
    "write_xlsx",
    "writes_through",
]
