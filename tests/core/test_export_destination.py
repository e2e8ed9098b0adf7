"""Export destinations: the format a name asks for, pipes and devices written through, links
followed, leftovers of killed exports removed, and the operating system's real reasons."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from litdesk.core.export import (
    FORMATS,
    STALE_PART_SECONDS,
    ExportError,
    export_to_path,
    format_for,
    remove_stale_parts,
)
from litdesk.core.export.destination import part_name
from litdesk.core.model import Record

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX files (pipes, devices, flock)")


def records(n: int = 3) -> list[Record]:
    return [Record(id=i, type="JOUR", title=f"Title {i}", abstract="Aim: x.") for i in
            range(1, n + 1)]


# -- the format a name asks for ---------------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_without_a_format_the_extension_decides(fmt: str) -> None:
    suffix = FORMATS[fmt][1]
    assert format_for(f"out{suffix}") == (fmt, "")
    assert format_for(f"/some/Folder/OUT{suffix.upper()}") == (fmt, "")


def test_segments_have_their_own_extension_and_plain_csv_is_the_table() -> None:
    assert format_for("coding.segments.csv") == ("segments-csv", "")
    assert format_for("coding.csv") == ("csv", "")


@pytest.mark.parametrize("name", ["out.txt", "out", "out.sqlite", ".csv", "out.csv.bak"])
def test_an_unknown_extension_is_refused_with_the_formats(name: str) -> None:
    with pytest.raises(ExportError) as info:
        format_for(name)
    message = str(info.value)
    assert name in message
    for fmt, (_w, suffix, _d) in FORMATS.items():
        assert suffix in message
        assert fmt in message


def test_a_given_format_wins_with_a_warning_when_the_name_disagrees() -> None:
    fmt, warning = format_for("table.xlsx", "ris")
    assert fmt == "ris"
    assert "table.xlsx" in warning
    assert "xlsx" in warning
    assert "ris" in warning
    assert format_for("out.txt", "ris") == ("ris", "")  # no format's extension: no quarrel
    assert format_for("coding.csv", "segments-csv") == ("segments-csv", "")  # a CSV all the same
    assert format_for("x.segments.csv", "csv") == ("csv", "")
    with pytest.raises(ValueError, match="docx"):
        format_for("x.docx", "docx")


@POSIX
def test_standard_output_devices_and_pipes_default_to_ris(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for name in ("-", "/dev/stdout", "/dev/null", str(fifo)):
        assert format_for(name) == ("ris", ""), name
    os.mkfifo(tmp_path / "pipe.csv")
    assert format_for(str(tmp_path / "pipe.csv")) == ("csv", "")


# -- links and special files ------------------------------------------------------------------

@POSIX
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_link_to_a_file_stays_a_link_and_its_target_is_written(tmp_path: Path,
                                                                fmt: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / f"real{FORMATS[fmt][1]}"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / f"link{FORMATS[fmt][1]}"
    link.symlink_to(real)
    assert export_to_path(fmt, records(), link) == 3
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() != b"old"
    assert real.stat().st_size > 0
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["elsewhere", link.name]
    assert os.listdir(elsewhere) == [real.name]  # the temporary file was beside the target


@POSIX
def test_a_dangling_link_gets_its_target_created(tmp_path: Path) -> None:
    link = tmp_path / "out.ris"
    link.symlink_to(tmp_path / "made.ris")
    export_to_path("ris", records(), link)
    assert link.is_symlink()
    assert (tmp_path / "made.ris").read_text(encoding="utf-8").startswith("TY  - JOUR")


@POSIX
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_pipe_is_written_through_and_stays_a_pipe(tmp_path: Path, fmt: str) -> None:
    fifo = tmp_path / f"pipe{FORMATS[fmt][1]}"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert export_to_path(fmt, records(), fifo) == 3
    reader.join(30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    whole = b"".join(got)
    assert whole == _in_memory(fmt) or fmt in ("xlsx", "qdpx") and whole.startswith(b"PK")
    assert os.listdir(tmp_path) == [fifo.name]


def _in_memory(fmt: str, n: int = 3) -> bytes:
    import io

    out = io.BytesIO()
    FORMATS[fmt][0](records(n), out)
    return out.getvalue()


@POSIX
def test_a_pipe_without_a_reader_waits_and_can_be_cancelled(tmp_path: Path) -> None:
    from litdesk.core.export import ExportCancelled

    fifo = tmp_path / "pipe.ris"
    os.mkfifo(fifo)
    asked: list[float] = []

    def cancelled() -> bool:
        asked.append(time.monotonic())
        return len(asked) > 3

    with pytest.raises(ExportCancelled):
        export_to_path("ris", records(), fifo, cancelled=cancelled)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@POSIX
def test_a_descriptor_alias_is_written_through(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        assert export_to_path("json", records(2), f"/dev/fd/{write_end}") == 2
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as got:
        assert got.read() == _in_memory("json", 2)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_full_device_is_an_error_and_stays_a_device(device, fmt: str) -> None:
    full = device("full")
    with pytest.raises(ExportError, match="no space left") as info:
        export_to_path(fmt, records(), full)
    assert str(full) in str(info.value)
    assert stat.S_ISCHR(os.stat(full).st_mode)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="making a device node needs root")
def test_a_disk_device_is_refused(tmp_path: Path) -> None:
    node = tmp_path / "disk.ris"
    # A loop device number that no disk has: even a wrong write could reach nothing.
    os.mknod(node, 0o600 | stat.S_IFBLK, os.makedev(7, 250))
    with pytest.raises(ExportError, match="disk"):
        export_to_path("ris", records(), node)
    assert stat.S_ISBLK(os.lstat(node).st_mode)


# -- leftovers of killed exports --------------------------------------------------------------

HOLDER = """
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("ready", flush=True)
    sys.stdin.read()
