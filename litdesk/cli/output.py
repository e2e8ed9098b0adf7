"""What the CLI's commands print: JSON on standard output, failures on standard error."""

from __future__ import annotations

import json
import logging
import sys

log = logging.getLogger("litdesk.cli")


def print_json(data: object) -> None:
    """Write ``data`` to stdout as indented JSON (non-ASCII kept as is), one trailing newline."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def fail(message: str) -> int:
    """Say why a command failed (standard error and the log); the exit status, 1."""
    log.warning("%s", message)
    print(f"litdesk: {message}", file=sys.stderr)
    return 1
