"""The window on a team library: open it from the File menu's form, import, tag, search."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from sqlalchemy.engine import make_url

from litdesk.store.library import Library
from litdesk.ui.views.team_dialog import TeamLibraryDialog
from litdesk.ui.window.main_window import MainWindow

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_baa27484dd0224d6.txt"


def test_form_builds_an_address_without_password(qtbot):
    dialog = TeamLibraryDialog(login="ana silva")
    qtbot.addWidget(dialog)
    dialog.host.setText("db.example.org")
    dialog.port.setValue(6543)
    dialog.database.setText("review 2026")
    dialog.sslmode.setCurrentText("require")
    assert dialog.url() == ("postgresql://ana%20silva@db.example.org:6543/review%202026"
                            "?sslmode=require")


def test_window_on_a_team_library(qtbot, tmp_path, server_url):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    local = Library.open(tmp_path / "local.sqlite", coder="tester")
    window = MainWindow(local, settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    window.show()
    assert window.libraries.open_path(server_url)
    url = make_url(server_url)
    assert url.database in window.windowTitle()
    if url.password:
        assert url.password not in window.windowTitle()
    assert window.library.coder == url.username  # on a server the coder is the login
    with qtbot.waitSignal(window.importFinished, timeout=60_000):
        window.import_paths([str(SEED)])
    assert window.model.rowCount() == 1
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    window.pane.abstract.setFocus()
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_Return)  # accept the suggestions
    rid = window.pane.record.id
    assert len(window.library.spans(rid)) == 5
    window.search.setText("author:gill opio*")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.search.setText("author:nobody")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    window.close()
    window.library.close()


def test_window_survives_a_dropped_connection(qtbot, tmp_path, server_url, pg_admin, pg_url):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    lib = Library.open(server_url, coder="tester")
    window = MainWindow(lib, settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    window.show()
    with qtbot.waitSignal(window.importFinished, timeout=60_000):
        window.import_paths([str(SEED)])
    database = make_url(server_url).database
    with pg_admin(pg_url) as conn:  # the server drops every connection to the library
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))
    for _ in range(3):
        window.check_for_changes()  # may show the banner once, then reconnects
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)
    rid = window.library.search_ids()[0]
    window.library.tag(rid, 0, 10, "aim")  # saving works again
    assert [s.label for s in window.library.spans(rid)] == ["aim"]
    window.close()
    lib.close()


def test_library_argument_may_be_a_server_address(qtbot, tmp_path, server_url):
    from litdesk.ui.app import open_window

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = open_window(server_url, settings=settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.holder.is_open, timeout=20_000)  # opens after painting
    assert window.library.engine.dialect.name == "postgresql"
    window.library.close()
