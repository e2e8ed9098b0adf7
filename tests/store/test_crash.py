"""Crashes and hostile environments: real processes killed with SIGKILL during an import, a burst
of tagging and an export; read-only, locked and unwritable libraries."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from litdesk.core.export import export_to_path
from litdesk.core.model import LABELS
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]

RUNS = 3  # kills per scenario, at random moments
RNG_SEED = int.from_bytes(os.urandom(4), "big")


def _rng(name: str) -> random.Random:
    return random.Random(f"{RNG_SEED}-{name}")


def _write_ris(path: Path, n: int, tag: str = "crash") -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(
                f"TY  - JOUR\nTI  - {tag} study {i}: experiences of staff\n"
                f"AU  - Surname{i}, Given\nAU  - Other, Person\nPY  - {1990 + i % 30}\n"
                f"DO  - 10.5555/{tag}.{i}\nJO  - Journal of Tests\n"
                f"AB  - Background: topic {i} matters. Aim: to explore it. Method: we "
                f"interviewed {i % 50} people. Results: themes about {i}. Conclusion: more "
                "work is needed on this, and on that, in many places and at many times.\n"
                "KW  - qualitative\nER  - \n\n"
            )
    return path


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    """Run ``script`` in a fresh interpreter; return once it has printed "ready"."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first.strip() != "ready":
        proc.kill()
        raise AssertionError(f"worker failed to start: {first}{proc.communicate()[1]}")
    return proc


def _kill(proc: subprocess.Popen[str], after: float) -> tuple[list[str], bool]:
    """SIGKILL ``proc`` ``after`` seconds from now: (complete stdout lines, was it running)."""
    time.sleep(after)  # the moment of the crash is the point of the test
    running = proc.poll() is None
    if running:
        os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert running or proc.returncode == 0, err
    lines = out.split("\n")
    return lines[:-1], running  # the last piece has no line end: not acknowledged


def _integrity(path: Path) -> str:
    con = sqlite3.connect(path)  # a read-write connection replays what the -wal holds
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _schema(path: Path) -> list[tuple[str, str]]:
    """The library's indexes and triggers (an import rebuilds some of them inside its
    transaction: a kill must leave them as they were)."""
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT name, sql FROM sqlite_master WHERE type IN "
                           "('index', 'trigger') ORDER BY name").fetchall()
    finally:
        con.close()


def _count(path: Path) -> int:
    with Library.open(path) as lib:
        return lib.count()


# -- a kill during an import -------------------------------------------------------------------

IMPORT_WORKER = """
    import sys
    from litdesk.store.importer import import_file
    from litdesk.store.library import Library
    lib = Library.open(sys.argv[1], coder="importer")
    print("ready", flush=True)
    progress = lambda n, _done, _size: print(f"progress {n}", flush=True)
    summary = import_file(lib, sys.argv[2], allow_duplicates=True, progress=progress)
    print("imported", summary.added, flush=True)
    lib.close()
"""


def test_kill_during_import_leaves_all_or_nothing(tmp_path):
    lib_path, rng = tmp_path / "lib.sqlite", _rng("import")
    big = _write_ris(tmp_path / "big.ris", 3000)
    with Library.open(lib_path) as lib:
        import_file(lib, _write_ris(tmp_path / "small.ris", 5, "small"))
    before, killed_mid, schema = _count(lib_path), 0, _schema(lib_path)
    assert any(name == "ix_record_dup_key" for name, _ in schema)
    for run in range(RUNS + 1):
        proc = _start(IMPORT_WORKER, str(lib_path), str(big))
        if run == 0:  # certainly inside the transaction: after the first chunk went in
            assert proc.stdout is not None
            assert proc.stdout.readline().startswith("progress")
            delay = 0.0
        else:
            delay = rng.uniform(0.0, 2.0)
        lines, running = _kill(proc, delay)
        after = _count(lib_path)
        context = f"run {run}, kill after {delay:.2f}s (seed {RNG_SEED}), {lines[-1:]}"
        assert _integrity(lib_path) == "ok", context
        assert _schema(lib_path) == schema, context
        assert after in (before, before + 3000), context
        if any(line.startswith("imported") for line in lines):
            assert after == before + 3000, context
        killed_mid += running and after == before
        before = after
    assert killed_mid >= 1
    with Library.open(lib_path) as lib:  # still a working library: search and write
        assert lib.search_ids("small") != []
        lib.tag(lib.search_ids()[0], 0, 10, "aim")


