"""The main window: the table, search and record pane laid out, and the controllers wired."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from litdesk.core import query as search_syntax
from litdesk.core.status import NOT_STARTED
from litdesk.store.errors import LibraryError
from litdesk.ui.controllers.coders import CodersActions
from litdesk.ui.controllers.coding import CodingController
from litdesk.ui.controllers.export import ExportActions
from litdesk.ui.controllers.history import LibraryHistory
from litdesk.ui.controllers.imports import ImportActions
from litdesk.ui.controllers.learning import LearningActions
from litdesk.ui.controllers.library import LibraryActions
from litdesk.ui.controllers.screening import ScreeningController, ScreeningViews
from litdesk.ui.controllers.shared import Messages, Records, UndoSteps
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.tasks.background import SuggestionChecker
from litdesk.ui.tasks.jobs import JobRunner
from litdesk.ui.tasks.live_updates import LibraryWatch
from litdesk.ui.views.record_model import RecordTableModel
from litdesk.ui.views.record_pane import RecordPane
from litdesk.ui.views.records_table import RecordsTable
from litdesk.ui.views.search_bar import SearchBar
from litdesk.ui.window import heading_check, menus, state
from litdesk.ui.window.drops import FileDrops

if TYPE_CHECKING:
    from litdesk.store.library import FileSummary, Library


class MainWindow(QMainWindow):
    """Lays out the views, gives the controllers what they need, and connects them. The library
    lives in :attr:`holder`; whoever needs it reads it there when acting, and a switch of
    library (File > Open, a restored backup) reaches everyone through its signal."""

    exclude_menu: QMenu  # the Screening menu's reasons (made by menus.build)
    importFinished = Signal(object)  # list[FileSummary]
    exportFinished = Signal(object)  # number written, or None when cancelled

    def __init__(self, library: Library | None, settings: QSettings):
        super().__init__()
        self.holder = LibraryHolder(library, self)
        self.settings = settings
        self.jobs = JobRunner(self)
        self.messages = Messages(self)
        self.messages.said.connect(self.statusBar().showMessage)
        self.undo_stack = UndoSteps(self)
        self.resize(1280, 800)

        self._total: int | None = None  # records in the library (cached for the status bar)
        self._total_of: Library | None = None
        self.model = RecordTableModel(library, self)
        self.table = self._make_table()
        self.search_bar = SearchBar()  # parented when added, after the table: focus order
        self.search_bar.changed.connect(self._apply_filter)
        self.search, self.status_filter = self.search_bar.search, self.search_bar.status_filter
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
        records = Records(selected=self.selected_ids, shown=lambda: self.model.ids,
                          current=self.current_record_id)
        self.coding = CodingController(self.holder, self.pane, self.undo_stack, self.messages,
                                       records, self)
        self.coding.recordChanged.connect(self.model.refresh_record)
        self.coding.navigate.connect(self.select_record)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        self.splitter.setSizes([640, 640])
        self.setCentralWidget(self.splitter)

        self.drops = FileDrops(self)
        self.drop_overlay = self.drops.overlay

        self.count_label = QLabel()
        self.coder_label = QLabel()
        self.statusBar().addWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.coder_label)
        # Which new records have suggested sections is worked out after an import, quietly.
        self.checker = SuggestionChecker(self)
        self.checker.progressed.connect(lambda done, total: heading_check.progressed(
            self, done, total))
        self.checker.checked.connect(lambda n: heading_check.checked(self, n))
        self.history = LibraryHistory(self.holder, self.undo_stack, self.messages, records, self)
        self.history.recordsChanged.connect(self._records_removed)
        self.history.aboutToRemove.connect(self.pane.flush_memo)
        self.libraries = LibraryActions(self.holder, settings, self)
        self.recent_menu = self.libraries.recent_menu
        self.exports = ExportActions(self.holder, settings, self.jobs, self.messages, records,
                                     self)
        self.exports.finished.connect(self.exportFinished)
        self.imports = ImportActions(self.holder, settings, self.jobs, self.messages, self)
        self.imports.imported.connect(self._imported)
        self.imports.finished.connect(self._import_done)
        self.drops.dropped.connect(self.import_paths)
        self.drops.refused.connect(lambda why: self.messages.say(why, 5000))
        self.coders = CodersActions(self.holder, self.messages, records, self)
        self.learning = LearningActions(self.holder, self.messages, self)
        self.coding.recordChanged.connect(self.learning.coding_changed)
        self.learning.modelChanged.connect(lambda: self.coding.show(self.current_record_id()))
        self.coders.recordChanged.connect(self.model.refresh_record)
        self.screening = ScreeningController(
            self.holder, ScreeningViews(self.pane, self.table, self), self.undo_stack,
            self.current_record_id, self.select_record, self)
        self.screening.message.connect(lambda text: self.messages.say(text))
        self.statusBar().addWidget(self.screening.progress)
        self.statusBar().addWidget(self.screening.stopping)
        self.actions_by_name = menus.build(self)
        self.screening.bind(self.actions_by_name, self.exclude_menu)
        self.addToolBar(self.search_bar)
        state.restore_layout(self)
        # Others change the library too (a teammate on the server, the CLI): look when the
        # server says so (else every few seconds) and show their records and codings.
        self._away = False
        self.watch = LibraryWatch(self)
        self.watch.look.connect(self.check_for_changes)
        self._stamp: tuple[int, ...] | None = None
        self.coding.recordChanged.connect(lambda _rid: self._note_own_change())
        self.holder.aboutToChange.connect(self.checker.stop)
        self.holder.aboutToChange.connect(self._stop_job)
        self.holder.libraryChanged.connect(self._library_changed)
        if library is None:  # start-up: the window paints first, its library opens next
            self.show_opening("the library", "the library")
        else:
            self._show_library(library)
            state.restore_current(self)

    @property
    def library(self) -> Library:
        return self.holder.library

    def _make_table(self) -> RecordsTable:
        table = RecordsTable(self.model, self.settings)
        table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.rowsRequeried.connect(self._update_count)
        self.model.queryFailed.connect(
            lambda why: self.statusBar().showMessage(f"The table was not updated: {why}", 8000))
        return table

    # -- libraries -----------------------------------------------------------------------
    def _library_changed(self, library: Library) -> None:
        """Another library is open (the holder's signal), or the first one the window was
        shown for: show it."""
        first = not self.isEnabled()
        self.model.set_library(library)
        self.pane.show_record(None)
        self._show_library(library)
        if first:
            self.setEnabled(True)
            state.restore_current(self)

    def show_opening(self, where: str, name: str) -> None:
        """Greyed, taking no command, until its first library is open (``libraryChanged``)."""
        self.setEnabled(False)
        self.setWindowTitle(f"Opening {name}… — litdesk")
        self.count_label.setText("Opening the library…")
        self.pane.show_unavailable(f"Opening {where}…")

    def _show_library(self, library: Library) -> None:
        self.watch.follow(library)
        self._stamp = self._read_stamp()
        self.table.show_coders_column(len(library.coding.coders()))
        self.coding.refresh_coders()
        self.actions_by_name["blind"].setChecked(self.coding.blind())
        self._set_library_labels()
        if library.damage is not None:  # found by the background check before it showed
            QTimer.singleShot(0, self, self.history.offer_backup)
        self._total = None
        self._update_count()
        # Which records have suggested sections is worked out after the window shows.
        QTimer.singleShot(0, self, lambda: self.checker.start(library))

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
        self.undo_stack.clear()
        self.coding.refresh_coders()
        self.screening.library_changed()  # the decisions shown are the coder's own
        self._set_library_labels()
        self.model.refresh()
        if current is not None and self.select_record(current):
            self.coding.show(current)

    # -- the table -----------------------------------------------------------------------
    def _apply_filter(self, text: str, status: str | None, state: str | None = None) -> None:
        current = self.current_record_id()
        self.model.set_filter(text, status, state)
        problems = search_syntax.parse(text).problems
        said = self.search_bar.show_problems(problems)  # and in the status bar:
        if problems:
            self.statusBar().showMessage(said, 10_000)
        elif self.statusBar().currentMessage().startswith(said):
            self.statusBar().clearMessage()
        if current is not None:
            self.select_record(current)

    def _update_count(self) -> None:
        if not self.holder.is_open:
            return
        shown = self.model.rowCount()
        if self.search_bar.everything:
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

    def toggle_blind(self) -> None:
        self.coding.set_blind(not self.coding.blind())
        self.actions_by_name["blind"].setChecked(self.coding.blind())
        self.coding.show(self.current_record_id())

    def import_paths(self, paths: list[str]) -> bool:
        return self.imports.import_paths(paths)

    def records_changed(self) -> None:
        """Records were added or removed: count them again and re-run the table's query,
        keeping the current record and the selection (those still there)."""
        current, chosen = self.current_record_id(), self.selected_ids()
        self._total = None
        self.model.refresh()
        self.table.reselect(current, chosen)
        self._note_own_change()

    def _records_removed(self) -> None:
        self.records_changed()
        if self.pane.record is not None and self.current_record_id() is None:
            self.coding.show(None)

    def _read_stamp(self) -> tuple[int, ...] | None:
        try:
            stamp = self.library.change_stamp()
        except LibraryError as e:
            # The server (or the disk) is away: say so until it is back. Nothing is lost: what
            # was reported saved was committed; new changes are refused with a message.
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

    def _imported(self, summaries: list[FileSummary]) -> None:
        self.records_changed()
        if sum(s.added for s in summaries) and self.current_record_id() is None:
            self.table.selectRow(0)

    def _import_done(self, summaries: list[FileSummary]) -> None:
        self.importFinished.emit(summaries)
        self.checker.start(self.library)

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    # -- state ---------------------------------------------------------------------------
    def _stop_job(self) -> None:  # another library opens: a job on this one stops first
        if self.jobs.busy:
            how = "had ended" if self.jobs.stop() is not None else "was stopped"
            self.messages.say(f"The import or export on {self.library.path} {how}: another "
                              "library was opened. An import keeps the files it finished.", 10000)

    def stop_background(self) -> None:
        """Stop the window's background work: watching, jobs, checks, learning."""
        self.watch.stop()
        self.jobs.stop()
        self.checker.shut()
        self.learning.shut()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.pane.flush_memo()
        if not self.coding.memos_may_go():
            event.ignore()
            return
        self.stop_background()
        state.save(self)
        super().closeEvent(event)
        # The window owns its library (its holder does): its file handles, or its server
        # connections, go with it.
        self.holder.close()
