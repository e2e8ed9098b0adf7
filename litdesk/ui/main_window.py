"""The main window: records table, search, the record pane, libraries, drops, imports, exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from litdesk.core import query as search_syntax
from litdesk.core.readers import FILE_TYPES
from litdesk.core.status import NOT_STARTED
from litdesk.core.words import counted
from litdesk.store.library import Library, LibraryError
from litdesk.ui import menus, status_filter, workers
from litdesk.ui.background import SuggestionChecker
from litdesk.ui.coding import CodingController
from litdesk.ui.dialogs import ImportSummaryDialog, summary_text
from litdesk.ui.export_actions import ExportActions
from litdesk.ui.history import LibraryHistory
from litdesk.ui.jobs import JobRunner
from litdesk.ui.library_actions import LibraryActions
from litdesk.ui.live_updates import LibraryWatch
from litdesk.ui.record_model import RecordTableModel
from litdesk.ui.record_pane import RecordPane
from litdesk.ui.records_table import RecordsTable
from litdesk.ui.screening_controller import ScreeningController, ScreeningViews


class MainWindow(QMainWindow):
    importFinished = Signal(object)  # list[FileSummary]
    libraryChanged = Signal(object)  # the Library now open (single_instance follows it)
    exportFinished = Signal(object)  # number written, or None when cancelled

    def __init__(self, library: Library, settings: QSettings):
        super().__init__()
        self.library = library
        self.settings = settings
        self.jobs = JobRunner(self)
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self._total: int | None = None  # records in the library (cached for the status bar)
        self._total_of: Library | None = None
        self.model = RecordTableModel(library, self)
        self.table = self._make_table()
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
        self.status_filter = status_filter.make(self._apply_filter)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addWidget(self.banner)
        lay.addWidget(self.table)
        self.pane = RecordPane()
        self.coding = CodingController(library, self.pane, self)
        self.coding.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.coding.recordChanged.connect(self.model.refresh_record)
        self.coding.navigate.connect(self.select_record)
        self.coding.refresh_coders()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        self.splitter.setSizes([640, 640])
        self.setCentralWidget(self.splitter)

        self.drop_overlay = QLabel("Drop exports to import them", self)
        self.drop_overlay.setObjectName("dropOverlay")
        self.drop_overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_overlay.hide()

        self.count_label = QLabel()
        self.coder_label = QLabel()
        self.statusBar().addWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.coder_label)
        self.apply_on_import = settings.value("coding/apply_on_import", False, type=bool)
        self.history = LibraryHistory(self)
        self.libraries = LibraryActions(self)
        self.exports = ExportActions(self)
        self.screening = ScreeningController(
            self, ScreeningViews(self.pane, self.table, self), self.coding.undo_stack,
            self.current_record_id, self.select_record, self)
        self.screening.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.statusBar().addWidget(self.screening.progress)
        self.actions_by_name = menus.build(self)
        self.screening.bind(self.actions_by_name, self.exclude_menu)
        toolbar = QToolBar("Search")
        toolbar.setObjectName("searchToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.search)
        toolbar.addWidget(self.status_filter)
        self.addToolBar(toolbar)
        self._set_library_labels()
        self._update_count()
        self._restore_state()
        # Others change the library too (a teammate on the server, the CLI): look when the
        # server says so (else every few seconds) and show their records and codings.
        self._away = False
        self.watch = LibraryWatch(self)
        self.watch.look.connect(self.check_for_changes)
        self._stamp = self._read_stamp()
        self.coding.recordChanged.connect(lambda _rid: self._note_own_change())
        self.watch.follow(library)
        # Which new records have suggested sections is worked out after an import, quietly.
        self.checker = SuggestionChecker(self)
        self.checker.progressed.connect(self._checking_suggestions)
        self.checker.checked.connect(self._suggestions_checked)
        QTimer.singleShot(0, self, lambda: self.checker.start(self.library))

    def _make_table(self) -> RecordsTable:
        table = RecordsTable(self.model, self.settings)
        table.show_coders_column(len(self.library.coding.coders()))
        table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.rowsRequeried.connect(self._update_count)
        self.model.queryFailed.connect(
            lambda why: self.statusBar().showMessage(f"The table was not updated: {why}", 8000))
        return table

    # -- libraries -----------------------------------------------------------------------
    def switch_library(self, library: Library) -> None:
        self.pane.flush_memo()
        self.checker.stop()
        old, self.library = self.library, library
        self.watch.follow(library)
        self._stamp = self._read_stamp()
        self.coding.set_library(library)
        self.model.set_library(library)
        self.table.show_coders_column(len(library.coding.coders()))
        self.pane.show_record(None)
        self._set_library_labels()
        self.libraries.remember(library.path)
        if old is not library:
            old.close()
        self.screening.library_changed()
        self.libraryChanged.emit(library)
        self.checker.start(library)

    def _set_library_labels(self) -> None:
        ro = " (read-only)" if self.library.read_only else ""
        self.setWindowTitle(f"{self.library.path.name}{ro} — litdesk")
        self.setWindowFilePath(str(self.library.path))
        self.coder_label.setText(f"Coder: {self.library.coder}")
        if self.library.read_only:
            self.banner.setText("This library is read-only (the file or its folder cannot be "
                                "written). You can read and export, but not change it.")
        if self.library.damage is not None:
            self.banner.setText(f"{self.library.damage}\nNothing more is written to it.")
        self.banner.setVisible(self.library.read_only or self.library.damage is not None)

    def switch_coder_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Switch coder", "Code as:", text=self.library.coder)
        if ok and name.strip():
            self.set_coder(name.strip())

    def set_coder(self, name: str) -> None:
        self.pane.flush_memo()
        current = self.current_record_id()
        self.library.coder = name
        self.settings.setValue("coder", name)
        self.coding.undo_stack.clear()
        self.coding.refresh_coders()
        self.screening.library_changed()  # the decisions shown are the coder's own
        self._set_library_labels()
        self.model.refresh()
        if current is not None and self.select_record(current):
            self.coding.show(current)

    # -- the table -----------------------------------------------------------------------
    def _apply_filter(self) -> None:
        status, state = status_filter.chosen(self.status_filter)
        current = self.current_record_id()
        self.model.set_filter(self.search.text(), status, state)
        self._say_search_problems(search_syntax.parse(self.search.text()).problems)
        if current is not None:
            self.select_record(current)

    def _say_search_problems(self, problems: list[str]) -> None:
        """What the search did not understand: in the status bar, and the box's tooltip."""
        said = "Search: not understood: " + "; ".join(problems)
        if problems:
            self.statusBar().showMessage(said, 10_000)
        elif self.statusBar().currentMessage().startswith(said):
            self.statusBar().clearMessage()
        self.search.setToolTip(f"{said}.\nThose parts were searched as plain words.\n\n"
                               f"{search_syntax.HELP}" if problems else search_syntax.HELP)

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        if not self.search.text() and self.status_filter.currentIndex() == 0:
            self._total = shown  # everything is shown: no need to count again
        elif self._total is None or self._total_of is not self.library:
            self._total = self.library.count()
        self._total_of = self.library
        total = self._total
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
        self.coding.show(self.model.record_id(current.row()))

    def move_record(self, step: int) -> None:
        row = self.table.currentIndex().row() + step
        rid = self.model.record_id(row)
        if rid is not None:
            self.select_record(rid)

    def next_uncoded(self) -> None:
        """Select the next record below the current one that the coder has not coded yet."""
        row, total = self.table.currentIndex().row() + 1, self.model.rowCount()
        while row < total:
            window = [self.model.record_id(r) for r in range(row, min(total, row + 500))]
            for summary in self.library.rows([rid for rid in window if rid is not None]):
                if summary.status in NOT_STARTED:
                    self.select_record(summary.id)
                    self.pane.abstract.setFocus()
                    return
            row += 500
        self.statusBar().showMessage("No uncoded record below this one.", 4000)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def accept_selected_suggestions(self) -> None:
        n = self.coding.accept_in(self.selected_ids())
        self.statusBar().showMessage(f"Suggestions accepted in {counted(n, 'record')}.", 5000)

    def show_agreement(self) -> None:
        from litdesk.ui.agreement_dialog import AgreementDialog

        dialog = AgreementDialog(self.library, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def reconcile_current(self) -> None:
        """Open the side-by-side reconciliation of two coders on the current record."""
        from litdesk.ui.reconcile_dialog import ReconcileDialog

        rid = self.current_record_id()
        names = [c for c in self.library.coding.coders() if c != "consensus"]
        if rid is None or len(names) < 2:
            self.statusBar().showMessage(
                "Reconciling needs a record coded by two coders.", 5000)
            return
        me = self.library.coder if self.library.coder in names else names[0]
        other = next(c for c in names if c != me)
        dialog = ReconcileDialog(self.library, rid, me, other, self)
        dialog.saved.connect(self.model.refresh_record)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def toggle_blind(self) -> None:
        self.coding.set_blind(not self.coding.blind())
        self.actions_by_name["blind"].setChecked(self.coding.blind())
        self.coding.show(self.current_record_id())

    def toggle_apply_on_import(self) -> None:
        self.apply_on_import = not self.apply_on_import
        self.settings.setValue("coding/apply_on_import", self.apply_on_import)

    # -- import --------------------------------------------------------------------------
    def import_dialog(self) -> None:
        start = self.settings.value("import/folder", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import Records", str(start),
            ";;".join(f"{name} ({patterns})" for name, patterns in FILE_TYPES))
        if paths:
            self.settings.setValue("import/folder", str(Path(paths[0]).parent))
            self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> bool:
        if self.jobs.busy:
            self.statusBar().showMessage("An import or export is already running.", 5000)
            return False
        if self.library.read_only:
            self.statusBar().showMessage("This library is read-only: nothing can be imported.",
                                         5000)
            return False
        self.checker.stop()  # the import holds the write lock; the check goes on after it
        worker = workers.ImportWorker(self.library, paths, apply_suggestions=self.apply_on_import)
        return self.jobs.run(worker, "Importing…", self._import_done)

    def records_changed(self) -> None:
        """Records were added or removed: count them again and re-run the table's query,
        keeping the current record and the selection (those still there)."""
        current, chosen = self.current_record_id(), self.selected_ids()
        self._total = None
        self.model.refresh()
        self.table.reselect(current, chosen)
        self._note_own_change()

    def _read_stamp(self) -> tuple[int, ...] | None:
        try:
            stamp = self.library.change_stamp()
        except LibraryError as e:
            # The server (or the disk) is away: say so until it is back. Nothing is lost:
            # every change the app reported as saved was committed, and new ones are
            # refused with a message rather than dropped.
            self.banner.setText(f"{e}\nChanges cannot be saved until the library can be "
                                "reached again; litdesk keeps trying.")
            self.banner.show()
            self._away = True
            return None
        self.watch.reachable()
        if self._away:
            self._away = False
            self._stamp = None  # the next look refreshes the rows left blank while away
            self._set_library_labels()  # the banner back to what it was (read-only or none)
            self.statusBar().showMessage("The library can be reached again.", 6000)
        return stamp

    def _note_own_change(self) -> None:
        self._stamp = self._read_stamp()

    def check_for_changes(self) -> None:
        """Someone else changed the library: refresh the table, keeping the current record."""
        if self.library.damage is not None and not self.banner.isVisible():
            self._set_library_labels()  # the background integrity check found damage
            self.history.offer_backup()
            return
        if self.jobs.busy:
            return
        stamp = self._read_stamp()
        if stamp is None or stamp == self._stamp:
            return
        self._stamp = stamp
        current, chosen = self.current_record_id(), self.selected_ids()
        self._total = None
        self.model.refresh()
        self.coding.refresh_coders()
        if self.table.reselect(current, chosen) and not self.pane.editable:
            self.coding.show(current)  # another coder's view: show their latest spans
        self.checker.start(self.library)  # records imported elsewhere (the CLI, a teammate)

    def _import_done(self, summaries: object) -> None:
        assert isinstance(summaries, list)
        self.records_changed()
        self.statusBar().showMessage(summary_text(summaries).splitlines()[0], 8000)
        if sum(s.added for s in summaries) and self.current_record_id() is None:
            self.table.selectRow(0)
        dialog = ImportSummaryDialog(summaries, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.importFinished.emit(summaries)
        self.checker.start(self.library)

    def _checking_suggestions(self, done: int, total: int) -> None:
        self.statusBar().showMessage(
            f"Looking for section headings: {min(done, total):,} of {total:,} new abstracts",
            4000)

    def _suggestions_checked(self, n: int) -> None:
        """New records' "Suggested" status is known now: show it, keeping the current record."""
        if not n:
            return
        self.statusBar().showMessage(
            f"Looked for section headings in {counted(n, 'new abstract')}; those with headings "
            "show as suggested.", 6000)
        current, chosen = self.current_record_id(), self.selected_ids()
        self.model.refresh()
        if self.table.reselect(current, chosen):
            self.coding.show(current)

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    # -- drops ---------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.drop_overlay.setGeometry(self.centralWidget().geometry())
            self.drop_overlay.raise_()
            self.drop_overlay.show()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            self.statusBar().showMessage("Only files on this computer can be imported.", 5000)
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    def _memos_may_go(self) -> bool:
        """Memos the library refused (a server away) are offered once more; if they still
        cannot be saved, closing loses them, so the coder is asked first."""
        if not self.coding.unsaved_memos or self.coding.save_unsaved_memos():
            return True
        n = len(self.coding.unsaved_memos)
        answer = QMessageBox.warning(
            self, "Memos not saved",
            f"{'A memo' if n == 1 else counted(n, 'memo')} typed while the library could not be "
            "reached cannot be saved yet. Close anyway, and lose "
            f"{'it' if n == 1 else 'them'}?",
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Close

    # -- state ---------------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = self.settings
        for key, restore in (("window/geometry", self.restoreGeometry),
                             ("window/splitter", self.splitter.restoreState)):
            value = s.value(key)
            if value is not None:
                restore(value)  # type: ignore[operator]
        last = s.value(f"library/{self.library.path}/current")
        if last is not None and str(last).isdigit():
            self.select_record(int(str(last)))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.pane.flush_memo()
        if not self._memos_may_go():
            event.ignore()
            return
        self.watch.stop()
        self.jobs.cancel()
        self.checker.shut()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/header", self.table.horizontalHeader().saveState())
        current = self.current_record_id()
        if current is not None:
            self.settings.setValue(f"library/{self.library.path}/current", current)
        self.libraries.remember(self.library.path)
        super().closeEvent(event)
        # The window owns its library (as it does those it switched away from): its file
        # handles, or its server connections, go with it.
        self.library.close()
