"""Where litdesk keeps its files: the default library, logs (platformdirs)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "litdesk"
LIBRARY_FILE = "library.litdesk.sqlite"


def data_dir() -> Path:
    return platformdirs.user_data_path(APP, appauthor=False)


def log_dir() -> Path:
    return platformdirs.user_log_path(APP, appauthor=False)


def default_library_path() -> Path:
    """The library opened when none is named: in the user's data folder."""
    return data_dir() / LIBRARY_FILE
