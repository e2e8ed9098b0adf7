"""Every command of the main window, found by walking it, runs; each dialog it opens answers.

The walk discovers the commands; it does not list them. On a window with records, a current
record, a selection, coding to undo and redo and a selection in the abstract, it opens every
menu of the menu bar (submenus too, each filled as it is shown, like Open Recent), reads every
toolbar and every action of the window, and right-clicks every widget it can see to read its
context menu. Each command then runs on a fresh copy of that window, once per answer to the
dialogs it opens: the first dismissed (Esc); then the first accepted and the next dismissed;
and so on until every dialog of the chain has been accepted (a file dialog is given a path in a
temporary folder). An exception, a Qt warning, a dialog that ignores its answer or a command
that never finishes fails the test, naming the command.
"""

from __future__ import annotations

import shutil
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import (
    QItemSelectionModel,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QtMsgType,
    QUrl,
    Slot,
)
from PySide6.QtGui import QAction, QContextMenuEvent, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QMenu,
    QToolBar,
    QWidget,
    QWidgetAction,
)

from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.store.suggestions import check_pending
from litdesk.ui.window.main_window import MainWindow

# Commands not run, each with the reason; the walk asserts that each still exists.
SKIPPED: dict[str, str] = {}
# Commands disabled even on the walk's well-stocked window, each with the reason.
DISABLED = {
    "context menu of records/recordsHeader > Title": "the one column that cannot be hidden",
}
# Said by Qt's offscreen platform (the tests' screen) about what it cannot do: raise a window,
# grab the keyboard for a menu, pass size hints to a window manager.
PLATFORM_NOISE = "This plugin does not support "
# The actions of the edit menu Qt gives a text (a label, a line edit): enabled or not by the
# text, its selection and the clipboard; run where enabled, not required to be.
QT_EDIT_ACTIONS = {"edit-undo", "edit-redo", "edit-cut", "edit-copy", "edit-paste",
                   "edit-delete", "select-all", "link-copy"}
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "ris"
CORPUS_FILES = ("asreview/embase.ris", "asreview/pubmed_zotero.ris")


@dataclass(frozen=True)
class Command:
    kind: str  # "menu", "toolbar", "window" or "context"
    where: tuple[str, ...]  # menu titles; toolbar title; or the widget's path and the point
    text: str  # as the action has it (with its & and its shortcut after a tab)
    enabled: bool
    qt_edit: bool = False  # one of Qt's own edit actions (Copy, Paste...) of a text's menu

    @property
    def name(self) -> str:
        """How the test names it: File > Export…, context menu of records/header > Year."""
        if self.kind == "menu":
            return " > ".join((*self.where, _clean(self.text)))
        if self.kind == "context":
            named = [p for p in self.where[0].split("/") if p[:1].islower() and "qt_" not in p]
            return f"context menu of {'/'.join(named) or self.where[0]} > {_clean(self.text)}"
        return f"{self.kind} {' '.join(self.where)} > {_clean(self.text)}".replace("  ", " ")


def _clean(text: str) -> str:
    return text.replace("&", "").split("\t")[0]


def _widget_path(win: QWidget, w: QWidget) -> str:
    """objectName (or class) of each widget from the window down, with its index if needed."""
    parts = []
    while w is not None and w is not win:
        parent = w.parentWidget()
        same = [c for c in parent.findChildren(QWidget, options=Qt.FindChildOption.
                                               FindDirectChildrenOnly)
                if type(c) is type(w) and c.objectName() == w.objectName()]
        name = w.objectName() or type(w).__name__
        parts.append(name if len(same) == 1 else f"{name}[{same.index(w)}]")
        w = parent
    return "/".join(reversed(parts))


def _widget_at(win: QWidget, path: str) -> QWidget | None:
    return next((w for w in win.findChildren(QWidget) if _widget_path(win, w) == path), None)


