"""What `pip install .` puts in the wheel: every litdesk package and data file the code uses."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]


def test_every_package_folder_is_listed_for_the_wheel():
    """A package missing from the list is missing from an installed app (an ImportError at
    start) while an editable install and the tests still find it."""
    listed = set(_setuptools()["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts)
             for p in (REPO / "litdesk").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_every_data_file_of_core_is_listed_for_the_wheel():
    patterns = _setuptools()["package-data"]["litdesk.core"]
    data = [p for p in (REPO / "litdesk" / "core").iterdir()
            if p.is_file() and p.suffix not in (".py", ".pyc")]
    missing = [p.name for p in data if not any(p.match(pattern) for pattern in patterns)]
    assert missing == [], "add these to [tool.setuptools.package-data] litdesk.core"
