"""Possible duplicates side by side, differences marked, to merge or keep both; and the counts.

The pairs are read on a worker thread; records' text is shown as plain text only (table items
and plain-text labels), never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.duplicates import fold, normalise_doi
from litdesk.core.model import Record
from litdesk.core.words import counted
from litdesk.store.errors import LibraryError
from litdesk.ui.tasks import workers
from litdesk.ui.tasks.workers import PairsWorker

if TYPE_CHECKING:
    from litdesk.store.library import Library, PossiblePair

DIFFERENT = QColor("#FFE8A8")  # pale amber: a field the two records give differently

#: (field label, value of a record as text, whether two values count as the same)
_ROWS: tuple[tuple[str, Callable[[Record], str]], ...] = (
    ("Record", lambda r: str(r.id)),
    ("Type", lambda r: r.type),
    ("Title", lambda r: r.title),
    ("Authors", lambda r: "; ".join(r.authors)),
    ("Year", lambda r: str(r.year or "")),
    ("Journal", lambda r: r.journal),
    ("Volume", lambda r: r.volume),
    ("Issue", lambda r: r.issue),
    ("Pages", lambda r: r.pages),
    ("DOI", lambda r: r.doi),
    ("PubMed ID", lambda r: r.pmid),
    ("PMCID", lambda r: r.pmcid),
    ("Accessions", lambda r: ", ".join(r.accessions)),
    ("Abstract", lambda r: r.abstract),
)


def _same(label: str, x: str, y: str) -> bool:
    if label == "Record":
        return True
    if label == "DOI":
        return normalise_doi(x) == normalise_doi(y)
    return fold(x) == fold(y)


class DuplicatesDialog(QDialog):
    """Each pending pair side by side; Merge keeps the left record, Keep Both remembers."""

    def __init__(self, library: Library, parent: QWidget | None = None,
                 changed: Callable[[], None] | None = None):
        super().__init__(parent)
        self.setObjectName("duplicatesDialog")
        self.setWindowTitle("Possible Duplicates")
        self.resize(1100, 640)
        self._lib, self._changed = library, changed
        self.pairs: list[PossiblePair] = []
        self._undo: list[tuple[str, int, int, int]] = []  # (kind, merge log id, a, b)
        self.status = QLabel("Reading possible duplicates…")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("duplicatesStatus")
        self.list = QListWidget()
        self.list.setObjectName("pairList")
        self.list.currentRowChanged.connect(self._show)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("pairTable")
        self.table.setHorizontalHeaderLabels(["", "Left (kept on merge)", "Right"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.evidence = QLabel()
        self.evidence.setObjectName("pairEvidence")
        self.evidence.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setWordWrap(True)
        self.merge_button = QPushButton("&Merge into Left")
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setToolTip("Keep the left record with everything of both; the right "
                                     "one goes (Undo puts it back)")
        self.keep_button = QPushButton("&Keep Both")
        self.keep_button.setObjectName("keepBothButton")
        self.keep_button.setToolTip("They are different papers: never ask again")
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setObjectName("undoButton")
        self.merge_button.clicked.connect(self.merge_current)
        self.keep_button.clicked.connect(self.keep_current)
        self.undo_button.clicked.connect(self.undo)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.accepted.connect(self.accept)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.table, 1)
        rl.addWidget(self.evidence)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([280, 820])
        buttons = QHBoxLayout()
        for b in (self.merge_button, self.keep_button, self.undo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self._update_buttons()
        self.reload()

    def reload(self) -> None:
        """Read the pending pairs again (on a worker thread)."""
        self.loading = True
        self._update_buttons()
        worker = PairsWorker(self._lib)
        worker.finished.connect(self._loaded)
        worker.failed.connect(self._load_failed)
        # No parent: the dialog may be closed (and deleted) while the pairs are being read.
        workers.start(worker, None)

    @Slot(object)
    def _loaded(self, found: object) -> None:
        self.loading = False
        self.pairs = list(found) if isinstance(found, list) else []
        self.list.clear()
        for p in self.pairs:
            self.list.addItem(f"{p.a.id} / {p.b.id}: {p.a.title[:60]}")
        n = len(self.pairs)
        self.status.setText("No possible duplicates awaiting a decision." if not n else
                            f"{counted(n, 'pair')} of possible duplicates awaiting a "
                            "decision. Fields that differ are marked.")
        if n:
            self.list.setCurrentRow(0)
        else:
            self._show(-1)
        self._update_buttons()

    @Slot(str)
    def _load_failed(self, message: str) -> None:
        self.loading = False
        self.status.setText(f"The possible duplicates could not be read: {message}")
        self._update_buttons()

    def current(self) -> PossiblePair | None:
        row = self.list.currentRow()
        return self.pairs[row] if 0 <= row < len(self.pairs) else None

    @Slot(int)
    def _show(self, _row: int) -> None:
        pair = self.current()
        self.table.setRowCount(0)
        self.evidence.clear()
        if pair is not None:
            self.table.setRowCount(len(_ROWS))
            for i, (label, value) in enumerate(_ROWS):
                x, y = value(pair.a), value(pair.b)
                same = _same(label, x, y) or not (x and y)
                mark = QTableWidgetItem(label if same else f"≠ {label}")
                cells = [mark, QTableWidgetItem(x), QTableWidgetItem(y)]
                for col, item in enumerate(cells):
                    if not same:
                        item.setBackground(QBrush(DIFFERENT))
                    item.setToolTip("differs" if not same else "")
                    self.table.setItem(i, col, item)
            self.table.resizeRowsToContents()
            shown = "; ".join(f"{f} {r}" + (f" ({d})" if d else "") for f, r, d in pair.evidence)
            self.evidence.setText(f"Why: {pair.reason}. Field by field: {shown}.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not getattr(self, "loading", False)
        has = self.current() is not None
        self.merge_button.setEnabled(idle and has)
        self.keep_button.setEnabled(idle and has)
        self.undo_button.setEnabled(idle and bool(self._undo))

    def _act(self, work: Callable[[], None]) -> bool:
        try:
            work()
        except (LibraryError, KeyError, ValueError) as e:
            QMessageBox.warning(self, "litdesk", str(e) if not isinstance(e, KeyError)
                                else f"Record {e.args[0]} is no longer in the library.")
            self.reload()
            return False
        if self._changed is not None:
            self._changed()
        self.reload()
        return True

    @Slot()
    def merge_current(self) -> None:
        pair = self.current()
        if pair is None or pair.a.id is None or pair.b.id is None:
            return
        a, b = pair.a.id, pair.b.id

        def work() -> None:
            self._undo.append(("merge", self._lib.duplicates.merge(a, b), a, b))
        self._act(work)

    @Slot()
    def keep_current(self) -> None:
        pair = self.current()
        if pair is None or pair.a.id is None or pair.b.id is None:
            return
        a, b = pair.a.id, pair.b.id

        def work() -> None:
            self._lib.duplicates.keep_both(a, b)
            self._undo.append(("keep", 0, a, b))
        self._act(work)

    @Slot()
    def undo(self) -> None:
        if not self._undo:
            return
        kind, log_id, a, b = self._undo[-1]

        def work() -> None:
            if kind == "merge":
                self._lib.duplicates.unmerge(log_id)
            else:
                self._lib.duplicates.reopen(a, b)
            self._undo.pop()
        self._act(work)


def show_duplicates(win: QWidget, library: Library, changed: Callable[[], None]) -> QDialog:
    """Open the possible duplicates (non-modal: the records stay browsable)."""
    dialog = DuplicatesDialog(library, win, changed)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def show_counts(win: QWidget, library: Library) -> QMessageBox:
    """The library's PRISMA counts in a message box (plain text, copyable)."""
    box = QMessageBox(QMessageBox.Icon.Information, "Duplicate Counts",
                      "\n".join(library.duplicates.counts().lines()),
                      QMessageBox.StandardButton.Ok, win)
    box.setObjectName("countsDialog")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
