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
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

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

    def answer() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is not None:
            said.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        if len(said) < 2:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
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
