"""The records table: its columns (which show, room for Title), their menu, a kept selection."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QPoint, QSettings, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from litdesk.ui.views.record_model import RecordTableModel

TITLE_MIN_CHARS = 30  # Title keeps room for this many average characters when columns show
WIDTHS = {RecordTableModel.AUTHOR: 130, RecordTableModel.YEAR: 50,
          RecordTableModel.JOURNAL: 150, RecordTableModel.PROGRESS: 120,
          RecordTableModel.CODERS: 160, RecordTableModel.SCREENING: 80,
          RecordTableModel.RELEVANCE: 80}


class RecordsTable(QTableView):
    """The table of records; Title stretches and is never squeezed by the other columns."""

    def __init__(self, model: RecordTableModel, settings: QSettings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("records")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # The sort indicator first (saved, else none: import order), then sorting on: in the
        # other order Qt sorts by column 0 and back again, two needless queries at start-up.
        header = self.horizontalHeader()
        header.setObjectName("recordsHeader")
        state = settings.value("window/header")
        if state is None or not header.restoreState(state):  # type: ignore[arg-type]
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            for col, width in WIDTHS.items():
                self.setColumnWidth(col, width)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(24)
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(RecordTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self._fitted = False

    def show_coders_column(self, n_coders: int) -> None:
        """Every coder's status matters once a team codes; alone it repeats "Coded". Decided
        each time a library opens, whatever layout was saved."""
        self.set_column_shown(RecordTableModel.CODERS, n_coders > 1)

    def set_column_shown(self, col: int, shown: bool) -> None:
        self.horizontalHeader().setSectionHidden(col, not shown)
        if shown:
            self.make_room_for_title()
        else:
            self._fit_title()  # room again: Title stretches

    def make_room_for_title(self) -> None:
        """Narrow the other columns (to no less than their headings) until Title has room;
        done when a column is turned on and when the table gets narrower."""
        header = self.horizontalHeader()
        others = self._others()
        excess = sum(header.sectionSize(c) for c in others) + self._title_room() \
            - self.viewport().width()
        floors = {c: min(header.sectionSize(c), header.sectionSizeHint(c)) for c in others}
        slack = sum(header.sectionSize(c) - floors[c] for c in others)
        if excess > 0 and slack > 0:
            share = min(1.0, excess / slack)
            for c in others:
                give = int((header.sectionSize(c) - floors[c]) * share + 0.999)
                header.resizeSection(c, header.sectionSize(c) - give)
        self._fit_title()

    def _others(self) -> list[int]:
        header = self.horizontalHeader()
        return [c for c in range(header.count())
                if c != RecordTableModel.TITLE and not header.isSectionHidden(c)]

    def _title_room(self) -> int:
        return self.fontMetrics().averageCharWidth() * TITLE_MIN_CHARS

    def _fit_title(self) -> None:
        """Title fills the width left; where that is too little, it keeps its room and the
        table scrolls sideways instead."""
        header = self.horizontalHeader()
        left = self.viewport().width() - sum(header.sectionSize(c) for c in self._others())
        mode = header.sectionResizeMode(RecordTableModel.TITLE)
        if left >= self._title_room():
            if mode != QHeaderView.ResizeMode.Stretch:
                header.setSectionResizeMode(RecordTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        elif mode != QHeaderView.ResizeMode.Interactive:
            header.setSectionResizeMode(RecordTableModel.TITLE,
                                        QHeaderView.ResizeMode.Interactive)
            header.resizeSection(RecordTableModel.TITLE, self._title_room())

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # the window, the splitter, a scroll bar
            self.make_room_for_title()
        return super().viewportEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first time its width is known (a saved layout may not fit)
            self._fitted = True
            self.make_room_for_title()

    def _column_menu(self, pos: QPoint) -> None:
        """Right-click on the header: choose which columns to show."""
        header = self.horizontalHeader()
        menu = QMenu(self)
        for col, name in enumerate(RecordTableModel.HEADERS):
            act = menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(col))
            act.setEnabled(col != RecordTableModel.TITLE)  # keep one column to click
            act.toggled.connect(lambda on, c=col: self.set_column_shown(c, on))
        menu.exec(header.mapToGlobal(pos))

    # -- the selection -------------------------------------------------------------------
    def reselect(self, current: int | None, chosen: Sequence[int]) -> bool:
        """After the rows were read again: ``current`` current and ``chosen`` selected again
        (those still shown); False when ``current`` is not shown any more."""
        model = self.model()
        assert isinstance(model, RecordTableModel)
        row = None if current is None else model.row_of(current)
        if row is None:
            return False
        flags = QItemSelectionModel.SelectionFlag
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        rows = QItemSelection()
        for rid in chosen:
            r = model.row_of(rid)
            if r is not None and r != row:
                rows.select(model.index(r, 0), model.index(r, 0))
        self.selectionModel().select(rows, flags.Select | flags.Rows)
        self.scrollTo(index)
        return True
