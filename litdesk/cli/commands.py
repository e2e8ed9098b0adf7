"""The headless commands of the CLI (import, list, export, suggest, tag, done, agreement...)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

from litdesk.cli import listing
from litdesk.cli.output import fail as _fail
from litdesk.cli.output import print_json
from litdesk.core.spans import SpanError
from litdesk.core.words import counted
from litdesk.store.errors import LibraryError, LibraryMissing
from litdesk.store.location import Location

if TYPE_CHECKING:
    from litdesk.core.agreement import Agreement
    from litdesk.store.library import Library


log = logging.getLogger("litdesk.cli")


def run(args: argparse.Namespace) -> int:
    from litdesk import logs

    logs.setup()
    if args.command == "install-desktop":
        from litdesk import desktop

        return desktop.main(uninstall=args.uninstall)
    if args.command == "copy-library":
        return _copy_library(args)
    handler: Callable[[Library, argparse.Namespace], int] = HANDLERS[args.command]
    if getattr(args, "search", None):
        from litdesk.core.query import parse

        problems = parse(args.search).problems
        if problems:  # a script must not act on a guess: nothing is listed or written
            return _fail(f"the search {args.search!r} was not understood: "
                         + "; ".join(problems))
    if args.coder is not None and not args.coder.strip():
        return _fail("the coder name must not be empty")
    location: Location | None = None
    try:
        location = library_location(args.library)
        if args.command in GLANCES and location.path is not None:
            quick = listing.glance(location.path, args)
            if quick is not None:
                return quick
        lib = open_library(location, args.coder, create=args.command in CREATES)
    except LibraryError as e:
        shown = location.display if location is not None and args.library else None
        return _fail(_with_hint(e, shown))
    try:
        if args.command in NEED_STATUS and not lib.read_only:
            lib.suggestions.check_pending()  # imports leave the "suggested" flags to be worked out
        return handler(lib, args)
    except LibraryError as e:
        return _fail(str(e))
    finally:
        lib.close()


def library_location(arg: str | None) -> Location:
    """The library named on the command line (a file or a server address), or the default."""
    from litdesk.paths import default_library_path

    return Location.parse(arg) if arg is not None else Location(path=default_library_path())


def open_library(location: Location, coder: str | None, *, create: bool) -> Library:
    """Open a library; for a server that wants a password, ask for it on the terminal.

    ``create``: make a new library when there is none at ``location`` (else LibraryMissing).
    """
    from litdesk.store.errors import PasswordNeeded
    from litdesk.store.library import Library

    try:
        return Library.open(location, coder=coder, create=create)
    except PasswordNeeded as e:
        if not sys.stdin.isatty():
            raise LibraryError(f"{e} Set PGPASSWORD or use ~/.pgpass.") from None
        import getpass

        password = getpass.getpass(f"Password for {location.display}: ")
        return Library.open(location, coder=coder, create=create, password=password)


def _with_hint(error: LibraryError, arg: str | None) -> str:
    """The error, and for a library that is not there, how to start one on purpose (``arg``:
    the library as shown, never with a password)."""
    if not isinstance(error, LibraryMissing):
        return str(error)
    named = f" --library {arg}" if arg is not None else ""
    return f"{error} To start a new library there, import into it: litdesk{named} import FILE"


def _copy_library(args: argparse.Namespace) -> int:
    from litdesk.store.copy import copy_library

    try:
        src = open_library(library_location(args.source), args.coder, create=False)
    except LibraryError as e:
        return _fail(str(e))
    try:
        dest = open_library(library_location(args.dest), args.coder, create=True)
    except LibraryError as e:
        src.close()
        return _fail(str(e))
    try:
        report = copy_library(src, dest, merge=args.merge)
    except (LibraryError, ValueError) as e:
        return _fail(str(e))
    finally:
        src.close()
        dest.close()
    for line in report.lines():
        print(line)
    log.info("copy-library %s -> %s: %s", src.path, dest.path, "; ".join(report.lines()))
    return 0 if report.ok else 1


def _access(lib: Library, args: argparse.Namespace) -> int:
    """``grant LOGIN`` and ``revoke LOGIN`` on a team library."""
    change = lib.team.grant if args.command == "grant" else lib.team.revoke
    try:
        change(args.login)
    except ValueError as e:
        return _fail(str(e))
    print({"grant": "granted", "revoke": "revoked"}[args.command], args.login)
    return 0


def _members(lib: Library, args: argparse.Namespace) -> int:
    for login in lib.team.members():
        print(login)
    return 0


def _selected_ids(lib: Library, args: argparse.Namespace) -> list[int]:
    if getattr(args, "ids", None):
        return list(args.ids)
    if getattr(args, "search", None):
        return lib.search_ids(args.search)
    return lib.search_ids()


def _import(lib: Library, args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        summary = lib.files.import_file(path, allow_duplicates=args.allow_duplicates)
        print(summary.line())
        log.info("import into %s: %s", lib.path, summary.line())
        for line in summary.details():
            print(f"  {line}", file=sys.stderr)
        if summary.error:
            status = 1
    return status


def _export(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.export import ExportError, format_for, writes_through
    from litdesk.core.export.streaming import left_out_note
    from litdesk.store.export import check_destination

    try:
        check_destination(lib, args.output)  # "it is the library" before "unknown extension"
        fmt, warning = format_for(args.output, args.format)
    except ExportError as e:
        return _fail(str(e))
    if warning:
        print(f"litdesk: warning: {warning}", file=sys.stderr)
    ids = _selected_ids(lib, args)
    missing = set(ids) - set(r.id for r in lib.rows(ids))
    if missing:
        return _fail(f"no record with id {', '.join(map(str, sorted(missing)))}")
    ids = lib.screening.included(ids) if args.included_only else ids
    stream = writes_through(args.output)  # the summary must not go into the exported data
    try:
        n = lib.files.export(fmt, ids, args.output, all_coders=args.all_coders)
    except ExportError as e:
        return _fail(str(e))
    shown = "standard output" if args.output == "-" else args.output
    print(f"{counted(n, 'record')} written to {shown}{left_out_note(n)}",
          file=sys.stderr if stream else sys.stdout)
    log.info("export from %s: %d records as %s to %s", lib.path, n, fmt, shown)
    return 0


def _suggest(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.section_model import ModelError
    from litdesk.core.suggestions import HEADINGS, MODEL, offered_first

    sources = (HEADINGS, MODEL) if args.model else (HEADINGS,)
    ids, model = _selected_ids(lib, args), lib.learning.model() if args.model else None
    rows = {r.id: r for r in lib.rows(ids)}
    found = []
    try:
        for rec in lib.records([i for i in ids if i in rows]):
            assert rec.id is not None
            row = rows[rec.id]
            source, spans = offered_first(rec.abstract, row.sections, row.done, row.answer,
                                          sources, model)
            if spans:
                found.append((rec, source, spans))
    except ModelError as e:
        return _fail(f"the section model cannot be used: {e}")
    if args.json:
        print_json([{"id": rec.id, "spans": [[s.start, s.end, s.label, s.confidence]
                                             for s in spans], "source": source}
                    for rec, source, spans in found])
    else:
        if not found:
            print("no suggestions: none of these records has headings to suggest sections "
                  "from, or you have tagged them, marked them done or rejected their "
                  "suggestions", file=sys.stderr)
        for rec, source, spans in found:
            for s in spans:
                shown = _one_line(rec.abstract[s.start:s.end])
                extra = f"\t{source} {s.confidence:.2f}" if source != HEADINGS else ""
                print(f"{rec.id}\t{s.start}\t{s.end}\t{s.label}\t{shown}{extra}")
    if args.apply:
        n = lib.suggestions.apply([rec.id for rec, _, _ in found if rec.id is not None],
                                  sources)
        print(f"suggested sections stored as your spans on {n} "
              f"record{'' if n == 1 else 's'}", file=sys.stderr)
    return 0


def _one_line(text: str, limit: int = 60) -> str:
    """``text`` on one line: cut at ``limit`` characters ("…"), line breaks, tabs and other
    unprintable characters escaped ("\\n")."""
    cut = text[:limit]
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                    for ch in cut)
    return shown + "…" if len(text) > limit else shown


def _tag(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.spans import parse_label

    if args.jsonl is not None:
        return _tag_lines(lib, args.jsonl)
    return _spans_changed(args.id, lambda: lib.tag(args.id, args.start, args.end,
                                                   parse_label(args.label)))


def _spans_changed(record_id: int, change: Callable[[], Sequence[object]]) -> int:
    """Run ``change`` (a tag or an untag) and print the record's spans after it."""
    try:
        spans = change()
    except KeyError:
        return _fail(f"no record with id {record_id}")
    except SpanError as e:
        return _fail(str(e))
    print(f"record {record_id}: {counted(len(spans), 'span')}")
    return 0


