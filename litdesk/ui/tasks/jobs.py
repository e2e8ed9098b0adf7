"""Runs one background job at a time behind a cancellable, window-modal progress dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from litdesk.ui.tasks import workers


class JobRunner(QObject):
    """Starts workers, shows their progress, routes their result; the window stays live."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        self.job: workers.Worker | None = None
        self._progress: QProgressDialog | None = None

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
        worker.finished.connect(self._finished)
        worker.finished.connect(done)
        workers.start(worker, self)
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_progress(self, message: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        self._progress.setLabelText(message)
        if total > 0:
            self._progress.setMaximum(1000)
            self._progress.setValue(min(1000, int(1000 * done / total)))

    def _failed(self, message: str) -> None:
        self._finished(None)
        QMessageBox.critical(self._window, "litdesk", message)

    def _finished(self, _result: object) -> None:
        self.job = None
        if self._progress is not None:
            # reset() stops the timer that shows the dialog after its minimum duration: a job
            # failing sooner would otherwise get it shown over its error message.
            self._progress.reset()
            self._progress.hide()
            self._progress.deleteLater()
            self._progress = None
