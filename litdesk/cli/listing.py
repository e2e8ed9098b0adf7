"""The CLI's list and coders commands, which run on a glance at a library file when they can
(`litdesk.store.glance`: no SQLAlchemy), else on the opened library."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from litdesk.cli.output import print_json
from litdesk.core.words import counted

if TYPE_CHECKING:
    from litdesk.store.library import Library
    from litdesk.store.rows import CoderStatus, RowSummary


def glance(path: Path, args: argparse.Namespace) -> int | None:
    """Run ``list`` or ``coders`` on a glance at the library file (no SQLAlchemy: see
    `litdesk.store.glance`) when the command needs no more; None when the library must open."""
    if args.command == "list" and (args.json or args.search or args.all_coders):
        return None
    from litdesk.store.glance import Glance
    from litdesk.store.stamps import default_coder

    quick = Glance.open(path, args.coder or default_coder())
    if quick is None:
        return None
    with quick:
        if args.command == "list":
            print_rows(quick.rows())
            return 0
        return print_coders(quick.coders(), quick.status_by_coder)


def list_records(lib: Library, args: argparse.Namespace) -> int:
    """``list`` on the opened library (a search, JSON or every coder's status need it)."""
    from litdesk.core.export import record_to_json
    from litdesk.store import coders

    ids = lib.search_ids(args.search)
    if args.json:
        records = coders.export_records(lib, ids, all_coders=True) if args.all_coders else (
            lib.records(ids))
        print_json([record_to_json(r) for r in records])
        return 0
    statuses = lib.coding.status_by_coder(ids) if args.all_coders else None
    print_rows(lib.rows(ids), statuses)
    return 0


def print_rows(rows: Sequence[RowSummary],
               statuses: dict[int, dict[str, CoderStatus]] | None = None) -> None:
    """The lines of ``list``: with ``statuses``, every coder's progress instead of the status."""
    for row in rows:
        year = row.year or "n.d."
        status = str(row.status)
        if statuses is not None:
            status = ", ".join(f"{name}: {'done' if st.done else counted(st.sections, 'section')}"
                               for name, st in sorted(statuses.get(row.id, {}).items()))
        print(f"{row.id:>6}  {row.authors[:24]:<24} {year!s:>5}  {row.title[:70]}  [{status}]")


def coders(lib: Library, args: argparse.Namespace) -> int:
    """``coders`` on the opened library."""
    return print_coders(lib.coding.coders(),
                        lambda: lib.coding.status_by_coder(lib.search_ids()))


def print_coders(names: list[str],
                 statuses_of: Callable[[], dict[int, dict[str, CoderStatus]]]) -> int:
    """The table of ``coders``: each coder's records partly coded, coded and done."""
    if not names:
        print("nobody has coded anything in this library yet")
        return 0
    from litdesk.core.status import Status, status_of

    statuses = statuses_of()
    # The status words of core.status (suggestions aside: they are no one's coding).
    print(f"{'coder':<24} {Status.PARTLY_CODED:>12} {Status.CODED:>7} {'done':>7}")
    for name in names:
        mine = [by[name] for by in statuses.values() if name in by]
        counted = [status_of(st.sections, st.done, False, "") for st in mine]
        partly, coded = counted.count(Status.PARTLY_CODED), counted.count(Status.CODED)
        done = sum(1 for st in mine if st.done)
        print(f"{name[:24]:<24} {partly:>12} {coded:>7} {done:>7}")
    return 0
