"""Learning the library's own section model in the background, after every 20 done abstracts.

`Learner` runs ``library.learning.learn`` on a thread of its own (the workers' idiom), so that
coding goes on meanwhile; it reports progress and the cross-validated result, and stops
(storing nothing) when the library is closed or switched.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from litdesk.store.errors import LibraryError
from litdesk.ui.tasks import workers
from litdesk.ui.tasks.background import SuggestionChecker

if TYPE_CHECKING:
    from litdesk.store.library import Library

log = logging.getLogger("litdesk.learning")


class _LearnWorker(workers.Worker):
    def __init__(self, library: Library, force: bool):
        super().__init__()
        self._lib, self._force = library, force
        self.ended = threading.Event()  # set when run returns, for `Learner.stop`

    @Slot()
    def run(self) -> None:
        try:
            if not self._force and not self._lib.learning.due():
                self.finished.emit(None)  # not yet 20 more done abstracts: nothing to do
                return
            report = self._lib.learning.learn(
                progress=lambda d, t: self.progress.emit("", d, t), cancelled=self.cancelled)
            log.info("learned the section model of %s: %s", self._lib.path, report.summary())
            self.finished.emit(report if report.model is not None else None)
        except (LibraryError, ValueError) as e:  # too little coding, read-only, server away
            self.failed.emit(str(e))
        except Exception as e:  # a bug: log it, say it, never take the window down
            log.exception("learning the section model failed")
            self.failed.emit(f"{type(e).__name__}: {e}")
        finally:
            self.ended.set()


class Learner(SuggestionChecker):
    """Learns one library's section model at a time, off the GUI thread (stopping and
    shutting down as the suggestion checker does, whose one-run-at-a-time idiom it shares)."""

    progressed = Signal(int, int)  # steps done, steps in all
    learned = Signal(object)  # the Report (emitted in the GUI thread)
    failed = Signal(str)  # why learning did not happen (when it was asked for)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._force = False

    def start(self, library: Library, *, force: bool = False) -> bool:  # type: ignore[override]
        """Learn ``library``'s model: when asked (``force``), else only if it is due."""
        if self._shut or self.running or library.read_only or library.damage is not None:
            return False
        worker = _LearnWorker(library, force)
        worker.progress.connect(lambda _m, done, total: self.progressed.emit(done, total))
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self._worker, self._force = worker, force  # type: ignore[assignment]
        self._thread = workers.start(worker, None)  # no parent: never destroyed while running
        return True

    def _finished(self, report: object) -> None:
        if self._worker is None:  # stopped already: the library may be closed
            return
        self._worker = self._thread = None
        if report is not None:
            self.learned.emit(report)

    def _failed(self, why: str) -> None:
        if self._worker is None:
            return
        self._worker = self._thread = None
        if self._force:  # the automatic learning keeps quiet about too little coding
            self.failed.emit(why)
