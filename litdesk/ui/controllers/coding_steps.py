"""Coding's undoable steps: a saved change of spans, and how a refused write is reported."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtGui import QUndoCommand

from litdesk.core.model import LABEL_TITLES, Span
from litdesk.store.errors import LibraryError

if TYPE_CHECKING:  # the controller runs these steps; they only call back into it
    from litdesk.ui.controllers.coding import CodingController

F = TypeVar("F", bound=Callable[..., Any])
GONE = "the record is no longer in the library."


def refusing(method: F) -> F:
    """A gesture that reads or writes the library: a LibraryError, or a KeyError for a record
    deleted meanwhile (by a teammate, another window), becomes a "Not saved"."""

    @wraps(method)
    def run(self: CodingController, *args: Any) -> Any:
        try:
            return method(self, *args)
        except LibraryError as e:
            self.refuse(str(e))
            return None
        except KeyError:
            self.refuse(GONE)
            return None

    return run  # type: ignore[return-value]


class SetSpansCommand(QUndoCommand):
    """A saved change of a record's spans; undo writes the earlier ones back, redo the new.

    ``applied`` says which of the two the library holds, so a write that is refused changes
    nothing here and the command can be tried again; it never raises (an exception out of
    a QUndoCommand leaves the stack moved as if it had worked).
    """

    def __init__(self, controller: CodingController, record_id: int, before: Sequence[Span],
                 after: Sequence[Span], text: str):
        super().__init__(text)
        self._ctl = controller
        self.record_id = record_id
        self._before, self._after = list(before), list(after)
        self.applied = True  # pushed once saved: the push's redo() has nothing to write

    def redo(self) -> None:
        if not self.applied:
            self.applied = self._ctl.write_spans(self, self._after, undoing=False)

    def undo(self) -> None:
        if self.applied:
            self.applied = not self._ctl.write_spans(self, self._before, undoing=True)


def describe_tag(label: str, text: str) -> str:
    snippet = text if len(text) <= 30 else text[:29] + "…"
    return f"Tag “{snippet}” as {LABEL_TITLES[label]}"
