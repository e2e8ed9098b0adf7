"""File > Export Selected, Export and Export PRISMA Diagram: what, which format, which file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

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

    def _idle(self) -> bool:
        """Whether a job may start now; said before any dialog asks (not after a file is
        chosen)."""
        if self.jobs.busy:
            self.messages.say("An import or export is already running.", 5000)
        return not self.jobs.busy

    def export_selected(self) -> None:
        if not self._idle():
            return
        ids = self.records.selected()
        if not ids:
            self.messages.say("Select the records to export first.", 5000)
            return
        self.ask_path(ids, "ris")

    def export_dialog(self) -> None:
        if not self._idle():
            return
        shown = self.records.shown()
        dialog = ExportDialog(len(self.records.selected()), len(shown),
                              self.holder.library.count(), self._parent)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        scope, fmt = dialog.chosen()
        pick: dict[str, Callable[[], list[int]]] = {
            "selected": self.records.selected, "shown": lambda: shown,
            "all": self.holder.library.search_ids}
        ids = pick[scope]()
        if dialog.included_only.isChecked():
            ids = self.included(ids)
            if not ids:
                self.messages.say("None of those records is included (by its final screening "
                                  "decision): nothing to export.", 8000)
                return
        self.ask_path(ids, fmt, dialog.all_coders.isChecked())

    def included(self, ids: list[int]) -> list[int]:
        """Those of ``ids`` whose final screening decision is include, in their order."""
        from litdesk.core.screening import INCLUDE

        finals = self.holder.library.screening.finals()
        return [rid for rid in ids
                if (final := finals.get(rid)) is not None and final.decision == INCLUDE]

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
        if not self._idle():  # (a job may have started while the file dialog was open)
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

    def export_diagram(self) -> None:
        """File > Export PRISMA Diagram: ask for an SVG or PNG file and draw the flow into it."""
        folder = Path(str(self.settings.value("export/folder", str(Path.home()))))
        path, chosen = QFileDialog.getSaveFileName(
            self._parent, "Export PRISMA flow diagram", str(folder / "prisma-flow.svg"),
            f"{DIAGRAM_SVG};;{DIAGRAM_PNG}")
        if not path:
            return
        if not path.lower().endswith((".svg", ".png")):
            path += ".png" if chosen == DIAGRAM_PNG else ".svg"
        self.settings.setValue("export/folder", str(Path(path).parent))
        self.diagram_to(path)

    def diagram_to(self, path: str) -> bool:
        """Draw the library's PRISMA flow diagram into ``path`` (PNG if it ends in .png)."""
        from litdesk.core.export import ExportError
        from litdesk.ui.views.prisma_png import svg_to_png

        render = svg_to_png if path.lower().endswith(".png") else None
        try:
            self.holder.library.files.export_diagram(path, render)
        except (ExportError, ValueError) as e:
            QMessageBox.critical(self._parent, "PRISMA diagram not exported", str(e))
            return False
        self.messages.say(f"PRISMA flow diagram exported to {path}", 8000)
        return True


DIAGRAM_SVG = "SVG drawing, for a paper or an editor (*.svg)"
DIAGRAM_PNG = "PNG image, 300 dpi (*.png)"
