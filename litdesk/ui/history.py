"""Undoing mistakes on the library: delete records, remove an import, restore a backup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.words import counted
from litdesk.store.library import Library, LibraryError, Snapshot

if TYPE_CHECKING:
    from litdesk.ui.main_window import MainWindow


class RemoveRecordsCommand(QUndoCommand):
    """Deleted records (or a whole import); undo puts them back with every coder's coding.

    Pushed once the removal is saved (like the coding's commands), so a removal the library
    refuses never reaches the stack; an undo or redo it refuses leaves ``applied`` as it was
    and is stepped back by the coding controller, never raised out of the stack.
    """

    def __init__(self, win: MainWindow, text: str, remove: Callable[[], Snapshot],
                 snapshot: Snapshot, on_change: Callable[[], None]):
        super().__init__(text)
        self._win, self._remove, self._on_change = win, remove, on_change
        self._snapshot = snapshot
        self.applied = True

    def redo(self) -> None:
        if self.applied:
            return
        try:
            self._snapshot = self._remove()
        except (LibraryError, KeyError) as e:
            self._win.coding.step_refused(False, self.text(), _why(e))
            return
        self.applied = True
        self._on_change()

    def undo(self) -> None:
        if not self.applied:
            return
        try:
            self._win.library.restore_records(self._snapshot)
        except LibraryError as e:
            self._win.coding.step_refused(True, self.text(), str(e))
            return
        self.applied = False
        self._on_change()


def _why(e: Exception) -> str:
    return "the import is no longer in the library" if isinstance(e, KeyError) else str(e)


def _list_dialog(parent: QWidget, title: str, intro: str, headers: Sequence[str],
                 rows: Sequence[tuple[object, Sequence[str]]], ok_text: str) -> object | None:
    """A small chooser: one row per item; the chosen item's key, or None."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setObjectName(title.replace(" ", "_").lower())
    lay = QVBoxLayout(dialog)
    label = QLabel(intro)
    label.setWordWrap(True)
    lay.addWidget(label)
    tree = QTreeWidget()  # a handful of rows, static: a widget is simpler than a model
    tree.setRootIsDecorated(False)
    tree.setHeaderLabels(list(headers))
    for key, cells in rows:
        item = QTreeWidgetItem([str(c) for c in cells])
        item.setData(0, Qt.ItemDataRole.UserRole, key)
        tree.addTopLevelItem(item)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if rows:
        tree.setCurrentItem(tree.topLevelItem(0))
    lay.addWidget(tree)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setEnabled(bool(rows))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    tree.itemDoubleClicked.connect(lambda *_: dialog.accept())
    lay.addWidget(buttons)
    dialog.resize(720, 360)
    if dialog.exec() != QDialog.DialogCode.Accepted or tree.currentItem() is None:
        return None
    return tree.currentItem().data(0, Qt.ItemDataRole.UserRole)


class LibraryHistory(QObject):
    """The window's Delete Records, Undo Import and Restore Backup commands."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.win = window

    def _changed(self) -> None:
        self.win.records_changed()
        if self.win.pane.record is not None and self.win.current_record_id() is None:
            self.win.coding.show(None)

    def delete_selected(self) -> None:
        ids = self.win.selected_ids()
        if not ids:
            self.win.statusBar().showMessage("Select the records to delete first.", 5000)
            return
        noun = "record" if len(ids) == 1 else counted(len(ids), "record")
        lib = self.win.library
        if self._remove(f"Delete {noun}", lambda: lib.delete_records(ids)):
            self.win.statusBar().showMessage(f"Deleted {noun}. Ctrl+Z brings them back.", 8000)

    def undo_import_dialog(self) -> None:
        lib = self.win.library
        batches = [b for b in lib.batches() if b.records]
        rows = [(b.id, (Path(b.source).name, _when(b.imported_at), f"{b.records:,}", b.coder))
                for b in reversed(batches)]
        chosen = _list_dialog(self.win, "Undo import",
                              "Remove every record an import brought in, with their coding. "
                              "Edit > Undo puts them back.",
                              ("File", "Imported", "Records", "By"), rows, "Remove Import")
        if chosen is None:
            return
        batch = next(b for b in batches if b.id == chosen)
        answer = QMessageBox.question(
            self.win, "Undo import",
            f"Remove the {counted(batch.records, 'record')} imported from "
            f"{Path(batch.source).name} on {_when(batch.imported_at)}, with all their coding?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._remove(f"Undo import of {Path(batch.source).name}",
                     lambda: lib.remove_batch(batch.id))

    def restore_backup_dialog(self) -> None:
        from litdesk.store.library import list_backups

        path = self.win.library.path
        if self.win.library.location.is_server:
            QMessageBox.information(
                self.win, "Restore backup",
                "A team library on a server is backed up and restored with the server's tools "
                "(pg_dump and pg_restore): see the user guide.")
            return
        backups = list_backups(path)
        rows = [(str(b.path), (b.created.strftime("%Y-%m-%d %H:%M"),
                               "unreadable" if b.records is None else f"{b.records:,}",
                               b.path.name)) for b in backups]  # newest first
        chosen = _list_dialog(self.win, "Restore backup",
                              f"Backups of {path.name} (newest first). The library as it is now "
                              "is backed up before it is replaced.",
                              ("Made", "Records", "File"), rows, "Restore")
        if chosen is not None:
            self._restore(str(chosen))

    def offer_backup(self) -> None:
        """The integrity check found the library damaged: offer its newest backup."""
        damage = self.win.library.damage
        if damage is None or damage.backup is None:
            return
        answer = QMessageBox.question(
            self.win, "The library is damaged",
            f"{damage}\n\nRestore the newest backup ({damage.backup.name})? The damaged file "
            "is kept beside it.")
        if answer == QMessageBox.StandardButton.Yes:
            self._restore(str(damage.backup))

    def _restore(self, chosen: str) -> None:
        from litdesk.store.library import BackupError, restore_backup

        path, location = self.win.library.path, self.win.library.location
        coder = self.win.library.coder
        self.win.pane.flush_memo()
        self.win.library.close()
        try:
            restore_backup(path, str(chosen))
        except BackupError as e:
            QMessageBox.warning(self.win, "Restore failed", str(e))
        try:
            self.win.switch_library(Library.open(location, coder=coder, create=False))
        except LibraryError as e:
            QMessageBox.critical(self.win, "Cannot open the library", str(e))
            return
        self.win.statusBar().showMessage(f"Restored the backup {Path(str(chosen)).name}.", 8000)

    def _remove(self, text: str, remove: Callable[[], Snapshot]) -> bool:
        """Remove records; only once that is saved does it go on the undo stack."""
        try:
            snapshot = remove()
        except (LibraryError, KeyError) as e:
            QMessageBox.warning(self.win, "Not changed", f"Not removed: {_why(e)}")
            return False
        self.win.coding.undo_stack.push(
            RemoveRecordsCommand(self.win, text, remove, snapshot, self._changed))
        self._changed()
        return True


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
