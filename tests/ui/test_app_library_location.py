"""Which library the app opens, and never one by accident: a path given on the command line that
is not there is created only when the user says so (through the real dialog's buttons); a
recent library that has gone is refused; a library that lost its schema version offers its
backup."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from litdesk.store.engines import sqlite_backup as backup
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.app import open_window


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def answer(qtbot):
    """``answer(press)``: click ``press(box)`` on the next message box that opens (they run
    their own loop); returns the texts of the boxes answered. Stops when the test ends."""
    running = [True]

    def start(press: Callable[[QMessageBox], QPushButton | None]) -> list[str]:
        seen: list[str] = []

        def click() -> None:
            if not running[0]:
                return
            box = next((w for w in QApplication.topLevelWidgets()
                        if isinstance(w, QMessageBox) and w.isVisible()), None)
            if box is not None:
                seen.append(box.text())
                button = press(box)
                assert button is not None, box.text()
                button.click()
            QTimer.singleShot(20, click)

        QTimer.singleShot(0, click)
        return seen

    yield start
    running[0] = False
    qtbot.wait(50)


def _named(name: str) -> Callable[[QMessageBox], QPushButton | None]:
    return lambda box: box.findChild(QPushButton, name)


@pytest.fixture
def no_default_library(tmp_path, monkeypatch) -> Path:
    """The app's default library, in the test's folder (never the user's)."""
    default = tmp_path / "default" / "library.litdesk.sqlite"
    monkeypatch.setattr("litdesk.ui.app.default_library_path", lambda: default)
    return default


def test_a_missing_library_given_is_not_created_when_the_user_says_quit(
        qtbot, answer, tmp_path, settings, no_default_library):
    target = tmp_path / "nodir" / "typo.sqlite"
    before = _tree(tmp_path)
    seen = answer(_named("quit"))
    window = open_window(str(target), coder="tester", settings=settings)
    assert window is None
    assert len(seen) == 1
    assert f"Create a new library at {target}?" in seen[0]
    assert "does not exist yet either" in seen[0]  # the folder would be made too
    assert _tree(tmp_path) == before


def test_a_missing_library_given_is_created_when_the_user_says_create(
        qtbot, answer, tmp_path, settings, no_default_library, seed):
    target = tmp_path / "new.sqlite"
    seen = answer(_named("create"))
    window = open_window(str(target), [str(seed)], coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    assert len(seen) == 1
    assert window.library.path == target
    qtbot.waitUntil(lambda: window.library.count() == 1, timeout=20_000)  # the file given
    window.library.close()
    assert not no_default_library.exists()


def test_an_existing_library_opens_without_a_question(qtbot, answer, lib_path, settings, seed):
    with Library.open(lib_path, coder="tester") as lib:
        import_file(lib, seed)
    seen = answer(lambda box: box.button(QMessageBox.StandardButton.No)
                  or box.findChild(QPushButton, "quit"))
    window = open_window(str(lib_path), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    qtbot.wait(100)
    assert seen == []
    assert window.library.count() == 1
    window.library.close()


def test_a_recent_library_that_has_gone_is_refused_not_recreated(qtbot, answer, window, tmp_path):
    gone = tmp_path / "elsewhere" / "gone.sqlite"
    Library.open(gone).close()
    window.settings.setValue("library/recent", [str(gone)])
    for p in sorted(gone.parent.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    gone.parent.rmdir()
    window.libraries.fill_recent_menu()
    entry = next(a for a in window.recent_menu.actions() if a.text() == str(gone))
    seen = answer(lambda box: box.button(QMessageBox.StandardButton.Ok))
    entry.trigger()
    assert len(seen) == 1
    assert f"There is no library at {gone}" in seen[0]
    assert not gone.parent.exists()
    assert window.library.path != gone


def test_a_library_that_lost_its_schema_version_offers_its_backup(
        qtbot, answer, lib_path, settings, seed, no_default_library):
    with Library.open(lib_path, coder="tester") as lib:
        import_file(lib, seed)
        with lib.engine.connect() as conn:
            made = backup.make_backup(conn, lib_path)
    con = sqlite3.connect(lib_path)
    con.execute("DROP TABLE alembic_version")
    con.commit()
    con.close()
    seen = answer(lambda box: box.button(QMessageBox.StandardButton.Yes))
    window = open_window(str(lib_path), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    assert len(seen) == 1
    assert "has lost its schema version" in seen[0]
    assert str(made) in seen[0]
    assert window.library.path == lib_path
    assert window.library.count() == 1
    window.library.close()
    assert not no_default_library.exists()


def test_a_server_address_without_slashes_falls_back_to_the_default_library(
        qtbot, answer, settings, no_default_library, tmp_path):
    seen = answer(lambda box: box.button(QMessageBox.StandardButton.Ok))
    window = open_window("postgresql:review", coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    assert "is not a PostgreSQL address" in seen[0]
    assert window.library.path == no_default_library
    assert not (tmp_path / "postgresql:review").exists()
    window.library.close()
