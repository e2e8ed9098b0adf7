"""Work the window does quietly after an import: finding which abstracts have suggestions.

An import leaves each new record's has-suggestions flag pending (see
``litdesk.store.suggestions``); `SuggestionChecker` works the flags out on a thread of its own,
a few hundred records per short transaction, so that the window, tagging and searching go on
meanwhile. It goes on while an import runs (its writes wait for the import's in the store's
write path; the records the import adds are checked by the same run or the next), and stops,
keeping what it has done, when the library is closed.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from litdesk.store.errors import LibraryError
from litdesk.ui.tasks import workers

if TYPE_CHECKING:
    from litdesk.store.library import Library

log = logging.getLogger("litdesk.background")


class _CheckWorker(workers.Worker):
    def __init__(self, library: Library):
        super().__init__()
        self._lib = self.library = library
        self.ended = threading.Event()  # set when run returns, for `SuggestionChecker.stop`

    @Slot()
    def run(self) -> None:
        try:
            self._check()
        finally:
            self.ended.set()

    def _check(self) -> None:
        try:
            total = self._lib.suggestions.pending_count()
            n = self._lib.suggestions.check_pending(
                cancelled=self.cancelled, progress=lambda done: self.progress.emit("", done, total))
        except LibraryError as e:  # locked by another process, the server away: try later
            log.warning("checking for suggested sections stopped: %s", e)
            n = 0
        except Exception:  # a bug: log it; the flags stay pending and are tried again later
            log.exception("checking for suggested sections failed")
            n = 0
        self.finished.emit(n)


class SuggestionChecker(QObject):
    """Runs `check_pending` for one library at a time in the background."""

    #: records checked so far, records pending when the check started
    progressed = Signal(int, int)
    #: how many records were checked (emitted in the GUI thread when the run ends)
    checked = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker: _CheckWorker | None = None
        self._thread: QThread | None = None
        self._shut = False
        self._again = False  # started again while it ran: run once more

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, library: Library) -> bool:
        """Start checking ``library``'s pending records, unless there are none or it runs
        (then it runs once more when it ends: it may have looked before they came)."""
        if self.running and self._worker is not None and self._worker.library is library:
            self._again = True
        if self._shut or self.running or library.read_only or library.damage is not None:
            return False
        try:
            if not library.suggestions.pending():
                return False
        except LibraryError:
            return False
        worker = _CheckWorker(library)
        worker.progress.connect(lambda _m, done, total: self.progressed.emit(done, total))
        worker.finished.connect(self._finished)
        self._worker = worker
        # No parent: the thread must never be destroyed with its window while it runs.
        self._thread = workers.start(worker, None)
        return True

    def stop(self) -> None:
        """Ask the check to stop and wait for it (at most one chunk of records)."""
        if self._worker is None or self._thread is None:
            return
        self._worker.cancel()
        self._worker.ended.wait()
        # The thread's own quit is queued to this (waiting) thread: quit it from here.
        self._thread.quit()
        self._thread.wait()
        self._worker = self._thread = None
        self._again = False

    def shut(self) -> None:
        """Stop, and start no more (the window is closing)."""
        self._shut = True
        self.stop()

    def _finished(self, n: object) -> None:
        if self._worker is None:  # stopped already: the library may be closed
            return
        library, again = self._worker.library, self._again
        self._worker = self._thread = None
        self._again = False
        self.checked.emit(int(n) if isinstance(n, int) else 0)
        if again:
            self.start(library)
