"""Background work (imports, exports, reading duplicates) on worker threads: progress, cancel.

One idiom: a ``QObject`` worker moved to a ``QThread``; it reports through signals (queued
to the GUI thread) and never touches widgets. A cancel request is a flag the worker polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from litdesk.core.words import counted

if TYPE_CHECKING:
    from litdesk.store.library import Library

log = logging.getLogger("litdesk.jobs")


class Worker(QObject):
    progress = Signal(str, int, int)  # message, done, total (total 0: unknown)
    finished = Signal(object)  # the result
    failed = Signal(str)  # an unexpected error, already logged

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        """The job, on the worker's thread: emits ``finished`` or ``failed`` at its end."""
        raise NotImplementedError


class ImportWorker(Worker):
    """Imports files one after another; a broken file never stops the others."""

    def __init__(self, library: Library, paths: Sequence[str], allow_duplicates: bool = False,
                 apply_suggestions: bool = False):
        super().__init__()
        self._lib, self._paths, self._allow = library, list(paths), allow_duplicates
        self._apply = apply_suggestions

    @Slot()
    def run(self) -> None:
        summaries = []
        try:
            for i, path in enumerate(self._paths, start=1):
                if self.cancelled():
                    break
                name = path.rsplit("/", 1)[-1]
                label = f"Importing {name} (file {i} of {len(self._paths)})"
                self.progress.emit(label, 0, 0)

                def report(read: int, done: int, size: int, label: str = label) -> None:
                    self.progress.emit(f"{label}: {counted(read, 'record')} read", done, size)

                summary = self._lib.files.import_file(path, allow_duplicates=self._allow,
                                      progress=report, cancelled=self.cancelled)
                if self._apply and summary.batch_id is not None:
                    self.progress.emit(f"{label}: applying suggested sections", 0, 0)
                    self._lib.suggestions.apply(
                        self._lib.suggestions.batch_record_ids(summary.batch_id))
                summaries.append(summary)
                log.info("import into %s: %s", self._lib.path, summary.line())
                for line in summary.details():
                    log.info("  %s", line)
        except Exception as e:  # a bug or a broken library: report it, do not die silently
            log.exception("import failed")
            self.failed.emit(f"{type(e).__name__}: {e}")
        self.finished.emit(summaries)


class ExportWorker(Worker):
    def __init__(self, library: Library, fmt: str, ids: Sequence[int], path: str,
                 all_coders: bool = False):
        super().__init__()
        self._lib, self._fmt, self._ids, self._path = library, fmt, list(ids), path
        self._all_coders = all_coders

    @Slot()
    def run(self) -> None:
        from litdesk.core.export import ExportCancelled, ExportError

        total = len(self._ids)
        try:
            n = self._lib.files.export(
                self._fmt, self._ids, self._path, all_coders=self._all_coders,
                progress=lambda done: self.progress.emit(f"Exporting {done:,} of {total:,}",
                                                         done, total),
                cancelled=self.cancelled,
            )
            log.info("export from %s: %d records as %s to %s", self._lib.path, n, self._fmt,
                     self._path)
            self.finished.emit(n)
        except ExportCancelled:
            self.finished.emit(None)
        except ExportError as e:
            log.warning("export failed: %s", e)
            self.failed.emit(str(e))
        except Exception as e:
            log.exception("export failed")
            self.failed.emit(f"{type(e).__name__}: {e}")


class PairsWorker(Worker):
    """Reads the pending pairs off the GUI thread."""

    def __init__(self, library: Library):
        super().__init__()
        self._lib = library

    @Slot()
    def run(self) -> None:
        try:
            self.finished.emit(self._lib.duplicates.pairs())
        except Exception as e:  # a broken library: say so in the dialog
            logging.getLogger("litdesk.duplicates").exception("reading possible duplicates failed")
            self.failed.emit(f"{type(e).__name__}: {e}")


def start(worker: Worker, parent: QObject | None) -> QThread:
    """Run ``worker.run`` on a new thread that quits and cleans up when the worker finishes."""
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    thread.finished.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    # Keep Python references until the thread is done: without them the worker could be
    # garbage-collected while its thread still runs.
    _running.add((thread, worker))
    thread.finished.connect(lambda: _running.discard((thread, worker)))
    thread.start()
    return thread


_running: set[tuple[QThread, Worker]] = set()


def stop_all(wait_ms: int = 30_000) -> bool:
    """Cancel every worker still running and wait for its thread: the app is ending, and a
    QThread destroyed while it runs aborts the process (a dialog's reading of duplicate pairs,
    say, that no window waits for). False if one did not end within ``wait_ms``."""
    ended = True
    for thread, worker in list(_running):
        try:
            worker.cancel()
            thread.quit()  # its own quit is queued to the GUI thread, which is about to block
            ended = thread.wait(wait_ms) and ended
        except RuntimeError:  # deleted already: it has finished
            continue
        _running.discard((thread, worker))
    if not ended:
        log.error("a background thread did not end within %d ms of the app quitting", wait_ms)
    return ended
