"""Backups (made on open and before upgrades, kept 7, restored), damaged libraries, and undo of
deletions and imports on the store side."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from litdesk.core.model import Span
from litdesk.store.engines import sqlite_backup as backup
from litdesk.store.engines.sqlite_backup import BackupError, list_backups, restore_backup
from litdesk.store.importer import import_file
from litdesk.store.library import DamagedLibrary, Library, LibraryError


def _records(n: int, prefix: str = "Study") -> list[dict[str, object]]:
    return [{"TY": "JOUR", "TI": f"{prefix} {i} of nurses", "AU": [f"Author{i}, A"],
             "PY": str(2000 + i % 20), "DO": f"10.1000/{prefix.lower()}.{i}",
             "AB": f"Background: context {i}. Aim: to see. Method: interviews. Results: themes."}
            for i in range(n)]


def _count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("select count(*) from record").fetchone()[0]
    finally:
        con.close()


def _coded_library(lib_path: Path, make_ris, n: int = 5) -> list[int]:
    with Library.open(lib_path, coder="ana") as lib:
        import_file(lib, make_ris("a.ris", _records(n)))
        ids = lib.search_ids()
        for rid in ids:
            lib.tag(rid, 0, 10, "background")
            lib.tag(rid, 12, 20, "aim")
            lib.set_memo(rid, f"memo {rid} ✓")
            lib.set_done(rid, rid % 2 == 0)
    with Library.open(lib_path, coder="ben") as lib:
        for rid in ids[:3]:
            lib.tag(rid, 5, 15, "method")
            lib.set_memo(rid, "ben's memo")
    return ids


# -- backups -------------------------------------------------------------------------------------


def test_open_backs_up_at_most_once_a_day(lib_path, make_ris):
    Library.open(lib_path).close()  # a new library: nothing to back up yet
    assert list_backups(lib_path) == []
    _coded_library(lib_path, make_ris, 3)  # opened twice more, the same day
    found = list_backups(lib_path)
    assert len(found) == 1
    info = found[0]
    assert info.path.parent == lib_path.parent / "backups"
    assert info.path.name.startswith(f"{lib_path.stem}-")
    assert info.path.suffix == ".sqlite"
    assert abs(datetime.now().astimezone() - info.created) < timedelta(minutes=1)
    assert info.records == 0  # taken when the second open found the (empty) library
    assert not any(p.name.endswith(".part") for p in info.path.parent.iterdir())


def test_backup_is_due_again_after_a_day(lib_path):
    Library.open(lib_path).close()
    Library.open(lib_path).close()
    assert not backup.backup_due(lib_path)
    assert backup.backup_due(lib_path, datetime.now().astimezone() + timedelta(days=1, seconds=1))


def test_last_seven_backups_are_kept(lib_path, make_ris):
    _coded_library(lib_path, make_ris, 2)
    with Library.open(lib_path) as lib, lib.engine.connect() as conn:
        made = [backup.make_backup(conn, lib_path) for _ in range(9)]
    found = list_backups(lib_path)
    assert len(found) == backup.KEEP
    assert [b.path for b in found] == list(reversed(made[-backup.KEEP:]))  # newest first
    assert all(b.records == 2 for b in found)
    assert [b.created for b in found] == sorted((b.created for b in found), reverse=True)


def test_backup_is_a_standalone_consistent_copy(lib_path, make_ris):
    ids = _coded_library(lib_path, make_ris, 4)
    with Library.open(lib_path, coder="ana") as lib, lib.engine.connect() as conn:
        copy = backup.make_backup(conn, lib_path)
    assert not Path(f"{copy}-wal").exists()
    with Library.open(copy, coder="ana") as old:
        assert old.search_ids() == ids
        assert [s.label for s in old.spans(ids[0])] == ["background", "aim"]


def test_restore_backup_backs_up_current_file_then_replaces_it(lib_path, make_ris):
    ids = _coded_library(lib_path, make_ris, 4)
    with Library.open(lib_path, coder="ana") as lib, lib.engine.connect() as conn:
        good = backup.make_backup(conn, lib_path)
    with Library.open(lib_path, coder="ana") as lib:
        lib.delete_records(ids[:3])
        lib.tag(ids[3], 30, 40, "results")
        assert lib.count() == 1
    saved = restore_backup(lib_path, good)
    assert saved is not None
    assert saved.exists()
    assert backup.record_count(saved) == 1
    assert saved in [b.path for b in list_backups(lib_path)]
    with Library.open(lib_path, coder="ana") as lib:
        assert lib.search_ids() == ids
        assert lib.record(ids[0]).memo == f"memo {ids[0]} ✓"
        assert "results" not in {s.label for s in lib.spans(ids[3])}
        assert lib.integrity_ok()
    assert not [p for p in lib_path.parent.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("content", [b"not a database", b""])
def test_restore_refuses_a_file_that_is_not_a_backup(lib_path, tmp_path, content):
    Library.open(lib_path).close()
    before = lib_path.read_bytes()
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(content)
    with pytest.raises(BackupError, match="not a litdesk library backup"):
        restore_backup(lib_path, bogus)
    assert lib_path.read_bytes() == before


# -- damaged libraries -----------------------------------------------------------------------------


def _corrupt(path: Path) -> None:
    """Overwrite a page in the middle of the file (not the header page) with garbage."""
    con = sqlite3.connect(path)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("select rootpage from sqlite_master where name = 'record'").fetchone()[0]
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xa5\x5a" * (page // 2))


def test_damaged_library_is_refused_untouched_with_its_latest_backup(lib_path, make_ris):
    _coded_library(lib_path, make_ris, 30)
    latest = backup.latest_backup(lib_path)
    assert latest is not None
    _corrupt(lib_path)
    before = lib_path.read_bytes()
    with pytest.raises(DamagedLibrary) as caught:
        Library.open(lib_path)
    assert isinstance(caught.value, LibraryError)
    assert caught.value.backup == latest
    assert "damaged" in str(caught.value)
    assert str(latest) in str(caught.value)
    assert lib_path.read_bytes() == before
    # Restoring the offered backup keeps the damaged file aside and gives a working library.
    saved = restore_backup(lib_path, latest)
    assert saved is not None
    assert "damaged" in saved.name
    assert saved.read_bytes() == before
    with Library.open(lib_path) as lib:
        assert lib.integrity_ok()


def test_damaged_library_without_backup_says_so(lib_path, make_ris):
    _coded_library(lib_path, make_ris, 30)
    for old in (lib_path.parent / "backups").iterdir():
        old.unlink()
    _corrupt(lib_path)
    with pytest.raises(DamagedLibrary, match="no backup") as caught:
        Library.open(lib_path)
    assert caught.value.backup is None


# -- undo: deleting records and removing imports ------------------------------------------------


def _everything(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"select * from {t} order by 1, 2").fetchall()
                for t in ("record", "span", "memo", "coding_status", "import_batch")}
    finally:
        con.close()


def test_delete_and_restore_records_brings_back_everything(lib_path, make_ris):
    ids = _coded_library(lib_path, make_ris, 6)
    before = _everything(lib_path)
    with Library.open(lib_path, coder="ana") as lib:
        snap = lib.delete_records([ids[1], ids[2], ids[5], 999])
        assert sorted(snap.ids) == [ids[1], ids[2], ids[5]]
        assert lib.count() == 3
        assert lib.search_ids("nurses") == [ids[0], ids[3], ids[4]]  # the index followed
        with pytest.raises(KeyError):
            lib.record(ids[1])
        lib.restore_records(snap)
        assert lib.search_ids() == ids
        assert lib.search_ids("nurses") == ids
        assert lib.record(ids[2]).spans == (
            Span(0, 10, "background", lib.record(ids[2]).abstract[:10], "ana"),
            Span(12, 20, "aim", lib.record(ids[2]).abstract[12:20], "ana"))
    assert _everything(lib_path) == before


def test_remove_batch_undoes_an_import_and_can_itself_be_undone(lib_path, make_ris):
    with Library.open(lib_path, coder="ana") as lib:
        first = import_file(lib, make_ris("first.ris", _records(3, "First")))
        second = import_file(lib, make_ris("second.ris", _records(4, "Second")))
        kept = lib.search_ids()[:3]
        second_ids = lib.search_ids()[3:]
        lib.tag(second_ids[0], 0, 10, "aim")
        infos = lib.batches()
        assert [(b.id, b.added, b.records) for b in infos] == [
            (first.batch_id, 3, 3), (second.batch_id, 4, 4)]
        assert infos[1].source.endswith("second.ris")
        assert infos[1].coder == "ana"
    before = _everything(lib_path)
    with Library.open(lib_path, coder="ana") as lib:
        snap = lib.remove_batch(second.batch_id)
        assert sorted(snap.ids) == second_ids
        assert len(snap) == 4
        assert lib.search_ids() == kept
        assert [b.id for b in lib.batches()] == [first.batch_id]
        assert lib.search_ids("Second") == []
        with pytest.raises(KeyError):
            lib.remove_batch(second.batch_id)
        lib.restore_records(snap)
        assert [b.id for b in lib.batches()] == [first.batch_id, second.batch_id]
    assert _everything(lib_path) == before


def test_restore_refuses_ids_taken_again(lib_path, make_ris):
    with Library.open(lib_path, coder="ana") as lib:
        import_file(lib, make_ris("a.ris", _records(3)))
        last = lib.search_ids()[-1]
        snap = lib.delete_records([last])
        import_file(lib, make_ris("b.ris", _records(1, "Other")))  # SQLite reuses the top id
        assert last in lib.search_ids()
        with pytest.raises(LibraryError, match="in use again"):
            lib.restore_records(snap)
        assert lib.count() == 3


def test_restored_records_whose_import_was_removed_stay_without_batch(lib_path, make_ris):
    with Library.open(lib_path, coder="ana") as lib:
        summary = import_file(lib, make_ris("a.ris", _records(3)))
        ids = lib.search_ids()
        snap = lib.delete_records(ids[:1])
        lib.remove_batch(summary.batch_id)
        lib.restore_records(snap)
        assert lib.search_ids() == ids[:1]
        assert lib.batches() == []


def test_background_check_refuses_writes_to_a_damaged_library(lib_path, make_ris):
    _coded_library(lib_path, make_ris, 30)
    _corrupt(lib_path)
    with Library.open(lib_path, coder="ana", check_in_background=True) as lib:
        with pytest.raises(DamagedLibrary):
            lib.set_memo(1, "must not be written")
        assert lib.damage is not None
        assert lib.damage.backup is not None  # the newest backup is offered


def test_background_check_lets_a_healthy_library_be_written(lib_path, make_ris):
    _coded_library(lib_path, make_ris, 30)
    with Library.open(lib_path, coder="ana", check_in_background=True) as lib:
        rid = lib.search_ids()[0]
        lib.set_memo(rid, "fine")
        assert lib.damage is None
        assert lib.record(rid).memo == "fine"
