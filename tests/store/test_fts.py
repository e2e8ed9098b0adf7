"""The full-text index stays in step with the records: imports index in bulk, edits by trigger."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from litdesk.store import importer
from litdesk.store.importer import import_file
from litdesk.store.library import Library


def _records(n: int, word: str) -> list[dict[str, object]]:
    return [{"TY": "JOUR", "TI": f"{word} study {i}", "AU": [f"Author{i}, A."],
             "PY": "2020", "DO": f"10.5555/{word}.{i}", "AB": f"About {word} number {i}."}
            for i in range(n)]


def _check_index(lib_path: Path) -> None:
    """FTS5's own check that the index holds exactly what the record table holds."""
    con = sqlite3.connect(lib_path)
    try:
        con.execute("INSERT INTO record_fts(record_fts, rank) VALUES ('integrity-check', 1)")
        triggers = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"record_fts_ai", "record_fts_ad", "record_fts_au"} <= triggers
    finally:
        con.close()


def test_import_in_several_chunks_indexes_every_record(library, make_ris, lib_path,
                                                       monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 7)
    summary = import_file(library, make_ris("a.ris", _records(30, "zebrafish")))
    assert summary.added == 30
    assert len(library.search_ids("zebrafish")) == 30
    assert len(library.search_ids("zebra*")) == 30
    _check_index(lib_path)


def test_duplicates_skipped_mid_chunk_leave_no_gap_in_the_index(library, make_ris, lib_path):
    import_file(library, make_ris("a.ris", _records(5, "okapi")))
    mixed = _records(5, "okapi") + _records(5, "quokka")  # the first five are duplicates
    summary = import_file(library, make_ris("b.ris", mixed))
    assert (summary.added, len(summary.duplicates)) == (5, 5)
    assert len(library.search_ids("okapi")) == 5
    assert len(library.search_ids("quokka")) == 5
    _check_index(lib_path)


def test_records_added_after_an_import_are_indexed_by_the_trigger(library, make_ris, lib_path):
    import_file(library, make_ris("a.ris", _records(3, "narwhal")))
    con = sqlite3.connect(lib_path)
    try:
        with con:
            con.execute("INSERT INTO record (ris_type, title, authors, journal, volume, issue, "
                        "pages, doi, pmid, urls, abstract, keywords, tags, author_key, "
                        "title_key, journal_key, doi_key, dup_key, has_suggestions, added_at) "
                        "VALUES ('JOUR', 'A lone narwhal', '[]', '', '', '', '', '', '', '[]', "
                        "'', '[]', '[]', '', '', '', '', '', 0, '')")
    finally:
        con.close()
    assert len(library.search_ids("narwhal")) == 4
    _check_index(lib_path)


def test_cancelled_import_keeps_the_trigger_and_the_index(library, make_ris, lib_path,
                                                          monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 10)
    import_file(library, make_ris("a.ris", _records(3, "tapir")))
    calls = iter(range(10**6))
    summary = import_file(library, make_ris("b.ris", _records(250, "ibis")),
                          cancelled=lambda: next(calls) >= 1)
    assert summary.cancelled
    assert library.search_ids("ibis") == []
    assert len(library.search_ids("tapir")) == 3
    _check_index(lib_path)


@pytest.mark.parametrize("fail_at", [1, 3])
def test_failure_mid_import_rolls_back_the_dropped_trigger(library, make_ris, lib_path,
                                                           monkeypatch, fail_at):
    monkeypatch.setattr(importer, "CHUNK", 10)
    real = importer.record_values
    seen = iter(range(10**6))

    def failing(*args: Any, **kw: Any) -> dict[str, Any]:
        if next(seen) == fail_at * 10:
            raise RuntimeError("boom")
        return real(*args, **kw)

    monkeypatch.setattr(importer, "record_values", failing)
    with pytest.raises(RuntimeError):
        import_file(library, make_ris("b.ris", _records(50, "heron")))
    monkeypatch.setattr(importer, "record_values", real)
    assert library.search_ids("heron") == []
    summary = import_file(library, make_ris("c.ris", _records(4, "egret")))
    assert summary.added == 4
    _check_index(lib_path)
    assert len(library.search_ids("egret")) == 4


def test_a_library_reopened_after_an_import_searches_the_same(lib_path, make_ris):
    lib = Library.open(lib_path, coder="tester")
    import_file(lib, make_ris("a.ris", _records(12, "pangolin")))
    lib.close()
    again = Library.open(lib_path, coder="tester")
    try:
        assert len(again.search_ids("pangolin")) == 12
    finally:
        again.close()
    _check_index(lib_path)
