"""The records table's model: ids from the library, row contents fetched lazily in windows.

The model never loads the whole library. It holds the sorted, filtered list of record ids
(cheap even at 100,000 records) and asks the library for the rows around the ones the view
paints, keeping a bounded cache.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from litdesk.core.model import LABELS
from litdesk.core.status import table_text
from litdesk.store.library import Library, LibraryError, RowSummary

Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """Columns: first author, year, title, journal, coding progress, every coder's status."""

    AUTHOR, YEAR, TITLE, JOURNAL, PROGRESS, CODERS = range(6)
    HEADERS = ("Author", "Year", "Title", "Journal", "Status", "Coders")
    SORT_KEYS = ("author", "year", "title", "journal", "progress", "progress")
    WINDOW = 80  # rows fetched at once: a screenful or two, so a jump costs one small query
    CACHE = 5000  # rows kept

    #: emitted after the id list changed (search, filter, sort, import)
    rowsRequeried = Signal()
    #: the library could not be asked (a server away): the table keeps what it showed
    queryFailed = Signal(str)

    def __init__(self, library: Library, parent: Any = None):
        super().__init__(parent)
        self._lib = library
        self._search = ""
        self._status: str | None = None
        self._sort = "id"
        self._descending = False
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._cache: OrderedDict[int, RowSummary] = OrderedDict()
        self._coders: dict[int, str] = {}  # record id -> "ana 5/5 ✓ · bob 2/5"
        self._requery()

    # -- what the view asks --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.TextAlignmentRole):
            return None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (self.YEAR, self.PROGRESS):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.PROGRESS:
                done = ", marked done" if row.done else ""
                n = len(LABELS)
                return f"{row.status}: {row.sections} of {n} sections tagged{done}"  # always plural
            return row.title if col == self.TITLE else None
        return self._display(row, col)

    def _display(self, row: RowSummary, col: int) -> str:
        if col == self.AUTHOR:
            return row.authors
        if col == self.YEAR:
            return str(row.year) if row.year else ""
        if col == self.TITLE:
            return row.title
        if col == self.JOURNAL:
            return row.journal
        if col == self.CODERS:
            return self._coders.get(row.id, "")
        return table_text(row.status, row.sections, row.done)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` in SQLite (-1, Qt's "not sorted": the order of import)."""
        if not -1 <= column < len(self.SORT_KEYS):
            return
        key = self.SORT_KEYS[column] if column >= 0 else "id"
        descending = column >= 0 and order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._sort, self._descending):
            self._sort, self._descending = key, descending
            self._reset()

    # -- what the window tells it --------------------------------------------------------
    def set_filter(self, search: str, status: str | None) -> None:
        if (search, status) != (self._search, self._status):
            self._search, self._status = search, status
            self._reset()

    def set_library(self, library: Library) -> None:
        self._lib = library
        self._reset()

    def refresh(self) -> None:
        """Re-read ids and rows (after an import or a deletion)."""
        self._reset()

    def refresh_record(self, record_id: int) -> None:
        """One record's row changed (it was tagged): repaint it without a reset."""
        self._cache.pop(record_id, None)
        self._coders.pop(record_id, None)
        row = self.row_of(record_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def record_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {rid: i for i, rid in enumerate(self._ids)}
        return self._row_of.get(record_id)

    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    # -- internals ---------------------------------------------------------------------
    def _reset(self) -> None:
        try:  # asked before the reset starts: a failed query leaves the table as it was
            ids = self._query()
        except LibraryError as e:
            self.queryFailed.emit(str(e))
            return
        self.beginResetModel()
        self._requery(ids)
        self.endResetModel()
        self.rowsRequeried.emit()

    def _query(self) -> list[int]:
        return self._lib.search_ids(
            self._search, status=self._status, sort=self._sort, descending=self._descending
        )

    def _requery(self, ids: list[int] | None = None) -> None:
        self._ids = self._query() if ids is None else ids
        self._row_of = None
        self._cache.clear()
        self._coders.clear()

    def _row(self, row: int) -> RowSummary | None:
        rid = self._ids[row]
        hit = self._cache.get(rid)
        if hit is not None:
            return hit
        start = max(0, row - self.WINDOW // 4)
        window = self._ids[start:start + self.WINDOW]
        try:
            summaries = self._lib.rows(window)
            statuses = self._lib.coding.status_by_coder(window)
        except LibraryError:
            # The server is away (the window's banner says so): the rows stay blank until
            # the window finds it again and refreshes the table.
            return None
        for summary in summaries:
            self._cache[summary.id] = summary
        for rid_, by_coder in statuses.items():
            self._coders[rid_] = " · ".join(
                f"{name} {st.sections}/{len(LABELS)}{' ✓' if st.done else ''}"
                for name, st in sorted(by_coder.items()) if st.sections or st.done)
        while len(self._cache) > self.CACHE:
            old, _ = self._cache.popitem(last=False)
            self._coders.pop(old, None)
        return self._cache.get(rid)