def _tag_lines(lib: Library, source: str) -> int:
    """``tag --jsonl FILE``: every line's tag in one transaction, or none."""
    from litdesk.core.tag_lines import TagLineError, read_tag_lines
    from litdesk.store.coders import TagRefused, tag_many

    name = "standard input" if source == "-" else source
    try:
        if source == "-":
            tags = read_tag_lines(sys.stdin.buffer)
        else:
            with open(source, "rb") as fh:
                tags = read_tag_lines(fh)
        if not tags:
            return _fail(f"{name}: no tags in it; nothing was stored")
        tagged = tag_many(lib, lib.coder, [(t.record_id, t.start, t.end, t.label)
                                           for t in tags])
    except OSError as e:
        return _fail(f"cannot read {name}: {e.strerror or e}")
    except TagLineError as e:
        return _fail(f"{name}, {e}; nothing was stored")
    except TagRefused as e:
        return _fail(f"{name}, line {tags[e.index].line}: {e}; nothing was stored")
    print(f"{counted(len(tags), 'tag')} stored on {counted(len(tagged), 'record')}")
    return 0


def _untag(lib: Library, args: argparse.Namespace) -> int:
    return _spans_changed(args.id, lambda: lib.untag(args.id, args.start, args.end))


def _done(lib: Library, args: argparse.Namespace) -> int:
    missing = set(args.ids) - set(r.id for r in lib.rows(args.ids))
    if missing:
        return _fail(f"no record with id {', '.join(map(str, sorted(missing)))}")
    for rid in args.ids:
        lib.set_done(rid, not args.undo)
    return 0


