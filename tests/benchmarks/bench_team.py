"""Team libraries at scale: the bench_scale figures on SQLite and on PostgreSQL, side by side.

    python tests/benchmarks/bench_team.py [--records 100000] [--seed 7] [--xvfb] [--profile]
                                          [--settle]

Run by hand (not a test). It starts a throwaway PostgreSQL cluster with ``.ci/pg-cluster``
(Unix socket only, inside a temporary folder; stopped at the end, also on failure), creates a
database for the run, and for each engine:

* import: a generated RIS file (``gen_records.py``, the same file for both engines) through
  ``litdesk.store.importer.import_file`` into an empty library, then 1% of the records coded
  (as ``bench_scale.build_library`` does; the coding is not in the import figure);
* start: process start until the main window shows its first rows (and RSS), in a fresh
  interpreter: ``bench_scale.measure_startup``;
* search (common and rare word, median of 20), sort by year and by title (median of 5), select
  a record until the pane shows it (median of 20), tag until persisted (median of 20):
  ``bench_scale.measure_in_process``, in a subprocess of its own.

The target (team libraries issue): every server figure within 2x of SQLite's, and tag
persisted <= 50 ms on the server. ``--profile`` records the SQL each engine runs during the
in-process measurements and prints the statements that take the most time, with EXPLAIN
ANALYZE of the slowest server ones (the profiling itself slows the figures a little).
``--settle`` runs ``VACUUM (ANALYZE)`` on the server right after its import
(``litdesk.store.engines.postgres.settle``), as autovacuum does within a minute or so:
without it the figures are those of the first minute after a large import (no index-only
scans, no statistics).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import bench_scale  # noqa: E402
from bench_scale import (  # noqa: E402
    CODER,
    as_the_app_leaves_it,
    bench_dir,
    measure_in_process,
    measure_startup,
)
from gen_records import COMMON, RARE, Generator, write_ris  # noqa: E402

SERVER_TAG_MS = 50.0
MAX_RATIO = 2.0


def is_server(location: str) -> bool:
    from litdesk.store.location import is_server_address

    return is_server_address(location)


# -- the server --------------------------------------------------------------------------
def start_cluster(folder: Path) -> str:
    out = subprocess.run([str(REPO / ".ci" / "pg-cluster"), "start", str(folder)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"pg-cluster start failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1]


def stop_cluster(folder: Path) -> None:
    subprocess.run([str(REPO / ".ci" / "pg-cluster"), "stop", str(folder)],
                   capture_output=True, text=True, check=False)


def create_database(admin_url: str, name: str) -> str:
    """A fresh database ``name`` on the server; its URL (same login, same socket)."""
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


# -- import (a wrapper of bench_scale.build_library for any location) --------------------
def import_into(location: str, ris: Path, n: int, seed: int) -> float:
    """Import ``ris`` into the empty library at ``location``; seconds for the import alone.

    Then leaves it as ``bench_scale.build_library`` does (whose library path is fixed to a
    cached file, so it cannot take a server address)."""
    from litdesk.store.importer import import_file
    from litdesk.store.library import Library

    with Library.open(location, coder=CODER) as lib:
        assert lib.count() == 0, f"{location} is not empty"
        t = time.perf_counter()
        summary = import_file(lib, ris)
        elapsed = time.perf_counter() - t
        assert summary.added == n, summary.line()
        as_the_app_leaves_it(lib, n, seed)
    return elapsed


# -- children ------------------------------------------------------------------------------
def child_startup(location: str, spawned: float) -> None:
    """bench_scale's start-up child, for any location (a file or a server address)."""
    bench_scale.child_startup(location, spawned)


class SqlProfile:
    """Every statement the engines run, with its time (``--profile``)."""

    def __init__(self) -> None:
        from sqlalchemy.engine import Engine

        self.stats: dict[str, list[float]] = {}
        self.params: dict[str, object] = {}
        self.engines: dict[str, Engine] = {}
        self._key = f"bench_t{id(self)}"
        self._listening = [("before_cursor_execute", self._before),
                           ("after_cursor_execute", self._after)]
        from sqlalchemy import event

        for name, fn in self._listening:
            event.listen(Engine, name, fn)

    def _before(self, conn, _cursor, statement, parameters, context, _many):  # noqa: ANN001
        conn.info.setdefault(self._key, []).append(time.perf_counter())

    def _after(self, conn, _cursor, statement, parameters, context, _many):  # noqa: ANN001
        dt = time.perf_counter() - conn.info[self._key].pop()
        s = self.stats.setdefault(statement, [0, 0.0, 0.0])
        s[0] += 1
        s[1] += dt
        if dt >= s[2]:
            s[2] = dt
            self.params[statement] = parameters
            self.engines[statement] = conn.engine

    def close(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        for name, fn in self._listening:
            event.remove(Engine, name, fn)

    def report(self, title: str, k: int = 6) -> None:
        print(f"-- SQL by total time ({title}):", file=sys.stderr)
        for statement, (count, total, worst) in self.top(k):
            one = " ".join(statement.split())
            print(f"  {count:6d}x  total {total * 1000:10.1f} ms  worst {worst * 1000:8.1f} ms"
                  f"  {one[:300]}", file=sys.stderr)

    def top(self, k: int = 6) -> list[tuple[str, list[float]]]:
        return sorted(self.stats.items(), key=lambda kv: -kv[1][1])[:k]

    def explain(self, statement: str) -> str:
        engine = self.engines[statement]
        if engine.dialect.name != "postgresql" or not statement.lstrip().upper().startswith(
                ("SELECT", "WITH")):
            return ""
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                        self.params[statement]).all()
        return "\n".join(r[0] for r in rows)


