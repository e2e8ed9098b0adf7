"""The library facade on real SQLite files: open, refuse, tag, search, persist."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from litdesk.core.model import Span
from litdesk.core.spans import SpanError
from litdesk.store import migrate
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError


def _one(library, make_ris, **tags):
    rec = {"TY": "JOUR", "TI": "A title", "AB": "Background text. Aim text. Method text."}
    rec.update(tags)
    summary = import_file(library, make_ris("one.ris", [rec]))
    assert summary.added == 1, summary.line()
    return library.search_ids()[0]


def test_new_library_is_created_and_marked(lib_path):
    with Library.open(lib_path, coder="a") as lib:
        assert lib.count() == 0
    con = sqlite3.connect(lib_path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x4C495444
    assert con.execute("select version_num from alembic_version").fetchone()[0] == (
        migrate.head_revision())
    con.close()


@pytest.mark.parametrize("content", [b"hello, I am a text file\n", b"", b"\x00" * 10])
def test_non_library_files_are_refused_and_untouched(tmp_path, content):
    path = tmp_path / "x.sqlite"
    path.write_bytes(content + b"tail")
    with pytest.raises(LibraryError, match="not a litdesk library"):
        Library.open(path)
    assert path.read_bytes() == content + b"tail"


def test_a_pipe_or_a_device_named_as_the_library_is_refused_for_what_it_is(tmp_path, device):
    fifo = tmp_path / "pipe.sqlite"
    os.mkfifo(fifo)
    for path in (fifo, device("null")):
        with pytest.raises(LibraryError, match="a device, a pipe or a socket") as refused:
            Library.open(path)
        assert "empty" not in str(refused.value)
    assert fifo.exists()


@pytest.mark.slow
def test_a_library_locked_by_another_program_is_not_called_damaged(tmp_path):
    """Another program holds the file locked (rollback journal) beyond the wait: the message
    says so, and does not call it damaged (which sends people to restore a backup)."""
    path = tmp_path / "locked.sqlite"
    Library.open(path).close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LibraryError, match="locked by another program") as refused:
            Library.open(path)
        assert "damaged" not in str(refused.value)
    finally:
        con.execute("ROLLBACK")
        con.close()
    with Library.open(path) as again:  # once the other program is done
        assert again.count() == 0


def test_other_sqlite_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(LibraryError, match="not a litdesk library"):
        Library.open(path)
    assert path.read_bytes() == before


def test_library_from_newer_litdesk_is_refused(lib_path):
    Library.open(lib_path).close()
    con = sqlite3.connect(lib_path)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(LibraryError, match="newer version of litdesk"):
        Library.open(lib_path)


def test_folder_is_refused(tmp_path):
    with pytest.raises(LibraryError, match="folder"):
        Library.open(tmp_path)


def test_tag_replaces_overlap_and_persists(library, make_ris, lib_path):
    rid = _one(library, make_ris)
    library.tag(rid, 0, 16, "background")
    spans = library.tag(rid, 11, 26, "aim")
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 11, "background"), (11, 26, "aim")]
    assert spans[1].text == "text. Aim text."
    library.close()
    with Library.open(lib_path, coder="tester") as again:
        assert again.spans(rid) == spans
        assert again.rows([rid])[0].sections == 2


def test_bad_tag_requests_change_nothing(library, make_ris):
    rid = _one(library, make_ris)
    library.tag(rid, 0, 5, "aim")
    for start, end, label in ((5, 2, "aim"), (0, 10_000, "aim"), (-1, 3, "aim"), (0, 3, "x")):
        with pytest.raises(SpanError):
            library.tag(rid, start, end, label)
    with pytest.raises(KeyError):
        library.tag(999, 0, 1, "aim")
    assert [(s.start, s.end) for s in library.spans(rid)] == [(0, 5)]


def test_coders_do_not_see_each_others_spans(lib_path, make_ris):
    with Library.open(lib_path, coder="ann") as ann:
        rid = _one(ann, make_ris)
        ann.tag(rid, 0, 5, "aim")
    with Library.open(lib_path, coder="bob") as bob:
        assert bob.spans(rid) == []
        bob.set_spans(rid, [Span(0, 3, "method")])
    with Library.open(lib_path, coder="ann") as ann:
        assert [s.label for s in ann.spans(rid)] == ["aim"]


def test_memo_and_status(library, make_ris):
    rid = _one(library, make_ris)
    library.set_memo(rid, "Check the sampling\nand recruitment")
    assert library.record(rid).memo == "Check the sampling\nand recruitment"
    assert library.search_ids("memo:recruitment") == [rid]
    assert library.rows([rid])[0].status in ("uncoded", "suggested")
    library.set_done(rid, True)
    assert library.rows([rid])[0].status == "coded"
    assert library.search_ids(status="coded") == [rid]


def test_store_and_core_do_not_load_qt():
    code = (
        "import sys, litdesk.core.model, litdesk.core.spans, litdesk.core.ris_reader, "
        "litdesk.core.sections, litdesk.core.export, litdesk.store.library, "
        "litdesk.store.importer, litdesk.cli, litdesk.cli.commands\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_known_revisions_match_the_alembic_scripts():
    assert list(migrate.REVISIONS) == migrate.script_revisions()


def test_non_ascii_author_names_are_searchable(library, make_ris):
    _one(library, make_ris, AU="Müller, Jürgen", KW="Gesundheitsförderung")
    assert library.search_ids("author:müller") == library.search_ids()
    assert library.search_ids("author:muller") == library.search_ids()  # accents folded
    assert library.search_ids("keyword:gesundheitsforderung") == library.search_ids()
