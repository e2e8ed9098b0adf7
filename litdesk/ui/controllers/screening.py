"""Screening mode: I / E / M and reason keys become undoable decisions; the ranking leads on.

:class:`ScreeningController` turns the window into a screening desk: the coding keys off,
decision and reason keys on, decisions and relevance in the table, terms highlighted, progress
and the stopping aid in the status bar. Every decision goes on the window's one undo stack; the
next record is the ranking's, asked without waiting (the model refits in the background).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from litdesk.core.screening import EXCLUDE, Reason, ScreeningError
from litdesk.core.stopping import RULE
from litdesk.store.errors import LibraryError
from litdesk.ui.controllers import screening_steps
from litdesk.ui.controllers.screening_steps import DecideCommand
from litdesk.ui.controllers.shared import UndoSteps
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.views.record_model import RecordTableModel, ScreeningView
from litdesk.ui.views.screening_bar import ScreeningBar
from litdesk.ui.views.screening_dialogs import RESERVED_KEYS

if TYPE_CHECKING:
    from litdesk.store.library import Library
    from litdesk.ui.views.record_pane import RecordPane
    from litdesk.ui.views.records_table import RecordsTable


@dataclass(frozen=True)
class ScreeningViews:
    """The widgets screening works on: pane, table, and the window of its keys and dialogs."""

    pane: RecordPane
    table: RecordsTable
    window: QWidget

#: Coding commands whose keys screening takes over (1-5 for reasons, N for the next record).
CODING_ACTIONS = ("tag_background", "tag_aim", "tag_method", "tag_results", "tag_conclusion",
                  "select_sentence", "done", "next_uncoded")
#: Screening's own keys, live only in screening mode (the commands work from the menu always).
KEYS = {"screen_include": "I", "screen_exclude": "E", "screen_maybe": "M", "next_to_screen": "N"}
#: How often, and how many times at most, the relevance is read again after a decision
#: while the background refit runs (it stops as soon as the new fit shows).
LOOK_MS, LOOKS = 500, 240
NO_RECORD = "Select a record to screen first."
_IN_STATUS_BAR = "QLabel { border-left: 1px solid palette(mid); padding: 0 8px; }"  # set apart


class ScreeningController(QObject):
    """The screening mode of one window: its commands, keys, bar, columns and progress."""

    message = Signal(str)
    modeChanged = Signal(bool)
    decided = Signal(int)  # a decision on this record was stored, undone or redone
    _warmed = Signal()  # the ranking has read the records (sent from the warm-up thread)

    def __init__(self, holder: LibraryHolder, views: ScreeningViews, undo_stack: UndoSteps,
                 current: Callable[[], int | None], select: Callable[[int], bool],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.holder, self.views, self.undo_stack = holder, views, undo_stack
        self.model: RecordTableModel = views.table.model()  # type: ignore[assignment]
        self._current, self._select = current, select
        self.active = False
        self._refusal = ""  # why the last write was refused
        self.actions: dict[str, QAction] = {}
        self.exclude_menu: QMenu | None = None
        self.reason_actions: list[QAction] = []
        self.bar = ScreeningBar()
        self.bar.decisionClicked.connect(self.decide)
        self.bar.noteEdited.connect(self.save_note)
        views.pane.add_bar(self.bar)
        self.bar.hide()
        self.progress, self.stopping = QLabel(), QLabel()  # in the window's status bar
        for label, name in ((self.progress, "screeningProgress"),
                            (self.stopping, "screeningStopping")):
            label.setObjectName(name)
            label.setStyleSheet(_IN_STATUS_BAR)
            label.hide()
        self.stopping.setToolTip(RULE)  # the stopping aid's rule, to cite, on hover
        self._view = ScreeningView()
        self._ready = threading.Event()
        self._ready_for: tuple[int, ...] | None = None
        self._look = QTimer(self)
        self._look.setInterval(LOOK_MS)
        self._look.timeout.connect(self.refresh_relevance)
        self._looks_left = 0
        self._warmed.connect(self._look_again)
        self._warmed.connect(self.show_current)
        views.pane.abstract.menu_extras = self._term_menu
        views.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_current())
        holder.libraryChanged.connect(lambda _lib: self.library_changed())

    def bind(self, actions: dict[str, QAction], exclude_menu: QMenu) -> None:
        """The window's commands (made after this controller) and its reasons' submenu."""
        self.actions, self.exclude_menu = actions, exclude_menu
        self.set_active(False)

    @property
    def library(self) -> Library:
        return self.holder.library

    # -- the mode ------------------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        """Screening mode on or off: keys, bar, columns, highlighting, progress."""
        self.active = on
        acts = self.actions
        for name in CODING_ACTIONS:
            acts[name].setEnabled(not on)
        self.views.pane.abstract.tagging = not on
        self.views.pane.set_coding_tools(not on)
        acts["screening_mode"].setChecked(on)
        for name, key in KEYS.items():
            acts[name].setShortcut(QKeySequence(key) if on else QKeySequence())
        self.fill_reasons()
        self.bar.setVisible(on)
        self.progress.setVisible(on)
        self.stopping.setVisible(on)
        self._show_columns(on)
        if on:
            self._warm_up()
            self.refresh()
            if self._current() is None:
                self.next_record()
        else:
            self.views.pane.abstract.set_terms({})
            self.model.set_screening(None)
        self.show_current()
        self.modeChanged.emit(on)

    def toggle(self) -> None:
        self.set_active(not self.active)

    def _show_columns(self, on: bool) -> None:
        """Screening shows the decision and relevance in place of the coding columns."""
        table = self.views.table
        for col in (RecordTableModel.SCREENING, RecordTableModel.RELEVANCE):
            table.set_column_shown(col, on)
        table.set_column_shown(RecordTableModel.PROGRESS, not on)
        if on:
            table.set_column_shown(RecordTableModel.CODERS, False)
        elif self.holder.is_open:  # (shown when the window's first library opens)
            with contextlib.suppress(LibraryError):
                table.show_coders_column(len(self.library.coding.coders()))

    def _warm_up(self) -> None:
        """The ranking reads every record (again after an import): on a thread, so that no
        key waits for it; meanwhile the next record is the next unscreened row."""
        screening, ready = self.library.screening, threading.Event()
        self._ready = ready
        try:
            self._ready_for = self.library.change_stamp()[:2]
        except LibraryError:
            self._ready_for = None

        def work() -> None:
            _quietly(lambda: screening.next(wait=0))
            ready.set()
            self._warmed.emit()  # queued to the window's thread: the relevance shows

        threading.Thread(target=work, name="litdesk-screening-warm-up", daemon=True).start()

    def _ranking_ready(self) -> bool:
        """Whether asking the ranking is quick now (its records read since the last import)."""
        try:
            stamp = self.library.change_stamp()[:2]
        except LibraryError:
            return False
        if stamp != self._ready_for:
            self._warm_up()
        return self._ready.is_set()

    def library_changed(self) -> None:
        """Another library is open: its reasons, terms, decisions and progress."""
        self.fill_reasons()  # listed in the Screening menu in either mode
        self.refresh()

    # -- what is shown ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the coder's decisions, relevance, terms and progress again and show them."""
        if not self.active:
            return
        try:
            screening = self.library.screening
            self._view = ScreeningView(screening.decisions(), screening.relevance(wait=0))
            terms = screening.terms()
            self._show_progress()
        except LibraryError as e:
            self.message.emit(f"Screening could not be read: {e}")
            return
        self.model.set_screening(self._view)
        self.views.pane.abstract.set_terms(terms)

    def _show_progress(self) -> None:
        screening = self.library.screening
        self.progress.setText(screening.stats().text())
        self.stopping.setText(screening.stopping().text())

    def refresh_relevance(self) -> None:
        """Show the newest fit's relevance, if it is new (until then, look again)."""
        self._looks_left -= 1
        if not self.active or self._looks_left <= 0:
            self._look.stop()
            if not self.active:
                return
        try:
            relevance = self.library.screening.relevance(wait=0)
        except LibraryError:
            return
        if relevance != self._view.relevance:
            self._look.stop()
            self._view = ScreeningView(self._view.decisions, relevance)
            self.model.set_screening(self._view)
            self.show_current()

    def show_current(self) -> None:
        """The current record's decision, note and relevance in the bar."""
        rid = self._current()
        if not self.active:
            return
        decision = self._view.decisions.get(rid) if rid is not None else None
        self.bar.show_decision(rid, decision, self._view.relevance.get(rid)
                               if rid is not None else None, self._ready.is_set())

    # -- deciding --------------------------------------------------------------------------
    def decide(self, decision: str, reason: str = "") -> bool:
        """The coder's decision on the current record (the bar's note goes with it), saved
        and undoable; then the record the ranking proposes next."""
        rid = self._current()
        if rid is None:
            self.message.emit(NO_RECORD)
            return False
        note = self.bar.note_text()
        try:
            before = self.library.screening.decide(rid, decision, reason, note)
        except (ScreeningError, KeyError) as e:
            self.message.emit(f"Not saved: {_said(e)}")
            return False
        except LibraryError as e:
            self.message.emit(f"Not saved: {e}")
            return False
        what = decision + (f" ({reason})" if reason else "")
        self.undo_stack.push(
            DecideCommand(self, rid, before, (decision, reason, note), f"Screen as {what}"))
        self.after_write(rid)
        self.next_record()
        return True

    def save_note(self, record_id: int, note: str) -> None:
        """The note typed for a record already decided: saved with its decision."""
        decision = self._view.decisions.get(record_id)
        if decision is None or decision.note == note:
            return
        self.write(record_id, (decision.decision, decision.reason, note))

    def write(self, record_id: int, what: tuple[str, str, str] | None) -> bool:
        """Store ``what`` (decision, reason, note; None: no decision) on the record; whether
        it was saved (a refusal is said, never raised: undo calls this)."""
        try:
            if what is None:
                self.library.screening.clear(record_id)
            else:
                self.library.screening.decide(record_id, *what)
        except (ScreeningError, KeyError, LibraryError) as e:
            self._refusal = _said(e)
            self.message.emit(f"Not saved: {self._refusal}")
            return False
        self.after_write(record_id)
        return True

    def step_refused(self, undoing: bool, what: str) -> None:
        """An undo or redo the library refused: the shared stack moves back and says why."""
        self.undo_stack.step_refused(undoing, what, f"Not saved: {self._refusal}")

    def after_write(self, record_id: int) -> None:
        """One record's decision changed: read it (not every decision again) and the
        progress; the relevance follows when the background refit is done."""
        try:
            screening = self.library.screening
            decision = screening.decision(record_id)
            decisions = dict(self._view.decisions)
            if decision is None:
                decisions.pop(record_id, None)
            else:
                decisions[record_id] = decision
            self._view = ScreeningView(decisions, screening.relevance(wait=0))
            self._show_progress()
        except LibraryError as e:
            self.message.emit(f"Screening could not be read: {e}")
            return
        self.model.set_screening(self._view)
        self._look_again()
        self.decided.emit(record_id)

    def _look_again(self) -> None:
        """Read the relevance again every so often while the background refit runs."""
        self._looks_left = LOOKS
        self._look.start()

    def next_record(self) -> None:
        """Go to the record the ranking proposes now (never waiting for a refit, nor for the
        ranking to read the records: until it has, the next unscreened row)."""
        try:
            rid = (self.library.screening.next(wait=0) if self._ranking_ready()
                   else self._next_row())
        except LibraryError as e:
            self.message.emit(f"The next record could not be found: {e}")
            return
        if rid is None:
            self.message.emit("Every record is screened: nothing is left to propose." if
                              self.library.count() else "No records yet: import some first.")
            return
        if not self._select(rid):
            self.message.emit(f"The next record to screen (id {rid}) is hidden by the search "
                              "or the filter: clear them to reach it.")
            return
        self.show_current()
        self.views.pane.abstract.setFocus()

    def _next_row(self) -> int | None:
        """The next row of the table the coder has not screened (wrapping round once)."""
        model, start = self.model, max(self.views.table.currentIndex().row(), 0)
        n = model.rowCount()
        for step in range(1, n + 1):
            rid = model.record_id((start + step) % n)
            if rid is not None and rid not in self._view.decisions:
                return rid
        return None

    # -- reasons ---------------------------------------------------------------------------
    def fill_reasons(self, menu: QMenu | None = None) -> None:
        """One command per exclusion reason, its key live only in screening mode."""
        menu = menu or self.exclude_menu
        if menu is None:
            return
        for act in self.reason_actions:
            self.views.window.removeAction(act)
            menu.removeAction(act)
            act.deleteLater()
        self.reason_actions = []
        try:  # (none while the window's first library is still opening)
            reasons = self.library.screening.reasons() if self.holder.is_open else []
        except LibraryError:
            reasons = []
        for reason in reasons:
            self.reason_actions.append(self._reason_action(menu, reason))
        self.bar.set_reasons(reasons)

    def _reason_action(self, menu: QMenu, reason: Reason) -> QAction:
        act = QAction(f"Exclude: {reason.name.replace('&', '&&')}", self.views.window)
        act.setObjectName(f"exclude_reason_{len(self.reason_actions)}")
        usable = reason.key and reason.key.upper() not in RESERVED_KEYS
        if self.active and usable:
            act.setShortcut(QKeySequence(reason.key))
        act.triggered.connect(lambda _c=False, name=reason.name: self.decide(EXCLUDE, name))
        self.views.window.addAction(act)
        menu.addAction(act)
        return act

    # -- terms, the team's lists, the conflicts (screening_steps) -------------------------
    def _term_menu(self, menu: QMenu, words: str) -> None:
        if self.active:
            screening_steps.term_menu(self, menu, words)

    def set_term(self, term: str, kind: str | None) -> None:
        """Highlight ``term`` as an inclusion or exclusion term (None: stop)."""
        screening_steps.set_term(self, term, kind)

    def edit_reasons(self) -> None:
        """Screening > Exclusion Reasons: the list and its keys, edited in a dialog."""
        screening_steps.edit_reasons(self)

    def edit_terms(self) -> None:
        """Screening > Highlight Terms: the inclusion and exclusion terms, one per line."""
        screening_steps.edit_terms(self)

    def show_conflicts(self) -> None:
        """Screening > Conflicts and Agreement: resolve conflicts, see each pair's kappa."""
        screening_steps.show_conflicts(self)


def _said(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"record {e.args[0]} is no longer in the library."
    return str(e)


def _quietly(work: Callable[[], object]) -> None:
    # A warm-up only: the real call, later, says what went wrong.
    with contextlib.suppress(Exception):
        work()
