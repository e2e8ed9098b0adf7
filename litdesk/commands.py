"""The headless commands of the CLI (import, list, export, suggest, tag, untag, done, coders,
agreement)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from litdesk.cli import library_path, print_json
from litdesk.core.spans import SpanError
from litdesk.store.library import Library, LibraryError

if TYPE_CHECKING:
    from litdesk.core.agreement import Agreement


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
    if args.coder is not None and not args.coder.strip():
        return _fail("the coder name must not be empty")
    try:
        lib = open_library(library_path(args.library), args.coder)
    except LibraryError as e:
        return _fail(str(e))
    try:
        if args.command in NEED_STATUS and not lib.read_only:
            from litdesk.store.suggestions import check_pending

            check_pending(lib)  # imports leave the "suggested" flags to be worked out
        return handler(lib, args)
    except LibraryError as e:
        return _fail(str(e))
    finally:
        lib.close()


def open_library(location: Path | str, coder: str | None) -> Library:
    """Open a library; for a server that wants a password, ask for it on the terminal."""
    from litdesk.store.server import PasswordNeeded

    try:
        return Library.open(location, coder=coder)
    except PasswordNeeded as e:
        if not sys.stdin.isatty():
            raise LibraryError(f"{e} Set PGPASSWORD or use ~/.pgpass.") from None
        import getpass

        from litdesk.store.postgres import safe_display

        password = getpass.getpass(f"Password for {safe_display(str(location))}: ")
        return Library.open_server(str(location), coder, password=password)


def _copy_library(args: argparse.Namespace) -> int:
    from litdesk.store.copy import copy_library

    try:
        src = open_library(library_path(args.source), args.coder)
    except LibraryError as e:
        return _fail(str(e))
    try:
        dest = open_library(library_path(args.dest), args.coder)
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
    from litdesk.store import team

    change = team.grant if args.command == "grant" else team.revoke
    try:
        change(lib, args.login)
    except ValueError as e:
        return _fail(str(e))
    print({"grant": "granted", "revoke": "revoked"}[args.command], args.login)
    return 0


def _members(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.store import team

    for login in team.members(lib):
        print(login)
    return 0


def _fail(message: str) -> int:
    log.warning("%s", message)
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
        log.info("import into %s: %s", lib.path, summary.line())
        for line in summary.details():
            print(f"  {line}", file=sys.stderr)
        if summary.error:
            status = 1
    return status


def _list(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.export import record_to_json
    from litdesk.store import coders

    ids = lib.search_ids(args.search)
    if args.json:
        records = coders.export_records(lib, ids, all_coders=True) if args.all_coders else (
            lib.records(ids))
        print_json([record_to_json(r) for r in records])
        return 0
    statuses = coders.status_by_coder(lib, ids) if args.all_coders else {}
    for row in lib.rows(ids):
        year = row.year or "n.d."
        status = row.status
        if args.all_coders:
            status = ", ".join(f"{name}: {'done' if st.done else f'{st.sections} sections'}"
                               for name, st in sorted(statuses.get(row.id, {}).items()))
        print(f"{row.id:>6}  {row.authors[:24]:<24} {year!s:>5}  {row.title[:70]}  [{status}]")
    return 0


def _export(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.export import ExportError, export_to_path

    ids = _selected_ids(lib, args)
    missing = set(ids) - set(r.id for r in lib.rows(ids))
    if missing:
        return _fail(f"no record with id {', '.join(map(str, sorted(missing)))}")
    try:
        from litdesk.store.coders import export_records

        records = export_records(lib, ids, all_coders=args.all_coders)
        n = export_to_path(args.format, records, args.output)
    except ExportError as e:
        return _fail(str(e))
    print(f"{n} records written to {args.output}")
    log.info("export from %s: %d records as %s to %s", lib.path, n, args.format, args.output)
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


def _coders(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.store import coders

    names = coders.coders(lib)
    if not names:
        print("nobody has coded anything in this library yet")
        return 0
    statuses = coders.status_by_coder(lib, lib.search_ids())
    print(f"{'coder':<24} {'coded':>7} {'done':>7}")
    for name in names:
        mine = [by[name] for by in statuses.values() if name in by]
        coded = sum(1 for st in mine if st.sections)
        done = sum(1 for st in mine if st.done)
        print(f"{name[:24]:<24} {coded:>7} {done:>7}")
    return 0


def _agreement(lib: Library, args: argparse.Namespace) -> int:
    from litdesk.core.agreement import agreement
    from litdesk.store import coders

    known = coders.coders(lib)
    unknown = [c for c in args.coders if c not in known]
    if unknown:
        listed = ", ".join(known) or "none yet"
        return _fail(f"no coding by {', '.join(map(repr, unknown))} in this library "
                     f"(coders: {listed})")
    a, b = args.coders
    result = agreement(coders.agreement_pairs(lib, a, b))
    if args.output:
        try:
            _write_per_record_csv(lib, result, args.output)
        except OSError as e:
            return _fail(f"could not write {args.output}: {e.strerror or e}")
    if args.json:
        print_json(result.to_json([a, b]))
        return 0
    print(f"Agreement between {a} and {b} on {result.records} records both marked done")
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

    titles = {r.id: r.title for r in lib.rows([r.id for r in result.per_record])}
    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # as the CSV exports: Excel
        out = csv.writer(f)
        out.writerow(["record_id", "title", "characters", "agreement", "kappa"])
        for rec in result.per_record:
            out.writerow([rec.id, titles.get(rec.id, ""), rec.characters,
                          "" if rec.agreement is None else rec.agreement,
                          "" if rec.kappa is None else rec.kappa])


#: Commands that show or act on a record's status, which needs its has-suggestions flag.
NEED_STATUS = frozenset({"list", "export", "suggest", "coders"})

from litdesk import dup_commands  # noqa: E402 - the duplicate commands live there

HANDLERS: dict[str, Callable[[Library, argparse.Namespace], int]] = {
    **dup_commands.HANDLERS,
    "grant": _access,
    "revoke": _access,
    "members": _members,
    "import": _import,
    "list": _list,
    "export": _export,
    "suggest": _suggest,
    "tag": _tag,
    "untag": _untag,
    "done": _done,
    "coders": _coders,
    "agreement": _agreement,
}
