"""Creating a library is atomic: ``litdesk --library NEW import big.ris`` killed with SIGKILL
at any moment of the creation leaves nothing at NEW, or a valid library; every later command
works on the path, and what the killed process left beside it is cleaned up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]

RECORDS = 1500
#: Moments of creation at which the process kills itself (litdesk.store.creation.KILL_AT_ENV).
STAGES = ["start", "connected", "built", "complete", "placed"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ris") / "big.ris"
    with path.open("w", encoding="utf-8") as f:
        for i in range(RECORDS):
            f.write(f"TY  - JOUR\nTI  - Killed creation study {i}\nAU  - Surname{i}, Given\n"
                    f"PY  - {1990 + i % 30}\nDO  - 10.5555/create.{i}\nJO  - Journal of Tests\n"
                    f"AB  - Background: topic {i} matters. Methods: we asked {i % 40} people. "
                    "Results: themes. Conclusion: more work is needed.\nER  - \n\n")
    return path


def _records(cli, lib: Path) -> int:
    out = cli("--library", str(lib), "list", "--json")
    assert out.returncode == 0, out.stderr
    return len(json.loads(out.stdout))


def _after_the_kill(cli, lib: Path, big: Path) -> None:
    """Whatever the kill left, the path works: read it if it is there, import, read again."""
    if lib.exists():
        assert _records(cli, lib) in (0, RECORDS)  # a valid library: empty, or all imported
    else:
        listed = cli("--library", str(lib), "list")
        assert listed.returncode == 1
        assert "There is no library at" in listed.stderr
        assert not lib.exists()
    again = cli("--library", str(lib), "import", str(big))
    assert again.returncode == 0, again.stderr
    assert _records(cli, lib) == RECORDS
    leftovers = [p.name for p in lib.parent.iterdir() if ".creating-" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("stage", STAGES)
def test_creation_killed_at_each_stage(cli, tmp_path, big, stage):
    lib = tmp_path / "NEW.sqlite"
    env = dict(os.environ, LITDESK_TEST_KILL_AT=stage)
    killed = cli("--library", str(lib), "import", str(big), env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if stage == "placed":
        assert lib.exists()  # moved into place whole: a valid, empty library
        assert _records(cli, lib) == 0
    else:
        assert not lib.exists()
    _after_the_kill(cli, lib, big)


@pytest.mark.parametrize("delay_ms", [0, 3, 10, 30, 100])
def test_creation_killed_after_its_first_file_appears(cli, cli_exe, tmp_path, big, delay_ms):
    # No hook: a real kill, timed from the moment the first file of the new library shows in
    # its folder (the temporary file, or with older code the library itself).
    folder = tmp_path / "libs"
    folder.mkdir()
    lib = folder / "NEW.sqlite"
    proc = subprocess.Popen([cli_exe, "--library", str(lib), "import", str(big)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not os.listdir(folder) and proc.poll() is None:
        assert time.monotonic() < deadline, "no file of the new library ever appeared"
        time.sleep(0.0005)
    time.sleep(delay_ms / 1000)  # the moment of the kill is the point of the test
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=60)
    _after_the_kill(cli, lib, big)


@pytest.mark.parametrize("after_ms", range(200, 1400, 300))
def test_creation_killed_after_a_fixed_time(cli, cli_exe, tmp_path, big, after_ms):
    lib = tmp_path / "NEW.sqlite"
    proc = subprocess.Popen([cli_exe, "--library", str(lib), "import", str(big)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(after_ms / 1000)
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=60)
    _after_the_kill(cli, lib, big)
