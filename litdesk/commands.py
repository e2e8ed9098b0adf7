"""The headless commands of the CLI (import, list, export, suggest, tag, untag, done)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from litdesk.cli import library_path, print_json
from litdesk.core.spans import SpanError
from litdesk.store.library import Library, LibraryError


def run(args: argparse.Namespace) -> int:
    if args.command == "install-desktop":
        from litdesk import desktop

        return desktop.main(uninstall=args.uninstall)
    handler: Callable[[Library, argparse.Namespace], int] = HANDLERS[args.command]
    if args.coder is not None and not args.coder.strip():
        return _fail("the coder name must not be empty")
    try:
        lib = Library.open(library_path(args.library), coder=args.coder)
    except LibraryError as e:
        return _fail(str(e))
    try:
        return handler(lib, args)
    except LibraryError as e:
        return _fail(str(e))
    finally:
        lib.close()


def _fail(message: str) -> int:
    print(f"litdesk: {message}", file=sys.stderr)
    return 1


def _selected_ids(lib: Library, args: argparse.Namespace) -> list[int]:
    if getattr(args, "ids", None):
        return list(args.ids)
    if getattr(args, "search", None):
        return lib.search_ids(args.search)
    return lib.search_ids()


def _import(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.store.importer import import_file

    status = 0
    for path in args.files:
        summary = import_file(lib, path, allow_duplicates=args.allow_duplicates)
        print(summary.line())
        for line in summary.details():
            print(f"  {line}", file=sys.stderr)
        if summary.error:
            status = 1
    return status


def _list(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.export import record_to_json

    ids = lib.search_ids(args.search)
    if args.json:
        print_json([record_to_json(r) for r in lib.records(ids)])
        return 0
    for row in lib.rows(ids):
        year = row.year or "n.d."
        print(f"{row.id:>6}  {row.authors[:24]:<24} {year!s:>5}  {row.title[:70]}  [{row.status}]")
    return 0


def _export(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.export import ExportError, export_to_path

    ids = _selected_ids(lib, args)
    missing = set(ids) - set(r.id for r in lib.rows(ids))
    if missing:
        return _fail(f"no record with id {', '.join(map(str, sorted(missing)))}")
    try:
        n = export_to_path(args.format, lib.records(ids), args.output)
    except ExportError as e:
        return _fail(str(e))
    print(f"{n} records written to {args.output}")
    return 0


def _suggest(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.model import Span
    from litdesk.core.sections import suggest_sections

    for rec in lib.records(_selected_ids(lib, args)):
        found = suggest_sections(rec.abstract)
        for start, end, label in found:
            print(f"{rec.id}\t{start}\t{end}\t{label}\t{rec.abstract[start:end][:60]}")
        if args.apply and found and not rec.spans:
            assert rec.id is not None
            lib.set_spans(rec.id, [Span(s, e, lab) for s, e, lab in found])
            lib.set_suggestion_state(rec.id, "accepted")
    return 0


def _tag(lib: Library, args: argparse.Namespace) -> int:
    try:
        spans = lib.tag(args.id, args.start, args.end, args.label)
    except KeyError:
        return _fail(f"no record with id {args.id}")
    except SpanError as e:
        return _fail(str(e))
    print(f"record {args.id}: {len(spans)} spans")
    return 0


def _untag(lib: Library, args: argparse.Namespace) -> int:
    try:
        spans = lib.untag(args.id, args.start, args.end)
    except KeyError:
        return _fail(f"no record with id {args.id}")
    except SpanError as e:
        return _fail(str(e))
    print(f"record {args.id}: {len(spans)} spans")
    return 0


def _done(lib: Library, args: argparse.Namespace) -> int:
    missing = set(args.ids) - set(r.id for r in lib.rows(args.ids))
    if missing:
        return _fail(f"no record with id {', '.join(map(str, sorted(missing)))}")
    for rid in args.ids:
        lib.set_done(rid, not args.undo)
    return 0


HANDLERS: dict[str, Callable[[Library, argparse.Namespace], int]] = {
    "import": _import,
    "list": _list,
    "export": _export,
    "suggest": _suggest,
    "tag": _tag,
    "untag": _untag,
    "done": _done,
}
