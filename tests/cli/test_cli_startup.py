"""Start-up of the quick commands (issue #18): what `--version`, `list` and `coders` import,
that the quick path prints what the full one does, and a closed pipe ending `list` quietly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import installed_cli

#: Never imported by `litdesk-cli --version`, `list` or `coders` on a file library: each costs
#: start-up time those commands do not need (the window's toolkit, the readers' parsers, the
#: spreadsheet writer, the migrations, the store's engine layer).
HEAVY = ("PySide6", "shiboken6", "lxml", "bibtexparser", "openpyxl", "alembic", "sqlalchemy")


def imported(cli, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the installed command with Python's import timing on; what it printed and the
    top-level packages it imported."""
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    done = cli(*args, env=env)
    names = {line.rsplit("|", 1)[1].strip().split(".")[0]
             for line in done.stderr.splitlines() if line.startswith("import time:")
             and "|" in line}
    names.discard("imported package")  # the header line
    return done, names


def without_timing(stderr: str) -> str:
    return "\n".join(x for x in stderr.splitlines() if not x.startswith("import time:"))


@pytest.fixture
def coded_library(tmp_path: Path, cli, seed, make_ris) -> str:
    lib = str(tmp_path / "lib.litdesk.sqlite")
    extra = make_ris("extra.ris", [
        {"TY": "JOUR", "TI": f"Paper {i}", "AU": [f"Doe{i}, Jane"], "PY": "2020",
         "AB": f"BACKGROUND: Part {i}. METHODS: We asked. RESULTS: They said."}
        for i in range(3)])
    assert cli("--library", lib, "import", str(seed), str(extra)).returncode == 0
    for coder, rid, label in (("ana", "1", "background"), ("ben", "1", "aim"),
                              ("ana", "2", "method")):
        tagged = cli("--library", lib, "--coder", coder, "tag", rid, "0", "10", label)
        assert tagged.returncode == 0, tagged.stderr
    assert cli("--library", lib, "--coder", "ben", "done", "--ids", "1").returncode == 0
    return lib


def test_version_imports_nothing_heavy(cli):
    done, names = imported(cli, "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("litdesk ")
    assert not names & set(HEAVY), sorted(names & set(HEAVY))


@pytest.mark.parametrize("command", ["list", "coders"])
def test_quick_commands_import_nothing_heavy_and_print_as_the_library_does(
        cli, coded_library, command):
    # The import left the records' suggestion flags to be worked out: the first run opens
    # the library (SQLAlchemy and all) to do that, and prints as the full path does.
    full, full_names = imported(cli, "--library", coded_library, "--coder", "ana", command)
    assert full.returncode == 0, full.stderr
    assert "sqlalchemy" in full_names
    quick, names = imported(cli, "--library", coded_library, "--coder", "ana", command)
    assert quick.returncode == 0, quick.stderr
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
    assert quick.stdout == full.stdout
    assert without_timing(quick.stderr) == without_timing(full.stderr)


def test_list_and_coders_show_each_coders_progress(cli, coded_library):
    cli("--library", coded_library, "list")  # works out the suggestion flags
    listed = cli("--library", coded_library, "--coder", "ana", "list").stdout.splitlines()
    assert len(listed) == 4
    assert listed[0].endswith("[partly coded]")
    assert listed[1].endswith("[partly coded]")
    table = cli("--library", coded_library, "coders").stdout.splitlines()
    assert table[0].split() == ["coder", "partly", "coded", "coded", "done"]
    assert table[1].split() == ["ana", "2", "0", "0"]
    assert table[2].split() == ["ben", "0", "1", "1"]  # done counts as coded


def test_quick_commands_refuse_what_the_library_refuses(cli, tmp_path):
    not_library = tmp_path / "notes.sqlite"
    import sqlite3

    con = sqlite3.connect(not_library)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    for command in ("list", "coders"):
        done = cli("--library", str(not_library), command)
        assert done.returncode == 1
        assert "not a litdesk library" in done.stderr
        missing = cli("--library", str(tmp_path / "none.sqlite"), command)
        assert missing.returncode == 1
        assert "import" in missing.stderr
        assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.slow
def test_list_into_a_pipe_closed_early_ends_quietly(tmp_path, cli, make_ris):
    lib = str(tmp_path / "lib.litdesk.sqlite")
    many = make_ris("many.ris", [{"TY": "JOUR", "TI": f"A rather long title of paper {i} " * 2,
                                  "AU": ["Doe, Jane"], "PY": "2021"} for i in range(1500)])
    assert cli("--library", lib, "import", str(many)).returncode == 0
    for args in (["list"], ["list"], ["list", "--json"]):  # the full path, then the quick one
        proc = subprocess.Popen([installed_cli(), "--library", lib, *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stderr is not None
        first = proc.stdout.readline()  # as `| head -1` does: one line, then the pipe closes
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        proc.wait(timeout=120)
        assert first.strip()
        assert "Traceback" not in err, err
        assert "BrokenPipeError" not in err, err
        assert proc.returncode == 141
