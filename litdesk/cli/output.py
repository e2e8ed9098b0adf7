"""What the CLI's commands print: JSON on standard output."""

from __future__ import annotations

import json
import sys


def print_json(data: object) -> None:
    """Write ``data`` to stdout as indented JSON (non-ASCII kept as is), one trailing newline."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
