"""The team's screening lists, edited: the exclusion reasons (with keys) and the terms."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.screening import Reason, ScreeningError, check_reason
from litdesk.core.term_matches import WILDCARD

#: Keys a reason may not have: they decide (I, E, M) or move (J, K, N) while screening.
RESERVED_KEYS = frozenset("IEMJKN")
#: How a reason row remembers the reason it was (None: a new row).
ORIGINAL = 0x0100  # Qt.ItemDataRole.UserRole


class ReasonsDialog(QDialog):
    """The exclusion reasons as a table of name and key; OK saves the list, checked whole."""

    def __init__(self, reasons: Sequence[Reason], reserved: frozenset[str],
                 save: Callable[[list[tuple[str | None, Reason]]], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Exclusion reasons")
        self.setObjectName("reasonsDialog")
        self._reserved, self._save = reserved, save
        lay = QVBoxLayout(self)
        intro = QLabel("The reasons a screener can give for an exclusion, each with the key "
                       f"that gives it in screening mode (not {', '.join(sorted(reserved))}).")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("reasonsTable")
        self.table.setHorizontalHeaderLabels(["Reason", "Key"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        for reason in reasons:
            self._add_row(reason.name, reason.key, reason.name)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        add = QPushButton("&Add Reason")
        add.setObjectName("addReason")
        add.clicked.connect(self.add_reason)
        remove = QPushButton("&Remove Reason")
        remove.setObjectName("removeReason")
        remove.clicked.connect(self.remove_reason)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(520, 360)

    def _add_row(self, name: str, key: str, original: str | None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = QTableWidgetItem(name)
        item.setData(ORIGINAL, original)
        self.table.setItem(row, 0, item)
        self.table.setItem(row, 1, QTableWidgetItem(key))
        return row

    def add_reason(self) -> None:
        row = self._add_row("", "", None)
        self.table.setCurrentCell(row, 0)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.editItem(item)

    def remove_reason(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str | None, Reason]]:
        """Each row as (the reason it was, or None; the reason it is now), blank rows left
        out; ScreeningError for a row that cannot be a reason."""
        out: list[tuple[str | None, Reason]] = []
        for row in range(self.table.rowCount()):
            name_item, key_item = self.table.item(row, 0), self.table.item(row, 1)
            name = name_item.text() if name_item else ""
            key = key_item.text().strip() if key_item else ""
            if not name.strip() and not key:
                continue
            if key.upper() in self._reserved:
                raise ScreeningError(f"row {row + 1}: the key {key!r} decides or moves while "
                                     "screening; choose another")
            try:
                reason = check_reason(name, key, [r for _o, r in out])
            except ScreeningError as e:
                raise ScreeningError(f"row {row + 1}: {e}") from None
            out.append((name_item.data(ORIGINAL) if name_item else None, reason))
        return out

    def accept(self) -> None:
        try:
            self._save(self.rows())
        except ScreeningError as e:
            QMessageBox.warning(self, "Reasons not saved", str(e))
            return
        super().accept()


class TermsDialog(QDialog):
    """The terms highlighted in abstracts: one per line, inclusion and exclusion apart."""

    def __init__(self, terms: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Highlight terms")
        self.setObjectName("termsDialog")
        lay = QVBoxLayout(self)
        intro = QLabel("Words highlighted in every abstract while screening: one term per line "
                       f"(a phrase is fine; end a word with {WILDCARD} to match its longer "
                       "forms, as in child* for children).")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        columns = QHBoxLayout()
        self.edits: dict[str, QPlainTextEdit] = {}
        for kind, title in (("include", "Inclusion terms (green)"),
                            ("exclude", "Exclusion terms (red)")):
            box = QVBoxLayout()
            box.addWidget(QLabel(title))
            edit = QPlainTextEdit("\n".join(t for t, k in sorted(terms.items()) if k == kind))
            edit.setObjectName(f"{kind}Terms")
            box.addWidget(edit)
            columns.addLayout(box)
            self.edits[kind] = edit
        lay.addLayout(columns)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(560, 380)

    def chosen(self) -> dict[str, str]:
        """term -> kind as typed (case and spacing as the library keeps them); a term in
        both lists is an exclusion term."""
        out: dict[str, str] = {}
        for kind in ("include", "exclude"):
            for line in self.edits[kind].toPlainText().splitlines():
                term = " ".join(line.split()).casefold()
                if term.strip(WILDCARD):
                    out[term] = kind
        return out
