"""Screening conflicts resolved into a consensus, beside each screener pair's agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.screening import EXCLUDE, INCLUDE, MAYBE, Conflict, ScreeningError
from litdesk.store.errors import LibraryError
from litdesk.ui.views.plain import plain_tooltip

if TYPE_CHECKING:
    from litdesk.store.library import Library


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _kappa(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)  # plain text, whatever the record holds
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class ConflictsDialog(QDialog):
    """Agreement per screener pair (percent, Cohen's κ), then each conflict to resolve."""

    resolved = Signal(int)  # a consensus decision was recorded on this record

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Screening conflicts and agreement")
        self.setObjectName("conflictsDialog")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Agreement of each pair of screeners on include / exclude "
                             "(records either marked maybe are left out):"))
        self.pairs = QTableWidget(0, 5)
        self.pairs.setObjectName("agreementTable")
        self.pairs.setHorizontalHeaderLabels(
            ["Screeners", "Screened by both", "Compared", "Agreement", "Cohen's κ"])
        header = self.pairs.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.pairs.verticalHeader().hide()
        lay.addWidget(self.pairs)
        self.summary = QLabel()
        self.summary.setObjectName("conflictsSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.summary)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("conflictsTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 2)
        self.abstract = QPlainTextEdit()  # the record's text, to decide on: plain, read-only
        self.abstract.setObjectName("conflictAbstract")
        self.abstract.setReadOnly(True)
        lay.addWidget(self.abstract, 1)

        row = QHBoxLayout()
        row.addWidget(QLabel("Consensus:"))
        self.buttons: dict[str, QPushButton] = {}
        for decision in (INCLUDE, EXCLUDE, MAYBE):
            btn = QPushButton(decision.capitalize())
            btn.setObjectName(f"resolve_{decision}")
            btn.clicked.connect(lambda _=False, d=decision: self.resolve(d))
            self.buttons[decision] = btn
            row.addWidget(btn)
        self.reason = QComboBox()
        self.reason.setObjectName("resolveReason")
        self.reason.setToolTip("The reason recorded with a consensus exclusion")
        row.addWidget(self.reason, 1)
        lay.addLayout(row)
        self.note = QLineEdit()
        self.note.setObjectName("resolveNote")
        self.note.setPlaceholderText("Note on the consensus (optional)")
        lay.addWidget(self.note)
        self.error = QLabel()
        self.error.setObjectName("resolveError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("QLabel { color: #611a15; }")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.resize(900, 560)
        self._conflicts: list[Conflict] = []
        self.reload()

    def reload(self) -> None:
        """Read the agreement and the conflicts again."""
        try:
            pairs = self.library.screening.agreements()
            self._conflicts = self.library.screening.conflicts()
            reasons = self.library.screening.reasons()
            titles = {r.id: r.title for r in self.library.rows(
                [c.record_id for c in self._conflicts])}
        except LibraryError as e:
            self.error.setText(f"Could not be read: {e}")
            return
        self.pairs.setRowCount(len(pairs))
        for n, p in enumerate(pairs):
            for col, text in enumerate((f"{p.coder_a} · {p.coder_b}", f"{p.records:,}",
                                        f"{p.compared:,}", _pct(p.agreement),
                                        _kappa(p.kappa))):
                self.pairs.setItem(n, col, _item(text))
        rows = max(1, min(len(pairs), 4))  # the pairs' table as tall as its rows (up to 4)
        self.pairs.setFixedHeight(self.pairs.horizontalHeader().height() + 4
                                  + rows * self.pairs.verticalHeader().defaultSectionSize())
        screeners = sorted({c for k in self._conflicts for c in k.decisions})
        self.table.setColumnCount(2 + len(screeners))
        self.table.setHorizontalHeaderLabels(["ID", "Title", *screeners])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setRowCount(len(self._conflicts))
        for n, conflict in enumerate(self._conflicts):
            self.table.setItem(n, 0, _item(str(conflict.record_id)))
            self.table.setItem(n, 1, _item(titles.get(conflict.record_id, "(not found)")))
            for col, who in enumerate(screeners, start=2):
                d = conflict.decisions.get(who)
                said = "" if d is None else d.decision + (f": {d.reason}" if d.reason else "")
                item = _item(said)
                if d is not None and d.note:
                    item.setToolTip(plain_tooltip(f"{who}'s note: {d.note}"))
                self.table.setItem(n, col, item)
        self.summary.setText(f"{len(self._conflicts):,} record"
                             f"{'' if len(self._conflicts) == 1 else 's'} in conflict"
                             + (": choose one and record the consensus." if self._conflicts
                                else "."))
        self.reason.clear()
        self.reason.addItem("(no reason)", "")
        for r in reasons:
            self.reason.addItem(r.name, r.name)
        if self._conflicts:
            self.table.selectRow(0)
        self._selected()

    def _selected(self) -> None:
        conflict = self.current()
        for btn in self.buttons.values():
            btn.setEnabled(conflict is not None)
        text = ""
        if conflict is not None:
            try:
                record = self.library.record(conflict.record_id)
                text = f"{record.title}\n\n{record.abstract or '(no abstract)'}"
            except (KeyError, LibraryError):
                text = "(this record cannot be read now)"
        self.abstract.setPlainText(text)

    def current(self) -> Conflict | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self._conflicts):
            return None
        return self._conflicts[rows[0].row()]

    def resolve(self, decision: str) -> bool:
        """Record ``decision`` as the selected conflict's consensus; whether it was saved."""
        conflict = self.current()
        if conflict is None:
            self.error.setText("Choose a conflict first.")
            return False
        reason = self.reason.currentData() if decision == EXCLUDE else ""
        try:
            self.library.screening.resolve(conflict.record_id, decision, reason or "",
                                           self.note.text())
        except (ScreeningError, KeyError, LibraryError) as e:
            said = (f"record {e.args[0]} is no longer in the library" if isinstance(e, KeyError)
                    else str(e))
            self.error.setText(f"Not saved: {said}")
            self.reload()
            return False
        self.error.setText("")
        self.note.clear()
        self.resolved.emit(conflict.record_id)
        self.reload()
        return True
