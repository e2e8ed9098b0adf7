"""What every export writer shares: its error types and the record loop with progress/cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from litdesk.core.model import Record

Progress = Callable[[int], None]
Cancelled = Callable[[], bool]


class Written(int):
    """A writer's count of records written, which also says how many it left out and why."""

    left_out: int
    reason: str

    def __new__(cls, count: int, left_out: int = 0, reason: str = "") -> Written:
        self = super().__new__(cls, count)
        self.left_out, self.reason = left_out, reason
        return self


def left_out_note(count: int) -> str:
    """What an export summary adds about records the writer left out ("" when none were)."""
    left_out = getattr(count, "left_out", 0)
    if not left_out:
        return ""
    what = "record" if left_out == 1 else "records"
    return f"; {left_out:,} {what} left out ({getattr(count, 'reason', '')})"


class ExportError(Exception):
    """The environment stopped an export (folder missing, permission, disk full): tell the user."""


class ExportCancelled(Exception):  # noqa: N818 (a cancellation is not an error)
    """The user cancelled an export; nothing was written."""


def each_record(
    records: Iterable[Record], progress: Progress | None, cancelled: Cancelled | None
) -> Iterator[Record]:
    """Yield ``records`` one at a time, reporting the count done and honouring cancellation.

    ``progress(n)`` is called once ``n`` records have been written (after the loop body for a
    record finishes); ``cancelled()`` is asked before each record and raises
    :class:`ExportCancelled` when it answers true.
    """
    for done, record in enumerate(records, start=1):
        if cancelled is not None and cancelled():
            raise ExportCancelled("export cancelled")
        yield record
        if progress is not None:
            progress(done)
