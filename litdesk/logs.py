"""Logging to a rotating file in the user's log folder (import/export summaries, errors)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from litdesk.paths import log_dir


def setup(folder: Path | None = None) -> Path | None:
    """Log to ``litdesk.log`` in ``folder`` (default: the user log folder); its path."""
    folder = folder or log_dir()
    root = logging.getLogger("litdesk")
    target = str(folder / "litdesk.log")
    for h in root.handlers:  # set up once per process and folder
        if isinstance(h, logging.FileHandler) and h.baseFilename == target:
            return folder / "litdesk.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "litdesk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None  # an unwritable log folder must not stop the app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return folder / "litdesk.log"
