"""Coding a record: tagging gestures become undoable commands that write to the library.

:class:`CodingController` sits between the record pane (what the researcher does) and the
library (what is stored). Every change is a :class:`SetSpansCommand` on one undo stack, so
Ctrl+Z undoes tagging, accepted suggestions and removals alike, on whichever record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from litdesk.core.model import LABEL_TITLES, Record, Span
from litdesk.core.sections import suggest_sections
from litdesk.core.spans import SpanError, apply_tag, remove_range, sentence_at, snap_to_words
from litdesk.store import coders
from litdesk.store.library import Library, LibraryError
from litdesk.ui.record_pane import ALL_CODERS, RecordPane


class SetSpansCommand(QUndoCommand):
    """Replace a record's spans; undo puts the earlier ones back. Both write to the library."""

    def __init__(
        self,
        library: Library,
        record_id: int,
        before: Sequence[Span],
        after: Sequence[Span],
        text: str,
        on_change: Callable[[int], None],
    ):
        super().__init__(text)
        self._lib = library
        self.record_id = record_id
        self._before, self._after = list(before), list(after)
        self._on_change = on_change

    def redo(self) -> None:
        self._lib.set_spans(self.record_id, self._after)
        self._on_change(self.record_id)

    def undo(self) -> None:
        self._lib.set_spans(self.record_id, self._before)
        self._on_change(self.record_id)


def describe_tag(label: str, text: str) -> str:
    snippet = text if len(text) <= 30 else text[:29] + "…"
    return f"Tag “{snippet}” as {LABEL_TITLES[label]}"