def child_measure(location: str, profile: bool) -> None:
    prof = SqlProfile() if profile else None
    res = measure_in_process(location)  # type: ignore[arg-type]  # Library.open takes both
    if prof is not None:
        prof.report("search, sort, select, tag on "
                    + ("the server" if is_server(location) else "SQLite"))
        slowest = sorted(prof.stats, key=lambda st: -prof.stats[st][2])[:4]
        for statement in slowest:  # the single slowest statements: search and sort
            plan = prof.explain(statement)
            if plan:
                print(f"-- EXPLAIN ANALYZE of: {' '.join(statement.split())[:200]}\n{plan}",
                      file=sys.stderr)
    print("litdesk-measure", json.dumps(res), flush=True)
    # PySide6 can crash while the interpreter finalizes ("bool_dealloc ... refcount error"),
    # after the figures are out: leave without finalizing.
    sys.stderr.flush()
    os._exit(0)


def run_measure(location: str, profile: bool) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, __file__, "--child-measure", location] + (
        ["--profile"] if profile else [])
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800, check=False)
    if profile or out.returncode:
        sys.stderr.write(out.stderr)
    line = next((x for x in out.stdout.splitlines() if x.startswith("litdesk-measure")), None)
    if line is None:
        raise RuntimeError(f"measurement run failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(line.split(" ", 1)[1])


def explain_vectors(location: str) -> None:
    """What computing every record's search vector costs (the import's generated column)."""
    from sqlalchemy import create_engine

    from litdesk.store.engines.pg_search import SEARCH_COLUMNS

    engine = create_engine(location)
    with engine.connect() as conn:
        for what, sql in (
                ("read the columns", f"SELECT {', '.join(SEARCH_COLUMNS)} FROM record"),
                ("compute the search vectors",
                 f"SELECT litdesk_record_vector({', '.join(SEARCH_COLUMNS)}) FROM record")):
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, TIMING OFF) {sql}").all()
            print(f"-- {what}: {plan[-1][0]}", file=sys.stderr)
        size = conn.exec_driver_sql(
            "SELECT pg_size_pretty(pg_relation_size('ix_record_search_tsv')), "
            "pg_size_pretty(pg_total_relation_size('record')), "
            "pg_size_pretty(pg_total_relation_size('record_search'))").one()
        print(f"-- GIN index {size[0]}, record table with indexes {size[1]}, record_search "
              f"table with index {size[2]}", file=sys.stderr)
    engine.dispose()


def explain_search(location: str) -> None:
    """The search and sort queries alone (``Library.search_ids``, which the model runs through
    the driver, out of SQLAlchemy's sight): their time on each engine and, on the server, the
    plan. The rest of a table figure is the table's repaint and its rows' queries."""
    import statistics

    from litdesk.store.library import Library
    from litdesk.store.query import search_statement

    cases = (("search common", COMMON, "id"), ("search rare", RARE, "id"),
             ("sort year", "", "year"), ("sort title", "", "title"))
    with Library.open(location, coder=CODER) as lib:
        for what, text_, sort in cases:
            times = []
            for _ in range(7):
                t = time.perf_counter()
                ids = lib.search_ids(text_, sort=sort)
                times.append((time.perf_counter() - t) * 1000)
            print(f"-- {what}: search_ids {statistics.median(times):.1f} ms "
                  f"({len(ids):,} ids)", file=sys.stderr)
            if not is_server(location):
                continue
            stmt = search_statement(text_, lib.coder, status=None, sort=sort, descending=False,
                                    dialect="postgresql")
            with lib.engine.connect() as conn:
                compiled = stmt.compile(conn)
                with conn.connection.driver_connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + compiled.string, compiled.params)
                    plan = "\n".join("     " + r[0] for r in cur)
            print(f"   {' '.join(compiled.string.split())[:400]}\n{plan}", file=sys.stderr)