# -- a kill during a burst of tagging ---------------------------------------------------------

TAG_WORKER = """
    import sys
    from litdesk.core.model import LABELS
    from litdesk.store.library import Library
    lib = Library.open(sys.argv[1], coder=sys.argv[2])
    ids = lib.search_ids()
    print("ready", flush=True)
    for k in range(40):
        for rid in ids:
            start = 7 * k
            label = LABELS[(rid + k) % len(LABELS)]
            lib.tag(rid, start, start + 5, label)
            print(rid, start, start + 5, label, flush=True)
"""


def test_kill_during_tagging_keeps_every_acknowledged_span(tmp_path):
    lib_path, rng = tmp_path / "lib.sqlite", _rng("tag")
    with Library.open(lib_path) as lib:
        import_file(lib, _write_ris(tmp_path / "some.ris", 30))
    for run in range(RUNS):
        coder = f"coder{run}"
        proc = _start(TAG_WORKER, str(lib_path), coder)
        delay = rng.uniform(0.3, 1.5)
        lines, running = _kill(proc, delay)
        assert running, "the burst ended before the kill: make it longer"
        assert lines, "nothing was acknowledged before the kill"
        assert _integrity(lib_path) == "ok"
        with Library.open(lib_path, coder=coder) as lib:
            stored = {(rid, s.start, s.end, s.label)
                      for rid in lib.search_ids() for s in lib.spans(rid)}
        acked = {(int(r), int(a), int(b), label)
                 for r, a, b, label in (line.split() for line in lines)}
        assert {label for *_, label in acked} <= set(LABELS)
        missing = acked - stored
        assert not missing, f"run {run}, kill after {delay:.2f}s (seed {RNG_SEED}): {missing}"


# -- a kill during an export ------------------------------------------------------------------

EXPORT_WORKER = """
    import sys
    from litdesk.core.export import export_to_path
    from litdesk.store.library import Library
    lib = Library.open(sys.argv[1], read_only=True)
    ids = lib.search_ids()
    print("ready", flush=True)
    while True:
        export_to_path("ris", lib.records(ids), sys.argv[2])
        print("exported", flush=True)
"""


EXPORTED = 1500  # records: each export takes a good part of a second


def _parts(folder: Path, target: Path) -> list[Path]:
    """The temporary files export_to_path writes beside its target (".<name>.*.part")."""
    return [p for p in folder.iterdir()
            if p.name.startswith(f".{target.name}.") and p.name.endswith(".part")]


def test_kill_during_export_leaves_previous_or_complete_file(tmp_path):
    lib_path, rng = tmp_path / "lib.sqlite", _rng("export")
    with Library.open(lib_path) as lib:
        import_file(lib, _write_ris(tmp_path / "many.ris", EXPORTED))
        reference = tmp_path / "reference.ris"
        export_to_path("ris", lib.records(lib.search_ids()), reference)
    complete = reference.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "export.ris"
    target.unlink(missing_ok=True)  # the first export goes into a new file
    written = False  # whether an export has completed: from then on the file never goes away
    for run in range(RUNS + 1):
        proc = _start(EXPORT_WORKER, str(lib_path), str(target))
        delay = rng.uniform(0.05, 0.8)
        lines, running = _kill(proc, delay)
        assert running
        context = f"run {run}, kill after {delay:.2f}s (seed {RNG_SEED})"
        if target.exists():
            assert target.read_bytes() == complete, context
            written = True
        else:
            # On a slow machine the first few exports may all be killed before they finish.
            assert not written, context
            assert not lines, context
        # SIGKILL leaves export_to_path no chance to delete its temporary file: at most the
        # one being written, named like the documented ".<name>.XXXX.part", may be left.
        others = {p for p in out.iterdir() if p != target}
        assert others <= set(_parts(out, target)), context
    # A later export is not disturbed by leftovers, and importing one (say a user drops it
    # on the window) is an ordinary import of a cut-off file: no crash, no exception.
    with Library.open(lib_path) as lib:
        assert export_to_path("ris", lib.records(lib.search_ids()), target) == EXPORTED
    assert target.read_bytes() == complete
    leftovers = sorted(_parts(out, target), key=lambda p: p.stat().st_size)
    if leftovers:
        with Library.open(tmp_path / "other.sqlite") as other:
            summary = import_file(other, leftovers[0])
            assert summary.ok or summary.error
    print(f"{len(leftovers)} .part files left by {RUNS + 1} kills during export")


