"""Start-up timing for ``tests/benchmarks/bench_startup.py``; inert unless asked for.

With ``LITDESK_EXIT_AFTER_SHOWN=<epoch seconds when the process was spawned>`` in the
environment, the app prints ``litdesk-shown <seconds since then>`` once the main window has
painted for the first time, and quits. A value that is not a number measures from the moment
this module was imported instead (less honest: it misses the interpreter's and Qt's start).
Install it before showing the window. Without a paint within a minute it prints
``litdesk-not-shown`` and exits with status 3, so a benchmark never waits forever.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

_IMPORTED = time.time()


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, since: float):
        super().__init__(window)
        self._since = since
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            # report after this paint has been delivered and flushed to the screen
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"litdesk-shown {time.time() - self._since:.3f}", flush=True, file=sys.stdout)
        QApplication.exit(0)


def exit_after_shown(window: QWidget, spawned_at: str) -> None:
    """Print the time to the window's first paint, then quit the app."""
    try:
        since = float(spawned_at)
    except ValueError:
        since = _IMPORTED
    window.installEventFilter(_FirstPaint(window, since))
    QTimer.singleShot(60_000, window, _give_up)


def _give_up() -> None:
    print("litdesk-not-shown", flush=True)
    QApplication.exit(3)
