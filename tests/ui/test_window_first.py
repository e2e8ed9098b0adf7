"""The window paints before its library opens (issue 18: the window within 0.8 s): the store,
SQLAlchemy with it, is imported only after the first paint. Meanwhile the window is greyed and
takes no command; files named on the command line, or handed over by a second launch, wait
until the library is open; a library that cannot be opened is said, and the app ends."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui import single_instance
from litdesk.ui.app import open_window

FIRST_PAINT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from litdesk.ui.app import open_window

    app = QApplication([])
    settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
    seen = []

    class Paints(QObject):
        def eventFilter(self, _obj, event):
            if event.type() == QEvent.Type.Paint:
                seen.append(("sqlalchemy" in sys.modules, window.holder.is_open,
                             window.isEnabled()))
            return False

    window = open_window(sys.argv[1], coder="ana", settings=settings)
    window.installEventFilter(Paints(window))

    def done():
        if window.holder.is_open and len(seen) > 1:
            print("first", seen[0], "last", seen[-1], "records", window.model.rowCount())
            app.quit()
        else:
            QTimer.singleShot(20, done)

    QTimer.singleShot(0, done)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    window.holder.close()
""")


def _answer_boxes(said: list[str], times: int = 1) -> None:
    """Answer the next ``times`` message boxes with OK, keeping their texts in ``said`` (a
    "Create a new library?" question is answered Quit, and the test fails on what follows)."""
    answered = [0]

    def answer() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is not None:
            said.append(box.text())
            answered[0] += 1
            (box.button(QMessageBox.StandardButton.Ok)
             or box.findChild(QPushButton, "quit")).click()
        if answered[0] < times:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)


def test_the_window_paints_before_the_store_is_imported(tmp_path, seed):
    """In a fresh process, as the app starts: the first paint comes before SQLAlchemy is
    imported and before the library is open (greyed); a later paint shows the records."""
    lib = tmp_path / "review.litdesk.sqlite"
    with Library.open(lib, coder="ana") as library:
        import_file(library, seed)
    script = tmp_path / "first_paint.py"
    script.write_text(FIRST_PAINT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(script), str(lib), str(tmp_path / "s.ini")],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "first (False, False, False) last (True, True, True) records 1" in done.stdout, (
        done.stdout + done.stderr)


def test_no_command_is_taken_while_the_library_opens(qtbot, lib_path, settings, seed,
                                                     monkeypatch):
    with Library.open(lib_path, coder="tester") as library:
        import_file(library, seed)
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: asked.append("import") or ([], ""))
    window = open_window(str(lib_path), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    assert not window.isEnabled()
    assert window.windowTitle().startswith(f"Opening {lib_path.name}")
    assert window.pane.placeholder.text() == f"Opening {lib_path}…"
    assert not window.menuBar().isEnabled()  # no menu opens, and no key acts:
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert asked == []
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)
    assert window.isEnabled()
    assert window.model.rowCount() == 1
    assert window.count_label.text() == "1 of 1 record"
    qtbot.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["import"]


def test_a_library_that_cannot_be_opened_ends_the_start(qtbot, tmp_path, settings, monkeypatch):
    """Neither the library named nor the default one opens (a folder, a file that is no
    library): each is said, naming the file, and the window closes with startFailed set (the
    app's exit status 1)."""
    not_a_library = tmp_path / "notes.sqlite"
    not_a_library.write_text("these are my notes, not a library\n" * 50, encoding="utf-8")
    default = tmp_path / "default-is-a-folder"
    default.mkdir()
    monkeypatch.setattr("litdesk.ui.app.default_library_path", lambda: default)
    said: list[str] = []
    _answer_boxes(said, 2)
    window = open_window(str(not_a_library), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(said) == 2 and not window.isVisible(), timeout=20_000)
    assert str(not_a_library) in said[0]
    assert "Opening your default library instead" in said[0]
    assert str(default) in said[1]
    assert window.property("startFailed")
    assert not window.holder.is_open
    assert not_a_library.read_text(encoding="utf-8").startswith("these are my notes")


def test_files_handed_over_while_the_library_opens_wait_for_it(qtbot, lib_path, settings, seed):
    """A second launch with a file (a double-click in the file manager) reaches the window
    while its library is still opening: the file is imported once it is open."""
    Library.open(lib_path, coder="tester").close()
    window = open_window(str(lib_path), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    server = single_instance.serve(window, Path(lib_path))
    assert not window.holder.is_open
    server.filesReceived.emit([str(seed)])  # what the server's socket hands on
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20_000)


