"""Writes the library refuses are refused clearly, in the real window, and leave nothing behind.

A file library is locked by another program (a connection holding ``BEGIN IMMEDIATE``, as a
database browser or a sync tool would): every write fails with a LibraryError after the busy
timeout, as on a server that went away (``tests/pg/test_server_restart.py`` does the same
against a server it stops). A refused change is never drawn as saved, leaves no step on the
undo stack, and is said in the status bar and above the abstract; an undo or redo that is
refused leaves the stack where it was; a memo typed meanwhile stays in the editor and is saved
once the lock is gone. A record that cannot be read shows a message, not a traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError
from litdesk.ui.window.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LOCKED = "in use by another program"
SEED = "qualitative interview study of GPs"


class Lock:
    """Another program holding the library's write lock until :meth:`release`."""

    def __init__(self, path):
        self.path, self.conn = path, None

    def take(self) -> None:
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.conn is not None:
            self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


@pytest.fixture
def lock(lib_path) -> Iterator[Lock]:
    held = Lock(lib_path)
    yield held
    held.release()


@pytest.fixture
def win(qtbot, lib_path, settings, make_ris, seed) -> Iterator[MainWindow]:
    """A window on a file library whose writes give up after 0.2 s when it is locked: the
    seed (with section headings) and two records of plain sentences."""
    lib = Library.open(lib_path, coder="tester", busy_timeout_ms=200)
    import_file(lib, seed)
    import_file(lib, make_ris("plain.ris", [
        {"TY": "JOUR", "TI": f"Plain {n}",
         "AB": " ".join(f"Sentence {k} of plain {n} says a thing." for k in range(6))}
        for n in range(2)]))
    window = MainWindow(lib, settings)
    # Not qtbot.addWidget: pytest-qt would close the window before the lock fixture lets go,
    # and a failed test would then hang on the "memos not saved" question. Closed below.
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # window shortcuts (D, Ctrl+Z) only fire in the active window
    qtbot.waitUntil(window.isActiveWindow)
    yield window
    window.close()
    lib.close()


def show(qtbot, window, title: str) -> int:
    rid = next(r for r in window.library.search_ids() if title in window.library.record(r).title)
    window.select_record(rid)
    qtbot.waitUntil(lambda: window.pane.record is not None and window.pane.record.id == rid)
    window.pane.abstract.setFocus()
    return rid


def put_cursor(window, k: int) -> None:
    view = window.pane.abstract
    view.select_range(0, 0)
    cursor = view.textCursor()
    cursor.setPosition(window.pane.record.abstract.index(f"Sentence {k} of") + 3)
    view.setTextCursor(cursor)


def stored(window, rid: int) -> list[tuple[int, str]]:
    return [(s.start, s.label) for s in window.library.spans(rid)]


def drawn(window) -> tuple[tuple[int, str], ...]:
    return tuple((s.start, s.label) for s in window.pane.record.spans), len(
        window.pane.abstract.extraSelections())


def assert_refused(window, before_stack: tuple[int, int], why: str = LOCKED) -> str:
    message = window.statusBar().currentMessage()
    assert message.startswith("Not saved: "), message
    assert why in message
    assert "Error calling Python override" not in message
    assert window.pane.notice.isVisible()
    assert window.pane.notice.text() == message
    stack = window.coding.undo_stack
    assert (stack.count(), stack.index()) == before_stack, "the refused change left a step"
    return message


