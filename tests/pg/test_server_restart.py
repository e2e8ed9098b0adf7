"""The server goes away in the middle of a tagging burst and comes back.

The test runs a server of its own (``.ci/pg-cluster``, as the CI does) so that it can stop
and restart it: the window shows a banner while the server is away, refuses tags it cannot
save with a message (never showing them as saved), reconnects by itself when the server is
back, and every tag it showed as saved is in the database afterwards. A second test does
every other change while the server is away (untag, re-tag, done mark, memo, undo, redo, and
moving to a record it cannot read) and finds each refused cleanly and nothing lost.
"""

from __future__ import annotations

import glob
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from litdesk.core.model import LABELS
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.window.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
PG_CLUSTER = REPO / ".ci" / "pg-cluster"
SENTENCES = 16
KEYS = {label: getattr(Qt.Key, f"Key_{n}") for n, label in enumerate(LABELS, start=1)}


def _bindir() -> str | None:
    found = [os.environ["PG_BINDIR"]] if os.environ.get("PG_BINDIR") else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    found = [d for d in found if os.access(os.path.join(d, "initdb"), os.X_OK)]
    return found[-1] if found else None


class Server:
    """A throwaway cluster (``.ci/pg-cluster start``) that the test may stop and start."""

    def __init__(self, folder: Path, bindir: str):
        self.folder, self.bindir = folder, bindir
        out = subprocess.run([str(PG_CLUSTER), "start", str(folder)], capture_output=True,
                             text=True, check=False)
        if out.returncode != 0:
            pytest.fail(f"pg-cluster start failed:\n{out.stdout}{out.stderr}")
        self.url = out.stdout.strip().splitlines()[-1]

    def _pg_ctl(self, *args: str) -> None:
        # As pg-cluster does: the server refuses to run as root, so root runs it as the
        # unprivileged user that pg-cluster made the cluster's owner.
        owner = ["runuser", "-u", "litdeskci", "--"] if os.geteuid() == 0 else []
        subprocess.run([*owner, f"{self.bindir}/pg_ctl", "-D", str(self.folder / "data"),
                        *args], check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        """A clean stop (as an administrator would): clients are disconnected."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-l", str(self.folder / "server.log"), "-w", "start", "-o",
                     f"-c listen_addresses='' -c unix_socket_directories='{self.folder}'")

    def remove(self) -> None:
        subprocess.run([str(PG_CLUSTER), "stop", str(self.folder)], check=False,
                       capture_output=True)


@pytest.fixture
def own_server() -> Iterator[Server]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server installed (initdb not found in "
                    "/usr/lib/postgresql/*/bin or $PG_BINDIR): this test starts and stops a "
                    "server of its own")
    pytest.importorskip("psycopg", reason="psycopg is needed for the PostgreSQL tests")
    # Under /tmp, not pytest's tmp_path: the server's unprivileged user must reach the
    # folder, and its Unix socket path must stay short.
    server = Server(Path(tempfile.mkdtemp(prefix="litdesk-pg-", dir="/tmp")), bindir)
    try:
        yield server
    finally:
        server.remove()


def _abstract(n: int) -> str:
    return " ".join(f"Sentence {k} of paper {n} reports a finding." for k in range(SENTENCES))


def _window_on_papers(qtbot, tmp_path, own_server, papers: int) -> MainWindow:
    """A window, coder "tester", on the server library with ``papers`` generated records."""
    ris = tmp_path / "papers.ris"
    ris.write_text("".join(f"TY  - JOUR\nTI  - Paper {n}\nAB  - {_abstract(n)}\nER  - \n\n"
                           for n in range(papers)), encoding="utf-8")
    with Library.open(own_server.url, coder="setup") as lib:
        import_file(lib, ris)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Library.open(own_server.url, coder="tester"), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_server_stopped_during_a_tagging_burst(qtbot, tmp_path, own_server):
    window = _window_on_papers(qtbot, tmp_path, own_server, 3)
    view = window.pane.abstract

    def tag(k: int) -> bool:
        """Select sentence ``k`` of the shown record and tag it by key; whether the pane shows
        it saved. (Selected: with the cursor alone in a model suggestion, the key would accept
        that suggestion instead.)"""
        record = window.pane.record
        start = record.abstract.index(f"Sentence {k} of")
        end = record.abstract.index("finding.", start) + len("finding.")
        label = LABELS[k % len(LABELS)]
        cursor = view.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        qtbot.keyClick(view, KEYS[label])
        shown = {(s.start, s.label) for s in window.pane.record.spans}
        if (start, label) in shown:
            acknowledged.add((record.id, start, label))
            return True
        return False

    acknowledged: set[tuple[int, int, str]] = set()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    for k in range(SENTENCES):
        assert tag(k)
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: window.pane.record.title == "Paper 1")
    for k in range(SENTENCES // 2):
        assert tag(k)
    saved_before = set(acknowledged)

    own_server.stop()  # mid-burst
    qtbot.waitUntil(window.banner.isVisible, timeout=5_000)
    assert "cannot be saved" in window.banner.text()
    for k in range(SENTENCES // 2, SENTENCES // 2 + 3):
        window.statusBar().clearMessage()
        assert not tag(k), "a tag was shown as saved while the server was stopped"
        refusal = window.statusBar().currentMessage()
        assert refusal.startswith("Not saved"), refusal
        assert "Cannot reach the library server" in refusal
        assert "Error calling Python override" not in refusal
    assert acknowledged == saved_before
    # Refused tags left no step behind: Ctrl+Z would undo the last saved one.
    assert window.coding.undo_stack.count() == SENTENCES + SENTENCES // 2

    own_server.start()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: window.watch.listening, timeout=5_000)
    for k in range(SENTENCES // 2, SENTENCES):  # the refused ones again, and the rest
        assert tag(k)
    window.table.selectRow(2)
    qtbot.waitUntil(lambda: window.pane.record.title == "Paper 2")
    for k in range(4):
        assert tag(k)
    window.close()
    window.library.close()

    with Library.open(own_server.url, coder="tester") as lib:
        stored = {(rid, s.start, s.label) for rid in lib.search_ids() for s in lib.spans(rid)}
    assert saved_before <= stored
    assert stored == acknowledged
    assert len(acknowledged) == SENTENCES * 2 + 4


CTRL = Qt.KeyboardModifier.ControlModifier


def test_every_change_refused_cleanly_while_the_server_is_away(qtbot, tmp_path, own_server):
    window = _window_on_papers(qtbot, tmp_path, own_server, 2)
    window.activateWindow()  # window shortcuts (D, Ctrl+Z) only fire in the active window
    qtbot.waitUntil(window.isActiveWindow)
    window.coding._memo_retry.setInterval(300)  # a refused memo is offered again every 0.3 s
    view, stack, pane = window.pane.abstract, window.coding.undo_stack, window.pane
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: pane.record is not None)
    first, text = pane.record.id, pane.record.abstract
    start = [text.index(f"Sentence {k} of") for k in range(4)]

    def at(k: int) -> None:
        view.select_range(start[k] + 3, start[k] + 3)
        view.setFocus()

    for k in range(3):
        at(k)
        qtbot.keyClick(view, KEYS[LABELS[k]])
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the third tag undone: one step to redo
    saved = [(start[0], LABELS[0]), (start[1], LABELS[1])]
    assert [(s.start, s.label) for s in pane.record.spans] == saved
    drawn = len(view.extraSelections())
    # (The window's look for suggested sections, run once at the start, is over: its end
    # re-reads the table, which is not what this test is about.)
    qtbot.waitUntil(lambda: not window.checker.running, timeout=10_000)

    own_server.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=5_000)

    def refused(gesture) -> str:
        window.statusBar().clearMessage()
        gesture()
        message = window.statusBar().currentMessage()
        assert message.startswith("Not saved: Cannot reach the library server"), message
        assert "Error calling Python override" not in message
        assert pane.notice.isVisible()
        assert (stack.count(), stack.index()) == (3, 2), "a refused change moved the stack"
        assert [(s.start, s.label) for s in pane.record.spans] == saved
        assert len(view.extraSelections()) == drawn, "a refused change was drawn"
        return message

    refused(lambda: (at(3), qtbot.keyClick(view, KEYS[LABELS[3]])))  # tag
    refused(lambda: (at(0), qtbot.keyClick(view, Qt.Key.Key_Delete)))  # untag
    refused(lambda: (view.select_range(start[1], start[2] - 1),  # re-tag
                     qtbot.keyClick(view, KEYS[LABELS[4]])))
    refused(lambda: qtbot.keyClick(view, Qt.Key.Key_D))  # done mark
    assert "was not undone" in refused(lambda: qtbot.keyClick(view, Qt.Key.Key_Z, CTRL))
    assert "was not redone" in refused(
        lambda: qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier))
    pane.memo.setFocus()
    qtbot.keyClicks(pane.memo, "typed while away")
    qtbot.waitUntil(lambda: first in window.coding.unsaved_memos, timeout=3_000)
    assert "not saved yet" in pane.memo_label.text()
    assert pane.memo.toPlainText() == "typed while away"

    window.table.selectRow(1)  # a record it cannot read now: a message, no traceback
    QApplication.processEvents()
    assert pane.record is None
    assert "cannot be read while the library is unreachable" in pane.placeholder.text()
    assert window.banner.isVisible()

    own_server.start()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: pane.record is not None and pane.record.title == "Paper 1",
                    timeout=5_000)  # shown once the server is back
    qtbot.waitUntil(lambda: not window.coding.unsaved_memos, timeout=5_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the last saved change: the second tag
    qtbot.waitUntil(lambda: pane.record is not None and pane.record.id == first)
    assert [(s.start, s.label) for s in pane.record.spans] == saved[:1]
    window.close()
    window.library.close()

    with Library.open(own_server.url, coder="tester") as lib:
        assert [(s.start, s.label) for s in lib.spans(first)] == saved[:1]
        assert lib.record(first).memo == "typed while away"
        assert not lib.rows([first])[0].done
