"""Finding litdesk's resource files (icons, style sheet, desktop entry, MIME type).

The top-level ``resources/`` folder is installed as the package ``litdesk.resources`` (see
pyproject.toml), so one lookup works from an installed wheel, an editable install and a
PyInstaller bundle (which collects that package); a source tree that was never installed
falls back to the folder itself.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path


def resource_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "litdesk" / "resources"
    try:
        root = resources.files("litdesk.resources")
        path = Path(str(root))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[1] / "resources"


def resource(name: str) -> Path:
    """Path of a resource file; FileNotFoundError names it when it is missing."""
    path = resource_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"litdesk resource missing: {path}")
    return path
