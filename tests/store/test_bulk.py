"""The import's writer thread: jobs in order, failures handed back, nothing half-written."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from litdesk.store import bulk
from litdesk.store.bulk import BackgroundWriter
from litdesk.store.engines import sqlite_connection as sqlite
from litdesk.store.importer import import_file
from litdesk.store.library import LibraryError


def test_jobs_run_in_order_on_another_thread():
    done: list[tuple[int, str]] = []
    with BackgroundWriter() as writer:
        for i in range(20):
            writer.submit(lambda i=i: done.append((i, threading.current_thread().name)))
    assert [i for i, _ in done] == list(range(20))
    assert {name for _, name in done} == {"litdesk-import-writer"}


def test_a_failing_job_is_raised_in_the_reading_thread_and_later_jobs_do_not_run():
    ran: list[int] = []

    def boom() -> None:
        raise ValueError("disk full")

    def read() -> None:
        with BackgroundWriter() as writer:
            writer.submit(lambda: ran.append(1))
            writer.submit(boom)
            time.sleep(0.2)
            for i in range(10):  # the reader learns of it at its next submit at the latest
                writer.submit(lambda i=i: ran.append(i + 10))

    with pytest.raises(ValueError, match="disk full"):
        read()
    assert ran == [1]


def test_submit_never_waits_forever_for_a_writer_that_failed(monkeypatch):
    monkeypatch.setattr(bulk, "QUEUE_CHUNKS", 1)
    gate = threading.Event()

    def stuck_then_fail() -> None:
        gate.wait(5)
        raise RuntimeError("gone")

    def read() -> None:
        with BackgroundWriter() as writer:
            writer.submit(stuck_then_fail)
            writer.submit(lambda: None)  # fills the queue
            threading.Timer(0.2, gate.set).start()
            writer.submit(lambda: None)  # would wait on the full queue without the check

    with pytest.raises(RuntimeError, match="gone"):
        read()


def test_abort_waits_for_the_running_job_and_drops_the_rest():
    ran: list[int] = []
    started, gate = threading.Event(), threading.Event()

    def first() -> None:
        started.set()
        gate.wait(5)
        ran.append(0)

    def read() -> None:
        with BackgroundWriter() as writer:
            writer.submit(first)
            assert started.wait(5)
            writer.submit(lambda: ran.append(1))
            threading.Timer(0.2, gate.set).start()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read()
    assert ran == [0]


@pytest.mark.parametrize("fail_at", [1, 3])
def test_a_write_failing_mid_file_leaves_the_library_as_it_was(library, make_ris, lib_path,
                                                               monkeypatch, fail_at):
    import_file(library, make_ris("a.ris", [{"TY": "JOUR", "TI": "Kept", "AB": "kept"}]))
    monkeypatch.setattr("litdesk.store.importer.CHUNK", 10)
    real = sqlite.insert_many
    calls = iter(range(100))

    def failing(*args, **kw):
        if next(calls) == fail_at:
            full = sqlite3.OperationalError("database or disk is full")
            raise OperationalError("INSERT", {}, full)
        return real(*args, **kw)

    monkeypatch.setattr(sqlite, "insert_many", failing)
    recs = [{"TY": "JOUR", "TI": f"Lost {i}", "AB": f"lost {i}"} for i in range(50)]
    path = make_ris("b.ris", recs)
    with pytest.raises(LibraryError, match="disk is full"):
        import_file(library, path)
    monkeypatch.setattr(sqlite, "insert_many", real)
    assert library.count() == 1
    assert library.search_ids("lost") == []
    with sqlite3.connect(lib_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND name = 'record_fts_ai'").fetchone() == (1,)
    assert import_file(library, make_ris("c.ris", recs)).added == 50
    assert len(library.search_ids("lost")) == 50


@pytest.mark.parametrize(("variables", "rows"), [(32766, 1203), (7, 5), (3, 4), (4, 0)])
def test_insert_many_puts_every_row_in_order_whatever_sqlites_variable_limit(variables, rows,
                                                                            tmp_path):
    """Several rows go in one statement: no more of them than SQLite takes variables for (a
    build may set the limit low), none lost at the cut, values bound as given."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)")
        raw = conn.connection.dbapi_connection
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variables)
        data = [(i, f"row {i}", None if i % 2 else "ö'\"?") for i in range(rows)]
        sqlite.insert_many(conn, "t", ("a", "b", "c"), data)
        assert conn.exec_driver_sql("SELECT a, b, c FROM t ORDER BY rowid").all() == data
    engine.dispose()
