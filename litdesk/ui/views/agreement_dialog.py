"""Inter-coder agreement: choose two coders, see kappa and agreement per section and overall,
a bar chart per section, and the records with the lowest kappa first (double-click one to
reconcile it). The figures are defined in :mod:`litdesk.core.agreement`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.agreement import Agreement, Figures, RecordAgreement, agreement
from litdesk.core.model import CONSENSUS_CODER, LABEL_COLOURS, LABEL_TITLES, LABELS
from litdesk.core.words import counted
from litdesk.ui.views.reconcile_dialog import ReconcileDialog

if TYPE_CHECKING:
    from litdesk.store.library import Library

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
SORT_ROLE = Qt.ItemDataRole.UserRole


def kappa_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def percent_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


class FiguresModel(QAbstractTableModel):
    """Overall and per-section figures: one row each, kappa and percent agreement."""

    SECTION, KAPPA, AGREEMENT = range(3)
    HEADERS = ("Section", "Kappa", "Agreement")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[tuple[str, Figures]] = []

    def set_agreement(self, result: Agreement | None) -> None:
        self.beginResetModel()
        self._rows = [] if result is None else [("Overall", result.overall)] + [
            (LABEL_TITLES[label], result.labels[label]) for label in LABELS]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        name, fig = self._rows[index.row()]
        col = index.column()
        if col == self.SECTION:
            return name
        return kappa_text(fig.kappa) if col == self.KAPPA else percent_text(fig.agreement)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return self.HEADERS[section]
        return None


class RecordAgreementModel(QAbstractTableModel):
    """Per-record figures; sortable, lowest kappa first to begin with (undefined kappa last)."""

    ID, TITLE, CHARACTERS, KAPPA, AGREEMENT = range(5)
    HEADERS = ("ID", "Title", "Characters", "Kappa", "Agreement")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[RecordAgreement] = []
        self._titles: dict[int, str] = {}

    def set_records(self, rows: list[RecordAgreement], titles: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows, self._titles = list(rows), titles
        self.endResetModel()

    def record_id(self, row: int) -> int:
        return self._rows[row].id

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        rec, col = self._rows[index.row()], index.column()
        if role == SORT_ROLE:
            return self._key(rec, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col != self.TITLE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != _DISPLAY:
            return None
        if col == self.ID:
            return str(rec.id)
        if col == self.TITLE:
            return self._titles.get(rec.id, "")
        if col == self.CHARACTERS:
            return str(rec.characters)
        return kappa_text(rec.kappa) if col == self.KAPPA else percent_text(rec.agreement)

    def _key(self, rec: RecordAgreement, col: int) -> tuple[Any, ...]:
        """A comparable sort key; undefined figures sort after every number."""
        value: Any = {
            self.ID: rec.id, self.TITLE: self._titles.get(rec.id, "").casefold(),
            self.CHARACTERS: rec.characters, self.KAPPA: rec.kappa,
            self.AGREEMENT: rec.agreement,
        }[col]
        return (value is None, value if value is not None else 0, rec.id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=lambda r: self._key(r, column),
                        reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return self.HEADERS[section]
        return None


class KappaChart(QWidget):
    """A bar per section: kappa in the section's colour, percent agreement as a thin grey bar.

    Bars run from 0 to 1; a negative kappa is drawn as an empty bar with its value written.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.values: dict[str, Figures] = {}
        self.setMinimumHeight(5 * 30 + 10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Kappa per section")

    def set_figures(self, values: dict[str, Figures]) -> None:
        self.values = dict(values)
        self.setToolTip("\n".join(
            f"{LABEL_TITLES[label]}: kappa {kappa_text(fig.kappa)}, "
            f"agreement {percent_text(fig.agreement)}" for label, fig in self.values.items()))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        name_width = max(metrics.horizontalAdvance(LABEL_TITLES[label]) for label in LABELS) + 8
        value_width = metrics.horizontalAdvance("-0.000") + 8
        full = max(10.0, self.width() - name_width - value_width - 8.0)
        row_height = (self.height() - 10) / len(LABELS)
        text = self.palette().windowText().color()
        for n, label in enumerate(LABELS):
            top = 5 + n * row_height
            fig = self.values.get(label)
            painter.setPen(text)
            painter.drawText(QRectF(0, top, name_width - 4, row_height),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             LABEL_TITLES[label])
            bar_top, bar_height = top + row_height * 0.15, row_height * 0.5
            painter.setPen(QColor("#888888"))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(name_width, bar_top, full, bar_height))
            if fig is None:
                continue
            if fig.kappa is not None and fig.kappa > 0:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(LABEL_COLOURS[label]))
                painter.drawRect(QRectF(name_width, bar_top, full * min(fig.kappa, 1.0),
                                        bar_height))
            if fig.agreement is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor("#777777"))
                painter.drawRect(QRectF(name_width, bar_top + bar_height + 2,
                                        full * fig.agreement, max(2.0, row_height * 0.12)))
            painter.setPen(text)
            painter.drawText(QRectF(name_width + full + 6, top, value_width, row_height),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             kappa_text(fig.kappa))
        painter.end()


