"""Export writers (one module per format) and the safe way to run one into a file.

Every writer has the shape ``write_<fmt>(records, out, *, progress=None, cancelled=None) ->
int``: it streams ``records`` one at a time into the binary stream ``out`` and returns how many
it wrote. :func:`export_to_path` runs one into a temporary file beside the target and moves
it into place only when it succeeded, so a failed or cancelled export never leaves a partial
file nor harms the previous one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from glob import escape as glob_escape
from pathlib import Path
from typing import IO, Final, Protocol

from litdesk.core.export.bibtex import write_bibtex
from litdesk.core.export.csv_table import write_csv
from litdesk.core.export.json_export import record_to_json, write_json
from litdesk.core.export.qdpx import write_qdpx
from litdesk.core.export.ris import write_ris
from litdesk.core.export.segments_csv import write_segments_csv
from litdesk.core.export.streaming import Cancelled, ExportCancelled, ExportError, Progress
from litdesk.core.export.table import SEGMENT_COLUMNS, TABLE_COLUMNS
from litdesk.core.export.xlsx_table import write_xlsx
from litdesk.core.model import Record


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


#: Format name -> (writer, default file suffix, description for people).
FORMATS: Final[dict[str, tuple[Writer, str, str]]] = {
    "ris": (write_ris, ".ris", "RIS with litdesk's coding as notes (Zotero, EndNote, litdesk)"),
    "csv": (write_csv, ".csv", "Evidence table, one row per record (CSV)"),
    "xlsx": (write_xlsx, ".xlsx", "Evidence table, one row per record (Excel workbook)"),
    "segments-csv": (write_segments_csv, ".csv", "Coded segments, one row per span (CSV)"),
    "qdpx": (write_qdpx, ".qdpx", "REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder)"),
    "json": (write_json, ".json", "Records with their spans and memos (JSON)"),
    "bibtex": (write_bibtex, ".bib", "BibTeX for LaTeX, JabRef, Zotero (.bib)"),
}

_REASONS: Final[dict[int, str]] = {
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "the folder does not exist",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EISDIR: "it is a folder",
}


def export_to_path(
    fmt: str,
    records: Iterable[Record],
    path: str | os.PathLike[str],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Export ``records`` in format ``fmt`` (a :data:`FORMATS` key) to ``path``; the count.

    Raises :class:`ExportError` (message names the path) when the file cannot be written,
    :class:`ExportCancelled` when ``cancelled()`` turned true, ``ValueError`` for an unknown
    format. In all those cases no temporary file is left and an existing ``path`` is untouched.
    """
    try:
        writer = FORMATS[fmt][0]
    except KeyError:
        raise ValueError(
            f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}"
        ) from None
    target = Path(path)
    _remove_stale_parts(target)
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise _error(target, exc) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            count = writer(records, out, progress=progress, cancelled=cancelled)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _error(target, exc) from exc
        raise
    return count


#: A ``.part`` file older than this was left by an export that was killed (a crash, SIGKILL).
STALE_PART_SECONDS = 600


def _remove_stale_parts(target: Path) -> None:
    """Remove temporary files that killed exports to ``target`` left behind."""
    import time

    now = time.time()
    try:
        for part in target.parent.glob(f".{glob_escape(target.name)}.*.part"):
            with contextlib.suppress(OSError):
                if now - part.stat().st_mtime > STALE_PART_SECONDS:
                    part.unlink()
    except OSError:
        pass  # an unreadable folder: the export itself will say what is wrong


def _error(target: Path, exc: OSError) -> ExportError:
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    hint = ""
    if isinstance(exc, PermissionError) and target.exists():
        hint = " (is the file open in another program?)"
    return ExportError(f"Could not export to {target}: {reason}{hint}.")


def _mode_for(target: Path) -> int:
    """Permissions for the new file: the old file's, else what the umask allows."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # reading it this way does not change it (os.umask would, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


__all__ = [
    "FORMATS",
    "SEGMENT_COLUMNS",
    "TABLE_COLUMNS",
    "ExportCancelled",
    "ExportError",
    "Writer",
    "export_to_path",
    "record_to_json",
    "write_bibtex",
    "write_csv",
    "write_json",
    "write_qdpx",
    "write_ris",
    "write_segments_csv",
    "write_xlsx",
]