class UrlCatcher(QObject):
    """Stands in for the desktop's browser and file manager (QDesktopServices handlers)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


class Walk:
    """Fresh windows on copies of one library; runs a command on one and answers its dialogs."""

    def __init__(self, qtbot, qtlog, answerer, folder: Path, seed: Path, corpus: Path | None):
        self.qtbot, self.qtlog, self.answerer, self.folder = qtbot, qtlog, answerer, folder
        # The library every run starts from, with the backup made when it was first opened
        # (copied with it: a run has a backup to restore, and makes none of its own).
        self.template = folder / "template"
        path = self.template / "library.litdesk.sqlite"
        with Library.open(path, coder="tester") as lib:
            import_file(lib, seed)
            for name in CORPUS_FILES if corpus is not None else ():
                import_file(lib, corpus / name)
            self.seed_id = lib.search_ids("author:gill")[0]
            check_pending(lib)  # as a window does in the background: done once, not per copy
        with Library.open(path, coder="other") as lib:  # a second coder: Reconcile
            lib.tag(self.seed_id, 0, 10, "background")
            lib.tag(self.seed_id, 317, 452, "aim")
        # What the file dialogs are answered with: a RIS export, another library.
        shutil.copy(corpus / CORPUS_FILES[0] if corpus else seed, answerer.folder / "in.ris")
        Library.open(answerer.folder / "other.litdesk.sqlite", coder="tester").close()
        self.runs = 0

    def window(self) -> MainWindow:
        self.runs += 1
        run = self.folder / f"run{self.runs}"
        shutil.copytree(self.template, run)
        path = run / "library.litdesk.sqlite"
        settings = QSettings(str(run / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("library/recent", [str(self.answerer.folder / "other.litdesk.sqlite")])
        lib = Library.open(path, coder="tester")
        win = MainWindow(lib, settings)
        win.show()
        self.qtbot.waitExposed(win)
        win.activateWindow()
        QApplication.processEvents()
        assert not win.checker.running  # (when it ends, it shows the current record again)

        # The state a user is in mid-work: a current record among selected ones, two tags
        # (one undone: Undo and Redo both have something to do), words selected in the
        # abstract away from the tags, so that every command has something to act on.
        assert win.select_record(self.seed_id)
        sm = win.table.selectionModel()
        other_row = 1 if win.model.row_of(self.seed_id) != 1 else 0
        sm.select(win.model.index(other_row, 0), QItemSelectionModel.SelectionFlag.Select
                  | QItemSelectionModel.SelectionFlag.Rows)
        self.qtbot.waitUntil(lambda: win.pane.record is not None
                             and win.pane.record.id == self.seed_id)
        win.coding.tag(0, 40, "background")
        win.coding.tag(500, 560, "method")
        win.coding.undo_stack.undo()
        win.pane.abstract.select_range(700, 760)
        QApplication.processEvents()
        assert win.pane.abstract.selected_range() == (700, 760)
        return win

    def close(self, win: MainWindow) -> None:
        if shiboken6.isValid(win) and win.isVisible():
            self.answerer.start(accept_first=99)  # closing may ask about unsaved memos
            win.close()
            self.qtbot.waitUntil(self.answerer.idle, timeout=5_000)
            self.answerer.stop()
        if shiboken6.isValid(win):
            win.library.close()
            win.deleteLater()
        QApplication.processEvents()

    # -- discovery -----------------------------------------------------------------------
    def discover(self) -> list[Command]:
        win = self.window()
        found: list[Command] = []
        in_menus: set[int] = set()

        def walk_menu(menu_actions: list[QAction], titles: tuple[str, ...]) -> None:
            for act in menu_actions:
                if act.isSeparator():
                    continue
                in_menus.add(id(act))
                sub = act.menu()
                if sub is not None:
                    walk_menu(_shown_actions(sub), (*titles, _clean(act.text())))
                else:
                    found.append(Command("menu", titles, act.text(), act.isEnabled()))

        walk_menu(win.menuBar().actions(), ())
        for bar in win.findChildren(QToolBar):
            for act in bar.actions():
                if not act.isSeparator() and not isinstance(act, QWidgetAction):
                    found.append(Command("toolbar", (bar.windowTitle(),), act.text(),
                                         act.isEnabled()))
        for act in win.actions():
            if id(act) not in in_menus and not act.isSeparator():
                found.append(Command("window", (), act.text(), act.isEnabled()))
        found += self._context_menus(win)
        self.close(win)
        return found

    def _context_menus(self, win: MainWindow) -> list[Command]:
        """Right-click every visible widget (centre and top-left corner); read each menu."""
        found: list[Command] = []
        signatures: set[tuple[str, ...]] = set()
        texts: set[tuple[str, str]] = set()  # (widget, action) already found
        self.answerer.start()
        for w in win.findChildren(QWidget):
            if not w.isVisible() or isinstance(w, QMenu):
                continue
            for point in (w.rect().center(), QPoint(4, 4)):
                before = len(self.answerer.menus)
                _right_click(w, point)
                self.qtbot.waitUntil(self.answerer.idle, timeout=5_000)
                if len(self.answerer.menus) == before:
                    continue
                items = self.answerer.menus[-1]
                signature = tuple(text for text, _on, _name in items)
                if signature in signatures:
                    continue  # the same menu (a parent's, or Qt's for each label)
                signatures.add(signature)
                path = _widget_path(win, w)
                where = (path, f"{point.x()},{point.y()}")
                found += [Command("context", where, text, on, qt_edit=name in QT_EDIT_ACTIONS)
                          for text, on, name in items if (path, text) not in texts]
                texts |= {(path, text) for text, _on, _name in items}
        self.answerer.stop()
        assert not self.answerer.problems, self.answerer.problems
        return found

    # -- running -------------------------------------------------------------------------
    def run(self, cmd: Command, accept_first: int) -> tuple[list[str], list[str]]:
        """Run ``cmd`` on a fresh window; the dialogs it opened and what went wrong."""
        win = self.window()
        logged = len(self.qtlog.records)
        self.answerer.start(accept_first)
        problems: list[str] = []
        with self.qtbot.captureExceptions() as raised:
            if not self._trigger(win, cmd):
                problems.append("not found on a fresh window")
            try:
                self.qtbot.waitUntil(lambda: self._settled(win), timeout=30_000)
            except self.qtbot.TimeoutError:
                problems.append("did not finish within 30 s")
        self.answerer.stop()
        problems += self.answerer.problems
        problems += ["".join(traceback.format_exception(*e)) for e in raised]
        problems += [f"Qt {r.type.name}: {r.message}" for r in self.qtlog.records[logged:]
                     if r.type != QtMsgType.QtDebugMsg and r.type != QtMsgType.QtInfoMsg
                     and not r.message.startswith(PLATFORM_NOISE)]
        for left in QApplication.topLevelWidgets():  # a window the command left open
            if left.isVisible() and left is not win and not isinstance(left, QMenu):
                problems.append(f"left open: {type(left).__name__} {left.windowTitle()!r}")
                left.close()
        seen = list(self.answerer.seen)
        self.close(win)
        return seen, problems

    def _settled(self, win: MainWindow) -> bool:
        if not self.answerer.idle() or (shiboken6.isValid(win) and win.busy):
            return False
        self.qtbot.wait(30)  # what a finished job or an answer schedules comes next
        return self.answerer.idle() and not (shiboken6.isValid(win) and win.busy)

    def _trigger(self, win: MainWindow, cmd: Command) -> bool:
        if cmd.kind == "context":
            widget = _widget_at(win, cmd.where[0])
            if widget is None:
                return False
            self.answerer.pick = cmd.text
            x, y = (int(v) for v in cmd.where[1].split(","))
            _right_click(widget, QPoint(x, y))
            return True
        act = _find_action(win, cmd)
        if act is None:
            return False
        button = None
        if cmd.kind == "toolbar":
            bar = next(b for b in win.findChildren(QToolBar) if b.windowTitle() == cmd.where[0])
            button = bar.widgetForAction(act)
        if isinstance(button, QAbstractButton):
            button.click()
        else:
            act.trigger()  # what choosing it in its menu, or its shortcut, does
        return True


def _shown_actions(menu: QMenu) -> list[QAction]:
    """A menu's actions as the user sees them: menus filled as they open are opened first."""
    menu.popup(QPoint(0, 0))
    actions = list(menu.actions())
    menu.hide()
    return actions