# -- one engine ----------------------------------------------------------------------------
def run_engine(name: str, location: str, ris: Path, n: int, seed: int, xvfb: bool,
               profile: bool, settle: bool = False) -> dict[str, float]:
    print(f"{name}: importing {n:,} records…", file=sys.stderr)
    prof = SqlProfile() if profile else None
    res: dict[str, float] = {"import_s": import_into(location, ris, n, seed)}
    if settle and is_server(location):
        from litdesk.store.engines import pg_connection, postgres

        engine = pg_connection.create_engine(location)
        t = time.perf_counter()
        postgres.settle(engine)
        engine.dispose()
        print(f"{name}: VACUUM (ANALYZE) {time.perf_counter() - t:.1f} s", file=sys.stderr)
    if prof is not None:
        prof.close()
        prof.report(f"import and coding, {name}")
        for statement, _ in prof.top(3):  # the duplicate look-ups, on the server
            plan = prof.explain(statement)
            if plan:
                print(f"-- EXPLAIN ANALYZE of: {' '.join(statement.split())[:200]}\n{plan}",
                      file=sys.stderr)
        if is_server(location):
            explain_vectors(location)
    print(f"{name}: import {res['import_s']:.1f} s; start-up…", file=sys.stderr)
    # measure_startup runs ``python <bench_scale.__file__> --child-startup LOCATION``: point
    # it at this file, whose child passes a server address through choose_library intact.
    bench_scale.__file__ = __file__
    res["start_s"], res["rss_mb"] = measure_startup(location, xvfb)  # type: ignore[arg-type]
    print(f"{name}: start {res['start_s']:.2f} s; search, sort, select, tag…", file=sys.stderr)
    res.update(run_measure(location, profile))
    if profile:
        explain_search(location)
    return res


ROWS = [("import_s", "{:.1f} s"), ("start_s", "{:.2f} s"), ("rss_mb", "{:.0f} MB"),
        ("search_common_ms", "{:.1f} ms"), ("common_hits", "{:,.0f}"),
        ("search_rare_ms", "{:.1f} ms"), ("rare_hits", "{:,.0f}"),
        ("sort_year_ms", "{:.1f} ms"), ("sort_title_ms", "{:.1f} ms"),
        ("select_ms", "{:.1f} ms"), ("tag_ms", "{:.1f} ms")]
COUNTS = {"common_hits", "rare_hits"}


def print_table(n: int, lite: dict[str, float], pg: dict[str, float]) -> bool:
    """The table; whether the server met the target."""
    print(f"\n{n:,} records")
    print(f"{'measure':<18}{'SQLite':>14}{'PostgreSQL':>14}{'ratio':>9}")
    ok = True
    for key, fmt in ROWS:
        a, b = lite[key], pg[key]
        if key in COUNTS:
            ratio, mark = ("same" if a == b else "DIFF"), ""
            ok &= a == b
        else:
            r = b / a if a else float("inf")
            miss = r > MAX_RATIO or (key == "tag_ms" and b > SERVER_TAG_MS)
            ok &= not miss
            ratio, mark = f"{r:.2f}x", (" !" if miss else "")
        print(f"{key:<18}{fmt.format(a):>14}{fmt.format(b) + mark:>14}{ratio:>9}")
    print(f"(target: PostgreSQL within {MAX_RATIO:g}x of SQLite for every figure, "
          f"tag ≤ {SERVER_TAG_MS:g} ms on the server; ! marks a miss)")
    return ok


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-startup":
        child_startup(sys.argv[2], float(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-measure":
        child_measure(sys.argv[2], "--profile" in sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--xvfb", action="store_true", help="measure start-up under xvfb-run")
    ap.add_argument("--profile", action="store_true",
                    help="print the costliest SQL per engine (and EXPLAIN ANALYZE on the server)")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--settle", action="store_true",
                    help="VACUUM (ANALYZE) the server library after its import")
    args = ap.parse_args()
    n = args.records

    work = Path(tempfile.mkdtemp(prefix="litdesk-team-", dir=bench_dir()))
    cluster = Path(tempfile.mkdtemp(prefix="litdesk-pg-"))  # short: a Unix socket path
    try:
        ris = write_ris(work / f"gen-{n}-seed{args.seed}.ris", Generator(args.seed).records(n))
        print(f"server: starting a throwaway cluster in {cluster}…", file=sys.stderr)
        admin_url = start_cluster(cluster)
        server = create_database(admin_url, f"bench_{n}_{os.getpid()}")
        lite = run_engine("SQLite", str(work / "lib.litdesk.sqlite"), ris, n, args.seed,
                          args.xvfb, args.profile)
        pg = run_engine("PostgreSQL", server, ris, n, args.seed, args.xvfb, args.profile,
                        args.settle)
    finally:
        stop_cluster(cluster)
        shutil.rmtree(work, ignore_errors=True)
    ok = print_table(n, lite, pg)
    if args.json:
        args.json.write_text(json.dumps({"records": n, "sqlite": lite, "postgresql": pg},
                                        indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
