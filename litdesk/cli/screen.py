"""The CLI's screen command: JSON Lines screening on stdin/stdout, progress, reasons, conflicts.

    litdesk screen --stdio [--coder NAME]     one JSON reply line per request line:
        {"decide": ID, "decision": "include"|"exclude"|"maybe", "reason": "...", "note": "..."}
            -> {"ok": ID}
        {"next": true}   -> {"next": ID} (the ranking's proposal) or {"next": null}
        {"undo": true}   -> {"undone": ID} or {"undone": null}
        {"stats": true}  -> {"stats": {...}, "stopping": {...}}
        anything else    -> {"error": "line N: ..."} (nothing stored; the next line is read)
    litdesk screen --stats [--json]   progress, agreement, conflicts and the stopping aid
    litdesk screen --reasons | --add-reason NAME [--key K] | --remove-reason NAME
    litdesk screen --conflicts [--json] | --resolve ID DECISION [--reason R]
    litdesk screen --term WORD --kind include|exclude|none
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from litdesk.cli.output import fail as _fail
from litdesk.cli.output import print_json
from litdesk.core.screening import DECISIONS, ScreeningError
from litdesk.core.words import counted
from litdesk.store.errors import LibraryError

if TYPE_CHECKING:
    from litdesk.store.library import Library

#: The keys each request may carry (a misspelt key is an error, never ignored).
_REQUESTS: dict[str, frozenset[str]] = {
    "decide": frozenset({"decide", "decision", "reason", "note"}),
    "next": frozenset({"next"}),
    "undo": frozenset({"undo"}),
    "stats": frozenset({"stats"}),
}


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The screen command's parser."""
    sc = sub.add_parser("screen", help="screen titles and abstracts: include, exclude, maybe "
                                       "(JSON Lines with --stdio), progress, reasons",
                        description="Screen records as the coder (--coder). With --stdio, read "
                                    "one JSON request per line and answer one JSON line each.")
    what = sc.add_mutually_exclusive_group(required=True)
    what.add_argument("--stdio", action="store_true",
                      help='JSON Lines: {"decide": ID, "decision": D, "reason": R} -> '
                           '{"ok": ID}; {"next": true} -> {"next": ID or null}; '
                           '{"undo": true}; {"stats": true}')
    what.add_argument("--stats", action="store_true",
                      help="progress (yours and the library's), agreement, the stopping aid")
    what.add_argument("--reasons", action="store_true", help="the exclusion reasons and keys")
    what.add_argument("--add-reason", metavar="NAME", help="add an exclusion reason")
    what.add_argument("--remove-reason", metavar="NAME", help="take a reason off the list")
    what.add_argument("--conflicts", action="store_true",
                      help="records the screeners decided differently")
    what.add_argument("--resolve", nargs=2, metavar=("ID", "DECISION"),
                      help="record the consensus decision on a record")
    what.add_argument("--term", metavar="WORD", help="highlight a word (with --kind)")
    sc.add_argument("--key", default="", help="the key of the reason added (one character)")
    sc.add_argument("--reason", default="", help="the exclusion reason of --resolve")
    sc.add_argument("--kind", choices=("include", "exclude", "none"),
                    help="--term's kind (none: stop highlighting it)")
    sc.add_argument("--json", action="store_true", help="print JSON")


def screen(lib: Library, args: argparse.Namespace) -> int:
    try:
        if args.stdio:
            return stdio(lib, sys.stdin.buffer, sys.stdout)
        if args.stats:
            return _stats(lib, args.json)
        if args.reasons:
            return _reasons(lib, args.json)
        if args.add_reason is not None:
            r = lib.screening.add_reason(args.add_reason, args.key)
            print(f"reason added: {r.name}" + (f" (key {r.key})" if r.key else ""))
            return 0
        if args.remove_reason is not None:
            lib.screening.remove_reason(args.remove_reason)
            print(f"reason removed: {args.remove_reason}")
            return 0
        if args.conflicts:
            return _conflicts(lib, args.json)
        if args.resolve is not None:
            return _resolve(lib, args.resolve, args.reason)
        if args.kind is None:
            return _fail("give --kind include, exclude or none with --term")
        lib.screening.set_term(args.term, None if args.kind == "none" else args.kind)
        print(f"term {args.term.strip()!r}: {args.kind}")
        return 0
    except ScreeningError as e:
        return _fail(str(e))