class AgreementDialog(QDialog):
    """Agreement between two chosen coders over the records both marked done."""

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.measured: Agreement | None = None
        self.reconcile_dialog: ReconcileDialog | None = None
        self.setWindowTitle("Inter-coder agreement")
        self.resize(900, 720)

        names = library.coding.coders()
        coders_first = [c for c in names if c != CONSENSUS_CODER] + (
            [CONSENSUS_CODER] if CONSENSUS_CODER in names else [])
        self.coder_a, self.coder_b = QComboBox(self), QComboBox(self)
        self.coder_a.setObjectName("coderA")
        self.coder_b.setObjectName("coderB")
        for combo, default in ((self.coder_a, 0), (self.coder_b, 1)):
            combo.addItems(coders_first)
            if default < len(coders_first):
                combo.setCurrentIndex(default)
            combo.currentIndexChanged.connect(self.refresh)
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Coder A:", self))
        choose.addWidget(self.coder_a, 1)
        choose.addWidget(QLabel("Coder B:", self))
        choose.addWidget(self.coder_b, 1)

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.figures_model = FiguresModel(self)
        self.figures = QTableView(self)
        self.figures.setObjectName("figures")
        self.figures.setModel(self.figures_model)
        self.figures.verticalHeader().hide()
        self.figures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.figures.setMaximumHeight(7 * 26 + 4)
        self.chart = KappaChart(self)
        top = QHBoxLayout()
        top.addWidget(self.figures, 1)
        top.addWidget(self.chart, 1)

        self.records_model = RecordAgreementModel(self)
        self.records = QTableView(self)
        self.records.setObjectName("perRecord")
        self.records.setModel(self.records_model)
        self.records.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.records.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.records.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.records.verticalHeader().hide()
        self.records.setSortingEnabled(True)
        self.records.horizontalHeader().setSectionResizeMode(
            RecordAgreementModel.TITLE, QHeaderView.ResizeMode.Stretch)
        self.records.doubleClicked.connect(lambda index: self.open_reconcile(
            self.records_model.record_id(index.row())))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(QLabel("Records, lowest kappa first (double-click to reconcile):", self))
        layout.addWidget(self.records, 1)
        layout.addWidget(buttons)
        self.refresh()

    def chosen(self) -> tuple[str, str] | None:
        a, b = self.coder_a.currentText(), self.coder_b.currentText()
        return (a, b) if a and b and a != b else None

    def refresh(self) -> None:
        """Recompute the figures for the chosen coders."""
        pair = self.chosen()
        if pair is None:
            self.measured = None
            self.summary.setText("Choose two different coders to compare their coding."
                                 if self.coder_a.count() > 1 else
                                 "Agreement needs two coders: code records as another coder "
                                 "(litdesk --coder NAME) and mark them done.")
            self.figures_model.set_agreement(None)
            self.chart.set_figures({})
            self.records_model.set_records([], {})
            return
        a, b = pair
        self.measured = agreement(self.library.coding.agreement_pairs(a, b))
        ids = [r.id for r in self.measured.per_record]
        titles = {row.id: row.title for row in self.library.rows(ids)}
        self.summary.setText(
            f"{counted(self.measured.records, 'record')} marked done by both {a} and {b}."
            if self.measured.records else
            f"No record is marked done by both {a} and {b} yet.")
        self.figures_model.set_agreement(self.measured)
        self.chart.set_figures(self.measured.labels)
        self.records_model.set_records(self.measured.per_record, titles)
        self.records.sortByColumn(RecordAgreementModel.KAPPA, Qt.SortOrder.AscendingOrder)

    def open_reconcile(self, record_id: int) -> ReconcileDialog | None:
        """Open the reconciliation of ``record_id`` for the chosen coders (not modal)."""
        pair = self.chosen()
        if pair is None:
            return None
        dialog = ReconcileDialog(self.library, record_id, pair[0], pair[1], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reconcile_dialog = dialog
        dialog.finished.connect(self._reconcile_closed)
        dialog.open()
        return dialog

    def _reconcile_closed(self) -> None:
        self.reconcile_dialog = None  # the dialog deletes itself on close
