"""Screening by ranking on real reviews: litdesk through ``screen --stdio`` beside ASReview.

    python tests/benchmarks/bench_screening.py [--seeds 0 1 2] [--reviews NAME ...]
        [--asreview PATH/TO/asreview] [--no-asreview] [--json OUT.json]

Run by hand (not a test). For each review of ``../shared/corpus/screening`` (its README; the
``__extra`` file is not a review) and each seed:

* priors: one included and one excluded record, drawn with ``random.Random(seed)`` from the
  authors' labels (the same two records for both tools);
* litdesk: the review's titles and abstracts are imported into a new library (every row, with
  ``--allow-duplicates``); a simulated screener runs ``litdesk-cli screen --stdio``: it decides
  the two priors, then asks ``{"next": true}`` and decides the record proposed with the
  authors' label, revealed only then, until 95% of the included records are found and at
  least 10% of the records are screened (all the figures need);
* ASReview (its default model, a benchmark-only install in a separate venv:
  ``python3 -m venv /tmp/asr && /tmp/asr/bin/pip install asreview``):
  ``asreview simulate DATA.csv --prior-idx I J --seed S``; its labelling order is read from
  the project file.

Figures per review (both tools count the two priors as screened): **WSS@95** = share of
records not screened when 95% of the includes are found (rounded up), minus 0.05;
**recall@10%** = share of the includes found after screening 10% of the records (rounded up);
**ms/decision** (litdesk): the wall time from sending a decision to reading the reply to the
next ``next`` request (decide, refit, rank), median and 95th percentile, and the screening
process's CPU time per decision. The machine may be shared and noisy: compare within a run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENING = REPO.parent / "shared" / "corpus" / "screening"
CLI = Path(sys.executable).parent / "litdesk-cli"


def reviews(folder: Path, names: list[str] | None) -> list[Path]:
    found = sorted(p for p in folder.glob("*.csv") if "__" not in p.name)
    return [p for p in found if not names or p.stem in names]


def read_review(path: Path) -> tuple[list[dict[str, str]], list[bool]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, [r["included"].strip() == "1" for r in rows]


def priors(labels: list[bool], seed: int) -> tuple[int, int]:
    """The row numbers of one included and one excluded record, drawn by ``seed``."""
    rng = random.Random(seed)
    return (rng.choice([i for i, x in enumerate(labels) if x]),
            rng.choice([i for i, x in enumerate(labels) if not x]))


def figures(order: list[int], labels: list[bool]) -> dict[str, float]:
    """WSS@95 and recall@10% of a screening ``order`` (row numbers, priors first)."""
    n, wanted = len(labels), sum(labels)
    needed = math.ceil(0.95 * wanted)
    found, at95 = 0, None
    tenth = math.ceil(0.10 * n)
    recall10 = None
    for k, row in enumerate(order, 1):
        found += labels[row]
        if at95 is None and found >= needed:
            at95 = k
        if k == tenth:
            recall10 = found / wanted
    if recall10 is None:  # the order ended before 10% (every include found): all found
        recall10 = found / wanted
    wss = None if at95 is None else (n - at95) / n - 0.05
    return {"wss95": wss, "recall10": recall10, "screened": len(order)}


def done(order: list[int], labels: list[bool]) -> bool:
    found = sum(labels[r] for r in order)
    return found >= math.ceil(0.95 * sum(labels)) and len(order) >= math.ceil(0.10 * len(labels))


# -- litdesk -------------------------------------------------------------------------------

def _ris_line(tag: str, text: str) -> str:
    return f"{tag}  - {' '.join(text.split())}\n"


def make_library(rows: list[dict[str, str]], folder: Path) -> tuple[Path, list[int]]:
    """A library holding every row; the record id of each row, in row order."""
    ris = folder / "review.ris"
    with ris.open("w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            f.write("TY  - JOUR\n" + _ris_line("ID", f"row{i}")
                    + _ris_line("TI", r["title"] or "(untitled)")
                    + (_ris_line("AB", r["abstract"]) if r["abstract"].strip() else "")
                    + "ER  - \n\n")
    lib = folder / "review.litdesk.sqlite"
    out = subprocess.run([str(CLI), "--library", str(lib), "import", "--allow-duplicates",
                          str(ris)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"import failed: {out.stderr}")
    listed = json.loads(subprocess.run([str(CLI), "--library", str(lib), "list", "--json"],
                                       capture_output=True, text=True, check=True).stdout)
    # A new library numbers the records of one file in file order: check it by the titles.
    ids = sorted(rec["id"] for rec in listed)
    titles = {rec["id"]: " ".join((rec.get("title") or "").split()) for rec in listed}
    same = sum(titles[rid] == " ".join((r["title"] or "(untitled)").split())
               for rid, r in zip(ids, rows, strict=False))
    if len(ids) != len(rows) or same < 0.99 * len(rows):
        raise SystemExit(f"{len(ids)} of {len(rows)} rows imported, {same} titles in place: "
                         "cannot map records to rows")
    return lib, ids


def simulate_litdesk(rows: list[dict[str, str]], labels: list[bool], first: tuple[int, int],
                     folder: Path, limit: int | None = None) -> dict[str, object]:
    lib, ids = make_library(rows, folder)
    row_of = {rid: i for i, rid in enumerate(ids)}
    proc = subprocess.Popen([str(CLI), "--library", str(lib), "--coder", "simulated", "screen",
                             "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    assert proc.stdin is not None
    assert proc.stdout is not None

    def ask(request: dict[str, object]) -> dict[str, object]:
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    def decide(row: int) -> None:
        reply = ask({"decide": ids[row], "decision": "include" if labels[row] else "exclude"})
        assert reply == {"ok": ids[row]}, reply

    import psutil

    cpu0 = psutil.Process(proc.pid).cpu_times()
    order = list(first)
    for row in first:
        decide(row)
    times = []
    nxt = ask({"next": True})["next"]
    while nxt is not None and not done(order, labels) and (limit is None or len(times) < limit):
        row = row_of[int(nxt)]  # the label is read only now, for the record litdesk chose
        order.append(row)
        start = time.perf_counter()
        decide(row)
        nxt = ask({"next": True})["next"]
        times.append((time.perf_counter() - start) * 1000)
    cpu1 = psutil.Process(proc.pid).cpu_times()
    proc.stdin.close()
    proc.wait(60)
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) * 1000 / max(len(times), 1)
    result: dict[str, object] = dict(figures(order, labels))
    result.update(ms_median=statistics.median(times) if times else None,
                  ms_p95=sorted(times)[int(0.95 * (len(times) - 1))] if times else None,
                  cpu_ms=cpu)
    return result


# -- ASReview -------------------------------------------------------------------------------

def simulate_asreview(exe: str, path: Path, labels: list[bool], first: tuple[int, int],
                      seed: int, folder: Path) -> dict[str, object]:
    project = folder / f"{path.stem}-{seed}.asreview"
    start = time.perf_counter()
    out = subprocess.run([exe, "simulate", str(path), "--prior-idx", str(first[0]),
                          str(first[1]), "--seed", str(seed), "-o", str(project)],
                         capture_output=True, text=True, check=False, cwd=folder)
    if out.returncode != 0:
        raise SystemExit(f"asreview failed on {path.name}: {out.stderr[-2000:]}")
    seconds = time.perf_counter() - start
    with zipfile.ZipFile(project) as z:
        z.extract("results.db", folder / project.stem)
    db = sqlite3.connect(folder / project.stem / "results.db")
    try:
        order = [int(r[0]) for r in db.execute(
            "SELECT record.dataset_row FROM results JOIN record USING (record_id) "
            "ORDER BY results.rowid")]
    finally:
        db.close()
    result: dict[str, object] = dict(figures(order, labels))
    result["seconds"] = seconds
    return result


def _f(value: object, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--reviews", nargs="+", help="review names (CSV stems); default: all")
    p.add_argument("--asreview", default=shutil.which("asreview") or "/tmp/asr/bin/asreview")
    p.add_argument("--no-asreview", action="store_true")
    p.add_argument("--limit", type=int, metavar="N",
                   help="stop litdesk after N decisions (speed only: WSS@95 then unknown)")
    p.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = p.parse_args()
    if not SCREENING.is_dir():
        raise SystemExit(f"no screening corpus at {SCREENING}")
    results = []
    for path in reviews(SCREENING, args.reviews):
        rows, labels = read_review(path)
        for seed in args.seeds:
            first = priors(labels, seed)
            with tempfile.TemporaryDirectory(prefix="bench-screening-") as tmp:
                ours = simulate_litdesk(rows, labels, first, Path(tmp), args.limit)
                theirs = None if args.no_asreview else simulate_asreview(
                    args.asreview, path, labels, first, seed, Path(tmp))
            results.append({"review": path.stem, "seed": seed, "priors": first,
                            "records": len(rows), "included": sum(labels),
                            "litdesk": ours, "asreview": theirs})
            print(f"{path.stem} seed {seed}: litdesk WSS@95 {_f(ours['wss95'])} "
                  f"recall@10% {_f(ours['recall10'])} | ASReview WSS@95 "
                  f"{_f(theirs and theirs['wss95'])} recall@10% "
                  f"{_f(theirs and theirs['recall10'])}", file=sys.stderr, flush=True)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def print_table(results: list[dict]) -> None:
    print(f"\n{'review':<40} {'seed':>4} {'recs':>5} {'incl':>4} | {'litdesk':^15} | "
          f"{'ASReview':^15} | {'ms/decision':^17}")
    print(f"{'':<40} {'':>4} {'':>5} {'':>4} | {'WSS@95':>7} {'R@10%':>7} | {'WSS@95':>7} "
          f"{'R@10%':>7} | {'median':>5} {'p95':>5} {'cpu':>5}")
    for r in results:
        a, b = r["litdesk"], r["asreview"] or {}
        print(f"{r['review']:<40} {r['seed']:>4} {r['records']:>5} {r['included']:>4} | "
              f"{_f(a['wss95']):>7} {_f(a['recall10']):>7} | {_f(b.get('wss95')):>7} "
              f"{_f(b.get('recall10')):>7} | {_f(a['ms_median'], '.0f'):>5} "
              f"{_f(a['ms_p95'], '.0f'):>5} {_f(a['cpu_ms'], '.0f'):>5}")

    def mean(tool: str, key: str) -> float | None:
        values = [r[tool][key] for r in results if r[tool] and r[tool][key] is not None]
        return statistics.mean(values) if values else None

    print(f"{'mean':<56} | {_f(mean('litdesk', 'wss95')):>7} {_f(mean('litdesk', 'recall10')):>7}"
          f" | {_f(mean('asreview', 'wss95')):>7} {_f(mean('asreview', 'recall10')):>7} |")


if __name__ == "__main__":
    sys.exit(main())
