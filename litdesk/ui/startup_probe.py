"""Start-up timing for ``tests/benchmarks/bench_startup.py``; inert unless asked for.

With ``LITDESK_EXIT_AFTER_SHOWN=<epoch seconds when the process was spawned>`` in the
environment, the app prints ``litdesk-shown <seconds since then>`` once the main window has
painted for the first time (its library still opening), then ``litdesk-ready <seconds>``
once it has painted with its library open (the records in the table), and quits. A value
that is not a number measures from the moment this module was imported instead (less honest:
it misses the interpreter's and Qt's start). Install it before the window's first paint.
Without the paints within a minute it prints ``litdesk-not-shown`` and exits with status 3,
so a benchmark never waits forever.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from litdesk.ui.window.main_window import MainWindow

_IMPORTED = time.time()


class _Paints(QObject):
    def __init__(self, window: MainWindow, since: float):
        super().__init__(window)
        self._since, self._window = since, window
        self._said: list[str] = []
        self._waiting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        wanted = not self._said or self._window.holder.is_open
        if event.type() == QEvent.Type.Paint and wanted and not self._waiting:
            self._waiting = True
            # report after this paint has been delivered and flushed to the screen
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        self._waiting = False
        ready = self._window.holder.is_open
        word = "litdesk-ready" if self._said else "litdesk-shown"
        self._said.append(word)
        print(f"{word} {time.time() - self._since:.3f}", flush=True, file=sys.stdout)
        if ready and word == "litdesk-shown":  # open before its first paint: both at once
            print(f"litdesk-ready {time.time() - self._since:.3f}", flush=True)
        if ready:
            QApplication.exit(0)


def exit_after_shown(window: MainWindow, spawned_at: str) -> None:
    """Print the time to the window's first paint, then quit the app."""
    try:
        since = float(spawned_at)
    except ValueError:
        since = _IMPORTED
    window.installEventFilter(_Paints(window, since))
    QTimer.singleShot(60_000, window, _give_up)


def _give_up() -> None:
    print("litdesk-not-shown", flush=True)
    QApplication.exit(3)
