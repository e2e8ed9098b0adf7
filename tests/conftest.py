"""Shared fixtures: real libraries in temporary folders, isolated Qt settings, the seed."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_baa27484dd0224d6.txt"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "ris"

SEED_TITLE = (
    "A qualitative interview study of GPs’ experiences of prescribing opioid medication for "
    "chronic pain"
)


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "library.litdesk.sqlite"


@pytest.fixture
def library(lib_path: Path):
    from litdesk.store.library import Library

    lib = Library.open(lib_path, coder="tester")
    yield lib
    lib.close()


@pytest.fixture
def settings(tmp_path: Path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def write_ris(path: Path, records: list[dict[str, object]]) -> Path:
    """Write a small RIS file: each record is {tag: value or list of values}."""
    lines = []
    for rec in records:
        for tag, value in rec.items():
            for v in value if isinstance(value, list) else [value]:
                lines.append(f"{tag}  - {v}")
        lines.append("ER  - ")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def make_ris(tmp_path: Path):
    """Factory writing a RIS file into tmp_path: make_ris("name.ris", [{"TY": "JOUR", ...}])."""

    def make(name: str, records: list[dict[str, object]]) -> Path:
        return write_ris(tmp_path / name, records)

    return make


@pytest.fixture
def seed() -> Path:
    return SEED


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared RIS corpus is not beside this checkout ({CORPUS})")
    return CORPUS


ABSTRACTS = SHARED / "corpus" / "abstracts" / "abstracts.jsonl"
_NLM = {"BACKGROUND": "background", "OBJECTIVE": "aim", "METHODS": "method",
        "RESULTS": "results", "CONCLUSIONS": "conclusion"}


def bare_abstracts(source: str, n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The first ``n`` real structured abstracts of corpus ``source`` with their headings
    removed, and the sections as a coder would code them (as the section model was trained)."""
    if not ABSTRACTS.is_file():
        pytest.skip(f"the shared abstracts corpus is not beside this checkout ({ABSTRACTS})")
    out = []
    with ABSTRACTS.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["source_repo"] != source:
                continue
            text, spans = "", []
            for heading, category, start, end in row["sections"]:
                body = row["text"][start:end]
                body = body[len(heading):] if body.startswith(heading) else body
                body = body.lstrip(" :.-\t\n").strip()
                if category not in _NLM or not body:
                    continue
                text += " " if text else ""
                spans.append((len(text), len(text) + len(body), _NLM[category]))
                text += body
            if len(spans) >= 3:
                out.append((text, spans))
            if len(out) == n:
                break
    return out


def installed_cli() -> str:
    """The installed ``litdesk-cli`` console script of the interpreter running the tests."""
    import shutil
    import sys

    here = Path(sys.executable).parent / "litdesk-cli"
    found = str(here) if here.exists() else shutil.which("litdesk-cli")
    if not found:
        pytest.skip("litdesk is not installed (pip install -e .): no litdesk-cli command")
    return found


@pytest.fixture
def cli():
    """``cli(*args, input=None, cwd=None)``: run the installed command as a user would."""
    import subprocess

    exe = installed_cli()

    def run(*args: str, input: str | None = None, cwd: Path | None = None,
            timeout: float = 120, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], capture_output=True, text=True, input=input,
                              cwd=cwd, timeout=timeout, env=env)

    return run


@pytest.fixture
def cli_exe() -> str:
    """The installed ``litdesk-cli`` command, for a test that starts it itself (to kill it)."""
    return installed_cli()


@pytest.fixture
def device(tmp_path: Path):
    """``device("full")`` or ``device("null")``: a character device to write to.

    As root, a private node in ``tmp_path`` (the same kernel device): a bug that replaced its
    destination (root may rename over anything in /dev) then harms no device of the machine.
    Otherwise the system's, which a user cannot replace.
    """
    numbers = {"full": (1, 7), "null": (1, 3)}

    def make(name: str) -> Path:
        system = Path("/dev") / name
        if not system.exists():
            pytest.skip(f"no {system} here")
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return system
        node = tmp_path / f"dev-{name}"
        try:
            os.mknod(node, 0o666 | 0o020000, os.makedev(*numbers[name]))  # S_IFCHR
        except OSError as e:
            pytest.skip(f"cannot make a private {name} device node as root: {e}")
        return node

    return make
