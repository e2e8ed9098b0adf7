"""Coding a record: tagging gestures become undoable commands that write to the library.

:class:`CodingController` sits between the record pane (what the researcher does) and the
library (what is stored). Every change is a :class:`SetSpansCommand` on one undo stack, so
Ctrl+Z undoes tagging, accepted suggestions and removals alike, on whichever record.

A change is written first and goes on the undo stack only once it is saved. When the library
refuses a write (the server is away, another program holds the file's lock), nothing is shown
as saved and nothing goes on the stack; an undo or redo it refuses leaves the stack where it
was. The refusal is said in the status bar and above the abstract ("Not saved: …").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from litdesk.core import blind
from litdesk.core.model import Record, Span
from litdesk.core.spans import SpanError, apply_tag, remove_range, sentence_at, snap_to_words
from litdesk.core.status import REJECTED
from litdesk.core.words import counted
from litdesk.store.errors import LibraryError
from litdesk.ui.controllers.coding_steps import GONE, SetSpansCommand, describe_tag, refusing
from litdesk.ui.controllers.shared import Messages, Records, UndoSteps
from litdesk.ui.controllers.suggested import offered_spans
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.views.record_pane import ALL_CODERS, RecordPane

if TYPE_CHECKING:
    from litdesk.store.library import Library


class CodingController(QObject):
    """Turns the pane's gestures into stored, undoable changes to the current record."""

    recordChanged = Signal(int)  # spans, status or memo of this record changed
    navigate = Signal(int)  # show this record (an undo touched a record not on screen)
    MEMO_RETRY_MS = 3000  # how often a memo the library refused is offered again

    def __init__(self, holder: LibraryHolder, pane: RecordPane, undo_stack: UndoSteps,
                 messages: Messages, records: Records, parent: QWidget):
        super().__init__(parent)
        self._parent = parent  # for its dialogs
        self.holder, self.records = holder, records
        self.pane = pane
        self.undo_stack = undo_stack
        self.messages = messages
        undo_stack.refused.connect(self.refuse)
        holder.aboutToChange.connect(pane.flush_memo)
        holder.libraryChanged.connect(self.set_library)
        self.unsaved_memos: dict[int, str] = {}  # record id -> memo the library refused
        self._pending: dict[int, list[Span]] = {}  # suggestions left after accepting some
        self._memo_retry = QTimer(self)
        self._memo_retry.setInterval(self.MEMO_RETRY_MS)
        self._memo_retry.timeout.connect(self.save_unsaved_memos)
        view = pane.abstract
        view.tagRequested.connect(self.tag)
        view.labelKeyPressed.connect(self.tag_key)
        view.untagRequested.connect(self.untag)
        view.acceptSuggestions.connect(self.accept_suggestions)
        view.rejectSuggestions.connect(self.reject_suggestions)
        pane.memoEdited.connect(self.save_memo)
        pane.coder_view.currentIndexChanged.connect(
            lambda _i: self.show(self.pane.record.id if self.pane.record else None))

    @property
    def library(self) -> Library:
        return self.holder.library

    def set_library(self, _library: Library) -> None:
        """Another library is open: what was kept for the last one goes."""
        self.undo_stack.clear()
        self.unsaved_memos.clear()
        self._pending.clear()
        self._memo_retry.stop()
        self.pane.set_notice("")
        self.refresh_coders()

    # -- showing -------------------------------------------------------------------------
    def show(self, record_id: int | None) -> None:
        """Load a record from the library into the pane (None clears it)."""
        if record_id is None:
            self.pane.show_record(None)
            return
        try:
            self._show(record_id)
        except LibraryError as e:
            # The server is away: no traceback and no stale record. The window shows the
            # record again when it finds the library again (it re-selects the current row).
            self.pane.show_unavailable(
                f"This record cannot be read while the library is unreachable.\n\n{e}\n\n"
                "It is shown as soon as the library can be reached again.")

    def _show(self, record_id: int) -> None:
        try:
            record = self.library.record(record_id)
        except KeyError:
            self.pane.show_record(None)
            return
        if record_id in self.unsaved_memos:  # typed while the library refused it: still here
            record = replace(record, memo=self.unsaved_memos[record_id])
        view = self.pane.coder_view.currentData()
        if view is None:
            self.pane.show_record(record, self.suggestions(record))
        elif blind.others_hidden(self.blind(), self.library.rows([record_id])[0].done):
            self.pane.show_record(record, editable=False, note=(
                "Blind coding: mark this record done (D) to see the other coders' spans."))
        else:
            names = self.library.coding.coders() if view == ALL_CODERS else [view]
            others = [s for name in names
                      for s in self.library.coding.spans_of(record_id, name)]
            who = "all coders" if view == ALL_CODERS else view
            self.pane.show_record(record, others=others, editable=False, note=(
                f"Showing {who}: read-only. Hover a span to see whose it is."))
        self.pane.set_memo_unsaved(record_id in self.unsaved_memos)
        if record_id not in self.unsaved_memos:  # its memo's refusal is news until it is saved
            self.pane.set_notice("")  # an earlier refusal is old news once the record is read

    def blind(self) -> bool:
        """Blind coding (a library setting, on unless turned off): others' spans stay hidden
        on a record until the coder has marked it done. On while the setting cannot be read."""
        try:
            return blind.is_on(self.library.meta(blind.SETTING, blind.ON))
        except LibraryError:
            return True

    @refusing
    def set_blind(self, on: bool) -> None:
        self.library.set_meta(blind.SETTING, blind.setting_for(on))

    def refresh_coders(self) -> None:
        """Offer every other coder of the library in the pane's "Show" chooser."""
        me = self.library.coder
        try:
            others = [c for c in self.library.coding.coders() if c != me]
        except LibraryError:
            return  # the server is away: the chooser stays as it was
        self.pane.set_coders(me, others)

    def suggestions(self, record: Record, *, model: bool = True) -> list[Span]:
        """Provisional spans from the abstract's headings, else (``model``) from the section
        model (the library's own while it is in use), unless coded or rejected; on a record
        where some were accepted one by one, the rest of them."""
        return offered_spans(self.library, record, self._pending, model=model)

    # -- gestures ------------------------------------------------------------------------
    def tag_key(self, label: str) -> None:
        """A label key: tag the selection, or the sentence under the cursor when none."""
        view = self.pane.abstract
        if self.pane.record is None or not self.pane.record.abstract:
            return
        if view.tag_selection(label):
            return
        suggested = view.suggestion_at(view.cursor_index())
        if suggested is not None and self.pane.record.id is not None:
            # One suggestion accepted (or changed to ``label``); the others stay offered.
            rest = [s for s in view.suggestions if s != suggested]
            self._pending[self.pane.record.id] = rest
            self.tag(suggested.start, suggested.end, label)
            after = [s for s in rest if s.start >= suggested.end]
            if after:  # on to the next suggestion, ready for its key
                view.select_range(after[0].start, after[0].start)
            return
        start, end = sentence_at(view.text, view.cursor_index())
        if start < end:
            self.tag(start, end, label)

    def tag(self, start: int, end: int, label: str) -> None:
        record = self._editable()
        if record is None:
            return
        start, end = snap_to_words(record.abstract, start, end)
        if start >= end:
            self.messages.say("Select some words of the abstract first.")
            return
        try:
            after = apply_tag(record.spans, record.abstract, start, end, label,
                              self.library.coder)
        except SpanError as e:
            self.messages.say(str(e))
            return
        self._save(record.id, list(record.spans), after,  # type: ignore[arg-type]
                   describe_tag(label, record.abstract[start:end]))

    def untag(self, start: int, end: int) -> None:
        record = self._editable()
        if record is None:
            return
        after = remove_range(record.spans, record.abstract, start, end)
        if after != list(record.spans):
            self._save(record.id, list(record.spans), after,  # type: ignore[arg-type]
                       "Remove section label")

    @refusing
    def accept_suggestions(self) -> None:
        record = self._editable()
        if record is None:
            return
        found = self.suggestions(record)
        if found:
            self._accept(record, found)

    def accept_in(self, ids: Sequence[int]) -> int:
        """Accept the heading suggestions of several records (the model's only where the coder
        sees them) as one undoable step; how many.

        Stops at the first record the library refuses (the ones before stay accepted)."""
        n = 0
        self.undo_stack.beginMacro("Accept suggested sections")
        try:
            for rid in ids:
                record = self.library.record(rid)
                found = self.suggestions(record, model=False)  # unseen: headings only
                if found:
                    if not self._accept(record, found):
                        break
                    n += 1
        except (LibraryError, KeyError) as e:
            self.refuse(GONE if isinstance(e, KeyError) else str(e))
        finally:
            self.undo_stack.endMacro()
            if n == 0:  # nothing saved: no empty step to undo (an obsolete one is dropped)
                self.undo_stack.command(self.undo_stack.index() - 1).setObsolete(True)
                self.undo_stack.undo()
        return n

    def accept_selected(self) -> None:
        n = self.accept_in(self.records.selected())
        self.messages.say(f"Suggestions accepted in {counted(n, 'record')}.", 5000)

    def _accept(self, record: Record, found: list[Span]) -> bool:
        assert record.id is not None
        # The spans and the answer "accepted" are saved together, or neither is; spans the
        # coder took one by one (from the model's suggestions) stay.
        after = sorted([*record.spans, *(Span(s.start, s.end, s.label, s.text) for s in found)],
                       key=lambda s: s.start)
        if not self._save(record.id, list(record.spans), after, "Accept suggested sections",
                          write=self.library.suggestions.accept):
            return False
        self._pending.pop(record.id, None)
        return True

    @refusing
    def reject_suggestions(self) -> None:
        record = self._editable()
        if record is not None and record.id is not None and record.spans:
            self._pending.pop(record.id, None)  # the rest of those accepted one by one
            self.pane.update_coding(record, [])
        elif record is not None and record.id is not None:
            self.library.set_suggestion_state(record.id, REJECTED)
            self._saved()
            self.recordChanged.emit(record.id)
            self.pane.update_coding(record, [])

    @refusing
    def toggle_done(self) -> None:
        record = self._editable(own_coding=False)
        if record is None or record.id is None:
            return
        rows = self.library.rows([record.id])
        if not rows:
            raise KeyError(record.id)  # deleted meanwhile: "Not saved" (see refusing)
        done = not rows[0].done
        self.library.set_done(record.id, done)
        self._saved()
        self.messages.say(f"Record marked {'done' if done else 'not done'}.")
        self.recordChanged.emit(record.id)
        self.refresh_coders()
        if not self.pane.editable:  # blind coding may now reveal the other coders' spans
            self.show(record.id)

    def save_memo(self, record_id: int, text: str) -> None:
        """Save a memo; one the library refuses stays in the editor and is saved later."""
        if self.library.read_only:
            self.messages.say("This library is read-only: changes cannot be saved.")
            return
        self.unsaved_memos[record_id] = text
        self.save_unsaved_memos()

    def save_unsaved_memos(self) -> bool:
        """Offer the memos the library refused to it again; whether all are saved now."""
        retried = self._memo_retry.isActive()
        for rid, text in list(self.unsaved_memos.items()):
            try:
                self.library.set_memo(rid, text)
            except LibraryError as e:
                if not retried:
                    self.refuse(f"{e} The memo is kept and saved when the library can be "
                                "written to again.")
                self._memo_retry.start()
                self._mark_memo()
                return False
            except KeyError:
                pass  # the record was deleted (by a teammate): its memo went with it
            if self.unsaved_memos.get(rid) == text:
                del self.unsaved_memos[rid]
        self._memo_retry.stop()
        self._mark_memo()
        if retried:
            self._saved()
            self.messages.say("The memos typed while the library was unreachable are saved.")
        return True

    def memos_may_go(self) -> bool:
        """Memos the library refused (a server away) are offered once more; if they still
        cannot be saved, closing loses them, so the coder is asked first."""
        if not self.unsaved_memos or self.save_unsaved_memos():
            return True
        n = len(self.unsaved_memos)
        answer = QMessageBox.warning(
            self._parent, "Memos not saved",
            f"{'A memo' if n == 1 else counted(n, 'memo')} typed while the library could not be "
            "reached cannot be saved yet. Close anyway, and lose "
            f"{'it' if n == 1 else 'them'}?",
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Close

    def _mark_memo(self) -> None:
        record = self.pane.record
        self.pane.set_memo_unsaved(record is not None and record.id in self.unsaved_memos)

    # -- internals -----------------------------------------------------------------------
    def refuse(self, why: str) -> None:
        """A change the library did not take: say so; the pane keeps showing what is saved."""
        text = f"Not saved: {why}"
        self.messages.say(text)
        self.pane.set_notice(text)

    def _saved(self) -> None:
        """A change was saved: any earlier refusal is no longer news."""
        self.pane.set_notice("")

    def _editable(self, *, own_coding: bool = True) -> Record | None:
        record = self.pane.record
        if record is None or record.id is None:
            return None
        if self.library.read_only:
            self.messages.say("This library is read-only: changes cannot be saved.")
            return None
        if own_coding and not self.pane.editable:
            self.messages.say("You are viewing another coder's spans: switch back to yours "
                              "to edit.")
            return None
        return record

    def _save(self, record_id: int, before: list[Span], after: list[Span], text: str,
              write: Callable[[int, list[Span]], list[Span]] | None = None) -> bool:
        """Write a change of spans (with ``write``, else `set_spans`); only once it is saved
        does it go on the undo stack."""
        try:
            saved = (write or self.library.set_spans)(record_id, after)
        except (LibraryError, KeyError) as e:
            self.refuse(GONE if isinstance(e, KeyError) else str(e))
            return False
        self.undo_stack.push(SetSpansCommand(self, record_id, before, after, text))
        self._changed(record_id, saved)
        return True

    def write_spans(self, command: SetSpansCommand, spans: list[Span], *,
                    undoing: bool) -> bool:
        """Undo or redo ``command``'s change; whether the library took it."""
        try:
            saved = self.library.set_spans(command.record_id, spans)
        except KeyError:  # deleted (by a teammate): the step is dropped from the stack
            command.setObsolete(True)
            self.refuse(f"{GONE} (“{command.text()}” was dropped.)")
            return False
        except LibraryError as e:
            self.undo_stack.step_refused(undoing, command.text(), str(e))
            return False
        self._changed(command.record_id, saved)
        return True

    def _changed(self, record_id: int, saved: list[Span]) -> None:
        self._saved()
        self.recordChanged.emit(record_id)
        current = self.pane.record
        if current is None or current.id != record_id:
            self.navigate.emit(record_id)
            return
        try:
            record = self.library.record(record_id)
            suggestions = self.suggestions(record)
        except (LibraryError, KeyError):  # saved, but gone before it was read back
            record, suggestions = replace(current, spans=tuple(saved)), []
        self.pane.update_coding(record, suggestions)
