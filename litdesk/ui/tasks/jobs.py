"""Runs one background job at a time behind a cancellable, window-modal progress dialog."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from litdesk.ui.tasks import workers

log = logging.getLogger("litdesk.jobs")


class JobRunner(QObject):
    """Starts workers, shows their progress, routes their result; the window stays live."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        self.job: workers.Worker | None = None
        self._thread: QThread | None = None
        self._progress: QProgressDialog | None = None
        self._done: Callable[[object], None] | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None

    def run(self, worker: workers.Worker, title: str, done: Callable[[object], None]) -> bool:
        if self.job is not None:
            return False
        self.job = worker
        progress = QProgressDialog(title, "Cancel", 0, 0, self._window)
        progress.setObjectName("jobProgress")
        progress.setWindowTitle("litdesk")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoReset(False)
        progress.setAutoClose(False)
        # A lambda, not the bound slot: the worker object lives in the busy worker thread, so a
        # connection to its slot would be queued there and run only after the job finished.
        progress.canceled.connect(lambda: worker.cancel())
        self._progress = progress
        worker.progress.connect(self._on_progress)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._ended)
        # ... and kept on the worker as it is sent (in its thread), for `stop` to tell whether
        # the job had ended before it was stopped.
        worker.finished.connect(lambda result: setattr(worker, "outcome", result),
                                Qt.ConnectionType.DirectConnection)
        self._done = done
        self._thread = workers.start(worker, self)
        return True

    def cancel(self) -> None:
        """Ask the job to stop (the Cancel button); it ends, and reports, on its own."""
        if self.job is not None:
            self.job.cancel()

    def stop(self, wait_ms: int = 60_000) -> object | None:
        """Cancel the job and wait for its thread (an import rolls back at its next chunk):
        the window closing, or the app told to quit, must not pull the library from under
        it, nor destroy a running thread (which aborts the process). The result of a job
        that had ended before it could be stopped (not yet delivered); else None."""
        thread, job = self._thread, self.job
        if job is None or thread is None:
            return None
        outcome = getattr(job, "outcome", None)  # it had ended already, result on its way
        job.cancel()
        # The thread's own quit is queued to this thread, which is about to block: quit it
        # from here; its event loop ends as soon as the job's run returns.
        thread.quit()
        ended = thread.wait(wait_ms)
        if not ended:
            log.error("a background job did not stop within %d ms of being cancelled", wait_ms)
        # Its result, queued to this thread, goes nowhere: the window closing or the library
        # it ran on being switched must not show a summary over what comes next.
        self._finished(None)
        return outcome

    def _on_progress(self, message: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        self._progress.setLabelText(message)
        if total > 0:
            self._progress.setMaximum(1000)
            self._progress.setValue(min(1000, int(1000 * done / total)))

    def _ended(self, result: object) -> None:
        if self.sender() is not self.job:  # a job stopped before it ended: said nowhere
            return
        done = self._done
        self._finished(result)
        if done is not None:
            done(result)

    def _failed(self, message: str) -> None:
        if self.sender() is not self.job:
            return
        self._finished(None)
        QMessageBox.critical(self._window, "litdesk", message)

    def _finished(self, _result: object) -> None:
        self.job = self._thread = self._done = None
        if self._progress is not None:
            # reset() stops the timer that shows the dialog after its minimum duration: a job
            # failing sooner would otherwise get it shown over its error message.
            self._progress.reset()
            self._progress.hide()
            self._progress.deleteLater()
            self._progress = None
