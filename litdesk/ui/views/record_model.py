"""The records table's model: ids from the library, row contents fetched lazily in windows.

The model never loads the whole library. It holds the sorted, filtered list of record ids
(cheap even at 100,000 records) and asks the library for the rows around the ones the view
paints, keeping a bounded cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from litdesk.core.model import LABELS
from litdesk.core.screening import UNSCREENED, Decision
from litdesk.core.status import table_text
from litdesk.store.errors import LibraryError
from litdesk.ui.views.plain import plain_tooltip
from litdesk.ui.views.screening_bar import percent

if TYPE_CHECKING:
    from litdesk.store.library import Library, RowSummary

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ScreeningView:
    """What the table shows of screening: the coder's own decisions (blind: never another
    screener's), each record's estimated relevance (0..1; empty before the ranking can)."""

    decisions: Mapping[int, Decision] = field(default_factory=dict)
    relevance: Mapping[int, float] = field(default_factory=dict)

    def state(self, record_id: int) -> str:
        """The coder's decision on the record, or "unscreened"."""
        decision = self.decisions.get(record_id)
        return decision.decision if decision is not None else UNSCREENED


class RecordTableModel(QAbstractTableModel):
    """Columns: first author, year, title, journal, coding progress, every coder's status,
    the coder's screening decision and the ranking's estimated relevance."""

    AUTHOR, YEAR, TITLE, JOURNAL, PROGRESS, CODERS, SCREENING, RELEVANCE = range(8)
    HEADERS = ("Author", "Year", "Title", "Journal", "Status", "Coders", "Screening",
               "Relevance")
    SORT_KEYS = ("author", "year", "title", "journal", "progress", "progress", "screening",
                 "relevance")
    #: Sorted here, not by the library: by the screening decision or the estimated relevance.
    LOCAL_SORTS = frozenset({"screening", "relevance"})
    WINDOW = 80  # rows fetched at once: a screenful or two, so a jump costs one small query
    CACHE = 5000  # rows kept

    #: emitted after the id list changed (search, filter, sort, import)
    rowsRequeried = Signal()
    #: the library could not be asked (a server away): the table keeps what it showed
    queryFailed = Signal(str)

    def __init__(self, library: Library | None, parent: Any = None):
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
        self._screening: ScreeningView | None = None  # set by screening (decisions, relevance)
        self._state: str | None = None  # screening state filtered on (see STATE_DECISION)
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
            if col in (self.YEAR, self.PROGRESS, self.SCREENING, self.RELEVANCE):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if col in (self.SCREENING, self.RELEVANCE):
            return self._screening_data(self._ids[index.row()], col, role)
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

    def _screening_data(self, rid: int, col: int, role: int) -> str | None:
        view = self._screening
        if view is None:
            return None
        if col == self.RELEVANCE:
            score = view.relevance.get(rid)
            if score is None:
                return None if role == Qt.ItemDataRole.DisplayRole else (
                    "Estimated once the ranking has an include and an exclude")
            return percent(score) if role == Qt.ItemDataRole.DisplayRole else (
                f"Estimated relevance {score:.1%} (the ranking's, from the decisions so far)")
        decision = view.decisions.get(rid)
        if decision is None:
            return "" if role == Qt.ItemDataRole.DisplayRole else "Not screened by you yet"
        if role == Qt.ItemDataRole.DisplayRole:
            return decision.decision
        said = f"You decided: {decision.decision}"
        return plain_tooltip(said + (f" ({decision.reason})" if decision.reason else "") + (
            f"\nNote: {decision.note}" if decision.note else ""))

    def set_screening(self, view: ScreeningView | None) -> None:
        """The coder's screening decisions and the relevance estimates to show (None: none);
        re-sorted and re-filtered when the table depends on them."""
        self._screening = view
        if self._sort in self.LOCAL_SORTS or self._state is not None:
            self._reset()
        elif self._ids:
            self.dataChanged.emit(self.index(0, self.SCREENING),
                                  self.index(len(self._ids) - 1, self.RELEVANCE))

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
    def set_filter(self, search: str, status: str | None, state: str | None = None) -> None:
        """Show the records matching ``search``, with coding ``status`` and screening
        ``state`` (the coder's own decision: "include", "exclude", "maybe" or "unscreened")."""
        if (search, status, state) != (self._search, self._status, self._state):
            self._search, self._status, self._state = search, status, state
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
        if self._lib is None:  # the window's first library is still opening
            return []
        local = self._sort in self.LOCAL_SORTS
        ids = self._lib.search_ids(
            self._search, status=self._status, sort="id" if local else self._sort,
            descending=False if local else self._descending)
        view = self._screening or ScreeningView()
        if self._state is not None:
            ids = [rid for rid in ids if view.state(rid) == self._state]
        if self._sort == "relevance":
            ids.sort(key=lambda rid: view.relevance.get(rid, -1.0), reverse=self._descending)
        elif self._sort == "screening":
            ids.sort(key=view.state, reverse=self._descending)
        return ids

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
        assert self._lib is not None, "rows are shown only from an open library"
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
