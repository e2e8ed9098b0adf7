"""What controllers are given besides the library holder: messages, undo stack, records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack


class Messages(QObject):
    """Something to tell the researcher (the window shows it in its status bar)."""

    said = Signal(str, int)  # the text, how long to show it (ms)

    def say(self, text: str, ms: int = 6000) -> None:
        self.said.emit(text, ms)


@dataclass(frozen=True)
class Records:
    """Which records the user has in view: selected, shown in the table, the current one."""

    selected: Callable[[], list[int]]
    shown: Callable[[], list[int]]
    current: Callable[[], int | None]


class UndoSteps(QUndoStack):
    """The one undo stack of a window: coding, accepted suggestions and removals alike.

    A change is written first and pushed only once it is saved. An undo or redo the library
    refuses is reported by its command through :meth:`step_refused`; once the stack has
    moved it is moved back (a refused command writes nothing; a macro's written parts are put
    back) and :attr:`refused` says why.
    """

    refused = Signal(str)  # "why (“what” was not undone.)"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.setUndoLimit(500)
        self._refused_step: tuple[bool, str, str] | None = None  # undoing?, what, why
        self._stepping_back = False
        self.indexChanged.connect(self._after_step)

    def step_refused(self, undoing: bool, what: str, why: str) -> None:
        """An undo or redo (of any command) that the library refused."""
        if not self._stepping_back and self._refused_step is None:
            self._refused_step = (undoing, what, why)

    def _after_step(self, _index: int) -> None:
        if self._refused_step is None or self._stepping_back:
            return
        undoing, what, why = self._refused_step
        self._refused_step = None
        self._stepping_back = True
        try:
            (self.redo if undoing else self.undo)()
        finally:
            self._stepping_back = False
        self.refused.emit(f"{why} (“{what}” was not {'undone' if undoing else 'redone'}.)")
