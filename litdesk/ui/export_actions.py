"""File > Export Selected and Export: choosing records, format and file, then a worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

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
        self.ask_path(ids, fmt)

    def ask_path(self, ids: list[int], fmt: str) -> None:
        from litdesk.core.export import FORMATS

        _writer, suffix, description = FORMATS[fmt]
        folder = Path(str(self.win.settings.value("export/folder", str(Path.home()))))
        path, _ = QFileDialog.getSaveFileName(
            self.win, f"Export {len(ids):,} records", str(folder / f"litdesk-export{suffix}"),
            f"{description} (*{suffix});;All files (*)")
        if path:
            self.win.settings.setValue("export/folder", str(Path(path).parent))
            self.export_to(ids, fmt, path)

    def export_to(self, ids: list[int], fmt: str, path: str) -> bool:
        if self.win.jobs.busy:
            self.win.statusBar().showMessage("An import or export is already running.", 5000)
            return False
        self._path = path
        worker = workers.ExportWorker(self.win.library, fmt, ids, path)
        return self.win.jobs.run(worker, "Exporting…", self._done)

    def _done(self, n: object) -> None:
        msg = "Export cancelled." if n is None else f"{n:,} records exported to {self._path}"
        self.win.statusBar().showMessage(msg, 8000)
        self.win.exportFinished.emit(n)
