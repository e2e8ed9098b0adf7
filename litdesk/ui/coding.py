"""Coding changes as undoable commands: each one sets a record's spans before/after."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand, QUndoStack

from litdesk.core.model import LABEL_TITLES, Span
from litdesk.store.library import Library


class SetSpansCommand(QUndoCommand):
    """Replace a record's spans; undo puts the earlier ones back. Both write to the library."""

    def __init__(
        self,
        library: Library,
        record_id: int,
        before: Sequence[Span],
        after: Sequence[Span],
        text: str,
        on_change: Callable[[int, list[Span]], None],
    ):
        super().__init__(text)
        self._lib = library
        self.record_id = record_id
        self._before, self._after = list(before), list(after)
        self._on_change = on_change

    def redo(self) -> None:
        self._on_change(self.record_id, self._lib.set_spans(self.record_id, self._after))

    def undo(self) -> None:
        self._on_change(self.record_id, self._lib.set_spans(self.record_id, self._before))


def describe_tag(label: str, text: str) -> str:
    snippet = text if len(text) <= 30 else text[:29] + "…"
    return f"Tag “{snippet}” as {LABEL_TITLES[label]}"


def make_stack(parent: object) -> QUndoStack:
    stack = QUndoStack(parent)  # type: ignore[arg-type]
    stack.setUndoLimit(500)
    return stack