def test_a_window_closed_before_its_library_opens_opens_none(qtbot, lib_path, settings, seed,
                                                             make_ris):
    with Library.open(lib_path, coder="tester") as library:
        import_file(library, seed)
    other = make_ris("other.ris", [{"TY": "JOUR", "TI": "Another paper", "PY": "2020",
                                    "AB": "An abstract of another paper."}])
    window = open_window(str(lib_path), [str(other)], coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    window.close()  # at once, before the first paint
    qtbot.wait(1500)  # past the moment it would have opened without a paint
    assert not window.holder.is_open
    with Library.open(lib_path, coder="tester") as again:
        assert again.count() == 1  # the file named was not imported either


def _held(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another program holds ``path`` locked for ``seconds`` (its journal in rollback mode, so
    that opening it waits): the window's library opens slowly."""
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n"
         "time.sleep(float(sys.argv[2])); c.execute('ROLLBACK')", str(path), str(seconds)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_launch_while_the_library_opens_hands_its_file_over(qtbot, tmp_path, settings,
                                                                    seed):
    """The second launch (a double-click on an export) connects while the first window is
    still opening a slow library: its file is imported there, and it opens no window of its
    own (the server used to drop the waiting connection when the library opened)."""
    lib = tmp_path / "slow.litdesk.sqlite"
    Library.open(lib, coder="tester").close()
    held = _held(lib, 2.5)
    window = open_window(str(lib), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    single_instance.serve(window, lib)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LITDESK_EXIT_AFTER_SHOWN": "child"}
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    out, err = tmp_path / "child.out", tmp_path / "child.err"
    with out.open("w") as o, err.open("w") as e:
        child = subprocess.Popen([sys.executable, "-m", "litdesk", "--library", str(lib),
                                  "--coder", "tester", str(seed)], env=env, stdout=o, stderr=e,
                                 stdin=subprocess.DEVNULL)
        try:
            qtbot.waitUntil(lambda: child.poll() is not None, timeout=60_000)
        finally:
            if child.poll() is None:
                child.kill()
            held.wait(timeout=30)
            if held.stdout is not None:
                held.stdout.close()
    assert child.returncode == 0, err.read_text()
    assert "litdesk-shown" not in out.read_text()  # no window of its own
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20_000)


def test_files_handed_over_for_a_library_that_did_not_open_are_not_imported_elsewhere(
        qtbot, tmp_path, settings, seed, monkeypatch):
    """Handed over while the window opened L; L could not be opened and the default library
    opened instead: the files are not imported into it, and the window says so."""
    not_a_library = tmp_path / "notes.sqlite"
    not_a_library.write_text("not a library\n" * 100, encoding="utf-8")
    default = tmp_path / "default" / "library.litdesk.sqlite"
    monkeypatch.setattr("litdesk.ui.app.default_library_path", lambda: default)
    _answer_boxes([])
    window = open_window(str(not_a_library), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    server = single_instance.serve(window, not_a_library)
    server.filesReceived.emit([str(seed)])  # a second launch on notes.sqlite, meanwhile
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)
    assert window.library.path == default
    qtbot.wait(700)  # the hand-over's retry
    assert window.library.count() == 0
    said = window.statusBar().currentMessage()
    assert "Not imported" in said
    assert seed.name in said
    assert str(not_a_library) in said


def test_closing_the_window_while_its_library_fails_creates_no_default_library(
        qtbot, tmp_path, settings, monkeypatch):
    not_a_library = tmp_path / "notes.sqlite"
    not_a_library.write_text("not a library\n" * 100, encoding="utf-8")
    default = tmp_path / "default" / "library.litdesk.sqlite"
    monkeypatch.setattr("litdesk.ui.app.default_library_path", lambda: default)
    windows = []

    def answer() -> None:  # the user closes the window, then dismisses the message
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, answer)
        else:
            windows[0].close()
            box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    window = open_window(str(not_a_library), coder="tester", settings=settings)
    assert window is not None
    windows.append(window)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    qtbot.wait(300)
    assert not window.holder.is_open
    assert not default.exists()
    assert not default.parent.exists()
    assert not window.property("startFailed")  # the user quit: not a failure


def test_an_unexpected_error_while_opening_ends_the_start(qtbot, lib_path, settings,
                                                          monkeypatch):
    """Not a LibraryError (a disk error the store did not foresee): said, and the window
    closes with startFailed set; it used to stay greyed for good."""
    Library.open(lib_path, coder="tester").close()

    def failing(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("litdesk.ui.app.open_library", failing)
    said: list[str] = []
    _answer_boxes(said)
    window = open_window(str(lib_path), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    assert window.property("startFailed")
    assert str(lib_path) in said[0]
    assert "Input/output error" in said[0]


def test_hostile_library_names_start_without_a_traceback(qtbot, tmp_path, settings,
                                                         monkeypatch):
    """A name too long for the file system, a symlink loop: the app says so and opens the
    default library (these raised before any window showed)."""
    default = tmp_path / "default" / "library.litdesk.sqlite"
    monkeypatch.setattr("litdesk.ui.app.default_library_path", lambda: default)
    loop = tmp_path / "loop.sqlite"
    loop.symlink_to(loop)
    assert single_instance.server_name(loop).startswith("litdesk-")
    assert not single_instance.hand_over(loop, [])
    for name in (str(tmp_path / ("x" * 300 + ".sqlite")), str(loop)):
        said: list[str] = []
        _answer_boxes(said)
        window = open_window(name, coder="tester", settings=settings)
        if window is None:
            raise AssertionError(f"asked to create a library at {name}: {said}")
        assert window is not None
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda w=window: w.holder.is_open, timeout=20_000)
        assert window.library.path == default
        assert "Opening your default library instead" in said[0]
        window.close()
