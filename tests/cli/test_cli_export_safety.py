"""`litdesk export` run as a user would, at hostile destinations: the library, its files and
backups under any spelling, devices, pipes, links, killed exports, names without a format,
and places that cannot be written. Nothing is ever destroyed, and every failure says why."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from litdesk.core.export import FORMATS


def installed_cli() -> str:
    """The command the ``cli`` fixture runs (it skips the test when there is none), for the
    tests that must start it themselves (to kill it, to read its raw bytes)."""
    return str(Path(sys.executable).parent / "litdesk-cli")

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX links, pipes and devices")
RECORDS = 3


@pytest.fixture
def lib(cli, tmp_path: Path, seed: Path, make_ris) -> Path:
    """A library of three records (one real, one coded) with a backup beside it."""
    from litdesk.store.engines import sqlite_backup as backup
    from litdesk.store.importer import import_file
    from litdesk.store.library import Library

    path = tmp_path / "lib.sqlite"
    two = make_ris("two.ris", [{"TY": "JOUR", "TI": "Two", "AB": "Aim: to see."},
                               {"TY": "JOUR", "TI": "Three", "AB": "Methods: we did."}])
    with Library.open(path, coder="ann") as opened:
        import_file(opened, seed)
        import_file(opened, two)
        opened.tag(opened.search_ids()[0], 0, 10, "aim")
        with opened.engine.connect() as conn:
            backup.make_backup(conn, path)
    return path


def content(lib: Path) -> tuple[list[tuple[object, ...]], ...]:
    """The records and spans of the library (its bytes change when a command checkpoints)."""
    import sqlite3

    con = sqlite3.connect(f"{lib.as_uri()}?mode=ro", uri=True)
    try:
        return (con.execute("SELECT id, title, abstract FROM record ORDER BY id").fetchall(),
                con.execute("SELECT record_id, coder, start, \"end\", label FROM span "
                            "ORDER BY id").fetchall())
    finally:
        con.close()


def still_whole(cli, lib: Path) -> None:
    """The library opens, passes its check and lists its records."""
    listed = cli("-l", str(lib), "list")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == RECORDS
    assert "Gill" in listed.stdout


# -- the library as the destination ----------------------------------------------------------

SPELLINGS = ["lib.sqlite", "./lib.sqlite", "{cwd}/./lib.sqlite", "link.ris", "hard.csv",
             "lib.sqlite-wal", "lib.sqlite-shm", "lib.sqlite-journal", "{backup}",
             "backups/../lib.sqlite", "backup-link.json"]


#: Each spelling with one format, round the formats (the sweep of every format into every
#: hostile destination runs in-process in tests/store/test_export_guard.py).
CASES = [(spelling, [None, *sorted(FORMATS)][i % (len(FORMATS) + 1)])
         for i, spelling in enumerate(SPELLINGS)]


@POSIX
@pytest.mark.parametrize(("spelling", "fmt"), CASES)
def test_the_library_and_its_files_are_never_overwritten(cli, lib: Path, spelling: str,
                                                         fmt: str | None) -> None:
    folder = lib.parent
    (folder / "link.ris").symlink_to(lib)
    os.link(lib, folder / "hard.csv")
    found = sorted((folder / "backups").glob("lib-*.sqlite"))[-1]
    (folder / "backup-link.json").symlink_to(found)
    destination = spelling.format(cwd=folder, backup=found)
    before = content(lib), found.read_bytes()
    args = ["-l", str(lib), "export", "--all", "-o", destination]
    out = cli(*args, *(["-f", fmt] if fmt else []), cwd=folder)
    assert out.returncode == 1, out.stdout
    assert f"Refusing to write to {destination}: it is " in out.stderr
    assert str(lib) in out.stderr
    assert "written to" not in out.stdout + out.stderr
    assert (content(lib), found.read_bytes()) == before
    assert not list(folder.glob(".*.part"))
    still_whole(cli, lib)


@POSIX
def test_the_agreement_report_cannot_overwrite_the_library(cli, lib: Path) -> None:
    assert cli("-l", str(lib), "--coder", "bob", "tag", "1", "0", "5", "aim").returncode == 0
    before = content(lib)
    out = cli("-l", str(lib), "agreement", "--coders", "ann,bob", "-o", str(lib))
    assert out.returncode == 1
    assert f"Refusing to write to {lib}: it is the library" in out.stderr
    assert content(lib) == before
    still_whole(cli, lib)


# -- devices, pipes, standard output, links ---------------------------------------------------

@pytest.mark.parametrize("fmt", ["ris", "xlsx"])
def test_a_full_device_is_reported_and_stays_a_device(cli, lib: Path, device, fmt: str) -> None:
    full = device("full")
    out = cli("-l", str(lib), "export", "--all", "-f", fmt, "-o", str(full))
    assert out.returncode == 1
    assert f"Could not export to {full}: no space left" in out.stderr
    assert "written" not in out.stdout
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_dev_null_is_written_through(cli, lib: Path, device) -> None:
    null = device("null")
    out = cli("-l", str(lib), "export", "--all", "-o", str(null))
    assert out.returncode == 0, out.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)


@POSIX
@pytest.mark.parametrize("fmt", ["csv", "qdpx"])
def test_a_named_pipe_is_written_through_and_stays_a_pipe(cli, lib: Path, tmp_path: Path,
                                                          fmt: str) -> None:
    fifo = tmp_path / f"pipe{FORMATS[fmt][1]}"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    out = cli("-l", str(lib), "export", "--all", "-o", str(fifo))  # the format: from the name
    reader.join(60)
    assert out.returncode == 0, out.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    if fmt == "csv":
        assert got[0].startswith(b"\xef\xbb\xbfid,")
        assert len(got[0].decode("utf-8-sig").splitlines()) > RECORDS
    else:
        assert "project.qde" in zipfile.ZipFile(io.BytesIO(got[0])).namelist()
    assert f"{RECORDS} records written to {fifo}" in out.stderr  # not into the data


#: As root, "/dev/fd/1" stands for "/dev/stdout": the same alias to the code, but a bug that
#: renamed over it would reach /proc (refused there), not the machine's /dev/stdout.
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.parametrize("dash", ["-", "/dev/fd/1" if ROOT else "/dev/stdout"])
def test_standard_output_gets_ris_and_the_summary_goes_to_stderr(cli, lib: Path,
                                                                 dash: str) -> None:
    out = cli("-l", str(lib), "export", "--all", "-o", dash)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("TY  - ")
    assert out.stdout.count("ER  - ") == RECORDS
    assert "records written" in out.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "qdpx"])
def test_archives_reach_a_pipe_whole(cli, lib: Path, fmt: str) -> None:
    raw = subprocess.run([installed_cli(), "-l", str(lib), "export", "--all", "-f", fmt,
                          "-o", "-"], capture_output=True, timeout=120)
    assert raw.returncode == 0, raw.stderr
    names = zipfile.ZipFile(io.BytesIO(raw.stdout)).namelist()
    assert ("xl/workbook.xml" if fmt == "xlsx" else "project.qde") in names
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(raw.stdout)).active
        assert sheet.max_row == RECORDS + 1


def test_a_reader_that_stops_early_is_no_crash(cli, lib: Path) -> None:
    export = subprocess.Popen([installed_cli(), "-l", str(lib), "export", "--all", "-o", "-"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert export.stdout is not None
    export.stdout.close()  # like `| head -0`
    _, err = export.communicate(timeout=120)
    assert b"Traceback" not in err
    assert export.returncode in (0, 1)  # it may have finished before the pipe closed
    if export.returncode:
        assert b"broken pipe" in err


@POSIX
def test_a_link_to_a_file_stays_a_link_and_its_target_gets_the_export(cli, lib: Path,
                                                                       tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    target = kept / "real.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    out = cli("-l", str(lib), "export", "--all", "-o", str(link))
    assert out.returncode == 0, out.stderr
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("[")
    assert os.listdir(kept) == ["real.json"]


# -- killed exports ---------------------------------------------------------------------------

def big_library(cli, tmp_path: Path, n: int = 3000) -> Path:
    path, ris = tmp_path / "big.sqlite", tmp_path / "many.ris"
    with ris.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"TY  - JOUR\nTI  - Study {i} of staff experiences\nAU  - Surname{i}, A\n"
                    f"PY  - {1990 + i % 30}\nAB  - Background: topic {i}. Aim: to explore. "
                    "Methods: interviews. Results: themes. Conclusion: more work.\nER  - \n\n")
    assert cli("-l", str(path), "import", str(ris)).returncode == 0
    return path


def _parts(folder: Path, target: Path) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}\.part")
    return [p for p in folder.iterdir() if pattern.fullmatch(p.name)]


def _kill_mid_export(lib: Path, target: Path) -> Path | None:
    """Start an export to ``target`` and SIGKILL it while it writes; its .part file left."""
    proc = subprocess.Popen([installed_cli(), "-l", str(lib), "export", "--all", "-o",
                             str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        found = _parts(target.parent, target)
        if found and found[0].stat().st_size > 0:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
            return found[0]
        time.sleep(0.002)
    proc.kill()
    proc.communicate(timeout=30)
    return None


@POSIX
def test_the_next_export_removes_what_a_killed_one_left(cli, tmp_path: Path) -> None:
    lib = big_library(cli, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "table [final].xlsx"
    mine = out / f".{target.name}.notours.part"  # named like ours, not by us: kept
    mine.write_bytes(b"the user's")
    left = []
    for _attempt in range(5):
        part = _kill_mid_export(lib, target)
        if part is not None and part.exists():
            left.append(part)
            if len(left) == 2:
                break
    assert left, "no export could be killed while it was writing"
    assert not target.exists()  # a killed export never leaves a half file under the name
    assert set(_parts(out, target)) == set(left)
    done = cli("-l", str(lib), "export", "--all", "-o", str(target))  # no minutes to wait
    assert done.returncode == 0, done.stderr
    assert _parts(out, target) == []
    assert mine.read_bytes() == b"the user's"
    assert zipfile.ZipFile(target).testzip() is None


@POSIX
def test_two_exports_to_one_file_at_once_both_finish(tmp_path: Path, cli) -> None:
    """A running export's .part file is not a leftover: the other export leaves it alone."""
    lib = big_library(cli, tmp_path, 2000)
    target = tmp_path / "both.csv"
    command = [installed_cli(), "-l", str(lib), "export", "--all", "-o", str(target)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not _parts(tmp_path, target) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    second = subprocess.run(command, capture_output=True, timeout=120)
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second.stderr
    assert _parts(tmp_path, target) == []
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 2001


# -- the format follows the name --------------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_without_format_the_extension_decides(cli, lib: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out{FORMATS[fmt][1].upper() if fmt == 'ris' else FORMATS[fmt][1]}"
    out = cli("-l", str(lib), "export", "--all", "-o", str(target))
    assert out.returncode == 0, out.stderr
    data = target.read_bytes()
    if fmt in ("xlsx", "qdpx"):
        assert zipfile.is_zipfile(target)
    elif fmt == "ris":
        assert data.startswith(b"TY  - ")
    elif fmt == "json":
        assert data.startswith(b"[")
    elif fmt == "bibtex":
        assert data.lstrip(b"\xef\xbb\xbf \n%").startswith(b"@")
    else:
        header = data.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("record_id" if fmt == "segments-csv" else "id,")


@pytest.mark.parametrize("name", ["out.txt", "out", "table.xls"])
def test_an_unknown_extension_is_refused_with_the_formats(cli, lib: Path, tmp_path: Path,
                                                          name: str) -> None:
    out = cli("-l", str(lib), "export", "--all", "-o", str(tmp_path / name))
    assert out.returncode == 1
    assert name in out.stderr
    for fmt, (_w, suffix, _d) in FORMATS.items():
        assert suffix in out.stderr
        assert fmt in out.stderr
    assert not (tmp_path / name).exists()


def test_a_format_that_contradicts_the_name_is_followed_with_a_warning(cli, lib: Path,
                                                                       tmp_path: Path) -> None:
    target = tmp_path / "table.xlsx"
    out = cli("-l", str(lib), "export", "--all", "-f", "ris", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert target.read_bytes().startswith(b"TY  - ")
    assert "warning" in out.stderr
    assert "table.xlsx" in out.stderr


def test_help_says_how_the_format_is_chosen(cli) -> None:
    text = " ".join(cli("export", "--help").stdout.split())
    assert "from FILE's extension" in text
    assert "ris for standard output" in text


# -- the real reason a destination cannot be written -------------------------------------------

@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
def test_proc_is_not_called_a_missing_folder(cli, lib: Path) -> None:
    out = cli("-l", str(lib), "export", "--all", "-o", "/proc/x.csv")
    assert out.returncode == 1
    assert "Could not export to /proc/x.csv: " in out.stderr
    assert "does not exist" not in out.stderr


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no /sys here")
def test_permission_denied_is_said(cli, lib: Path) -> None:
    out = cli("-l", str(lib), "export", "--all", "-o", "/sys/x.csv")
    assert out.returncode == 1
    assert "/sys/x.csv: permission denied" in out.stderr


def test_missing_folder_file_in_the_way_and_folder(cli, lib: Path, tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    for name, says in (("nowhere/x.csv", f"the folder {tmp_path / 'nowhere'} does not exist"),
                       ("two.ris/x.csv", "two.ris is not a folder"),
                       ("dir.csv", "dir.csv: it is a folder")):
        out = cli("-l", str(lib), "export", "--all", "-o", str(tmp_path / name))
        assert out.returncode == 1
        assert says in out.stderr, out.stderr


@pytest.mark.skipif(not shutil.which("unshare") or not hasattr(os, "geteuid"),
                    reason="needs unshare(1) for a read-only mount")
def test_read_only_file_system_is_said(cli, lib: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    script = (f'mount --bind "{ro}" "{ro}" && mount -o remount,bind,ro "{ro}" && '
              f'exec "{installed_cli()}" -l "{lib}" export --all -o "{ro}/x.csv"')
    flags = ["-m"] if os.geteuid() == 0 else ["-rm"]
    out = subprocess.run(["unshare", *flags, "sh", "-c", script], capture_output=True,
                         text=True, timeout=120)
    if "mount" in out.stderr and "x.csv" not in out.stderr:
        pytest.skip(f"no read-only mount possible here: {out.stderr.strip()}")
    assert out.returncode == 1
    assert f"{ro}/x.csv: read-only file system" in out.stderr
