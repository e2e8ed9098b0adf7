"""File > Import and dropped files: importing into the holder's library off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from litdesk.core.readers.file_types import FILE_TYPES
from litdesk.ui.controllers.shared import Messages
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.tasks import workers
from litdesk.ui.tasks.jobs import JobRunner
from litdesk.ui.views.dialogs import ImportSummaryDialog, summary_text


class ImportActions(QObject):
    """Imports files one job at a time, then shows what each file brought."""

    imported = Signal(object)  # list[FileSummary], as the job ends (the table re-reads)
    finished = Signal(object)  # the same, once their summary is shown

    def __init__(self, holder: LibraryHolder, settings: QSettings, jobs: JobRunner,
                 messages: Messages, parent: QWidget):
        super().__init__(parent)
        self.holder, self.settings, self.jobs = holder, settings, jobs
        self.messages = messages
        self._parent = parent  # for its dialogs
        self.apply_on_import = bool(settings.value("coding/apply_on_import", False, type=bool))

    def toggle_apply_on_import(self) -> None:
        self.apply_on_import = not self.apply_on_import
        self.settings.setValue("coding/apply_on_import", self.apply_on_import)

    def import_dialog(self) -> None:
        start = self.settings.value("import/folder", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(
            self._parent, "Import Records", str(start),
            ";;".join(f"{name} ({patterns})" for name, patterns in FILE_TYPES))
        if paths:
            self.settings.setValue("import/folder", str(Path(paths[0]).parent))
            self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> bool:
        if self.jobs.busy:
            self.messages.say("An import or export is already running.", 5000)
            return False
        library = self.holder.library
        if library.read_only:
            self.messages.say("This library is read-only: nothing can be imported.", 5000)
            return False
        worker = workers.ImportWorker(library, paths, apply_suggestions=self.apply_on_import)
        return self.jobs.run(worker, "Importing…", self._done)

    def _done(self, summaries: object) -> None:
        assert isinstance(summaries, list)
        self.imported.emit(summaries)
        self.messages.say(summary_text(summaries).splitlines()[0], 8000)
        dialog = ImportSummaryDialog(summaries, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.finished.emit(summaries)
