"""The CLI's duplicate commands: duplicates, merge, keep-both, unmerge, counts."""

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
    """The sub-commands' parsers."""
    dp = sub.add_parser("duplicates", help="list the possible duplicates awaiting a decision")
    dp.add_argument("--json", action="store_true", help="print the pairs and evidence as JSON")
    dp.add_argument("--all", action="store_true", help="decided pairs too (kept both)")
    mg = sub.add_parser("merge", help="merge record OTHER into record KEEP (undo: unmerge)")
    mg.add_argument("keep", type=int, metavar="KEEP")
    mg.add_argument("other", type=int, metavar="OTHER")
    kb = sub.add_parser("keep-both", help="remember that two records are different papers")
    kb.add_argument("a", type=int, metavar="ID")
    kb.add_argument("b", type=int, metavar="ID")
    um = sub.add_parser("unmerge", help="undo the latest merge (or the one with --log ID)")
    um.add_argument("--log", type=int, metavar="ID", help="a merge's id from 'merges'")
    sub.add_parser("merges", help="the merges made, newest first (ids for unmerge --log)")
    ct = sub.add_parser("counts", help="the PRISMA counts: records read, duplicates removed, "
                                       "possible duplicates flagged, added")
    shown = ct.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the counts as JSON")
    shown.add_argument("--csv", action="store_true",
                       help="print the counts as CSV (count,value rows) for a PRISMA table")
    ct.add_argument("--prisma", action="store_true",
                    help="the PRISMA 2020 identification and screening counts instead: "
                         "records per file, duplicates removed, screened, excluded by "
                         "reason, included")
    ct.add_argument("-o", "--output", metavar="FILE",
                    help="write the CSV to FILE instead (never over the library's own files)")
    ct.add_argument("--diagram", metavar="FILE",
                    help="draw the PRISMA 2020 flow diagram (identification and screening) to "
                         "FILE: SVG, or PNG when FILE ends in .png ('-': SVG on standard output)")


def duplicates(lib: Library, args: argparse.Namespace) -> int:
    found = lib.duplicates.pairs(everything=args.all)
    if args.json:
        print_json([p.as_json() for p in found])
        return 0
    for p in found:
        print(f"pair {p.id} [{p.decision}]: {p.a.id} / {p.b.id}: {p.reason}")
        for rec in (p.a, p.b):
            print(f"  {rec.id:>6}  {rec.year or 'n.d.'}  {rec.title[:90]}")
    if not found:
        print("no possible duplicates awaiting a decision")
    return 0


def merge(lib: Library, args: argparse.Namespace) -> int:
    try:
        log_id = lib.duplicates.merge(args.keep, args.other)
    except KeyError as e:
        return _fail(f"no record with id {e.args[0]}")
    except ValueError as e:
        return _fail(str(e))
    print(f"record {args.other} merged into record {args.keep} (merge {log_id}; "
          "'litdesk unmerge' undoes it)")
    return 0


def keep_both(lib: Library, args: argparse.Namespace) -> int:
    try:
        lib.duplicates.keep_both(args.a, args.b)
    except KeyError as e:
        return _fail(f"no record with id {e.args[0]}")
    except ValueError as e:
        return _fail(str(e))
    print(f"records {args.a} and {args.b} kept as different papers")
    return 0


def unmerge(lib: Library, args: argparse.Namespace) -> int:
    try:
        kept, removed = lib.duplicates.unmerge(args.log)
    except KeyError:
        return _fail("no merge to undo" if args.log is None else f"no merge {args.log} to undo")
    except LibraryError as e:
        return _fail(str(e))
    print(f"merge undone: records {kept} and {removed} are back as they were")
    return 0


def merges(lib: Library, args: argparse.Namespace) -> int:
    for log_id, kept, removed, when, coder in lib.duplicates.merges():
        print(f"merge {log_id}: record {removed} into {kept}, {when} by {coder}")
    return 0


def counts(lib: Library, args: argparse.Namespace) -> int:
    if args.diagram:
        return _diagram(lib, args.diagram)
    if args.prisma:
        flow = lib.screening.prisma()
        if args.csv or args.output:
            return _counts_csv(lib, flow, args.output or "-")
        if args.json:
            print_json(flow)
        else:
            for name, value in flow.items():
                print(f"{name}: {value:,}")
        return 0
    c = lib.duplicates.counts()
    if args.csv or args.output:
        return _counts_csv(lib, c.as_json(), args.output or "-")
    if args.json:
        print_json(c.as_json())
        return 0
    for line in c.lines():
        print(line)
    return 0


def _counts_csv(lib: Library, counts: dict[str, int], destination: str) -> int:
    from litdesk.core.export import ExportError, write_counts_csv, write_to

    sys.stdout.flush()
    try:  # the export's guards: never over the library, its journal or backups
        write_to(destination, lambda out: write_counts_csv(counts, out), refuse=lib.own_file)
    except ExportError as e:
        return _fail(str(e))
    if destination != "-":
        print(f"PRISMA counts written to {destination}")
    return 0


def _diagram(lib: Library, destination: str) -> int:
    from litdesk.core.export import ExportError

    render = None
    if destination.lower().endswith(".png"):
        from litdesk.ui.views.prisma_png import svg_to_png  # Qt draws it (offscreen, no window)

        render = svg_to_png
    sys.stdout.flush()
    try:
        lib.files.export_diagram(destination, render)
    except (ExportError, ValueError) as e:  # refused or unwritable; a PNG Qt could not draw
        return _fail(str(e))
    if destination != "-":
        print(f"PRISMA flow diagram written to {destination}")
    return 0


HANDLERS = {"duplicates": duplicates, "merge": merge, "keep-both": keep_both,
            "unmerge": unmerge, "merges": merges, "counts": counts}