class CodingController(QObject):
    """Turns the pane's gestures into stored, undoable changes to the current record."""

    message = Signal(str)  # something to tell the researcher in the status bar
    recordChanged = Signal(int)  # spans, status or memo of this record changed
    navigate = Signal(int)  # show this record (an undo touched a record not on screen)

    def __init__(self, library: Library, pane: RecordPane, parent: QObject | None = None):
        super().__init__(parent)
        self.library = library
        self.pane = pane
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        view = pane.abstract
        view.tagRequested.connect(self.tag)
        view.labelKeyPressed.connect(self.tag_key)
        view.untagRequested.connect(self.untag)
        view.acceptSuggestions.connect(self.accept_suggestions)
        view.rejectSuggestions.connect(self.reject_suggestions)
        pane.memoEdited.connect(self.save_memo)
        pane.coder_view.currentIndexChanged.connect(
            lambda _i: self.show(self.pane.record.id if self.pane.record else None))

    def set_library(self, library: Library) -> None:
        self.library = library
        self.undo_stack.clear()
        self.refresh_coders()

    # -- showing -------------------------------------------------------------------------
    def show(self, record_id: int | None) -> None:
        """Load a record from the library into the pane (None clears it)."""
        if record_id is None:
            self.pane.show_record(None)
            return
        try:
            record = self.library.record(record_id)
        except KeyError:
            self.pane.show_record(None)
            return
        view = self.pane.coder_view.currentData()
        if view is None:
            self.pane.show_record(record, self.suggestions(record))
            return
        if self.blind() and not self.library.rows([record_id])[0].done:
            self.pane.show_record(record, editable=False, note=(
                "Blind coding: mark this record done (D) to see the other coders' spans."))
            return
        names = coders.coders(self.library) if view == ALL_CODERS else [view]
        others = [s for name in names for s in coders.spans_of(self.library, record_id, name)]
        who = "all coders" if view == ALL_CODERS else view
        self.pane.show_record(record, others=others, editable=False,
                              note=f"Showing {who}: read-only. Hover a span to see whose it is.")

    def blind(self) -> bool:
        """Blind coding (a library setting, on unless turned off): others' spans stay hidden
        on a record until the coder has marked it done."""
        return self.library.meta("blind_coding", "on") == "on"

    def set_blind(self, on: bool) -> None:
        self.library.set_meta("blind_coding", "on" if on else "off")

    def refresh_coders(self) -> None:
        """Offer every other coder of the library in the pane's "Show" chooser."""
        me = self.library.coder
        self.pane.set_coders(me, [c for c in coders.coders(self.library) if c != me])

    def suggestions(self, record: Record) -> list[Span]:
        """Provisional spans from the abstract's headings, unless coded or rejected."""
        if record.spans or not record.abstract or record.id is None:
            return []
        rows = self.library.rows([record.id])
        # "uncoded" too: right after an import the has-suggestions flags may still be pending.
        if not rows or rows[0].status not in ("suggested", "uncoded") \
                or self.library.suggestion_state(record.id) == "rejected":
            return []
        return [Span(s, e, lab, record.abstract[s:e], suggested=True)
                for s, e, lab in suggest_sections(record.abstract)]

    # -- gestures ------------------------------------------------------------------------
    def tag_key(self, label: str) -> None:
        """A label key: tag the selection, or the sentence under the cursor when none."""
        view = self.pane.abstract
        if self.pane.record is None or not self.pane.record.abstract:
            return
        if not view.tag_selection(label):
            start, end = sentence_at(view.text, view.cursor_index())
            if start < end:
                self.tag(start, end, label)

    def tag(self, start: int, end: int, label: str) -> None:
        record = self._editable()
        if record is None:
            return
        start, end = snap_to_words(record.abstract, start, end)
        if start >= end:
            self.message.emit("Select some words of the abstract first.")
            return
        try:
            after = apply_tag(record.spans, record.abstract, start, end, label,
                              self.library.coder)
        except SpanError as e:
            self.message.emit(str(e))
            return
        self._push(record.id, list(record.spans), after,  # type: ignore[arg-type]
                   describe_tag(label, record.abstract[start:end]))

    def untag(self, start: int, end: int) -> None:
        record = self._editable()
        if record is None:
            return
        after = remove_range(record.spans, record.abstract, start, end)
        if after != list(record.spans):
            self._push(record.id, list(record.spans), after,  # type: ignore[arg-type]
                       "Remove section label")

    def accept_suggestions(self) -> None:
        record = self._editable()
        if record is None:
            return
        found = self.suggestions(record)
        if found:
            self._accept(record, found)

    def accept_in(self, ids: Sequence[int]) -> int:
        """Accept the suggestions of several records as one undoable step; how many."""
        n = 0
        self.undo_stack.beginMacro("Accept suggested sections")
        try:
            for rid in ids:
                record = self.library.record(rid)
                found = self.suggestions(record)
                if found:
                    self._accept(record, found)
                    n += 1
        finally:
            self.undo_stack.endMacro()
        return n

    def _accept(self, record: Record, found: list[Span]) -> None:
        assert record.id is not None
        self.library.set_suggestion_state(record.id, "accepted")
        self._push(record.id, [], [Span(s.start, s.end, s.label, s.text) for s in found],
                   "Accept suggested sections")

    def reject_suggestions(self) -> None:
        record = self._editable()
        if record is not None and not record.spans and record.id is not None:
            self.library.set_suggestion_state(record.id, "rejected")
            self.recordChanged.emit(record.id)
            self.pane.update_coding(record, [])

    def toggle_done(self) -> None:
        record = self._editable(own_coding=False)
        if record is None or record.id is None:
            return
        done = not self.library.rows([record.id])[0].done
        self.library.set_done(record.id, done)
        self.message.emit(f"Record marked {'done' if done else 'not done'}.")
        self.recordChanged.emit(record.id)
        self.refresh_coders()
        if not self.pane.editable:  # blind coding may now reveal the other coders' spans
            self.show(record.id)

    def save_memo(self, record_id: int, text: str) -> None:
        try:
            self.library.set_memo(record_id, text)
        except LibraryError as e:
            self.message.emit(str(e))

    # -- internals -----------------------------------------------------------------------
    def _editable(self, *, own_coding: bool = True) -> Record | None:
        record = self.pane.record
        if record is None or record.id is None:
            return None
        if self.library.read_only:
            self.message.emit("This library is read-only: changes cannot be saved.")
            return None
        if own_coding and not self.pane.editable:
            self.message.emit("You are viewing another coder's spans: switch back to yours "
                              "to edit.")
            return None
        return record

    def _push(self, record_id: int, before: list[Span], after: list[Span], text: str) -> None:
        try:
            self.undo_stack.push(SetSpansCommand(self.library, record_id, before, after, text,
                                                 self._changed))
        except LibraryError as e:
            self.message.emit(f"Not saved: {e}")

    def _changed(self, record_id: int) -> None:
        self.recordChanged.emit(record_id)
        current = self.pane.record
        if current is not None and current.id == record_id:
            record = self.library.record(record_id)
            self.pane.update_coding(record, self.suggestions(record))
        else:
            self.navigate.emit(record_id)
