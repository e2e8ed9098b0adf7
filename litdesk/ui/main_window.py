"""The main window: records table, search, the record pane, menus, drops, imports, exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from litdesk.core import query as search_syntax
from litdesk.core.model import LABEL_TITLES, LABELS, Span
from litdesk.core.sections import suggest_sections
from litdesk.core.spans import SpanError, apply_tag, remove_range
from litdesk.store.library import Library, LibraryError
from litdesk.ui import workers
from litdesk.ui.coding import SetSpansCommand, describe_tag, make_stack
from litdesk.ui.dialogs import ExportDialog, ImportSummaryDialog, ShortcutsDialog, summary_text
from litdesk.ui.record_model import RecordTableModel
from litdesk.ui.record_pane import RecordPane

STATUS_FILTERS = (("All records", None), ("Uncoded", "not coded"), ("Suggested", "suggested"),
                  ("Partly coded", "partly coded"), ("Coded", "coded"))


class MainWindow(QMainWindow):
    importFinished = Signal(object)  # list[FileSummary]
    exportFinished = Signal(object)  # number written, or None when cancelled

    def __init__(self, library: Library, settings: QSettings):
        super().__init__()
        self.library = library
        self.settings = settings
        self.undo_stack = make_stack(self)
        self.last_summary: list = []
        self._job: workers._Worker | None = None
        self._progress: QProgressDialog | None = None
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.model = RecordTableModel(library, self)
        self.table = QTableView()
        self.table.setObjectName("records")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(RecordTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 130), (1, 50), (3, 150), (4, 84)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.rowsRequeried.connect(self._update_count)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search title, authors, abstract, keywords…")
        self.search.setToolTip(search_syntax.HELP)
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        for text, _value in STATUS_FILTERS:
            self.status_filter.addItem(text)
        self.status_filter.currentIndexChanged.connect(self._apply_filter)

        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addWidget(self.table)
        self.pane = RecordPane()
        self.pane.abstract.tagRequested.connect(self.tag)
        self.pane.abstract.untagRequested.connect(self.untag)
        self.pane.abstract.acceptSuggestions.connect(self.accept_suggestions)
        self.pane.abstract.rejectSuggestions.connect(self.reject_suggestions)
        self.pane.memoEdited.connect(self._save_memo)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([640, 640])
        self.setCentralWidget(self.splitter)

        self.drop_overlay = QLabel("Drop RIS files to import them", self)
        self.drop_overlay.setObjectName("dropOverlay")
        self.drop_overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_overlay.hide()

        self.count_label = QLabel()
        self.coder_label = QLabel()
        self.statusBar().addWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.coder_label)
        self._build_actions()
        self._set_library_labels()
        self._update_count()
        self._restore_state()

    # -- actions and menus ---------------------------------------------------------------
    def _action(self, text: str, slot: object, shortcut: object = None, name: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                act.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        act.setObjectName(name or text.strip(".").replace(" ", "_").lower())
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self._action("&New Library…", self.new_library, None, "new_library"))
        file.addAction(self._action("&Open Library…", self.open_library_dialog,
                                    QKeySequence.StandardKey.Open, "open_library"))
        file.addSeparator()
        self.import_action = self._action("&Import…", self.import_dialog, "Ctrl+I", "import")
        file.addAction(self.import_action)
        file.addAction(self._action("&Export Selected…", self.export_selected, "Ctrl+E",
                                    "export_selected"))
        file.addAction(self._action("E&xport…", self.export_dialog, "Ctrl+Shift+E", "export"))
        file.addSeparator()
        file.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "quit"))

        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"),
                                       QKeySequence(QKeySequence.StandardKey.Redo)])
        for act in (self.undo_action, self.redo_action):
            self.addAction(act)
            edit.addAction(act)
        edit.addSeparator()
        edit.addAction(self._action("&Find", self._focus_search, QKeySequence.StandardKey.Find,
                                    "find"))

        code = bar.addMenu("&Coding")
        toolbar = QToolBar("Coding")
        toolbar.setObjectName("codingToolbar")
        toolbar.setMovable(False)
        for n, label in enumerate(LABELS, start=1):
            act = self._action(f"Tag as {LABEL_TITLES[label]}",
                               lambda _=False, lab=label: self.pane.abstract.tag_selection(lab),
                               str(n), f"tag_{label}")
            code.addAction(act)
        code.addSeparator()
        code.addAction(self._action("Accept Suggested Sections", self.accept_suggestions, None,
                                    "accept_suggestions"))
        code.addAction(self._action("Accept Suggestions in Selected Records",
                                    self.accept_selected_suggestions, None,
                                    "accept_selected_suggestions"))
        code.addSeparator()
        code.addAction(self._action("Next Record", lambda: self.move_record(1), "J", "next"))
        code.addAction(self._action("Previous Record", lambda: self.move_record(-1), "K", "prev"))
        code.addAction(self._action("Next Uncoded Record", self.next_uncoded, "N",
                                    "next_uncoded"))

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard Shortcuts", self.show_shortcuts, None,
                                         "shortcuts"))
        help_menu.addAction(self._action("&About litdesk", self.show_about, None, "about"))

        toolbar.addWidget(self.search)
        toolbar.addWidget(self.status_filter)
        self.addToolBar(toolbar)

    # -- library -------------------------------------------------------------------------
    def switch_library(self, library: Library) -> None:
        self.pane.flush_memo()
        old = self.library
        self.library = library
        self.undo_stack.clear()
        self.model.set_library(library)
        self.pane.show_record(None)
        self._set_library_labels()
        self.settings.setValue("library/last", str(library.path))
        if old is not library:
            old.close()

    def _open_path(self, path: str) -> None:
        try:
            lib = Library.open(path, coder=self.library.coder)
        except LibraryError as e:
            QMessageBox.warning(self, "Cannot open library", str(e))
            return
        self.switch_library(lib)

    def new_library(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New library", str(self.library.path.parent / "new-library.litdesk.sqlite"),
            "litdesk libraries (*.sqlite *.litdesk);;All files (*)")
        if path:
            if Path(path).exists():
                Path(path).unlink()  # the save dialog already asked to overwrite it
            self._open_path(path)

    def open_library_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open library", str(self.library.path.parent),
            "litdesk libraries (*.sqlite *.litdesk);;All files (*)")
        if path:
            self._open_path(path)

    def _set_library_labels(self) -> None:
        name = self.library.path.name
        ro = " (read-only)" if self.library.read_only else ""
        self.setWindowTitle(f"{name}{ro} — litdesk")
        self.setWindowFilePath(str(self.library.path))
        self.coder_label.setText(f"Coder: {self.library.coder}")

    # -- the table -----------------------------------------------------------------------
    def _apply_filter(self) -> None:
        status = STATUS_FILTERS[self.status_filter.currentIndex()][1]
        current = self.current_record_id()
        self.model.set_filter(self.search.text(), status)
        if current is not None:
            self.select_record(current)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.library.count()
        noun = "record" if total == 1 else "records"
        self.count_label.setText(f"{shown:,} of {total:,} {noun}")

    def current_record_id(self) -> int | None:
        return self.model.record_id(self.table.currentIndex().row())

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [rid for r in rows if (rid := self.model.record_id(r)) is not None]

    def select_record(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_record(self.model.record_id(current.row()))

    def show_record(self, record_id: int | None) -> None:
        if record_id is None:
            self.pane.show_record(None)
            return
        try:
            record = self.library.record(record_id)
        except KeyError:
            self.pane.show_record(None)
            return
        self.pane.show_record(record, self._suggestions_for(record_id, record.spans,
                                                            record.abstract))

    def _suggestions_for(self, record_id: int, spans: tuple[Span, ...] | list[Span],
                         abstract: str) -> list[Span]:
        if spans or not abstract:
            return []
        rows = self.library.rows([record_id])
        if not rows or rows[0].status != "suggested":
            return []
        return [Span(s, e, lab, abstract[s:e], suggested=True)
                for s, e, lab in suggest_sections(abstract)]

    def move_record(self, step: int) -> None:
        row = self.table.currentIndex().row() + step
        if 0 <= row < self.model.rowCount():
            self.select_record(self.model.record_id(row))  # type: ignore[arg-type]

    def next_uncoded(self) -> None:
        start = self.table.currentIndex().row() + 1
        for row in range(start, self.model.rowCount()):
            summary = self.model._row(row)
            if summary is not None and summary.status in ("uncoded", "suggested"):
                self.select_record(summary.id)
                self.pane.abstract.setFocus()
                return
        self.statusBar().showMessage("No uncoded record below this one.", 4000)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- coding --------------------------------------------------------------------------
    def tag(self, start: int, end: int, label: str) -> None:
        record = self.pane.record
        if record is None or record.id is None or self._refuse_if_read_only():
            return
        try:
            after = apply_tag(record.spans, record.abstract, start, end, label,
                              self.library.coder)
        except SpanError as e:
            self.statusBar().showMessage(str(e), 5000)
            return
        self._push(record.id, list(record.spans), after,
                   describe_tag(label, record.abstract[start:end]))

    def untag(self, start: int, end: int) -> None:
        record = self.pane.record
        if record is None or record.id is None or self._refuse_if_read_only():
            return
        after = remove_range(record.spans, record.abstract, start, end)
        if after != list(record.spans):
            self._push(record.id, list(record.spans), after, "Remove section label")

    def accept_suggestions(self) -> None:
        record = self.pane.record
        if record is None or record.id is None or record.spans:
            return
        found = self._suggestions_for(record.id, record.spans, record.abstract)
        if found:
            self.library.set_suggestion_state(record.id, "accepted")
            self._push(record.id, [], [Span(s.start, s.end, s.label, s.text) for s in found],
                       "Accept suggested sections")

    def accept_selected_suggestions(self) -> None:
        self.undo_stack.beginMacro("Accept suggestions in selected records")
        for rid in self.selected_ids():
            rec = self.library.record(rid)
            found = self._suggestions_for(rid, rec.spans, rec.abstract)
            if found:
                self.library.set_suggestion_state(rid, "accepted")
                self._push(rid, [], [Span(s.start, s.end, s.label, s.text) for s in found],
                           "Accept suggested sections")
        self.undo_stack.endMacro()

    def reject_suggestions(self) -> None:
        record = self.pane.record
        if record is not None and record.id is not None and not record.spans:
            self.library.set_suggestion_state(record.id, "rejected")
            self.model.refresh_record(record.id)
            self.show_record(record.id)

    def _push(self, record_id: int, before: list[Span], after: list[Span], text: str) -> None:
        try:
            self.undo_stack.push(SetSpansCommand(self.library, record_id, before, after, text,
                                                 self._spans_changed))
        except LibraryError as e:
            QMessageBox.warning(self, "Not saved", str(e))

    def _spans_changed(self, record_id: int, spans: list[Span]) -> None:
        self.model.refresh_record(record_id)
        if self.pane.record is not None and self.pane.record.id == record_id:
            selection = self.pane.abstract.textCursor()
            self.show_record(record_id)
            self.pane.abstract.setTextCursor(selection)
        else:
            self.select_record(record_id)  # undo of a change made on another record

    def _save_memo(self, record_id: int, text: str) -> None:
        try:
            self.library.set_memo(record_id, text)
        except LibraryError as e:
            self.statusBar().showMessage(str(e), 5000)

    def _refuse_if_read_only(self) -> bool:
        if self.library.read_only:
            self.statusBar().showMessage("This library is read-only: changes cannot be saved.",
                                         5000)
        return self.library.read_only

    # -- import --------------------------------------------------------------------------
    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import RIS files", str(Path.home()),
            "RIS and text exports (*.ris *.txt *.nbib *.enw);;All files (*)")
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> bool:
        if self._job is not None:
            self.statusBar().showMessage("An import or export is already running.", 5000)
            return False
        if self._refuse_if_read_only():
            return False
        worker = workers.ImportWorker(self.library, paths)
        self._run(worker, "Importing…", self._import_done)
        return True

    def _import_done(self, summaries: list) -> None:
        self.last_summary = summaries
        self.model.refresh()
        self._update_count()
        added = sum(s.added for s in summaries)
        self.statusBar().showMessage(summary_text(summaries).splitlines()[0], 8000)
        if added and self.current_record_id() is None and self.model.rowCount():
            self.table.selectRow(0)
        dialog = ImportSummaryDialog(summaries, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.importFinished.emit(summaries)

    # -- export --------------------------------------------------------------------------
    def export_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select the records to export first.", 5000)
            return
        self._export_ids(ids, "ris")

    def export_dialog(self) -> None:
        dialog = ExportDialog(len(self.selected_ids()), self.model.rowCount(),
                              self.library.count(), self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        scope, fmt = dialog.chosen()
        ids = {"selected": self.selected_ids(), "shown": self.model.ids,
               "all": self.library.search_ids()}[scope]
        self._export_ids(ids, fmt)

    def _export_ids(self, ids: list[int], fmt: str) -> None:
        from litdesk.core.export import FORMATS

        suffix = FORMATS[fmt][1]
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {len(ids)} records", str(Path.home() / f"litdesk-export{suffix}"),
            f"{FORMATS[fmt][2]} (*{suffix});;All files (*)")
        if path:
            self.export_to(ids, fmt, path)

    def export_to(self, ids: list[int], fmt: str, path: str) -> None:
        if self._job is not None:
            self.statusBar().showMessage("An import or export is already running.", 5000)
            return
        self._export_path = path
        self._run(workers.ExportWorker(self.library, fmt, ids, path), "Exporting…",
                  self._export_done)

    def _export_done(self, n: int | None) -> None:
        msg = "Export cancelled." if n is None else f"{n:,} records exported to {self._export_path}"
        self.statusBar().showMessage(msg, 8000)
        self.exportFinished.emit(n)

    # -- background jobs -----------------------------------------------------------------
    def _run(self, worker: workers._Worker, title: str, done: object) -> None:
        self._job = worker
        progress = QProgressDialog(title, "Cancel", 0, 0, self)
        progress.setWindowTitle("litdesk")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.canceled.connect(worker.cancel)
        self._progress = progress
        worker.progress.connect(self._on_progress)
        worker.failed.connect(self._job_failed)
        worker.finished.connect(self._job_finished)
        worker.finished.connect(done)
        workers.start(worker, self)

    def _on_progress(self, message: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        self._progress.setLabelText(message)
        if total > 0:
            self._progress.setMaximum(1000)
            self._progress.setValue(min(1000, int(1000 * done / total)))

    def _job_failed(self, message: str) -> None:
        self._job_finished(None)
        QMessageBox.critical(self, "litdesk", message)

    def _job_finished(self, _result: object) -> None:
        self._job = None
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None

    @property
    def busy(self) -> bool:
        return self._job is not None

    # -- drops ---------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.drop_overlay.setGeometry(self.centralWidget().geometry())
            self.drop_overlay.raise_()
            self.drop_overlay.show()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self.drop_overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.drop_overlay.hide()
        urls = event.mimeData().urls()
        paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if not paths:
            self.statusBar().showMessage("Only files on this computer can be imported.", 5000)
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    # -- help ----------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    def show_about(self) -> None:
        from litdesk.paths import data_dir, log_dir
        from litdesk.ui.dialogs import about_text

        QMessageBox.about(self, "About litdesk",
                          about_text(str(self.library.path), str(data_dir()), str(log_dir())))

    # -- state ---------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # type: ignore[arg-type]
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)  # type: ignore[arg-type]

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._job is not None:
            self._job.cancel()
        self.pane.flush_memo()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("library/last", str(self.library.path))
        super().closeEvent(event)
