"""Coding > Inter-coder Agreement and Reconcile This Record: comparing coders."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from litdesk.ui.controllers.shared import Messages, Records
from litdesk.ui.holder import LibraryHolder


class CodersActions(QObject):
    """Opens the agreement table and the side-by-side reconciliation of two coders."""

    recordChanged = Signal(int)  # a reconciliation saved this record's consensus

    def __init__(self, holder: LibraryHolder, messages: Messages, records: Records,
                 parent: QWidget):
        super().__init__(parent)
        self.holder, self.messages, self.records = holder, messages, records
        self._parent = parent  # for its dialogs

    def show_agreement(self) -> None:
        from litdesk.ui.views.agreement_dialog import AgreementDialog

        dialog = AgreementDialog(self.holder.library, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def reconcile_current(self) -> None:
        """Open the side-by-side reconciliation of two coders on the current record."""
        from litdesk.ui.views.reconcile_dialog import ReconcileDialog

        library = self.holder.library
        rid = self.records.current()
        names = [c for c in library.coding.coders() if c != "consensus"]
        if rid is None or len(names) < 2:
            self.messages.say("Reconciling needs a record coded by two coders.", 5000)
            return
        me = library.coder if library.coder in names else names[0]
        other = next(c for c in names if c != me)
        dialog = ReconcileDialog(library, rid, me, other, self._parent)
        dialog.saved.connect(self.recordChanged)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
