"""The PyInstaller app: build packaging/pyinstaller/litdesk.spec and run what it built.

Takes about half a minute on two cores (plus a first PyInstaller cache warm-up); marked
``bundle`` so it can be left out with ``-m "not bundle"``. Skips when PyInstaller is not
installed (``pip install pyinstaller``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from litdesk import __version__

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "pyinstaller" / "litdesk.spec"
SEED = REPO / "seeds" / "000_baa27484dd0224d6.txt"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller is not installed (pip install pyinstaller)"),
]


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)],
        capture_output=True, text=True, timeout=1800, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr[-4000:]
    print(f"PyInstaller build took {time.monotonic() - started:.0f} s")
    return work / "dist" / "litdesk"


def _run(exe: Path, *args: str, tmp_path: Path,
         extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(extra or {}))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120,
                          check=False, env=env, cwd=tmp_path)


def test_version(app_dir: Path, tmp_path: Path) -> None:
    done = _run(app_dir / "litdesk", "--version", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"litdesk {__version__}"


def test_headless_import(app_dir: Path, tmp_path: Path) -> None:
    library = tmp_path / "tmp.sqlite"
    done = _run(app_dir / "litdesk", "--library", str(library), "import", str(SEED),
                tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    listed = _run(app_dir / "litdesk-cli", "--library", str(library), "list", "--json",
                  tmp_path=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert '"year": 2022' in listed.stdout


def test_window_opens(app_dir: Path, tmp_path: Path) -> None:
    library = tmp_path / "gui.sqlite"
    # The app asks before it creates a library at a path that does not exist (issue 15), so
    # the library is made first, as a user's first import makes it.
    made = _run(app_dir / "litdesk-cli", "--library", str(library), "import", str(SEED),
                tmp_path=tmp_path)
    assert made.returncode == 0, made.stderr
    done = _run(app_dir / "litdesk", "--library", str(library), "--coder", "t",
                tmp_path=tmp_path, extra={"LITDESK_EXIT_AFTER_SHOWN": str(time.time())})
    assert done.returncode == 0, done.stderr
    assert "litdesk-shown" in done.stdout
    assert "litdesk resource missing" not in done.stderr


def test_bundle_has_the_wheels_resources(app_dir: Path) -> None:
    import tomllib

    with (REPO / "pyproject.toml").open("rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["litdesk.resources"]
    source = REPO / "resources"
    bundled = app_dir / "_internal" / "litdesk" / "resources"
    expected = {p.relative_to(source) for pat in patterns for p in source.glob(pat) if p.is_file()}
    assert expected
    missing = [str(p) for p in sorted(expected) if not (bundled / p).is_file()]
    assert not missing
    for migration in (REPO / "litdesk" / "store" / "migrations").rglob("*"):
        if migration.is_file() and "__pycache__" not in migration.parts:
            rel = migration.relative_to(REPO)
            assert (app_dir / "_internal" / rel).is_file(), rel