def test_refused_tags_untags_and_undos_leave_the_stack_as_it_was(qtbot, win, lock):
    rid = show(qtbot, win, "Plain 0")
    view = win.pane.abstract
    start = [win.pane.record.abstract.index(f"Sentence {k} of") for k in range(6)]
    for k, key in ((0, Qt.Key.Key_1), (1, Qt.Key.Key_2), (2, Qt.Key.Key_3)):
        put_cursor(win, k)
        qtbot.keyClick(view, key)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the third tag undone: something to redo
    saved = [(start[0], "background"), (start[1], "aim")]
    assert stored(win, rid) == saved
    stack = win.coding.undo_stack
    assert (stack.count(), stack.index()) == (3, 2)
    shown = drawn(win)

    lock.take()
    gestures = {
        "tag": lambda: (put_cursor(win, 3), qtbot.keyClick(view, Qt.Key.Key_4)),
        "untag": lambda: (put_cursor(win, 0), qtbot.keyClick(view, Qt.Key.Key_Delete)),
        "re-tag": lambda: (view.select_range(start[1], start[2] - 1),
                           qtbot.keyClick(view, Qt.Key.Key_5)),
        "done": lambda: qtbot.keyClick(view, Qt.Key.Key_D),
    }
    for gesture in gestures.values():
        win.statusBar().clearMessage()
        gesture()
        assert_refused(win, (3, 2))
        assert drawn(win) == shown, "a refused change was drawn as saved"
    assert not win.library.rows([rid])[0].done
    win.statusBar().clearMessage()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert "was not undone" in assert_refused(win, (3, 2))
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert "was not redone" in assert_refused(win, (3, 2))
    assert stack.undoText().startswith("Tag “Sentence 1")
    assert drawn(win) == shown
    assert stored(win, rid) == saved

    lock.release()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # undoes the last saved change: the second tag
    assert stored(win, rid) == [(start[0], "background")]
    assert drawn(win)[0] == ((start[0], "background"),)
    assert not win.pane.notice.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(win, rid) == [*saved, (start[2], "method")]
    assert (stack.count(), stack.index()) == (3, 3)


def test_refused_suggestions_stay_suggested(qtbot, win, lock):
    rid = show(qtbot, win, SEED)
    view = win.pane.abstract
    assert len(view.extraSelections()) == 5  # the seed's headings, suggested
    lock.take()
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Escape):  # accept, reject
        win.statusBar().clearMessage()
        qtbot.keyClick(view, key)
        assert_refused(win, (0, 0))
        assert len(view.extraSelections()) == 5
        assert all(s.suggested for s in win.coding.suggestions(win.pane.record))
    win.table.selectAll()
    win.actions_by_name["accept_selected_suggestions"].trigger()
    assert win.pane.notice.text().startswith("Not saved: ")
    assert win.coding.undo_stack.count() == 0, "an empty step was left on the stack"
    show(qtbot, win, SEED)

    lock.release()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert len(win.library.spans(rid)) == 5
    assert not win.pane.notice.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert win.library.spans(rid) == []


def test_memo_typed_while_locked_is_kept_and_saved_later(qtbot, win, lock):
    win.coding._memo_retry.setInterval(200)  # offered again every 0.2 s, not 3 s
    first = show(qtbot, win, "Plain 0")
    lock.take()
    win.pane.memo.setFocus()
    qtbot.keyClicks(win.pane.memo, "Check the sample size")
    qtbot.waitUntil(lambda: first in win.coding.unsaved_memos, timeout=3_000)
    assert win.pane.notice.text().startswith("Not saved: ")
    assert "not saved yet" in win.pane.memo_label.text()
    assert win.pane.memo.toPlainText() == "Check the sample size"
    show(qtbot, win, "Plain 1")  # reading works while the file is locked for writing
    assert win.pane.memo.toPlainText() == ""
    show(qtbot, win, "Plain 0")
    assert win.pane.memo.toPlainText() == "Check the sample size"  # still there
    assert "not saved yet" in win.pane.memo_label.text()
    assert win.library.record(first).memo == ""

    lock.release()
    qtbot.waitUntil(lambda: not win.coding.unsaved_memos, timeout=5_000)
    assert win.library.record(first).memo == "Check the sample size"
    assert win.pane.memo_label.text() == "Memo"


def test_a_record_that_cannot_be_read_shows_why_until_it_can(qtbot, win, monkeypatch):
    show(qtbot, win, "Plain 0")
    away = LibraryError("Cannot reach the library server test: connection refused.")

    def unreachable(*_args, **_kwargs):
        raise away

    monkeypatch.setattr(win.library, "record", unreachable)
    monkeypatch.setattr(win.library, "change_stamp", unreachable)
    win.check_for_changes()  # the window's look finds the library away: the banner
    assert win.banner.isVisible()
    row = win.table.currentIndex().row()
    qtbot.keyClick(win.table, Qt.Key.Key_Down)  # no uncaught LibraryError
    assert win.table.currentIndex().row() == row + 1
    assert win.pane.record is None
    assert win.pane.stack.currentIndex() == 0
    text = win.pane.placeholder.text()
    assert "cannot be read while the library is unreachable" in text
    assert "connection refused" in text
    qtbot.keyClick(win.table, Qt.Key.Key_D)  # gestures on no record do nothing

    monkeypatch.undo()
    win.check_for_changes()  # back: the table is re-read and the current record shown
    qtbot.waitUntil(lambda: win.pane.record is not None)
    assert win.pane.record.id == win.current_record_id()
    assert win.pane.stack.currentIndex() == 1
    assert not win.banner.isVisible()