def _find_action(win: MainWindow, cmd: Command) -> QAction | None:
    if cmd.kind == "menu":
        actions = win.menuBar().actions()
        for title in cmd.where:
            menu = next((a.menu() for a in actions
                         if a.menu() is not None and _clean(a.text()) == title), None)
            if menu is None:
                return None
            actions = _shown_actions(menu)
    elif cmd.kind == "toolbar":
        actions = next(b for b in win.findChildren(QToolBar)
                       if b.windowTitle() == cmd.where[0]).actions()
    else:
        actions = win.actions()
    return next((a for a in actions if not a.isSeparator() and a.text() == cmd.text), None)


def _right_click(widget: QWidget, point: QPoint) -> None:
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, widget.mapToGlobal(point))
    QApplication.sendEvent(widget, event)


@pytest.fixture
def walk(qtbot, qtlog, answerer, tmp_path, seed, monkeypatch):
    # Whatever a command writes for the desktop (launchers, logs) goes to a temporary home,
    # and what it opens (a folder, a web page) comes here instead of to the desktop.
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "home" / var.lower()))
    catcher = UrlCatcher()
    for scheme in ("file", "http", "https", "mailto"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    corpus = CORPUS if all((CORPUS / f).is_file() for f in CORPUS_FILES) else None
    w = Walk(qtbot, qtlog, answerer, tmp_path, seed, corpus)
    w.urls = catcher.opened
    yield w
    for scheme in ("file", "http", "https", "mailto"):
        QDesktopServices.unsetUrlHandler(scheme)


def test_every_command_runs_and_answers_its_dialogs(walk):
    commands = walk.discover()
    names = {c.name for c in commands}
    assert {"File > Export…", "File > Open Recent > " + str(walk.answerer.folder
            / "other.litdesk.sqlite"), "File > Export PRISMA Diagram…",
            "Screening > Screening Mode", "Screening > Include",
            "Screening > Exclude With Reason > Exclude: Wrong population",
            "Screening > Conflicts and Agreement…"} <= names, sorted(names)
    assert any(c.kind == "context" and "records" in c.where[0] for c in commands), names
    assert any(c.kind == "context" and "Tag as Aim" in c.text for c in commands), names
    print("\n".join(f"{'  ' if c.enabled else '- '}{c.name}" for c in commands))
    missing = [n for n in [*SKIPPED, *DISABLED] if n not in names]
    assert not missing, f"skipped or disabled commands that no longer exist: {missing}"
    disabled = sorted(c.name for c in commands
                      if not c.enabled and not c.qt_edit and c.name not in DISABLED)
    assert not disabled, (f"disabled on the walk's window, so never run: {disabled}; give the "
                          "window what they need, or say why in DISABLED")

    failures: dict[str, list[str]] = {}
    for cmd in commands:
        if cmd.name in SKIPPED or not cmd.enabled:
            continue
        accept_first = 0
        while True:  # dismiss the first dialog; accept it and dismiss the next; ...
            seen, problems = walk.run(cmd, accept_first)
            if problems:
                failures.setdefault(cmd.name, []).append(
                    f"answers {seen}: " + "\n".join(problems))
            if len(seen) <= accept_first or accept_first >= 6:
                break
            accept_first += 1
    assert not failures, "\n\n".join(f"{name}:\n  " + "\n  ".join(why)
                                      for name, why in failures.items())
    # What the commands opened outside litdesk (the log folder) exists.
    assert walk.urls, "Help > Open Log Folder opened nothing"
    for url in walk.urls:
        assert not url.isLocalFile() or Path(url.toLocalFile()).exists(), url
