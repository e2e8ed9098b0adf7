"""litdesk's command line: the parser and `main`. With no command it opens the app; commands
work headless.

    litdesk [--library PATH] [FILE ...]            open the app (importing FILEs)
    litdesk --library PATH import FILE ...         import RIS files
    litdesk --library PATH list [--json]           list records
    litdesk --library PATH export --all -o out.ris       (or .csv .xlsx .qdpx .json; - piped)
    litdesk --library PATH --coder NAME tag ID START END LABEL
    litdesk --library PATH agreement --coders A,B [--json] [-o per-record.csv]
    litdesk --library PATH duplicates [--json] | merge KEEP OTHER | keep-both ID ID | unmerge
    litdesk --library PATH counts [--json|--csv] [--prisma] [-o F]  PRISMA counts
    litdesk --library PATH --coder NAME screen --stdio | --stats [--json] | --reasons ...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from litdesk.core.model import LABELS
from litdesk.paths import default_library_path

COMMANDS = ("import", "list", "export", "suggest", "tag", "untag", "done", "coders", "agreement",
            "install-desktop", "grant", "revoke", "members", "copy-library", "duplicates",
            "merge", "keep-both", "unmerge", "merges", "counts", "screen",
            "learn")
_GLOBAL_WITH_VALUE = ("--library", "-l", "--coder")
#: Without a command the app opens and imports the FILEs: the usage line says both forms.
USAGE = ("%(prog)s [-h] [--version] [--library PATH] [--coder NAME] [FILE ...]\n"
         "       %(prog)s [--library PATH] [--coder NAME] COMMAND ...")


def _global_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--library", "-l", metavar="PATH",
                   help="library file, or postgresql://LOGIN@HOST:PORT/DBNAME (default: "
                        f"{default_library_path()}); only import, and the app after asking, "
                        "create a library that does not exist")
    p.add_argument("--coder", metavar="NAME",
                   help="the coder whose spans and memos to read and write (default: your "
                        "user name)")
    p.add_argument("--version", action=_Version, nargs=0, help="show litdesk's version and exit")


class _Version(argparse.Action):
    """``--version``: argparse's, with the version read only when it is asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from litdesk import __version__

        print(f"litdesk {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="litdesk",
        description="Code the sections of abstracts for a qualitative evidence synthesis. "
        "Without a command, opens the app (and imports any FILE given).",
        epilog="Run 'litdesk COMMAND --help' for a command's options.",
    )
    _global_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    imp = sub.add_parser("import", help="import RIS files into the library (creating it if "
                                        "there is none yet)",
                         description="Import RIS files into the library, creating the library "
                                     "(and its folder) if there is none yet. Every other "
                                     "command refuses a library that does not exist.")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--allow-duplicates", action="store_true",
                     help="import records even when they are already in the library")

    ls = sub.add_parser("list", help="list the records in the library")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.add_argument("--search", metavar="QUERY", default="", help="only matching records")
    ls.add_argument("--all-coders", action="store_true",
                    help="every coder's spans and status (default: the coder's own)")

    from litdesk.core.export.formats import FORMAT_TABLE as FORMATS
    from litdesk.core.export.formats import STREAM_FORMAT

    suffixes = ", ".join(f"{f.suffix} {name}" for name, f in FORMATS.items())
    ex = sub.add_parser("export", help="export records to a file")
    ex.add_argument("--format", "-f", choices=sorted(FORMATS),
                    help=f"the format (default: from FILE's extension: {suffixes}; "
                         f"{STREAM_FORMAT} for standard output, a device or a pipe). Given, "
                         "it wins over the extension (with a warning if they disagree)")
    _selection(ex)
    ex.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="the file to write ('-': standard output); never the library "
                         "or its backups")
    ex.add_argument("--all-coders", action="store_true",
                    help="every coder's spans (default: the consensus coding where a record "
                         "has one, else the coder's own)")
    ex.add_argument("--included-only", action="store_true",
                    help="only the selected records whose final screening decision is include")

    sg = sub.add_parser("suggest", help="the sections suggested from structured-abstract "
                        "headings, on the records you have not coded (nor rejected them on)")
    _selection(sg)
    sg.add_argument("--apply", action="store_true", help="store the suggestions as your spans")
    sg.add_argument("--json", action="store_true",
                    help='print [{"id": N, "spans": [[start, end, label, confidence], ...], '
                         '"source": "headings"}, ...]')
    sg.add_argument("--model", action="store_true",
                    help="where an abstract has no headings, suggest sections from the built-in "
                         'model ("source": "model", with a confidence; stored by --apply)')

    tg = sub.add_parser("tag", help="tag abstract[START:END] of a record with LABEL, or many "
                        "spans from a JSON Lines file", usage="%(prog)s [-h] "
                        "(ID START END LABEL | --jsonl FILE)")
    tg.add_argument("id", type=int, nargs="?")
    tg.add_argument("start", type=int, nargs="?")
    tg.add_argument("end", type=int, nargs="?")
    tg.add_argument("label", nargs="?", help="a section, in any case: " + ", ".join(LABELS))
    tg.add_argument("--jsonl", metavar="FILE",
                    help='one {"id", "start", "end", "label"} per line ("-": standard input); '
                         "all are stored in one go, or none when any line is wrong")
    tg.set_defaults(tag_parser=tg)  # to say a usage error in the tag command's own words
    ut = sub.add_parser("untag", help="remove section labels from abstract[START:END]")
    ut.add_argument("id", type=int)
    ut.add_argument("start", type=int)
    ut.add_argument("end", type=int)

    dn = sub.add_parser("done", help="mark records as done by the coder")
    dn.add_argument("--ids", required=True, type=_ids, metavar="1,2,3")
    dn.add_argument("--undo", action="store_true", help="remove the done mark instead")

    sub.add_parser("coders", help="list the coders of the library and their progress")
    ag = sub.add_parser("agreement", help="inter-coder agreement (percent and Cohen's kappa) "
                                          "on the records both coders marked done")
    ag.add_argument("--coders", required=True, type=_coder_pair, metavar="A,B",
                    help="the two coders to compare")
    ag.add_argument("--json", action="store_true", help="print the figures as JSON")
    ag.add_argument("-o", "--output", metavar="FILE.csv",
                    help="also write the per-record figures to a CSV file")

    gr = sub.add_parser("grant", help="let a server login work in this team library (owner)")
    gr.add_argument("login")
    rv = sub.add_parser("revoke", help="take a login's access to this team library away (owner)")
    rv.add_argument("login")
    sub.add_parser("members", help="the logins that may work in this team library")
    cp = sub.add_parser("copy-library",
                        help="copy a library (file or postgresql:// address) to another; SRC "
                             "must exist, DEST is created if needed")
    cp.add_argument("source", metavar="SRC")
    cp.add_argument("dest", metavar="DEST")
    cp.add_argument("--merge", action="store_true",
                    help="add to a destination that already holds records (new ids)")

    from litdesk.cli import duplicates, learn, screen

    duplicates.add_parsers(sub)
    screen.add_parser(sub)
    learn.add_parsers(sub)
    inst = sub.add_parser("install-desktop",
                          help="install the launcher, icon and .ris file association")
    inst.add_argument("--uninstall", action="store_true")
    # Set after the subparsers took their prog from the default usage ("litdesk import ...").
    p.usage = USAGE
    return p


