"""File > Export Selected, Export and Export PRISMA Diagram: what, which format, which file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from litdesk.core.words import counted
from litdesk.ui import workers
from litdesk.ui.dialogs import ExportDialog

if TYPE_CHECKING:
    from litdesk.ui.main_window import MainWindow


class ExportActions(QObject):
    """Runs exports for the window: one at a time, off the GUI thread, cancellable."""

    def __init__(self, win: MainWindow):
        super().__init__(win)
        self.win = win
        self._path = ""

    def export_selected(self) -> None:
        ids = self.win.selected_ids()
        if not ids:
            self.win.statusBar().showMessage("Select the records to export first.", 5000)
            return
        self.ask_path(ids, "ris")

    def export_dialog(self) -> None:
        dialog = ExportDialog(len(self.win.selected_ids()), self.win.model.rowCount(),
                              self.win.library.count(), self.win)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        scope, fmt = dialog.chosen()
        ids = {"selected": self.win.selected_ids(), "shown": self.win.model.ids,
               "all": self.win.library.search_ids()}[scope]
        if dialog.included_only.isChecked():
            ids = self.included(ids)
            if not ids:
                self.win.statusBar().showMessage(
                    "None of those records is included (by its final screening decision): "
                    "nothing to export.", 8000)
                return
        self.ask_path(ids, fmt, dialog.all_coders.isChecked())

    def included(self, ids: list[int]) -> list[int]:
        """Those of ``ids`` whose final screening decision is include, in their order."""
        from litdesk.core.screening import INCLUDE

        finals = self.win.library.screening.finals()
        return [rid for rid in ids
                if (final := finals.get(rid)) is not None and final.decision == INCLUDE]

    def ask_path(self, ids: list[int], fmt: str, all_coders: bool = False) -> None:
        from litdesk.core.export import FORMATS

        _writer, suffix, description = FORMATS[fmt]
        folder = Path(str(self.win.settings.value("export/folder", str(Path.home()))))
        path, _ = QFileDialog.getSaveFileName(
            self.win, f"Export {counted(len(ids), 'record')}",
            str(folder / f"litdesk-export{suffix}"),
            f"{description} (*{suffix});;All files (*)")
        if path:
            self.win.settings.setValue("export/folder", str(Path(path).parent))
            self.export_to(ids, fmt, path, all_coders)

    def export_to(self, ids: list[int], fmt: str, path: str, all_coders: bool = False) -> bool:
        if self.win.jobs.busy:
            self.win.statusBar().showMessage("An import or export is already running.", 5000)
            return False
        self._path = path
        worker = workers.ExportWorker(self.win.library, fmt, ids, path, all_coders)
        return self.win.jobs.run(worker, "Exporting…", self._done)

    def _done(self, n: object) -> None:
        from litdesk.core.export.streaming import left_out_note

        msg = ("Export cancelled." if not isinstance(n, int)
               else f"{counted(n, 'record')} exported to {self._path}{left_out_note(n)}")
        self.win.statusBar().showMessage(msg, 8000)
        self.win.exportFinished.emit(n)

    def export_diagram(self) -> None:
        """File > Export PRISMA Diagram: ask for an SVG or PNG file and draw the flow into it."""
        folder = Path(str(self.win.settings.value("export/folder", str(Path.home()))))
        path, chosen = QFileDialog.getSaveFileName(
            self.win, "Export PRISMA flow diagram", str(folder / "prisma-flow.svg"),
            f"{DIAGRAM_SVG};;{DIAGRAM_PNG}")
        if not path:
            return
        if not path.lower().endswith((".svg", ".png")):
            path += ".png" if chosen == DIAGRAM_PNG else ".svg"
        self.win.settings.setValue("export/folder", str(Path(path).parent))
        self.diagram_to(path)

    def diagram_to(self, path: str) -> bool:
        """Draw the library's PRISMA flow diagram into ``path`` (PNG if it ends in .png)."""
        from litdesk.core.export import ExportError
        from litdesk.ui.prisma_png import svg_to_png

        render = svg_to_png if path.lower().endswith(".png") else None
        try:
            self.win.library.files.export_diagram(path, render)
        except (ExportError, ValueError) as e:
            QMessageBox.critical(self.win, "PRISMA diagram not exported", str(e))
            return False
        self.win.statusBar().showMessage(f"PRISMA flow diagram exported to {path}", 8000)
        return True


DIAGRAM_SVG = "SVG drawing, for a paper or an editor (*.svg)"
DIAGRAM_PNG = "PNG image, 300 dpi (*.png)"
