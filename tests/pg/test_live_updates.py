"""Live updates on a team library: the server notifies every change (LISTEN/NOTIFY), and an
open window shows another process's records and finished codings within 5 seconds, with its
poll switched off so that only the server's notices can bring them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy.engine import make_url

from litdesk.store import postgres
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.window.main_window import MainWindow

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_baa27484dd0224d6.txt"
SECONDS = 5.0  # the promise

OTHER_CODER = textwrap.dedent('''
    import sys
    from litdesk.core.model import Span
    from litdesk.store import coders
    from litdesk.store.importer import import_file
    from litdesk.store.library import Library
    lib = Library.open(sys.argv[1], coder="bob")
    import_file(lib, sys.argv[2])
    print("imported", flush=True)
    sys.stdin.readline()
    rid = lib.search_ids()[0]
    coders.set_spans_as(lib, rid, "bob", [Span(0, 10, "aim")])
    lib.set_done(rid, True)
    print("coded", flush=True)
    sys.stdin.readline()
    lib.close()
''')


def test_listener_hears_changes_to_records_spans_and_status(server_url):
    with Library.open(server_url, coder="tester") as lib, \
            Library.open(server_url, coder="reader", read_only=True) as reader:
        listener = postgres.ChangeListener(reader.engine)  # a read-only login may listen
        try:
            assert listener.wait(0.2) == []
            import_file(lib, SEED)
            assert "record" in listener.wait(SECONDS)
            rid = lib.search_ids()[0]
            lib.tag(rid, 0, 10, "aim")
            heard = set(listener.wait(SECONDS))
            heard |= set(listener.wait(0.2))
            assert {"span", "coding_status"} <= heard
            lib.set_memo(rid, "only mine")  # nobody else shows it: no notice
            assert listener.wait(0.3) == []
        finally:
            listener.close()


def test_listener_reports_a_lost_connection(server_url, pg_admin, pg_url):
    with Library.open(server_url, coder="tester") as lib:
        listener = postgres.ChangeListener(lib.engine)
        try:
            with pg_admin(pg_url) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()",
                             (make_url(server_url).database,))
            def wait_long() -> None:
                for _ in range(50):
                    listener.wait(0.1)

            with pytest.raises(postgres.ListenerLost):
                wait_long()
        finally:
            listener.close()


def _window(qtbot, tmp_path: Path, location: str) -> MainWindow:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Library.open(location, coder="tester"), settings)
    qtbot.addWidget(window)
    window.show()
    assert window.watch.listening
    window.watch.timer.stop()  # no polling: only the server's notices can bring changes
    return window


def test_window_shows_another_process_work_on_notice(qtbot, tmp_path, server_url):
    window = _window(qtbot, tmp_path, server_url)
    script = tmp_path / "other.py"
    script.write_text(OTHER_CODER, encoding="utf-8")
    with subprocess.Popen([sys.executable, str(script), server_url, str(SEED)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as other:
        assert other.stdin is not None
        assert other.stdout is not None
        assert other.stdout.readline() == "imported\n"  # committed: the clock starts
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=int(SECONDS * 1000))
        window.table.selectRow(0)
        rid = window.current_record_id()
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.stdout.readline() == "coded\n"
        # bob's finished coding: offered in the Show chooser, and in the Coders column.
        qtbot.waitUntil(lambda: window.pane.coder_view.findData("bob") >= 0,
                        timeout=int(SECONDS * 1000))
        assert "bob" in window.model.index(0, 5).data()
        assert window.current_record_id() == rid  # the researcher's place is kept
        assert window.watch.listening
        assert not window.watch.timer.isActive()
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.wait(timeout=30) == 0
    window.close()
    window.library.close()


def test_window_listens_again_after_the_connection_drops(qtbot, tmp_path, server_url,
                                                        pg_admin, pg_url):
    window = _window(qtbot, tmp_path, server_url)
    first = window.watch.listener
    with pg_admin(pg_url) as conn:  # the server drops every connection to the library
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()",
                     (make_url(server_url).database,))
    # The listener notices at once; the window looks, finds the server, and listens again.
    qtbot.waitUntil(lambda: window.watch.listener not in (first, None), timeout=10_000)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5_000)
    window.watch.timer.stop()
    with Library.open(server_url, coder="bob") as other:
        import_file(other, SEED)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=int(SECONDS * 1000))
    window.close()
    window.library.close()


def test_a_library_made_before_notices_gets_them_when_upgraded(empty_database):
    from sqlalchemy import create_engine, text

    from litdesk.store import migrate

    engine = create_engine(postgres.engine_url(empty_database))
    with engine.connect() as conn:
        migrate.upgrade(conn, "0004")
        conn.execute(text("INSERT INTO library_meta (key, value) VALUES ('application', "
                          "'litdesk')"))
        conn.commit()
    engine.dispose()
    with Library.open(empty_database, coder="tester") as lib:  # the owner upgrades it
        with lib.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        listener = postgres.ChangeListener(lib.engine)
        try:
            import_file(lib, SEED)
            assert "record" in listener.wait(SECONDS)
        finally:
            listener.close()