"""


@POSIX
def test_leftovers_of_dead_exports_go_live_ones_and_other_files_stay(tmp_path: Path) -> None:
    target = tmp_path / "out [1].ris"
    dead = tmp_path / f".{target.name}.0a1b2c3d.part"  # no process holds it: at once
    live = tmp_path / f".{target.name}.44556677.part"
    not_ours = [tmp_path / f".{target.name}.abc123.part",  # not our exact pattern
                tmp_path / f".{target.name}.ZZZZZZZZ.part",
                tmp_path / ".another.ris.0a1b2c3d.part",
                tmp_path / f"{target.name}.0a1b2c3d.part"]
    for f in (dead, *not_ours):
        f.write_bytes(b"half")
    old = time.time() - STALE_PART_SECONDS - 60
    for f in not_ours:
        os.utime(f, (old, old))
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLDER), str(live)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        os.utime(live, (old, old))  # however old: its writer is alive
        assert export_to_path("ris", records(), target) == 3
        assert target.exists()
        assert not dead.exists()
        assert live.exists()
        assert all(f.exists() for f in not_ours)
    finally:
        holder.communicate("", timeout=30)
    assert remove_stale_parts(target) == [live]  # its writer is gone now


def test_part_names_are_exactly_ours() -> None:
    pattern = part_name(Path("/x/a.b [1].ris"))
    assert pattern.fullmatch(".a.b [1].ris.0123abcd.part")
    for other in (".a.b [1].ris.0123abc.part", ".a.b [1].ris.0123ABCD.part",
                  ".aXb [1].ris.0123abcd.part", "a.b [1].ris.0123abcd.part"):
        assert not pattern.fullmatch(other), other


# -- the operating system's reasons -----------------------------------------------------------

def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="the folder .*nowhere does not exist"):
        export_to_path("csv", records(), tmp_path / "nowhere" / "out.csv")


def test_a_file_in_the_way_of_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="notes.txt is not a folder"):
        export_to_path("csv", records(), tmp_path / "notes.txt" / "out.csv")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(ExportError, match="out.csv: it is a folder"):
        export_to_path("csv", records(), tmp_path / "out.csv")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
def test_a_folder_that_takes_no_files_is_not_called_missing() -> None:
    with pytest.raises(ExportError) as info:
        export_to_path("csv", records(), "/proc/x.csv")
    message = str(info.value)
    assert message.startswith("Could not export to /proc/x.csv: ")
    assert "does not exist" not in message
    assert "permission denied" in message or "cannot be created in /proc" in message


@pytest.mark.parametrize("name", ["", "  ", "newdir/"])
def test_no_name_or_a_folder_name_is_no_file(tmp_path: Path, monkeypatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExportError, match="no file name|folder's name"):
        export_to_path("ris", records(), name)
    assert os.listdir(tmp_path) == []
