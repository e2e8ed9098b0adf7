"""File > Export Selected and Export: choosing records, format and file, then a worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from litdesk.core.words import counted
from litdesk.ui.controllers.shared import Messages, Records
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.tasks import workers
from litdesk.ui.tasks.jobs import JobRunner
from litdesk.ui.views.dialogs import ExportDialog


class ExportActions(QObject):
    """Runs exports: one at a time (the window's one job runner), off the GUI thread."""

    finished = Signal(object)  # number written, or None when cancelled

    def __init__(self, holder: LibraryHolder, settings: QSettings, jobs: JobRunner,
                 messages: Messages, records: Records, parent: QWidget):
        super().__init__(parent)
        self.holder, self.settings, self.jobs = holder, settings, jobs
        self.messages, self.records = messages, records
        self._parent = parent  # for its dialogs
        self._path = ""

    def export_selected(self) -> None:
        ids = self.records.selected()
        if not ids:
            self.messages.say("Select the records to export first.", 5000)
            return
        self.ask_path(ids, "ris")

    def export_dialog(self) -> None:
        shown = self.records.shown()
        dialog = ExportDialog(len(self.records.selected()), len(shown),
                              self.holder.library.count(), self._parent)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        scope, fmt = dialog.chosen()
        ids = {"selected": self.records.selected, "shown": lambda: shown,
               "all": self.holder.library.search_ids}[scope]()
        self.ask_path(ids, fmt, dialog.all_coders.isChecked())

    def ask_path(self, ids: list[int], fmt: str, all_coders: bool = False) -> None:
        from litdesk.core.export import FORMATS

        _writer, suffix, description = FORMATS[fmt]
        folder = Path(str(self.settings.value("export/folder", str(Path.home()))))
        path, _ = QFileDialog.getSaveFileName(
            self._parent, f"Export {counted(len(ids), 'record')}",
            str(folder / f"litdesk-export{suffix}"),
            f"{description} (*{suffix});;All files (*)")
        if path:
            self.settings.setValue("export/folder", str(Path(path).parent))
            self.export_to(ids, fmt, path, all_coders)

    def export_to(self, ids: list[int], fmt: str, path: str, all_coders: bool = False) -> bool:
        if self.jobs.busy:
            self.messages.say("An import or export is already running.", 5000)
            return False
        self._path = path
        worker = workers.ExportWorker(self.holder.library, fmt, ids, path, all_coders)
        return self.jobs.run(worker, "Exporting…", self._done)

    def _done(self, n: object) -> None:
        from litdesk.core.export.streaming import left_out_note

        msg = ("Export cancelled." if not isinstance(n, int)
               else f"{counted(n, 'record')} exported to {self._path}{left_out_note(n)}")
        self.messages.say(msg, 8000)
        self.finished.emit(n)
