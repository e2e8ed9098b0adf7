"""The search toolbar: the search box (with its syntax help) and the filter (coding status,
or the coder's screening decision)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QToolBar, QWidget

from litdesk.core import query as search_syntax
from litdesk.core.screening import FILTER_TITLES as SCREENED_TITLES
from litdesk.core.screening import STATE_DECISION, UNSCREENED
from litdesk.core.status import FILTER_TITLES

#: The filter's entries: (title, coding status, screening state); None: any.
STATUS_FILTERS: tuple[tuple[str, str | None, str | None], ...] = (
    ("All records", None, None),
    *((title, str(status), None) for status, title in FILTER_TITLES.items()),
    *((title, None, STATE_DECISION.get(state, UNSCREENED))
      for state, title in SCREENED_TITLES.items()))


class SearchBar(QToolBar):
    """Emits :attr:`changed` a moment after the user stops typing, or picks a filter."""

    #: the search text, the coding status and the screening state filtered on (None: any)
    changed = Signal(str, object, object)

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
        self.status_filter.setToolTip("Show records by coding progress, or by your screening "
                                      "decision")
        for text, _status, state in STATUS_FILTERS:
            if state is not None and self.status_filter.count() == 1 + len(FILTER_TITLES):
                self.status_filter.insertSeparator(self.status_filter.count())
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
        text = self.status_filter.currentText()
        _title, status, state = next((e for e in STATUS_FILTERS if e[0] == text),
                                     STATUS_FILTERS[0])
        self.changed.emit(self.search.text(), status, state)
