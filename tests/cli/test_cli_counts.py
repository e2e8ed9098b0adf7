"""The command's messages count in the singular when there is one: "1 record written"."""

from __future__ import annotations

import json


def test_one_record_one_span_in_the_singular(cli, tmp_path, seed):
    lib = str(tmp_path / "lib.sqlite")
    assert cli("--library", lib, "import", str(seed)).returncode == 0
    rid = json.loads(cli("--library", lib, "list", "--json").stdout)[0]["id"]
    tagged = cli("--library", lib, "tag", str(rid), "317", "452", "aim")
    assert tagged.stdout.strip() == f"record {rid}: 1 span", tagged.stderr
    out = tmp_path / "one.ris"
    exported = cli("--library", lib, "export", "--all", "-f", "ris", "-o", str(out))
    assert exported.stdout.strip() == f"1 record written to {out}", exported.stderr
    listed = cli("--library", lib, "list", "--all-coders")
    assert "1 section]" in listed.stdout, listed.stdout
