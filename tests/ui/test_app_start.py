"""Starting the app on awkward libraries: damaged (offer the backup), read-only (banner)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from litdesk.store import backup
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.app import open_window


def _corrupt(path: Path) -> None:
    con = sqlite3.connect(path)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("select rootpage from sqlite_master where name = 'record'").fetchone()[0]
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xa5\x5a" * (page // 2))


def test_damaged_library_offers_its_newest_backup(qtbot, lib_path, seed, settings, monkeypatch):
    with Library.open(lib_path, coder="tester") as lib:
        import_file(lib, seed)
        with lib.engine.connect() as conn:
            backup.make_backup(conn, lib_path)
    _corrupt(lib_path)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    window = open_window(str(lib_path), coder="tester", settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    # A large library is checked while the window appears; the damage is then reported,
    # nothing is written to the file, and its newest backup is offered.
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert "damaged" in asked[0]
    qtbot.waitUntil(lambda: window.library.damage is None, timeout=10_000)
    assert window.library.count() == 1
    assert window.library.integrity_ok()
    window.library.close()


def test_read_only_library_shows_a_banner_and_refuses_changes(qtbot, lib_path, seed, settings):
    with Library.open(lib_path, coder="tester") as lib:
        import_file(lib, seed)
    lib = Library.open(lib_path, coder="tester", read_only=True)
    from litdesk.ui.main_window import MainWindow

    window = MainWindow(lib, settings)
    qtbot.addWidget(window)
    window.show()
    assert window.banner.isVisible()
    assert "read-only" in window.windowTitle()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    window.coding.tag(0, 10, "aim")
    assert lib.spans(window.pane.record.id) == []
    assert "read-only" in window.statusBar().currentMessage()
    assert not window.import_paths([str(seed)])
    lib.close()
