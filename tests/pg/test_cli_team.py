"""The command line on a team library: import, grant/revoke/members, copy-library both ways."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_baa27484dd0224d6.txt"


def litdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "litdesk", *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_cli_on_a_server_library(server_url, tmp_path, pg_admin, pg_url):
    def sql(statement: str) -> None:
        with pg_admin(pg_url) as conn:
            conn.execute(statement)

    out = litdesk("--library", server_url, "import", str(SEED))
    assert out.returncode == 0, out.stderr
    assert "1 added" in out.stdout
    records = json.loads(litdesk("--library", server_url, "list", "--json").stdout)
    assert records[0]["authors"][0] == "Simon Gill"
    assert litdesk("--library", server_url, "tag", str(records[0]["id"]), "317", "452",
                   "aim").returncode == 0

    sql("CREATE ROLE cli_coder LOGIN")
    try:
        assert litdesk("--library", server_url, "grant", "cli_coder").returncode == 0
        assert "cli_coder" in litdesk("--library", server_url, "members").stdout
        assert litdesk("--library", server_url, "revoke", "cli_coder").returncode == 0
        assert "cli_coder" not in litdesk("--library", server_url, "members").stdout
    finally:
        for db_url in (server_url, pg_url):
            with pg_admin(db_url) as conn:
                conn.execute("DROP OWNED BY cli_coder")
        sql("DROP ROLE cli_coder")

    local = tmp_path / "copy.sqlite"
    copied = litdesk("copy-library", server_url, str(local))
    assert copied.returncode == 0, copied.stderr
    back = json.loads(litdesk("--library", str(local), "list", "--json", "--all-coders").stdout)
    assert [(s["start"], s["end"], s["label"]) for s in back[0]["spans"]] == [(317, 452, "aim")]
    again = litdesk("copy-library", str(local), server_url)  # not empty: refused
    assert again.returncode == 1
    assert "litdesk:" in again.stderr


def test_bad_server_address_gives_a_clear_message():
    out = litdesk("--library", "postgresql://nobody@/nodb?host=/nonexistent-socket-dir", "list")
    assert out.returncode == 1
    assert out.stderr.startswith("litdesk: ")
    assert "Traceback" not in out.stderr
