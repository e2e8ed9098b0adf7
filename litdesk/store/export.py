"""Exporting a library's records: the one way the CLI and the app write an export."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from litdesk.store.coders import export_records

if TYPE_CHECKING:
    from litdesk.core.export import PrismaCounts
    from litdesk.store.library import Library


def export_library(
    lib: Library,
    fmt: str,
    ids: Sequence[int],
    destination: str | os.PathLike[str],
    *,
    all_coders: bool = False,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Export the records ``ids`` of ``lib`` in format ``fmt`` to ``destination``; the count.

    The destination is written as :func:`litdesk.core.export.export_to_path` does, and is
    refused when it is one of the library's own files (:meth:`Library.own_file`). Raises
    :class:`~litdesk.core.export.ExportError` (refused or not writable, message naming it) and
    :class:`~litdesk.core.export.ExportCancelled`. A workbook (xlsx) also gets the library's
    PRISMA counts (:func:`prisma_counts`) on a sheet of their own.
    """
    from litdesk.core.export import WITH_COUNTS, export_to_path

    counts = prisma_counts(lib) if fmt in WITH_COUNTS else None
    return export_to_path(fmt, export_records(lib, ids, all_coders=all_coders), destination,
                          progress, cancelled, refuse=lib.own_file, counts=counts)


def prisma_counts(lib: Library) -> PrismaCounts:
    """The library's PRISMA counts (:func:`litdesk.store.merging.counts`), named and dated."""
    from litdesk.core.export import PrismaCounts
    from litdesk.store.merging import counts

    return PrismaCounts(counts(lib).as_json(), library=lib.path.name,
                        date=datetime.now().astimezone().date().isoformat())


def check_destination(lib: Library, destination: str | os.PathLike[str]) -> None:
    """Raise :class:`~litdesk.core.export.ExportError` if ``destination`` is one of the
    library's own files (:func:`export_library` asks too: this says it before anything else)."""
    from litdesk.core.export import check_destination as check

    check(destination, lib.own_file)
