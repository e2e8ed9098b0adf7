"""Upgrades: a library made by the first schema opens with everything in it, an upgrade is backed
up first, and a library from a newer litdesk is refused without a byte changed."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from litdesk.store import migrate
from litdesk.store.engines import sqlite_backup as backup
from litdesk.store.library import Library, LibraryError

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_LIBRARY = DATA / "library-0001.sqlite"
EXPECTED = json.loads((DATA / "library-0001.expected.json").read_text(encoding="utf-8"))

#: A second schema version, written the way real ones must be (batch mode for SQLite).
REVISION_NEXT = '''"""Test-only revision: a new column on record.

Revision ID: 9001
Revises: HEAD
"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "HEAD"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("record") as batch:
        batch.add_column(sa.Column("screening", sa.String(16), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("record") as batch:
        batch.drop_column("screening")
'''


@pytest.fixture
def old_library(tmp_path: Path) -> Path:
    path = tmp_path / "review.sqlite"
    shutil.copyfile(OLD_LIBRARY, path)
    return path


@pytest.fixture
def newer_litdesk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Pretend this litdesk's schema head is 9001 (the real migrations plus one more)."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9001_test.py").write_text(
        REVISION_NEXT.replace("HEAD", migrate.head_revision()), encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS", folder)
    monkeypatch.setattr(migrate, "REVISIONS", (*migrate.REVISIONS, "9001"))
    return "9001"


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("select version_num from alembic_version").fetchone()[0]
    finally:
        con.close()


def _check_everything_survived(path: Path) -> None:
    coders = sorted({s[1] for s in EXPECTED["spans"]} | {m[1] for m in EXPECTED["memos"]})
    for coder in coders:
        with Library.open(path, coder=coder) as lib:
            assert lib.integrity_ok()
            assert lib.search_ids() == [r["id"] for r in EXPECTED["records"]]
            for want in EXPECTED["records"]:
                rec = lib.record(want["id"])
                assert (rec.type, rec.title, list(rec.authors), rec.year, rec.journal, rec.doi,
                        rec.abstract, list(rec.keywords), [list(t) for t in rec.tags]) == (
                    want["ris_type"], want["title"], want["authors"], want["year"],
                    want["journal"], want["doi"], want["abstract"], want["keywords"],
                    want["tags"])
                spans = [[want["id"], coder, s.start, s.end, s.label, s.text] for s in rec.spans]
                assert spans == [s for s in EXPECTED["spans"]
                                 if s[0] == want["id"] and s[1] == coder]
                memo = [m[2] for m in EXPECTED["memos"] if m[0] == want["id"] and m[1] == coder]
                assert rec.memo == (memo[0] if memo else "")
            statuses = {r.id: (r.sections, r.done) for r in lib.rows(lib.search_ids())}
            for rid, who, sections, done in EXPECTED["status"]:
                if who == coder:
                    assert statuses[rid] == (sections, bool(done))
            # The search index came through too.
            assert lib.search_ids("opioid") == [1]


def test_first_schema_library_opens_with_every_record_and_span(old_library):
    assert _revision(old_library) == "0001"
    _check_everything_survived(old_library)
    assert _revision(old_library) == migrate.head_revision()


def test_upgrade_is_backed_up_first_and_keeps_everything(old_library, newer_litdesk):
    assert migrate.head_revision() == newer_litdesk
    with Library.open(old_library, coder="ana") as lib:
        assert lib.count() == len(EXPECTED["records"])
    assert _revision(old_library) == newer_litdesk
    backups = backup.list_backups(old_library)
    assert len(backups) == 1
    kept = backups[0]
    assert _revision(kept.path) == "0001"
    assert kept.records == len(EXPECTED["records"])
    assert _dump(kept.path) == _dump(OLD_LIBRARY)
    con = sqlite3.connect(old_library)
    assert "screening" in [c[1] for c in con.execute("PRAGMA table_info(record)")]
    con.close()
    _check_everything_survived(old_library)


def _dump(path: Path) -> list[str]:
    """The SQL text of a database: its content, whatever the file's page layout."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_failed_backup_stops_the_upgrade(old_library, newer_litdesk, monkeypatch):
    def refuse(*_args: object) -> Path:
        raise backup.BackupError("Could not back up: the disk is full.")

    monkeypatch.setattr(backup, "make_backup", refuse)
    with pytest.raises(LibraryError, match="not upgraded"):
        Library.open(old_library)
    assert _revision(old_library) == "0001"
    assert _dump(old_library) == _dump(OLD_LIBRARY)


def _checkpointed(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()


@pytest.mark.parametrize("wal", [True, False], ids=["wal", "rollback-journal"])
def test_library_from_newer_litdesk_is_refused_byte_identical(old_library, wal):
    con = sqlite3.connect(old_library)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    _checkpointed(old_library)
    if wal:
        con = sqlite3.connect(old_library)
        con.execute("PRAGMA journal_mode=WAL")
        con.close()
    before = old_library.read_bytes()
    with pytest.raises(LibraryError, match="newer version of litdesk") as caught:
        Library.open(old_library)
    assert "9999" in str(caught.value)
    assert old_library.read_bytes() == before
    assert not (old_library.parent / "backups").exists()
    # Reading a WAL library read-only leaves an empty -wal and its index (SQLite cannot remove
    # them without write access); nothing of the library's content is in them.
    others = [p for p in old_library.parent.iterdir() if p != old_library]
    assert {p.name for p in others} <= {f"{old_library.name}-wal", f"{old_library.name}-shm"}
    assert all(p.stat().st_size == 0 for p in others if p.name.endswith("-wal"))


def test_upgraded_library_gets_its_duplicate_keys_and_finds_duplicates(old_library, make_ris):
    from litdesk.store.importer import import_file

    with Library.open(old_library, coder="ana") as lib:
        with lib.engine.connect() as conn:
            keys = conn.exec_driver_sql(
                "SELECT record_id, value FROM record_identifier ORDER BY record_id").all()
        assert keys == [(1, "doi:10.3399/bjgpo.2022.0085"), (2, "doi:10.1000/night.1"),
                        (3, "doi:10.1000/triage.2")]
        again = import_file(lib, make_ris("again.ris", [
            {"TY": "JOUR", "TI": "NURSES' VIEWS OF NIGHT SHIFTS: A QUALITATIVE STUDY", "DO": "https://doi.org/10.1000/NIGHT.1"},
            {"TY": "JOUR", "TI": "Caring at home."}]))
        assert [d.existing_id for d in again.duplicates] == [2]
        assert [f.other_id for f in again.possible] == [4]  # a title alone: only flagged


def _fts_sql(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT sql FROM sqlite_master WHERE name = 'record_fts'").fetchone()[0]
    finally:
        con.close()


_MATCHES = ('"opio"*', '"nurs"*', 'title : "night"*', '"opioid"', '"a"*')


def _matches(path: Path) -> dict[str, list[int]]:
    con = sqlite3.connect(path)
    try:
        return {q: [r[0] for r in con.execute(
            "SELECT rowid FROM record_fts WHERE record_fts MATCH ? ORDER BY rowid", (q,))]
            for q in _MATCHES}
    finally:
        con.close()


def test_library_of_0008_loses_its_prefix_indexes_and_keeps_search(old_library):
    """A library as litdesk before 0011 left it (revision 0008, FTS5 prefix indexes) is
    upgraded: the full-text index is made again without them, every record, span and memo is
    kept, and prefix, word and field searches find what they found before."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{old_library}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0008")
    engine.dispose()
    assert _revision(old_library) == "0008"
    assert "prefix='2 3'" in _fts_sql(old_library)
    before = _matches(old_library)
    assert before['"opio"*'] == [1]
    assert before['"a"*']
    with Library.open(old_library, coder="ana") as lib:
        assert lib.search_ids("opio*") == [1]
        with lib.engine.connect() as conn:  # the index agrees with the records, row by row
            conn.exec_driver_sql("INSERT INTO record_fts(record_fts, rank) "
                                 "VALUES ('integrity-check', 1)")
    assert _revision(old_library) == migrate.head_revision()
    assert "prefix" not in _fts_sql(old_library)
    assert _matches(old_library) == before
    _check_everything_survived(old_library)
