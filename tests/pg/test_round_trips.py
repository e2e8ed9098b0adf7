"""What the server's short cuts must keep: a team library answers in few round trips (reads
outside transactions, one statement per look or tag, no ping per checkout, COPY imports, a
counted change stamp) and still behaves exactly as a file library does.
"""

from __future__ import annotations

import pytest

from litdesk.core.model import LABELS, Span
from litdesk.store import importer
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError

AWKWARD = [
    {"TY": "JOUR", "TI": "Tabs\tand back\\slashes \\N and \"quotes\" 'too'",
     "AU": ["Łukasiewicz, Jan", "O'Brien, Ś.", "Back\\slash, B."], "PY": "2019",
     "AB": "Line one.\tTabbed. A backslash \\ and \\N and \\t as text; ünïcödé — dash, 🙂.",
     "KW": ["a\tb", "c\\d", "{\"json\": [1]}"], "JO": "J. \\ Tabs\t"},
    {"TY": "BOOK", "TI": "Second", "AB": "Plain."},
]


def _ids(lib: Library) -> list[int]:
    return lib.search_ids()


def test_change_stamp_sees_records_added_removed_and_restored(any_library, make_ris):
    lib = any_library
    import_file(lib, make_ris("three.ris", [{"TY": "JOUR", "TI": f"Paper {n}", "AB": "Words."}
                                            for n in range(3)]))
    stamps = [lib.change_stamp()]
    middle = _ids(lib)[1]  # not the last: the largest id stays the same
    snap = lib.delete_records([middle])
    stamps.append(lib.change_stamp())
    lib.restore_records(snap)  # the same ids back: the largest id as before
    stamps.append(lib.change_stamp())
    lib.set_spans(middle, [Span(0, 3, LABELS[0], "")])
    stamps.append(lib.change_stamp())
    lib.set_done(middle, True)
    stamps.append(lib.change_stamp())
    assert all(a != b for a, b in zip(stamps, stamps[1:], strict=False)), stamps
    assert lib.change_stamp() == stamps[-1]  # nothing changed: the same stamp


def test_set_spans_replaces_spans_and_keeps_the_done_mark(any_library, make_ris):
    lib = any_library
    import_file(lib, make_ris("one.ris", [{"TY": "JOUR", "TI": "T", "AB": "Alpha beta gamma."}]))
    rid = _ids(lib)[0]
    lib.set_done(rid, True)
    lib.set_memo(rid, "a memo")
    got = lib.set_spans(rid, [Span(11, 16, LABELS[2], ""), Span(0, 5, LABELS[0], ""),
                              Span(6, 10, LABELS[1], "")])
    assert [(s.start, s.label, s.text) for s in got] == [
        (0, LABELS[0], "Alpha"), (6, LABELS[1], "beta"), (11, LABELS[2], "gamma")]
    rec = lib.record(rid)
    assert rec.spans == tuple(got)
    assert rec.memo == "a memo"
    assert all(s.coder == "tester" for s in rec.spans)
    row = lib.rows([rid])[0]
    assert (row.sections, row.done) == (3, True)
    lib.set_spans(rid, [Span(0, 5, LABELS[3], "")])
    assert [(s.start, s.label) for s in lib.spans(rid)] == [(0, LABELS[3])]
    assert (lib.rows([rid])[0].sections, lib.rows([rid])[0].done) == (1, True)
    assert lib.set_spans(rid, []) == []
    assert lib.record(rid).spans == ()
    assert lib.rows([rid])[0].sections == 0
    with pytest.raises(KeyError):
        lib.set_spans(rid + 100, [Span(0, 1, LABELS[0], "")])
    with pytest.raises(KeyError):
        lib.record(rid + 100)


def test_import_copies_awkward_text_exactly_on_both_engines(tmp_path, server_url, make_ris):
    ris = make_ris("awkward.ris", AWKWARD)
    records = []
    for location in (str(tmp_path / "lib.litdesk.sqlite"), server_url):
        with Library.open(location, coder="tester") as lib:
            assert import_file(lib, ris).added == 2
            records.append(list(lib.records(_ids(lib))))
    assert records[0] == records[1]
    assert "\t" in records[1][0].abstract
    assert "\\N" in records[1][0].abstract
    assert records[1][0].authors[0] == "Łukasiewicz, Jan"


def test_a_connection_the_server_ended_is_replaced_unnoticed(server_url, pg_admin, pg_url,
                                                             make_ris):
    """No ping before each use: a pooled connection the server has ended is still found out
    at checkout, and replaced before the caller sees an error."""
    with Library.open(server_url, coder="tester") as lib:
        import_file(lib, make_ris("one.ris", [{"TY": "JOUR", "TI": "T", "AB": "Alpha."}]))
        rid = _ids(lib)[0]
        with lib.engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with pg_admin(pg_url) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]
        assert lib.count() == 1  # the ended connection is replaced, no error
        lib.set_spans(rid, [Span(0, 5, LABELS[0], "")])
        with lib.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


def test_server_refusals_stay_library_errors(server_url, make_ris, pg_admin, pg_url):
    with Library.open(server_url, coder="tester") as lib:
        import_file(lib, make_ris("one.ris", [{"TY": "JOUR", "TI": "T", "AB": "Alpha."}]))
        rid = _ids(lib)[0]
    with (Library.open(server_url, coder="tester", read_only=True) as lib,
          pytest.raises(LibraryError, match="read-only")):
        lib.set_spans(rid, [Span(0, 5, LABELS[0], "")])


def test_a_large_server_import_is_vacuumed_at_once(server_url, make_ris, monkeypatch):
    monkeypatch.setattr(importer, "SETTLE_AFTER", 3)
    with Library.open(server_url, coder="tester") as lib:
        import_file(lib, make_ris("two.ris", [{"TY": "JOUR", "TI": f"P{n}"} for n in range(2)]))
        with lib.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT last_vacuum FROM pg_stat_user_tables "
                                        "WHERE relname = 'record'").scalar() is None
        import_file(lib, make_ris("three.ris", [{"TY": "JOUR", "TI": f"Q{n}"} for n in range(3)]))
        with lib.engine.connect() as conn:
            vacuumed, analyzed = conn.exec_driver_sql(
                "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables "
                "WHERE relname = 'record'").one()
        assert vacuumed is not None
        assert analyzed is not None


def test_a_large_check_of_suggestion_flags_is_vacuumed_too(server_url, make_ris, monkeypatch):
    # The flags it writes clear most pages' all-visible bits: without a vacuum, sorting loses
    # its index-only scans until autovacuum comes round.
    from litdesk.store.suggestions import check_pending

    with Library.open(server_url, coder="tester") as lib:
        import_file(lib, make_ris("three.ris", [
            {"TY": "JOUR", "TI": f"P{n}", "AB": "Background: a. Methods: b. Results: c."}
            for n in range(3)]))
        with lib.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT last_vacuum FROM pg_stat_user_tables "
                                        "WHERE relname = 'record'").scalar() is None
        monkeypatch.setattr(importer, "SETTLE_AFTER", 3)
        assert check_pending(lib) == 3
        with lib.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT last_vacuum FROM pg_stat_user_tables "
                                        "WHERE relname = 'record'").scalar() is not None
        assert len(lib.search_ids(status="suggested")) == 3