def _agreement(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.agreement import agreement

    known = lib.coding.coders()
    unknown = [c for c in args.coders if c not in known]
    if unknown:
        listed = ", ".join(known) or "none yet"
        return _fail(f"no coding by {', '.join(map(repr, unknown))} in this library "
                     f"(coders: {listed})")
    a, b = args.coders
    result = agreement(lib.coding.agreement_pairs(a, b))
    if args.output:
        from litdesk.core.export import ExportError

        try:
            _write_per_record_csv(lib, result, args.output)
        except ExportError as e:
            return _fail(str(e))
    if args.json:
        print_json(result.to_json([a, b]))
        return 0
    print(f"Agreement between {a} and {b} on {counted(result.records, 'record')} both marked "
          "done")
    if not result.records:
        print("(mark records done as each coder to compare them)")
        return 0
    print(f"\n{'':<12} {'kappa':>7} {'agreement':>10}")
    print(_figure_line("overall", result.overall.kappa, result.overall.agreement))
    for label, fig in result.labels.items():
        print(_figure_line(label, fig.kappa, fig.agreement))
    print(f"\n{'record':>8} {'chars':>7} {'kappa':>7} {'agreement':>10}")
    for rec in result.per_record:
        print(f"{rec.id:>8} {rec.characters:>7} {_kappa(rec.kappa):>7} "
              f"{_percent(rec.agreement):>10}")
    return 0


def _kappa(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _figure_line(name: str, kappa: float | None, agreement: float | None) -> str:
    return f"{name:<12} {_kappa(kappa):>7} {_percent(agreement):>10}"


def _write_per_record_csv(lib: Library, result: Agreement, path: str) -> None:
    import csv
    import io

    from litdesk.core.export import write_to

    titles = {r.id: r.title for r in lib.rows([r.id for r in result.per_record])}

    def write(binary: IO[bytes]) -> None:
        # UTF-8 with a BOM, as the CSV exports: Excel then reads it as UTF-8.
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        out = csv.writer(text)
        out.writerow(["record_id", "title", "characters", "agreement", "kappa"])
        for rec in result.per_record:
            out.writerow([rec.id, titles.get(rec.id, ""), rec.characters,
                          "" if rec.agreement is None else rec.agreement,
                          "" if rec.kappa is None else rec.kappa])
        text.flush()
        text.detach()

    write_to(path, write, refuse=lib.own_file)  # the export's guards: never the library


#: The only command that makes a new library where there is none; every other one refuses a
#: library that does not exist, and creates nothing (a mistyped path is not a new library).
CREATES = frozenset({"import"})

#: Commands that can run on a glance at a library file (`listing.glance`), without opening it.
GLANCES = frozenset({"list", "coders"})

#: Commands that show or act on a record's status, which needs its has-suggestions flag.
NEED_STATUS = frozenset({"list", "export", "suggest", "coders"})

from litdesk.cli import duplicates, learn, screen  # noqa: E402 - commands there

HANDLERS: dict[str, Callable[[Library, argparse.Namespace], int]] = {
    **duplicates.HANDLERS, **screen.HANDLERS, **learn.HANDLERS,
    "grant": _access,
    "revoke": _access,
    "members": _members,
    "import": _import,
    "list": listing.list_records,
    "export": _export,
    "suggest": _suggest,
    "tag": _tag,
    "untag": _untag,
    "done": _done,
    "coders": listing.coders,
    "agreement": _agreement,
}
