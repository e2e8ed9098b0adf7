"""A library path that is not there is not a new library by accident: the installed command
refuses it for every command but import, naming it and creating nothing; an empty file is
never turned into a library; copy-library needs a source that exists."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

#: Every command but import, with what it needs to get as far as opening the library.
NOT_CREATING = [
    ["list"], ["list", "--json"], ["export", "--all", "-o", "OUT/out.ris"], ["coders"],
    ["agreement", "--coders", "a,b"], ["members"], ["suggest", "--all"],
    ["suggest", "--all", "--apply"], ["tag", "1", "0", "5", "aim"], ["untag", "1", "0", "5"],
    ["done", "--ids", "1"], ["grant", "someone"], ["revoke", "someone"],
]


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _args(args: list[str], out: Path) -> list[str]:
    return [a.replace("OUT", str(out)) for a in args]


@pytest.mark.parametrize(("args", "where"), [
    (args, "typo.sqlite" if i % 2 else "nodir/typo.sqlite") for i, args in enumerate(NOT_CREATING)
], ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_commands_refuse_a_library_that_does_not_exist(cli, tmp_path, args, where):
    work = tmp_path / "work"
    work.mkdir()
    before = _tree(tmp_path)
    out = cli("--library", where, *_args(args, tmp_path), cwd=work)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"There is no library at {where}" in out.stderr
    assert "nothing was created" in out.stderr
    assert "import" in out.stderr  # how to start one on purpose
    assert "Traceback" not in out.stderr
    assert _tree(tmp_path) == before  # no file, no folder, no backups


def test_default_library_is_not_created_by_a_reading_command(cli, tmp_path, monkeypatch):
    # Without --library, the default library (in the data folder) is used: reading it when
    # it is not there yet creates nothing either.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    out = cli("list")
    assert out.returncode == 1
    assert str(tmp_path / "data" / "litdesk" / "library.litdesk.sqlite") in out.stderr
    assert not (tmp_path / "data").exists()


def test_import_creates_a_library_and_its_folder(cli, tmp_path, seed):
    lib = tmp_path / "new folder" / "lib.sqlite"
    out = cli("--library", str(lib), "import", str(seed))
    assert out.returncode == 0, out.stderr
    assert "1 added" in out.stdout
    listed = cli("--library", str(lib), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 1
    # Nothing but the library itself (and SQLite's files) beside it.
    assert {p.name for p in lib.parent.iterdir()} <= {"lib.sqlite", "lib.sqlite-wal",
                                                      "lib.sqlite-shm", "backups"}


def test_help_says_which_commands_create_a_library(cli):
    helped = cli("--help").stdout
    assert "only import" in " ".join(helped.split())
    assert "creating it if there is none yet" in " ".join(helped.split())
    assert "creating the library" in " ".join(cli("import", "--help").stdout.split())


@pytest.mark.parametrize("args", [["import", "SEED"], *NOT_CREATING],
                         ids=lambda a: " ".join(a))
def test_an_empty_file_is_refused_and_left_as_it_is(cli, tmp_path, seed, args):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    args = [str(seed) if a == "SEED" else a for a in _args(args, tmp_path)]
    out = cli("--library", str(empty), *args)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"{empty} is an empty file (0 bytes), not a litdesk library" in out.stderr
    assert "Traceback" not in out.stderr
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"]


def test_copy_library_from_a_missing_source_fails_and_creates_nothing(cli, tmp_path):
    out = cli("copy-library", "./no_such_source.sqlite", "dest.sqlite", cwd=tmp_path)
    assert out.returncode == 1
    assert "There is no library at no_such_source.sqlite" in out.stderr
    assert "copied" not in out.stdout
    assert "checksums" not in out.stdout
    assert list(tmp_path.iterdir()) == []


def test_copy_library_creates_its_destination(cli, tmp_path, seed):
    src, dest = tmp_path / "src.sqlite", tmp_path / "sub" / "dest.sqlite"
    assert cli("--library", str(src), "import", str(seed)).returncode == 0
    out = cli("copy-library", str(src), str(dest))
    assert out.returncode == 0, out.stderr
    assert "records: 1 copied" in out.stdout
    assert len(json.loads(cli("--library", str(dest), "list", "--json").stdout)) == 1


@pytest.mark.parametrize("address", ["postgresql:review", "postgres:/ann@host/db",
                                     "POSTGRESQL+psycopg:x"])
def test_a_server_address_without_slashes_is_refused_not_made_a_file(cli, tmp_path, address):
    out = cli("--library", address, "import", os.devnull, cwd=tmp_path)
    assert out.returncode == 1
    assert "is not a PostgreSQL address" in out.stderr
    assert "postgresql://LOGIN@HOST:PORT/DBNAME" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_named_like_a_scheme_is_a_file_when_written_as_a_path(cli, tmp_path, seed):
    out = cli("--library", "./postgresql:notes.sqlite", "import", str(seed), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "postgresql:notes.sqlite").is_file()


def test_a_password_in_an_address_is_never_shown(cli, tmp_path):
    address = "postgresql://ann:s3cret@/nodb?host=" + str(tmp_path / "no-server-here")
    out = cli("--library", address, "list")
    assert out.returncode == 1
    assert "s3cret" not in out.stdout + out.stderr
    assert "postgresql://ann@/nodb" in out.stderr