def _selection(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--all", action="store_true", help="every record")
    g.add_argument("--ids", type=_ids, metavar="1,2,3", help="these record ids")
    g.add_argument("--search", metavar="QUERY", help="records matching a search")


def _ids(text: str) -> list[int]:
    try:
        ids = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of record ids: {text!r}") from None
    if not ids:
        raise argparse.ArgumentTypeError("no record ids given")
    return ids


def _coder_pair(text: str) -> tuple[str, str]:
    names = [x.strip() for x in text.split(",")]
    if len(names) != 2 or not all(names):
        raise argparse.ArgumentTypeError(f"give two coder names separated by a comma: {text!r}")
    if names[0] == names[1]:
        raise argparse.ArgumentTypeError(f"give two different coders, not {names[0]!r} twice")
    return names[0], names[1]


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_WITH_VALUE:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _first_positional(argv) not in COMMANDS:
        gui = argparse.ArgumentParser(prog="litdesk", add_help=False, usage=USAGE)
        _global_options(gui)
        gui.add_argument("files", nargs="*", metavar="FILE")
        gui.add_argument("-h", "--help", action="store_true")
        args = gui.parse_args(argv)
        if args.help:
            build_parser().print_help()
            return 0
        from litdesk.ui.app import run_app

        return run_app(args.library, args.files, coder=args.coder)
    args = build_parser().parse_args(argv)
    if args.command == "tag":
        given = [x is not None for x in (args.id, args.start, args.end, args.label)]
        if args.jsonl is None and not all(given):
            args.tag_parser.error("give ID START END LABEL, or --jsonl FILE")
        if args.jsonl is not None and any(given):
            args.tag_parser.error("give either ID START END LABEL or --jsonl FILE, not both")
    from litdesk.cli import commands

    try:
        return commands.run(args)
    except BrokenPipeError:  # `litdesk list | head -1`: the reader has all it wanted
        return _reader_gone()


def _reader_gone() -> int:
    """Leave quietly after the pipe to standard output closed: no traceback, and no second
    error when Python flushes standard output at exit; the exit status of SIGPIPE's."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # 128 + SIGPIPE (13), as for a command the signal ended


if __name__ == "__main__":
    sys.exit(main())
