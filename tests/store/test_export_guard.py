"""A library knows its own files, and no export (CLI or app: both call export_library) can
overwrite one, or replace a device, pipe or folder, whatever the format and the spelling."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from litdesk.core.export import FORMATS, ExportError
from litdesk.store.engines import sqlite_backup as backup
from litdesk.store.export import export_library
from litdesk.store.importer import import_file
from litdesk.store.library import Library

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX links, pipes and devices")


@pytest.fixture
def lib(tmp_path: Path, seed: Path, make_ris) -> Library:
    folder = tmp_path / "lib folder"
    folder.mkdir()
    opened = Library.open(folder / "lib.sqlite", coder="tester")
    import_file(opened, seed)
    import_file(opened, make_ris("two.ris", [{"TY": "JOUR", "TI": "Two", "AB": "Aim: b."},
                                             {"TY": "JOUR", "TI": "Three", "AB": "Methods: x."}]))
    with opened.engine.connect() as conn:
        backup.make_backup(conn, opened.path)
    yield opened
    opened.close()


def _backup(lib: Library) -> Path:
    found = backup.latest_backup(lib.path)
    assert found is not None
    return found


# -- Library.own_file ------------------------------------------------------------------------

@POSIX
def test_every_spelling_of_the_library_and_its_files_is_known(lib: Library, tmp_path: Path,
                                                              monkeypatch) -> None:
    path = Path(lib.path)
    monkeypatch.chdir(path.parent)
    (tmp_path / "link.ris").symlink_to(path)
    os.link(path, tmp_path / "hard.csv")
    (tmp_path / "folder link").symlink_to(path.parent)
    (tmp_path / "backup link.json").symlink_to(_backup(lib))
    os.link(_backup(lib), tmp_path / "backup hard.json")
    spellings = {
        "lib.sqlite": "the library", "./lib.sqlite": "the library",
        f"{path.parent}/./lib.sqlite": "the library",
        f"{path.parent}/../{path.parent.name}/lib.sqlite": "the library",
        str(tmp_path / "link.ris"): "the library", str(tmp_path / "hard.csv"): "the library",
        str(tmp_path / "folder link" / "lib.sqlite"): "the library",
        "lib.sqlite-wal": "the -wal file", "./lib.sqlite-shm": "the -shm file",
        "lib.sqlite-journal": "the -journal file",  # not there now: by name
        str(_backup(lib)): "a backup", f"backups/{_backup(lib).name}": "a backup",
        str(tmp_path / "backup link.json"): "a backup",
        str(tmp_path / "backup hard.json"): "a backup",
        "backups/lib-20991231-235959.sqlite": "a backup",  # a name backups will take
        "backups/lib-20991231-235959-2.sqlite.part": "a backup",
        "backups/lib-damaged-20991231-235959.sqlite": "a backup",
    }
    for spelling, role in spellings.items():
        said = lib.own_file(spelling)
        assert said is not None, spelling
        assert said.startswith(role), (spelling, said)
        assert str(path) in said


def test_other_files_are_not_the_librarys(lib: Library, tmp_path: Path) -> None:
    folder = Path(lib.path).parent
    for other in (folder / "lib.sqlite.ris", folder / "lib.csv", folder / "lib.sqlite-walx",
                  folder / "backups" / "notes.csv", folder / "backups" / "lib-2024.sqlite",
                  folder / "backups" / "other-20240101-010101.sqlite",
                  tmp_path / "lib.sqlite", tmp_path / "backups" / _backup(lib).name,
                  Path("/dev/null"), tmp_path):
        assert lib.own_file(other) is None, other


# -- the sweep: every format into every hostile destination ----------------------------------

def _hostile(lib: Library, tmp_path: Path,
             full: Path | None) -> dict[str, tuple[Callable[[], str], str]]:
    """Destination name -> (make it, the words the refusal must say; "" when it is written)."""
    path = Path(lib.path)

    def link() -> str:
        (tmp_path / "link.out").symlink_to(path)
        return str(tmp_path / "link.out")

    def hard() -> str:
        os.link(path, tmp_path / "hard.out")
        return str(tmp_path / "hard.out")

    def folder() -> str:
        (tmp_path / "dir.out").mkdir()
        return str(tmp_path / "dir.out")

    def locked() -> str:
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro").chmod(0o500)
        return str(tmp_path / "ro" / "x.out")

    cases = {
        "the library": (lambda: str(path), f"it is the library {path}"),
        "dotted": (lambda: f"{path.parent}/./{path.name}", "it is the library"),
        "its -wal": (lambda: f"{path}-wal", "it is the -wal file of the library"),
        "its -shm": (lambda: f"{path}-shm", "it is the -shm file of the library"),
        "its -journal": (lambda: f"{path}-journal", "it is the -journal file of the library"),
        "a backup": (lambda: str(_backup(lib)), "it is a backup of the library"),
        "a link to it": (link, "it is the library"),
        "a hard link": (hard, "it is the library"),
        "a folder": (folder, "it is a folder"),
        "a missing folder": (lambda: str(tmp_path / "gone" / "x.out"),
                             f"the folder {tmp_path / 'gone'} does not exist"),
        "a file as folder": (lambda: f"{path}/x.out", "is not a folder"),
    }
    if full is not None:
        cases["/dev/full"] = (lambda: str(full), f"{full}: no space left")
    if Path("/proc/self").is_dir():
        cases["/proc"] = (lambda: "/proc/x.out", "Could not export to /proc/x.out")
    if hasattr(os, "geteuid") and os.geteuid() != 0:  # root writes anywhere
        cases["read-only folder"] = (locked, "permission denied")
    return cases


CASES = ["the library", "dotted", "its -wal", "its -shm", "its -journal", "a backup",
         "a link to it", "a hard link", "a folder", "a missing folder", "a file as folder",
         "/dev/full", "/proc", "read-only folder"]


@POSIX
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", CASES)
def test_no_format_harms_a_hostile_destination(lib: Library, tmp_path: Path, device, fmt: str,
                                               case: str) -> None:
    cases = _hostile(lib, tmp_path, device("full") if case == "/dev/full" else None)
    if case not in cases:
        pytest.skip(f"{case}: not possible here")
    make, says = cases[case]
    destination = make()
    before = _state(lib, destination)
    with pytest.raises(ExportError) as info:
        export_library(lib, fmt, lib.search_ids(), destination)
    assert says in str(info.value)
    assert destination in str(info.value)
    assert _state(lib, destination) == before
    _still_whole(lib)
    parts = [p for p in Path(lib.path).parent.rglob("*.part")] + list(tmp_path.glob(".*.part"))
    assert not parts


@POSIX
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_pipe_gets_every_format_and_stays_a_pipe(lib: Library, tmp_path: Path,
                                                   fmt: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert export_library(lib, fmt, lib.search_ids(), str(fifo)) == 3
    reader.join(30)
    assert got
    assert got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    _still_whole(lib)


def _state(lib: Library, destination: str) -> tuple[object, ...]:
    """What must not change: the library's bytes and the destination's kind and bytes."""
    def look(p: str | Path) -> tuple[object, ...]:
        try:
            st = os.lstat(p)
        except OSError:
            return ("absent",)
        content = Path(p).read_bytes() if stat.S_ISREG(st.st_mode) else b""
        return (stat.S_IFMT(st.st_mode), st.st_ino, content)

    return look(lib.path), look(_backup(lib)), look(destination)


def _still_whole(lib: Library) -> None:
    assert lib.integrity_ok()
    with Library.open(lib.path, coder="tester", read_only=True) as again:
        assert again.count() == 3
