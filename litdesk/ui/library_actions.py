"""File > New, Open, Open Team and Open Recent: choosing the library the window works on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from litdesk.store.library import Library, LibraryError
from litdesk.store.location import Location

if TYPE_CHECKING:
    from litdesk.ui.main_window import MainWindow

LIBRARY_FILTER = "litdesk libraries (*.sqlite *.litdesk);;All files (*)"


class LibraryActions(QObject):
    """Opens libraries for the window (which switches to them) and keeps the recent list."""

    def __init__(self, win: MainWindow):
        super().__init__(win)
        self.win = win

    def open_path(self, path: str, create: bool = False) -> bool:
        """Open a library file, or a team library's ``postgresql://`` address.

        ``create``: make a new library file there (New Library); else a path where there is
        none (a recent library since deleted) is refused, and nothing is created.
        """
        from litdesk.ui.team_dialog import open_team_library

        try:
            location = Location.parse(path)
            if location.is_server:  # on a server, the coder is the login
                lib = open_team_library(self.win, location, None)
                if lib is None:
                    return False
            else:
                coder = self.win.settings.value("coder") or self.win.library.coder
                lib = Library.open(location, coder=str(coder), create=create)
        except LibraryError as e:
            QMessageBox.warning(self.win, "Cannot open library", str(e))
            return False
        self.win.switch_library(lib)
        return True

    def open_team_dialog(self) -> None:
        from litdesk.ui.team_dialog import TeamLibraryDialog

        dialog = TeamLibraryDialog(self.win)
        if dialog.exec() == TeamLibraryDialog.DialogCode.Accepted:
            self.open_path(dialog.url())

    def new_library(self) -> None:
        start = self.win.library.location.folder / "new-library.litdesk.sqlite"
        path, _ = QFileDialog.getSaveFileName(self.win, "New library", str(start),
                                              LIBRARY_FILTER)
        if path:
            if Path(path).exists():
                Path(path).unlink()  # the save dialog already asked to overwrite it
            self.open_path(path, create=True)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.win, "Open library", str(self.win.library.location.folder), LIBRARY_FILTER)
        if path:
            self.open_path(path)

    def fill_recent_menu(self) -> None:
        self.win.recent_menu.clear()
        for path in self.recent():
            self.win.recent_menu.addAction(path).triggered.connect(
                lambda _=False, p=path: self.open_path(p))
        self.win.recent_menu.setEnabled(bool(self.recent()))

    def recent(self) -> list[str]:
        value = self.win.settings.value("library/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if p and p != str(self.win.library.path)]

    def remember(self, path: Path) -> None:
        self.win.settings.setValue("library/last", str(path))
        recent = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.win.settings.setValue("library/recent", recent[:8])
