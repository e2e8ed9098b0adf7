"""A team library on a server, through the installed command: reading commands on a database
that holds no library create nothing in it; creating one is all or nothing (a SIGKILL mid-way
leaves an empty database); a lost or unknown schema version is named for what it is."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_baa27484dd0224d6.txt"


def _tables(pg_admin, url: str) -> list[str]:
    with pg_admin(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]


@pytest.mark.parametrize("args", [["list"], ["coders"], ["members"], ["suggest", "--all"],
                                  ["export", "--all", "-o", "OUT"]], ids=lambda a: a[0])
def test_reading_an_empty_database_creates_nothing(cli, empty_database, pg_admin, tmp_path,
                                                   args):
    args = [str(tmp_path / "out.ris") if a == "OUT" else a for a in args]
    out = cli("--library", empty_database, *args)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "holds no litdesk library yet; nothing was created" in out.stderr
    assert _tables(pg_admin, empty_database) == []
    assert list(tmp_path.iterdir()) == []


def test_import_creates_the_library_in_an_empty_database(cli, empty_database, pg_admin):
    out = cli("--library", empty_database, "import", str(SEED))
    assert out.returncode == 0, out.stderr
    assert "record" in _tables(pg_admin, empty_database)
    assert cli("--library", empty_database, "list").returncode == 0


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_creation_killed_mid_way_leaves_an_empty_database(cli, empty_database, pg_admin):
    env = dict(os.environ, LITDESK_TEST_KILL_AT="server-built")  # schema made, not committed
    killed = cli("--library", empty_database, "import", str(SEED), env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _tables(pg_admin, empty_database) == []
    again = cli("--library", empty_database, "import", str(SEED))
    assert again.returncode == 0, again.stderr
    assert "1 added" in again.stdout


@pytest.mark.parametrize("damage", ["DELETE FROM alembic_version", "DROP TABLE alembic_version"])
def test_lost_schema_version_on_a_server_is_named(cli, server_url, pg_admin, damage):
    with pg_admin(server_url) as conn:
        conn.execute(damage)
    out = cli("--library", server_url, "list")
    assert out.returncode == 1
    assert "has lost its schema version" in out.stderr
    assert "pg_dump" in out.stderr
    assert "already exists" not in out.stderr


@pytest.mark.parametrize(("revision", "said"), [("0003", "has an unknown schema version"),
                                                ("ffff9999", "has an unknown schema version"),
                                                ("9999", "made by a newer version")])
def test_unknown_and_newer_schema_versions_on_a_server(cli, server_url, pg_admin, revision,
                                                      said):
    with pg_admin(server_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = %s", (revision,))
    out = cli("--library", server_url, "list")
    assert out.returncode == 1
    assert said in out.stderr
    with pg_admin(server_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == revision
