"""The toolbar's filter: coding status (uncoded … coded) or the coder's screening decision."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox

from litdesk.core.screening import FILTER_TITLES as SCREENED_TITLES
from litdesk.core.screening import STATE_DECISION, UNSCREENED
from litdesk.core.status import FILTER_TITLES

#: The filter's entries: (title, coding status, screening state); None: any.
ENTRIES: tuple[tuple[str, str | None, str | None], ...] = (
    ("All records", None, None),
    *((title, str(status), None) for status, title in FILTER_TITLES.items()),
    *((title, None, STATE_DECISION.get(state, UNSCREENED))
      for state, title in SCREENED_TITLES.items()))


def make(changed: Callable[[], None]) -> QComboBox:
    """The filter's chooser (coding entries, a separator, screening entries)."""
    combo = QComboBox()
    combo.setObjectName("statusFilter")
    combo.setToolTip("Show records by coding progress, or by your screening decision")
    for text, _status, state in ENTRIES:
        if state is not None and combo.count() == 1 + len(FILTER_TITLES):
            combo.insertSeparator(combo.count())  # between coding and screening
        combo.addItem(text)
    combo.currentIndexChanged.connect(lambda _i: changed())
    return combo


def chosen(combo: QComboBox) -> tuple[str | None, str | None]:
    """The coding status and screening state the filter asks for (None: any)."""
    text = combo.currentText()
    entry = next((e for e in ENTRIES if e[0] == text), ENTRIES[0])
    return entry[1], entry[2]
