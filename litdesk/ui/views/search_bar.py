"""The search toolbar: the search box (with its syntax help) and the coding-status filter."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QToolBar, QWidget

from litdesk.core import query as search_syntax
from litdesk.core.status import FILTER_TITLES

STATUS_FILTERS = (("All records", None), *((title, str(status))
                                            for status, title in FILTER_TITLES.items()))


class SearchBar(QToolBar):
    """Emits :attr:`changed` a moment after the user stops typing, or picks a filter."""

    changed = Signal(str, object)  # the search text, the status filtered on (None: all)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Search", parent)
        self.setObjectName("searchToolbar")
        self.setMovable(False)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search title, authors, abstract, keywords…")
        self.search.setToolTip(search_syntax.HELP)
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._changed)
        self.search.textChanged.connect(self._timer.start)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setToolTip("Show records by coding progress")
        for text, _value in STATUS_FILTERS:
            self.status_filter.addItem(text)
        self.status_filter.currentIndexChanged.connect(self._changed)
        self.addWidget(self.search)
        self.addWidget(self.status_filter)

    @property
    def everything(self) -> bool:
        """Nothing searched and no filter: every record is shown."""
        return not self.search.text() and self.status_filter.currentIndex() == 0

    def show_problems(self, problems: list[str]) -> str:
        """Put what the search did not understand in the box's tooltip; the sentence said."""
        said = "Search: not understood: " + "; ".join(problems)
        self.search.setToolTip(f"{said}.\nThose parts were searched as plain words.\n\n"
                               f"{search_syntax.HELP}" if problems else search_syntax.HELP)
        return said

    def _changed(self) -> None:
        self.changed.emit(self.search.text(),
                          STATUS_FILTERS[self.status_filter.currentIndex()][1])