# -- hostile environments ---------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path) -> Path:
    lib_path = tmp_path / "lib.sqlite"
    with Library.open(lib_path, coder="ana") as lib:
        import_file(lib, _write_ris(tmp_path / "five.ris", 5))
        lib.tag(lib.search_ids()[0], 0, 10, "aim")
    return lib_path


def _writes(lib: Library, tmp_path: Path) -> list[tuple[str, object]]:
    rid = lib.search_ids()[0]
    return [
        ("tag", lambda: lib.tag(rid, 20, 30, "method")),
        ("memo", lambda: lib.set_memo(rid, "x")),
        ("done", lambda: lib.set_done(rid, True)),
        ("delete", lambda: lib.delete_records([rid])),
        ("import", lambda: import_file(lib, _write_ris(tmp_path / "more.ris", 2, "more"))),
    ]


def test_forced_read_only_library_reads_and_refuses_writes(filled, tmp_path):
    before = filled.read_bytes()
    with Library.open(filled, coder="ana", read_only=True) as lib:
        assert lib.read_only
        assert lib.count() == 5
        assert [s.label for s in lib.spans(lib.search_ids()[0])] == ["aim"]
        assert lib.integrity_ok()
        for name, write in _writes(lib, tmp_path):
            with pytest.raises(LibraryError, match="read-only") as caught:
                write()  # type: ignore[operator]
            assert "Traceback" not in str(caught.value), name
    assert filled.read_bytes() == before
    assert not (filled.parent / "backups").exists() or len(
        list((filled.parent / "backups").iterdir())) == 1  # only the one made when it was filled


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a chmod 0444 file anyway")
def test_unwritable_library_opens_read_only(filled, tmp_path):
    filled.chmod(0o444)
    try:
        with Library.open(filled, coder="ana") as lib:
            assert lib.read_only
            assert lib.count() == 5
            with pytest.raises(LibraryError, match="read-only"):
                lib.tag(lib.search_ids()[0], 20, 30, "method")
    finally:
        filled.chmod(0o644)


def test_library_locked_by_another_program_gives_a_message(filled):
    with Library.open(filled, coder="ana", busy_timeout_ms=200) as lib:
        rid = lib.search_ids()[0]
        other = sqlite3.connect(filled, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            with pytest.raises(LibraryError, match="in use by another program") as caught:
                lib.tag(rid, 20, 30, "method")
            assert time.monotonic() - started < 5
            assert isinstance(caught.value.__cause__, Exception)
            # Reading never waits for the other program's write lock (WAL, deferred BEGIN).
            with Library.open(filled, busy_timeout_ms=100) as reader:
                assert reader.search_ids() == lib.search_ids()
                with pytest.raises(LibraryError, match="in use by another program"):
                    reader.set_memo(rid, "blocked")
        finally:
            other.rollback()
            other.close()
        lib.tag(rid, 20, 30, "method")  # works again once the other program lets go
        assert [s.label for s in lib.spans(rid)] == ["aim", "method"]