def stdio(lib: Library, source: IO[bytes], out: IO[str]) -> int:
    """Answer each request line of ``source`` with one JSON line on ``out``; 1 if any failed."""
    failed = False
    for number, raw in enumerate(source, 1):
        reply = _answer(lib, number, raw)
        if reply is None:
            continue
        failed = failed or "error" in reply
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failed else 0


def _answer(lib: Library, number: int, raw: bytes) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"error": f"line {number}: not UTF-8 text"}
    if not text.strip():
        return None  # an empty line is no request
    try:
        request = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        return {"error": f"line {number}: not JSON ({getattr(e, 'msg', 'nested too deeply')})"}
    if not isinstance(request, dict):
        return {"error": f"line {number}: a request is a JSON object, such as "
                         '{"next": true}'}
    kinds = [k for k in _REQUESTS if k in request]
    if len(kinds) != 1:
        return {"error": f"line {number}: give one of {', '.join(map(repr, _REQUESTS))}"}
    kind = kinds[0]
    unknown = sorted(set(request) - _REQUESTS[kind])
    if unknown:
        return {"error": f"line {number}: unknown key {unknown[0]!r} in a {kind!r} request"}
    try:
        return _do(lib, kind, request)
    except (ScreeningError, LibraryError) as e:
        return {"error": f"line {number}: {e}"}


def _do(lib: Library, kind: str, request: dict[str, Any]) -> dict[str, Any]:
    s = lib.screening
    if kind == "decide":
        if "decision" not in request:
            raise ScreeningError(f"a decide request needs a decision ({', '.join(DECISIONS)})")
        s.decide(request["decide"], request["decision"], request.get("reason", ""),
                 request.get("note", ""))
        return {"ok": request["decide"]}
    if request[kind] is not True:
        raise ScreeningError(f'ask with {{"{kind}": true}}')
    if kind == "next":
        return {"next": s.next()}
    if kind == "undo":
        return {"undone": s.undo()}
    return {"stats": s.stats().as_json(), "stopping": s.stopping().as_json()}


def _stats(lib: Library, as_json: bool) -> int:
    s = lib.screening
    own, everyone, stop = s.stats(), s.stats(everyone=True), s.stopping()
    pairs = s.agreements()
    if as_json:
        print_json({"coder": lib.coder, "own": own.as_json(), "library": everyone.as_json(),
                    "stopping": stop.as_json(), "screeners": s.screeners(),
                    "agreement": [p.as_json() for p in pairs]})
        return 0
    print(f"{lib.coder}: {own.text()}")
    print(f"library (final decisions): {everyone.text()}")
    print(f"stopping aid: {stop.text()}")
    for p in pairs:
        kappa = "n/a" if p.kappa is None else f"{p.kappa:.2f}"
        share = "n/a" if p.agreement is None else f"{p.agreement:.0%}"
        print(f"agreement {p.coder_a} / {p.coder_b}: kappa {kappa}, {share} agreed on "
              f"{counted(p.compared, 'record')} ({p.records - p.compared} with a maybe left out)")
    return 0


def _reasons(lib: Library, as_json: bool) -> int:
    found = lib.screening.reasons()
    if as_json:
        print_json([{"name": r.name, "key": r.key} for r in found])
        return 0
    for r in found:
        print(f"{r.key or '-':>2}  {r.name}")
    return 0


def _conflicts(lib: Library, as_json: bool) -> int:
    found = lib.screening.conflicts()
    if as_json:
        print_json([c.as_json() for c in found])
        return 0
    for c in found:
        print(f"{c.record_id:>6}  " + ", ".join(
            f"{who}: {d.decision}" + (f" ({d.reason})" if d.reason else "")
            for who, d in sorted(c.decisions.items())))
    if not found:
        print("no conflicts")
    return 0


def _resolve(lib: Library, given: Iterable[str], reason: str) -> int:
    record, decision = given
    try:
        rid = int(record)
    except ValueError:
        return _fail(f"not a record id: {record!r}")
    lib.screening.resolve(rid, decision, reason)
    print(f"record {rid}: consensus {decision.strip().lower()}")
    return 0


HANDLERS = {"screen": screen}
