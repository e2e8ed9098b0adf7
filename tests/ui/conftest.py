"""GUI fixtures: a real main window on a real library file."""

from __future__ import annotations

import pytest


@pytest.fixture
def window(qtbot, library, settings):
    from litdesk.ui.main_window import MainWindow

    win = MainWindow(library, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # window shortcuts (Ctrl+Z, J/K...) only fire in the active window
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    if win.busy:
        win.jobs.cancel()
        qtbot.waitUntil(lambda: not win.busy, timeout=10_000)


@pytest.fixture
def close_summaries():
    """A function closing every import summary dialog that is open (they are window-modal)."""
    from PySide6.QtWidgets import QApplication

    def close() -> None:
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "importSummary" and w.isVisible():
                w.close()

    return close
