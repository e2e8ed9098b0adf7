"""The CLI's learn command: fit the library's own section model, or reset it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from litdesk.cli.output import fail as _fail
from litdesk.cli.output import print_json
from litdesk.store.errors import LibraryError

if TYPE_CHECKING:
    from litdesk.store.library import Library


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The sub-command's parser."""
    ln = sub.add_parser(
        "learn", help="learn the library's own section model from its coding",
        description="Adapt the built-in section model to the abstracts without headings "
                    "that coders marked done (or accepted suggestions on), and print its "
                    "cross-validated score against the built-in model on them. The learned "
                    "model is stored in the library (shared by a team) and suggests sections "
                    "(suggest --model, the app) only while it scores at least as well.")
    shown = ln.add_mutually_exclusive_group()
    shown.add_argument("--reset", action="store_true",
                       help="drop the learned model: suggest from the built-in one again")
    shown.add_argument("--json", action="store_true", help="print the scores as JSON")


def _learn(lib: Library, args: argparse.Namespace) -> int:
    try:
        if args.reset:
            dropped = lib.learning.reset()
            print("the library's section model was reset: sections are suggested by the "
                  "built-in model" if dropped else
                  "the library had no learned section model: the built-in one is in use")
            return 0

        def progress(done: int, total: int) -> None:
            print(f"learning: {done}/{total}", file=sys.stderr, flush=True)

        report = lib.learning.learn(progress=progress)
    except (LibraryError, ValueError) as e:
        return _fail(f"{lib.path}: {e}")
    if args.json:
        print_json(report.as_json() | {"used": report.better})
    else:
        print(report.summary())
        print(f"  built-in: {report.base.per_label()}")
        print(f"  library:  {report.adapted.per_label()}")
    return 0


HANDLERS = {"learn": _learn}
