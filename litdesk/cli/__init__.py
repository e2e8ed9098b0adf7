"""The command line: the parser (`main`), the headless commands, their output. Beside the UI,
never inside it: it reaches the library only through the store's facade."""

from __future__ import annotations

from litdesk.cli.main import main as main
