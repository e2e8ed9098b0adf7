"""What a new user meets first on the command line: the usage line, a vendor's odd RIS file."""

from __future__ import annotations

import json


def test_help_usage_line_names_the_files_the_app_imports(cli):
    out = cli("--help")
    assert out.returncode == 0, out.stderr
    usage = out.stdout.split("\n\n")[0]
    assert usage.startswith("usage: litdesk ")
    assert "[FILE ...]" in usage
    assert "COMMAND" in usage
    wrong = cli("--no-such-option", "refs.ris")  # the app's parser says the same
    assert wrong.returncode == 2
    assert "[FILE ...]" in wrong.stderr
    assert "[files" not in wrong.stderr


def test_imports_a_cr_only_ris_whose_first_line_is_a_record_number(cli, tmp_path):
    # Web of Science / Ovid: classic-Mac line ends, "1." above the first TY, "2." above the next.
    lines = ["1.", "TY  - JOUR", "TI  - Opioid prescribing", "AU  - Gill, Simon", "PY  - 2022",
             "AB  - Background: GPs prescribe.", "ER  - ", "", "2.", "TY  - JOUR",
             "TI  - Nurses and dementia", "ER  - ", ""]
    ris = tmp_path / "wos-ovid.ris"
    ris.write_bytes("\r".join(lines).encode("cp1252"))
    lib = str(tmp_path / "lib.sqlite")
    out = cli("--library", lib, "import", str(ris))
    assert out.returncode == 0, out.stderr
    assert "2 added" in out.stdout
    records = json.loads(cli("--library", lib, "list", "--json").stdout)
    assert [r["title"] for r in records] == ["Opioid prescribing", "Nurses and dementia"]
    assert records[0]["abstract"] == "Background: GPs prescribe."


def test_search_or_and_a_search_not_understood(cli, tmp_path, make_ris):
    lib = str(tmp_path / "lib.sqlite")
    ris = make_ris("three.ris", [{"TY": "JOUR", "TI": t} for t in
                                 ("Opioid prescribing", "Nurses and dementia", "Café culture")])
    assert cli("--library", lib, "import", str(ris)).returncode == 0
    found = cli("--library", lib, "list", "--json", "--search", "nurses OR cafe")
    assert found.returncode == 0, found.stderr
    assert [r["title"] for r in json.loads(found.stdout)] == ["Nurses and dementia",
                                                              "Café culture"]
    # Not understood: said on stderr, exit 1, nothing listed or written (not 0 records).
    for command in (["list"], ["export", "-f", "csv", "-o", str(tmp_path / "out.csv")],
                    ["suggest"]):
        out = cli("--library", lib, *command, "--search", "foo:bar")
        assert out.returncode == 1, command
        assert "unknown field “foo:”" in out.stderr
        assert out.stdout == ""
    assert not (tmp_path / "out.csv").exists()
    dangling = cli("--library", lib, "list", "--search", "nurses OR")
    assert dangling.returncode == 1
    assert "OR with nothing on one side" in dangling.stderr
