"""File > New, Open, Open Team and Open Recent: choosing the library the window works on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from litdesk.store.errors import LibraryError
from litdesk.store.location import Location
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.opening import open_library

LIBRARY_FILTER = "litdesk libraries (*.sqlite *.litdesk);;All files (*)"


class LibraryActions(QObject):
    """Opens libraries into the holder (everyone follows it) and keeps the recent list."""

    def __init__(self, holder: LibraryHolder, settings: QSettings, parent: QWidget):
        super().__init__(parent)
        self.holder, self.settings = holder, settings
        self._parent = parent  # for its dialogs
        self.recent_menu = QMenu("Open &Recent", parent)
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        holder.libraryChanged.connect(lambda library: self.remember(library.path))

    def open_path(self, path: str, create: bool = False) -> bool:
        """Open a library file, or a team library's ``postgresql://`` address.

        ``create``: make a new library file there (New Library); else a path where there is
        none (a recent library since deleted) is refused, and nothing is created.
        """
        try:
            location = Location.parse(path)
            # on a server, the coder is the login
            coder = None if location.is_server else str(
                self.settings.value("coder") or self.holder.library.coder)
            lib = open_library(self._parent, location, coder, create=create)
        except LibraryError as e:
            QMessageBox.warning(self._parent, "Cannot open library", str(e))
            return False
        if lib is None:
            return False
        self.holder.replace(lib)
        return True

    def open_team_dialog(self) -> None:
        from litdesk.ui.views.team_dialog import TeamLibraryDialog

        dialog = TeamLibraryDialog(self._parent)
        if dialog.exec() == TeamLibraryDialog.DialogCode.Accepted:
            self.open_path(dialog.url())

    def new_library(self) -> None:
        start = self.holder.library.location.folder / "new-library.litdesk.sqlite"
        path, _ = QFileDialog.getSaveFileName(self._parent, "New library", str(start),
                                              LIBRARY_FILTER)
        if path:
            if Path(path).exists():
                Path(path).unlink()  # the save dialog already asked to overwrite it
            self.open_path(path, create=True)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._parent, "Open library", str(self.holder.library.location.folder),
            LIBRARY_FILTER)
        if path:
            self.open_path(path)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent():
            self.recent_menu.addAction(path).triggered.connect(
                lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(self.recent()))

    def recent(self) -> list[str]:
        value = self.settings.value("library/recent", [])
        items = [value] if isinstance(value, str) else (
            [str(v) for v in value] if isinstance(value, list) else [])
        return [p for p in items if p and p != str(self.holder.library.path)]

    def remember(self, path: Path) -> None:
        self.settings.setValue("library/last", str(path))
        recent = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.settings.setValue("library/recent", recent[:8])
