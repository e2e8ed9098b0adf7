"""Exporting a library's records: the one way the CLI and the app write an export."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING

from litdesk.store.coders import export_records

if TYPE_CHECKING:
    from litdesk.core.export import PrismaCounts
    from litdesk.core.export.prisma_diagram import PrismaFlow
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


def prisma_flow(lib: Library) -> PrismaFlow:
    """The library's PRISMA 2020 flow: records read per source file (named by file name, the
    imports of one name summed), duplicates removed, and the screening decisions."""
    from litdesk.core.export.prisma_diagram import PrismaFlow
    from litdesk.core.screening import excluded_by_reason
    from litdesk.store.merging import counts, source_reads

    c = counts(lib)
    sources: dict[str, int] = {}
    for source, read in source_reads(lib):
        name = source.replace("\\", "/").rstrip("/").rpartition("/")[2] or source
        sources[name] = sources.get(name, 0) + read
    finals = lib.screening.finals()
    st = lib.screening.stats(everyone=True)
    reasons = excluded_by_reason((d.decision, d.reason) for d in finals.values() if d)
    return PrismaFlow(tuple(sources.items()), c.duplicates_in_files, c.duplicates_in_library,
                      c.merged, screened=st.screened + st.conflicts, excluded=st.excluded,
                      reasons=tuple((r, n) for r, n in reasons.items() if r),
                      included=st.included, maybe=st.maybe, conflicts=st.conflicts,
                      unscreened=st.unscreened, library=lib.path.name,
                      date=datetime.now().astimezone().date().isoformat())


def export_diagram(lib: Library, destination: str | os.PathLike[str],
                   render: Callable[[bytes], bytes] | None = None) -> int:
    """Write the library's PRISMA flow diagram to ``destination`` as SVG, or as what ``render``
    makes of the SVG (PNG from the app); the bytes written. Refused and raising as an export
    does (:class:`~litdesk.core.export.ExportError` naming the destination)."""
    from litdesk.core.export import write_to
    from litdesk.core.export.prisma_diagram import diagram_svg

    check_destination(lib, destination)  # before any drawing
    data = diagram_svg(prisma_flow(lib)).encode("utf-8")
    if render is not None:
        data = render(data)

    def write(out: IO[bytes]) -> int:
        out.write(data)
        return len(data)

    return write_to(destination, write, refuse=lib.own_file)
