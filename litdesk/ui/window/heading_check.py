"""The window's side of the quiet heading check after an import (``SuggestionChecker``): its
progress in the status bar, and the table refreshed once the new records' status is known."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litdesk.core.words import counted

if TYPE_CHECKING:
    from litdesk.ui.window.main_window import MainWindow


def progressed(window: MainWindow, done: int, total: int) -> None:
    window.statusBar().showMessage(
        f"Looking for section headings: {min(done, total):,} of {total:,} new abstracts", 4000)


def checked(window: MainWindow, n: int) -> None:
    """New records' "Suggested" status is known now: show it, keeping the current record."""
    if not n:
        return
    window.statusBar().showMessage(
        f"Looked for section headings in {counted(n, 'new abstract')}; those with headings "
        "show as suggested.", 6000)
    current, chosen = window.current_record_id(), window.selected_ids()
    window.model.refresh()
    if window.table.reselect(current, chosen):
        window.coding.show(current)
