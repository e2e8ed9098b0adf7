"""The record pane's screening bar: the decision, relevance, I / E / M, the reasons, a note."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.screening import (
    DECISION_KEYS,
    EXCLUDE,
    INCLUDE,
    MAYBE,
    NOTE_LIMIT,
    Decision,
    Reason,
)
from litdesk.ui.views.plain import plain_tooltip

#: Each decision's colour (the badge, the button's edge) and its word on the badge.
COLOURS = {INCLUDE: "#1b8a3a", EXCLUDE: "#c62828", MAYBE: "#b26a00"}
WORDS = {INCLUDE: "Included", EXCLUDE: "Excluded", MAYBE: "Maybe"}
REASON_COLUMNS = 3


def percent(value: float) -> str:
    """A relevance as people read it: "37%", and "<1%" rather than a 0% that is not nil."""
    return "<1%" if 0 < value < 0.005 else f"{value:.0%}"


class ScreeningBar(QFrame):
    """What the screener sees and presses above the abstract; text is always plain."""

    decisionClicked = Signal(str, str)  # decision, reason name ("" for none)
    noteEdited = Signal(int, str)  # record id, note (of a record already decided)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("screeningBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#screeningBar { background: #f6f8fa; border-radius: 4px; }")
        self.record_id: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)

        top = QHBoxLayout()
        self.badge = QLabel()
        self.badge.setObjectName("screeningDecision")
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.relevance = QLabel()
        self.relevance.setObjectName("screeningRelevance")
        self.relevance.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.badge)
        top.addStretch(1)
        top.addWidget(self.relevance)
        outer.addLayout(top)

        buttons = QHBoxLayout()
        self.decision_buttons: dict[str, QPushButton] = {}
        for decision in (INCLUDE, EXCLUDE, MAYBE):
            key = DECISION_KEYS[decision]
            btn = QPushButton(f"{key}  {decision.capitalize()}")
            btn.setObjectName(f"screen_{decision}")
            btn.setToolTip(f"{decision.capitalize()} this record (key {key})")
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the table/abstract
            btn.setStyleSheet(f"QPushButton {{ border-left: 10px solid {COLOURS[decision]}; "
                              "padding: 5px 14px; text-align: left; font-weight: bold; }")
            btn.clicked.connect(lambda _=False, d=decision: self.decisionClicked.emit(d, ""))
            self.decision_buttons[decision] = btn
            buttons.addWidget(btn)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        self.reasons_box = QWidget()
        self.reasons_grid = QGridLayout(self.reasons_box)
        self.reasons_grid.setContentsMargins(0, 0, 0, 0)
        self.reasons_grid.setHorizontalSpacing(6)
        self.reasons_grid.setVerticalSpacing(4)
        self.reason_buttons: list[QPushButton] = []
        outer.addWidget(self.reasons_box)

        self.note = QLineEdit()
        self.note.setObjectName("screeningNote")
        self.note.setMaxLength(NOTE_LIMIT)
        self.note.setPlaceholderText("Note on this decision (saved with it)")
        self.note.setClearButtonEnabled(True)
        outer.addWidget(self.note)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(600)
        self._note_timer.timeout.connect(self._note_done)
        self.note.textEdited.connect(self._note_timer.start)
        self.note.editingFinished.connect(self._note_done)
        self._decided = False

    def set_reasons(self, reasons: Sequence[Reason]) -> None:
        """One button per exclusion reason, labelled with its key."""
        for btn in self.reason_buttons:
            self.reasons_grid.removeWidget(btn)
            btn.deleteLater()
        self.reason_buttons = []
        for n, reason in enumerate(reasons):
            name = reason.name.replace("&", "&&")  # never a mnemonic
            btn = QPushButton(f"{reason.key.replace('&', '&&')}  {name}" if reason.key else name)
            btn.setObjectName(f"screen_reason_{n}")
            btn.setToolTip(plain_tooltip(f"Exclude: {reason.name}" + (
                f" (key {reason.key})" if reason.key else "")))
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            btn.setStyleSheet(f"QPushButton {{ border-left: 4px solid {COLOURS[EXCLUDE]}; "
                              "padding: 3px 8px; text-align: left; }")
            btn.clicked.connect(lambda _=False, name=reason.name:
                                self.decisionClicked.emit(EXCLUDE, name))
            self.reasons_grid.addWidget(btn, n // REASON_COLUMNS, n % REASON_COLUMNS)
            self.reason_buttons.append(btn)
        self.reasons_box.setVisible(bool(reasons))

    def show_decision(self, record_id: int | None, decision: Decision | None,
                      relevance: float | None, ready: bool = True) -> None:
        """Show the coder's decision on the record (None: not screened) and its relevance
        (``ready`` False: the ranking is still reading the records)."""
        if record_id != self.record_id:
            self._note_done()
            self.record_id = record_id
            self.note.setText(decision.note if decision is not None else "")
        elif decision is not None and not self.note.hasFocus():
            self.note.setText(decision.note)
        self._decided = decision is not None
        if decision is None:
            self.badge.setText("Not screened by you yet")
            self.badge.setStyleSheet("QLabel { color: #555; padding: 3px 8px; }")
        else:
            word = WORDS.get(decision.decision, decision.decision)
            self.badge.setText(word + (f": {decision.reason}" if decision.reason else ""))
            self.badge.setStyleSheet(
                f"QLabel {{ color: white; background: {COLOURS.get(decision.decision, '#555')};"
                " padding: 3px 10px; border-radius: 3px; font-weight: bold; }")
        if relevance is not None:
            self.relevance.setText(f"Estimated relevance: {percent(relevance)}")
        elif ready:
            self.relevance.setText("Estimated relevance: after one include and one exclude")
        else:
            self.relevance.setText("Ranking: reading the records (table order meanwhile)")
        for btn in (*self.decision_buttons.values(), *self.reason_buttons):
            btn.setEnabled(record_id is not None)

    def note_text(self) -> str:
        self._note_timer.stop()
        return self.note.text()

    def _note_done(self) -> None:
        self._note_timer.stop()
        if self._decided and self.record_id is not None:
            self.noteEdited.emit(self.record_id, self.note.text())
