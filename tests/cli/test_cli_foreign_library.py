"""Clear words for a damaged or foreign library: a lost schema version names the problem and
the backups to restore; a schema version this litdesk does not know is called unknown, and only
a truly newer one "made by a newer version". Every refused file is left byte for byte."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


@pytest.fixture
def backed_up(cli, tmp_path, seed) -> tuple[Path, list[Path]]:
    """A library with one record and one backup (made when it was next opened)."""
    lib = tmp_path / "review.sqlite"
    assert cli("--library", str(lib), "import", str(seed)).returncode == 0
    assert cli("--library", str(lib), "list").returncode == 0  # opened again: the daily backup
    backups = sorted((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    return lib, backups


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    con.execute(statement)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


@pytest.mark.parametrize("damage", ["DELETE FROM alembic_version", "DROP TABLE alembic_version"])
@pytest.mark.parametrize("command", [["list"], ["import", "SEED"]])
def test_lost_schema_version_is_named_with_the_backups(cli, backed_up, seed, damage, command):
    lib, backups = backed_up
    _sql(lib, damage)
    before = lib.read_bytes()
    out = cli("--library", str(lib), *[str(seed) if a == "SEED" else a for a in command])
    assert out.returncode == 1
    assert "already exists" not in out.stderr
    assert f"The library {lib} has lost its schema version" in out.stderr
    assert "To restore a backup, open the library in the litdesk app" in out.stderr
    assert str(backups[0]) in out.stderr
    assert "1 record)" in out.stderr
    assert "Traceback" not in out.stderr
    assert lib.read_bytes() == before


def test_lost_schema_version_without_backups_says_there_are_none(cli, tmp_path, seed):
    lib = tmp_path / "review.sqlite"
    assert cli("--library", str(lib), "import", str(seed)).returncode == 0
    _sql(lib, "DELETE FROM alembic_version")
    out = cli("--library", str(lib), "list")
    assert out.returncode == 1
    assert "has lost its schema version" in out.stderr
    assert f"There is no backup of it (in {tmp_path / 'backups'})" in out.stderr


@pytest.mark.parametrize("revision", ["0003", "ffff9999", "0001a"])
def test_unknown_schema_version_is_called_unknown(cli, backed_up, revision):
    lib, backups = backed_up
    _sql(lib, f"UPDATE alembic_version SET version_num = '{revision}'")
    before = lib.read_bytes()
    out = cli("--library", str(lib), "list")
    assert out.returncode == 1
    assert f"has an unknown schema version ('{revision}')" in out.stderr
    assert "newer version" not in out.stderr
    assert str(backups[0]) in out.stderr
    assert lib.read_bytes() == before


def test_newer_schema_version_keeps_its_message(cli, backed_up):
    lib, _ = backed_up
    _sql(lib, "UPDATE alembic_version SET version_num = '9999'")
    out = cli("--library", str(lib), "list")
    assert out.returncode == 1
    assert "was made by a newer version of litdesk (schema 9999)" in out.stderr
    assert "unknown" not in out.stderr
