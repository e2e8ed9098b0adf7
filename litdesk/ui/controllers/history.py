"""Undoing mistakes on the library: delete records, remove an import, restore a backup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMessageBox, QWidget

from litdesk.core.words import counted
from litdesk.store.errors import BackupError, LibraryError
from litdesk.ui.controllers.shared import Messages, Records, UndoSteps
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.opening import offer_backup, restore_and_open
from litdesk.ui.views.choosers import list_dialog

if TYPE_CHECKING:
    from litdesk.store.library import Library, Snapshot


class RemoveRecordsCommand(QUndoCommand):
    """Deleted records (or a whole import); undo puts them back with every coder's coding.

    Pushed once the removal is saved (like the coding's commands), so a removal the library
    refuses never reaches the stack; an undo or redo it refuses leaves ``applied`` as it was
    and is stepped back by the coding controller, never raised out of the stack.
    """

    def __init__(self, holder: LibraryHolder, steps: UndoSteps, text: str,
                 remove: Callable[[], Snapshot], snapshot: Snapshot,
                 on_change: Callable[[], None]):
        super().__init__(text)
        self._holder, self._steps = holder, steps
        self._remove, self._on_change = remove, on_change
        self._snapshot = snapshot
        self.applied = True

    def redo(self) -> None:
        if self.applied:
            return
        try:
            self._snapshot = self._remove()
        except (LibraryError, KeyError) as e:
            self._steps.step_refused(False, self.text(), _why(e))
            return
        self.applied = True
        self._on_change()

    def undo(self) -> None:
        if not self.applied:
            return
        try:
            self._holder.library.restore_records(self._snapshot)
        except LibraryError as e:
            self._steps.step_refused(True, self.text(), str(e))
            return
        self.applied = False
        self._on_change()


def _why(e: Exception) -> str:
    return "the import is no longer in the library" if isinstance(e, KeyError) else str(e)


class LibraryHistory(QObject):
    """Delete Records, Undo Import and Restore Backup, on the holder's library."""

    #: records were removed or put back (the table counts and queries again)
    recordsChanged = Signal()
    aboutToRemove = Signal()  # records are about to be removed (delete, undo an import)

    def __init__(self, holder: LibraryHolder, undo_stack: UndoSteps, messages: Messages,
                 records: Records, parent: QWidget):
        super().__init__(parent)
        self.holder, self.undo_stack, self.messages = holder, undo_stack, messages
        self.records = records
        self._parent = parent  # for its dialogs

    def delete_selected(self) -> None:
        ids = self.records.selected()
        if not ids:
            self.messages.say("Select the records to delete first.", 5000)
            return
        noun = "record" if len(ids) == 1 else counted(len(ids), "record")
        lib = self.holder.library
        if self._remove(f"Delete {noun}", lambda: lib.delete_records(ids)):
            self.messages.say(f"Deleted {noun}. Ctrl+Z brings them back.", 8000)

    def undo_import_dialog(self) -> None:
        lib = self.holder.library
        batches = [b for b in lib.batches() if b.records]
        rows = [(b.id, (Path(b.source).name, _when(b.imported_at), f"{b.records:,}", b.coder))
                for b in reversed(batches)]
        chosen = list_dialog(self._parent, "Undo import",
                             "Remove every record an import brought in, with their coding. "
                             "Edit > Undo puts them back.",
                             ("File", "Imported", "Records", "By"), rows, "Remove Import")
        if chosen is None:
            return
        batch = next(b for b in batches if b.id == chosen)
        answer = QMessageBox.question(
            self._parent, "Undo import",
            f"Remove the {counted(batch.records, 'record')} imported from "
            f"{Path(batch.source).name} on {_when(batch.imported_at)}, with all their coding?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._remove(f"Undo import of {Path(batch.source).name}",
                     lambda: lib.remove_batch(batch.id))

    def restore_backup_dialog(self) -> None:
        from litdesk.store.library import list_backups

        library = self.holder.library
        if library.location.is_server:
            QMessageBox.information(
                self._parent, "Restore backup",
                "A team library on a server is backed up and restored with the server's tools "
                "(pg_dump and pg_restore): see the user guide.")
            return
        path = library.path
        backups = list_backups(path)
        rows = [(str(b.path), (b.created.strftime("%Y-%m-%d %H:%M"),
                               "unreadable" if b.records is None else f"{b.records:,}",
                               b.path.name)) for b in backups]  # newest first
        chosen = list_dialog(self._parent, "Restore backup",
                             f"Backups of {path.name} (newest first). The library as it is now "
                             "is backed up before it is replaced.",
                             ("Made", "Records", "File"), rows, "Restore")
        if chosen is not None:
            self._restore(str(chosen))

    def offer_backup(self) -> None:
        """The integrity check found the library damaged: offer its newest backup."""
        damage = self.holder.library.damage
        backup = getattr(damage, "backup", None)  # a DamagedLibrary names its newest backup
        if damage is not None and backup is not None and offer_backup(
                self._parent, damage, backup):
            self._restore(str(backup))

    def _restore(self, chosen: str) -> None:
        library = self.holder.library
        location, coder = library.location, library.coder

        def restored() -> Library:
            from litdesk.store.library import Library

            try:
                return restore_and_open(location, chosen, coder)
            except BackupError as e:  # the file stays as it was: open it again
                QMessageBox.warning(self._parent, "Restore failed", str(e))
                return Library.open(location, coder=coder, create=False)

        try:
            self.holder.reopen(restored)
        except LibraryError as e:
            QMessageBox.critical(self._parent, "Cannot open the library", str(e))
            return
        self.messages.say(f"Restored the backup {Path(str(chosen)).name}.", 8000)

    def _remove(self, text: str, remove: Callable[[], Snapshot]) -> bool:
        """Remove records; only once that is saved does it go on the undo stack."""
        self.aboutToRemove.emit()  # a memo still being typed is saved first, so undo has it
        try:
            snapshot = remove()
        except (LibraryError, KeyError) as e:
            QMessageBox.warning(self._parent, "Not changed", f"Not removed: {_why(e)}")
            return False
        self.undo_stack.push(RemoveRecordsCommand(
            self.holder, self.undo_stack, text, remove, snapshot, self.recordsChanged.emit))
        self.recordsChanged.emit()
        return True


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
