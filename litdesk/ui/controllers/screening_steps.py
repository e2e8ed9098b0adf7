"""Screening's undoable decision, and its side commands: terms, reasons, conflicts."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMenu

from litdesk.core.screening import Decision, Reason, ScreeningError
from litdesk.store.errors import LibraryError

if TYPE_CHECKING:
    from litdesk.ui.controllers.screening import ScreeningController


class DecideCommand(QUndoCommand):
    """A saved screening decision; undo puts back the one it replaced (or none)."""

    def __init__(self, ctl: ScreeningController, record_id: int, before: Decision | None,
                 after: tuple[str, str, str], text: str):
        super().__init__(text)
        self._ctl, self.record_id = ctl, record_id
        self._before = None if before is None else (before.decision, before.reason, before.note)
        self._after = after
        self.applied = True  # pushed once saved

    def redo(self) -> None:
        if not self.applied:
            self.applied = self._ctl.write(self.record_id, self._after)
            if not self.applied:
                self._ctl.step_refused(False, self.text())

    def undo(self) -> None:
        if self.applied:
            self.applied = not self._ctl.write(self.record_id, self._before)
            if self.applied:
                self._ctl.step_refused(True, self.text())


def term_menu(ctl: ScreeningController, menu: QMenu, words: str) -> None:
    """The abstract's context menu: highlight the words under the mouse as a term."""
    words = " ".join(words.split())
    shown = words if len(words) <= 30 else words[:29] + "…"
    for kind, text in (("include", "Highlight “{}” as an Inclusion Term"),
                       ("exclude", "Highlight “{}” as an Exclusion Term")):
        act = menu.addAction(text.format(shown))
        act.setEnabled(bool(words))
        act.triggered.connect(lambda _c=False, k=kind: set_term(ctl, words, k))
    with contextlib.suppress(LibraryError):
        if words and words.casefold() in ctl.library.screening.terms():
            menu.addAction(f"Stop Highlighting “{shown}”").triggered.connect(
                lambda: set_term(ctl, words, None))


def set_term(ctl: ScreeningController, term: str, kind: str | None) -> None:
    try:
        ctl.library.screening.set_term(term, kind)
    except (ScreeningError, LibraryError) as e:
        ctl.message.emit(f"Not saved: {e}")
        return
    ctl.refresh()


def edit_terms(ctl: ScreeningController) -> None:
    from litdesk.ui.views.screening_dialogs import TermsDialog

    try:
        terms = ctl.library.screening.terms()
    except LibraryError as e:
        ctl.message.emit(f"The terms could not be read: {e}")
        return
    dialog = TermsDialog(terms, ctl.views.window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: _save_terms(ctl, terms, dialog.chosen()))
    dialog.open()


def _save_terms(ctl: ScreeningController, before: dict[str, str],
                after: dict[str, str]) -> None:
    try:
        for term in before.keys() - after.keys():
            ctl.library.screening.set_term(term, None)
        for term, kind in after.items():
            if before.get(term) != kind:
                ctl.library.screening.set_term(term, kind)
    except (ScreeningError, LibraryError) as e:
        ctl.message.emit(f"Not all terms were saved: {e}")
    ctl.refresh()


def edit_reasons(ctl: ScreeningController) -> None:
    from litdesk.ui.views.screening_dialogs import RESERVED_KEYS, ReasonsDialog

    try:
        reasons = ctl.library.screening.reasons()
    except LibraryError as e:
        ctl.message.emit(f"The reasons could not be read: {e}")
        return
    dialog = ReasonsDialog(reasons, RESERVED_KEYS, lambda rows: _save_reasons(ctl, rows),
                           ctl.views.window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def _save_reasons(ctl: ScreeningController, rows: list[tuple[str | None, Reason]]) -> None:
    """Make the library's list ``rows`` ((old name or None, reason), checked whole);
    ScreeningError (a LibraryError too, as one) when the library refuses."""
    screening = ctl.library.screening
    try:
        kept = {old for old, _r in rows if old is not None}
        for reason in screening.reasons():
            if reason.name not in kept:
                screening.remove_reason(reason.name)
        current = {r.name: r for r in screening.reasons()}
        for old, _r in rows:  # keys freed first: two reasons may swap theirs
            if old is not None and current[old].key:
                screening.edit_reason(old, old, "")
        for old, reason in rows:
            if old is None:
                screening.add_reason(reason.name, reason.key)
            else:
                screening.edit_reason(old, reason.name, reason.key)
    except LibraryError as e:
        raise ScreeningError(str(e)) from None
    finally:
        ctl.fill_reasons()


def show_conflicts(ctl: ScreeningController) -> None:
    from litdesk.ui.views.screening_conflicts import ConflictsDialog

    dialog = ConflictsDialog(ctl.library, ctl.views.window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.resolved.connect(ctl.after_write)
    dialog.open()
