"""The main window's menus, toolbar actions and keyboard shortcuts, in one place."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from litdesk.core.model import LABEL_TITLES, LABELS
from litdesk.ui.controllers import help as help_actions
from litdesk.ui.views import duplicates_dialog

if TYPE_CHECKING:
    from litdesk.ui.window.main_window import MainWindow

Shortcut = str | QKeySequence.StandardKey | None


def _action(win: MainWindow, menu: QMenu, text: str, slot: Callable[[], object],
            shortcut: Shortcut = None, name: str = "") -> QAction:
    act = QAction(text, win)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    act.triggered.connect(lambda _checked=False: slot())
    act.setObjectName(name or text.strip(".…&").replace("&", "").replace(" ", "_").lower())
    win.addAction(act)  # shortcuts work while the menu bar is hidden or closed
    menu.addAction(act)
    return act


def build(win: MainWindow) -> dict[str, QAction]:
    """Create every menu of ``win``; the actions by object name (tests trigger them)."""
    acts: dict[str, QAction] = {}

    def add(menu: QMenu, text: str, slot: Callable[[], object], shortcut: Shortcut = None,
            name: str = "") -> QAction:
        act = _action(win, menu, text, slot, shortcut, name)
        acts[act.objectName()] = act
        return act

    bar = win.menuBar()
    file = bar.addMenu("&File")
    add(file, "&New Library…", win.libraries.new_library, None, "new_library")
    add(file, "&Open Library…", win.libraries.open_dialog, QKeySequence.StandardKey.Open,
        "open_library")
    add(file, "Open &Team Library…", win.libraries.open_team_dialog, None, "open_team_library")
    file.addMenu(win.libraries.recent_menu)
    file.addSeparator()
    add(file, "&Import…", win.imports.import_dialog, "Ctrl+I", "import")
    add(file, "&Export Selected…", win.exports.export_selected, "Ctrl+E", "export_selected")
    add(file, "E&xport…", win.exports.export_dialog, "Ctrl+Shift+E", "export")
    add(file, "Export PRISMA &Diagram…", win.exports.export_diagram, None, "export_diagram")
    file.addSeparator()
    add(file, "Undo an Import…", win.history.undo_import_dialog, None, "undo_import")
    add(file, "Restore Backup…", win.history.restore_backup_dialog, None, "restore_backup")
    file.addSeparator()
    add(file, "&Quit", win.close, QKeySequence.StandardKey.Quit, "quit")

    edit = bar.addMenu("&Edit")
    undo = win.undo_stack.createUndoAction(win, "&Undo")
    undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
    redo = win.undo_stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for act, name in ((undo, "undo"), (redo, "redo")):
        act.setObjectName(name)
        win.addAction(act)
        edit.addAction(act)
        acts[name] = act
    edit.addSeparator()
    add(edit, "&Delete Selected Records", win.history.delete_selected, "Ctrl+Del",
        "delete_records")
    add(edit, "&Find", win.focus_search, QKeySequence.StandardKey.Find, "find")
    edit.addSeparator()
    add(edit, "Possible &Duplicates…", lambda: duplicates_dialog.show_duplicates(
        win, win.library, win.model.refresh), None, "possible_duplicates")
    add(edit, "Duplicate &Counts…", lambda: duplicates_dialog.show_counts(win, win.library),
        None, "duplicate_counts")

    code = bar.addMenu("&Coding")
    for n, label in enumerate(LABELS, start=1):
        add(code, f"Tag as {LABEL_TITLES[label]}",
            partial(win.coding.tag_key, label), str(n), f"tag_{label}")
    add(code, "Select Sentence Under Cursor", win.pane.abstract.select_sentence, "S",
        "select_sentence")
    code.addSeparator()
    add(code, "Accept Suggested Sections", win.coding.accept_suggestions, None,
        "accept_suggestions")
    add(code, "Accept Suggestions in Selected Records", win.coding.accept_selected, None,
        "accept_selected_suggestions")
    apply = add(code, "Apply Suggestions When Importing", win.imports.toggle_apply_on_import,
                None, "apply_on_import")
    apply.setCheckable(True)
    apply.setChecked(win.imports.apply_on_import)
    add(code, "Learn Suggestions from My Coding", win.learning.learn_now, None, "learn_sections")
    add(code, "Reset Suggestions to the Built-in Model", win.learning.reset, None,
        "reset_learned_sections")
    code.addSeparator()
    add(code, "Mark Record Done", win.coding.toggle_done, "D", "done")
    add(code, "Next Record", lambda: win.move_record(1), "J", "next")
    add(code, "Previous Record", lambda: win.move_record(-1), "K", "prev")
    add(code, "Next Uncoded Record", win.next_uncoded, "N", "next_uncoded")
    code.addSeparator()
    add(code, "Switch Coder…", win.switch_coder_dialog, None, "switch_coder")
    add(code, "Inter-coder Agreement…", win.coders.show_agreement, None, "agreement")
    add(code, "Reconcile This Record…", win.coders.reconcile_current, None, "reconcile")
    blind = add(code, "Blind Coding", win.toggle_blind, None, "blind")
    blind.setCheckable(True)  # checked as the library says when it is shown
    blind.setToolTip("Hide other coders' spans on a record until you have marked it done")

    _screening_menu(win, bar.addMenu("&Screening"), add)

    help_menu = bar.addMenu("&Help")
    add(help_menu, "&User Guide", lambda: help_actions.show_user_guide(win),
        QKeySequence.StandardKey.HelpContents, "user_guide")
    add(help_menu, "&Keyboard Shortcuts", lambda: help_actions.show_shortcuts(win), None,
        "shortcuts")
    add(help_menu, "Open &Log Folder", help_actions.open_log_folder, None, "open_log_folder")
    if sys.platform.startswith("linux"):
        add(help_menu, "Add litdesk to the Applications Menu",
            lambda: help_actions.install_desktop(win), None, "install_desktop")
    add(help_menu, "&About litdesk", lambda: help_actions.show_about(win, win.library.path),
        None, "about")
    return acts


def _screening_menu(win: MainWindow, menu: QMenu, add: Callable[..., QAction]) -> None:
    """Screening: the mode, the decisions (their keys live in the mode), reasons, conflicts."""
    from litdesk.core.screening import EXCLUDE, INCLUDE, MAYBE

    mode = add(menu, "Screening &Mode", lambda: win.screening.toggle(), "Ctrl+Shift+S",
               "screening_mode")
    mode.setCheckable(True)
    mode.setToolTip("Screen titles and abstracts: I include, E exclude, M maybe, reason keys")
    menu.addSeparator()
    for decision in (INCLUDE, EXCLUDE, MAYBE):
        add(menu, f"&{decision.capitalize()}", partial(win.screening.decide, decision),
            None, f"screen_{decision}")
    win.exclude_menu = menu.addMenu("Exclude &With Reason")
    add(menu, "&Next Record to Screen", lambda: win.screening.next_record(), None,
        "next_to_screen")
    menu.addSeparator()
    add(menu, "Exclusion &Reasons…", lambda: win.screening.edit_reasons(), None,
        "screening_reasons")
    add(menu, "Highlight &Terms…", lambda: win.screening.edit_terms(), None, "screening_terms")
    add(menu, "&Conflicts and Agreement…", lambda: win.screening.show_conflicts(), None,
        "screening_conflicts")