def test_undo_on_a_record_deleted_elsewhere_drops_the_step(qtbot, win, lib_path):
    rid = show(qtbot, win, "Plain 0")
    put_cursor(win, 0)
    qtbot.keyClick(win.pane.abstract, Qt.Key.Key_1)
    show(qtbot, win, "Plain 1")
    with Library.open(lib_path, coder="teammate") as other:  # another program deletes it
        other.delete_records([rid])
    win.statusBar().clearMessage()
    qtbot.keyClick(win.pane.abstract, Qt.Key.Key_Z, CTRL)
    message = win.statusBar().currentMessage()
    assert message.startswith("Not saved: the record is no longer in the library"), message
    assert win.coding.undo_stack.count() == 0  # nothing left that can never be undone


def _answer_next_message_box(qtbot, button, seen: list[str]) -> None:
    """Click ``button`` on the next message box that opens (they run their own loop)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def click() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(50, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(50, click)


def test_closing_with_a_memo_not_saved_asks_first(qtbot, win, lock):
    from PySide6.QtWidgets import QMessageBox

    first = show(qtbot, win, SEED)
    lock.take()
    win.pane.memo.setFocus()
    qtbot.keyClicks(win.pane.memo, "Unsaved thought")
    qtbot.waitUntil(lambda: first in win.coding.unsaved_memos, timeout=3_000)
    seen: list[str] = []
    _answer_next_message_box(qtbot, QMessageBox.StandardButton.Cancel, seen)
    win.close()
    assert win.isVisible(), "Cancel keeps the window, and the memo, open"
    assert "cannot be saved yet" in seen[0]
    assert win.pane.memo.toPlainText() == "Unsaved thought"
    lock.release()
    win.close()  # the memo is saved on the way out, without a question
    assert not win.isVisible()
    assert win.library.record(first).memo == "Unsaved thought"


def test_a_refused_deletion_leaves_records_and_stack_as_they_were(qtbot, win, lock):
    from PySide6.QtWidgets import QMessageBox

    stack = win.coding.undo_stack
    rid = show(qtbot, win, "Plain 0")
    before = (stack.count(), stack.index())
    lock.take()
    seen: list[str] = []
    _answer_next_message_box(qtbot, QMessageBox.StandardButton.Ok, seen)
    win.actions_by_name["delete_records"].trigger()
    assert "Not removed" in seen[0]
    assert "Error calling Python override" not in seen[0]
    assert (stack.count(), stack.index()) == before
    assert rid in win.library.search_ids()
    win.activateWindow()  # a window manager does this when the box closes; offscreen has none
    qtbot.waitUntil(win.isActiveWindow)
    lock.release()
    win.select_record(rid)
    win.actions_by_name["delete_records"].trigger()
    assert rid not in win.library.search_ids()
    assert win.model.row_of(rid) is None
    # Undo while locked: refused, the records stay deleted and the step stays undoable.
    lock.take()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: "was not undone" in win.statusBar().currentMessage(), timeout=5_000)
    assert rid not in win.library.search_ids()
    assert stack.canUndo()
    assert stack.undoText().startswith("Delete")
    lock.release()
    qtbot.keyClick(win.table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: rid in win.library.search_ids())
    assert win.model.row_of(rid) is not None
    assert win.library.record(rid).title == "Plain 0"


def test_a_table_query_that_fails_leaves_the_table_as_it_was(qtbot, win, monkeypatch):
    rows = win.model.rowCount()

    def away(*_a, **_k):
        raise LibraryError("Cannot reach the library server.")

    monkeypatch.setattr(win.library, "search_ids", away)
    win.search.setText("plain")
    qtbot.waitUntil(lambda: "was not updated" in win.statusBar().currentMessage(), timeout=5_000)
    assert win.model.rowCount() == rows
    assert win.model.index(0, win.model.TITLE).data()  # rows still readable
