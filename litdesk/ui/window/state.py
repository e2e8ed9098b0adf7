"""What the window keeps between runs in the settings: its layout, and each library's current
record."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litdesk.ui.window.main_window import MainWindow


def restore_layout(window: MainWindow) -> None:
    """The window's size and place and the split between table and pane, as last closed."""
    for key, restore in (("window/geometry", window.restoreGeometry),
                         ("window/splitter", window.splitter.restoreState)):
        value = window.settings.value(key)
        if value is not None:
            restore(value)


def restore_current(window: MainWindow) -> None:
    """The record that was current when this library was last closed, current again."""
    last = window.settings.value(f"library/{window.library.path}/current")
    if last is not None and str(last).isdigit():
        window.select_record(int(str(last)))


def save(window: MainWindow) -> None:
    """The window closes: its layout, and its library's current record and place in the
    recent list (none when it closes before its first library opened)."""
    settings = window.settings
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/splitter", window.splitter.saveState())
    settings.setValue("window/header", window.table.horizontalHeader().saveState())
    if window.holder.is_open:
        current = window.current_record_id()
        if current is not None:
            settings.setValue(f"library/{window.library.path}/current", current)
        window.libraries.remember(window.library.path)
