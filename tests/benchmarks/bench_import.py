"""Benchmark: `litdesk import` of a large RIS file against `rispy.load` of the same file.

Run by hand (not collected by pytest)::

    python tests/benchmarks/bench_import.py                # 10k and 100k records, 3 rounds
    python tests/benchmarks/bench_import.py --sizes 20000 --rounds 1

For each size it writes a synthetic RIS export with realistic field sizes (abstracts of
1,500-2,000 characters, a quarter of them structured, 1-10 authors, keywords, DOI...), then
times, as separate processes and alternating over the rounds, (a) ``rispy.load`` parsing the
file alone and (b) ``python -m litdesk --library NEW import FILE``. Wall time and the peak RSS
of each child process (from ``os.wait4``) are reported, with records/s. Targets: median (b)
<= 1.5 x median (a); peak RSS of (b) <= 300 MB.

``--into-library`` instead imports a file of N records into a library that holds N records
already (a tenth of the file repeats them), in this process, and prints the share of the
import's time spent on the duplicate check (look-ups and verdicts). Target: <= 10 %.

    python tests/benchmarks/bench_import.py --into-library --sizes 100000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.5
TARGET_RSS_MB = 300
TARGET_CHECK_SHARE = 0.10

_WORD_TEXT = (
    "patient care nurse health qualitative study interview experience practice support "
    "primary clinical community family service quality outcome pain older people management "
    "decision barrier facilitator access trust communication learning education policy risk "
    "treatment medication general practitioner hospital model framework thematic analysis "
    "participant perception attitude belief context understanding professional role team "
    "mental wellbeing chronic condition self intervention programme implementation "
    "evaluation "
)
_WORDS = _WORD_TEXT.split()
_ACCENTED = ("Müller", "Gómez", "Øster", "Łukasz", "Nguyễn", "Šimić", "Ødegård", "Béland")
_SURNAMES = (
    "Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
    "Johnson", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green",
) + _ACCENTED
_HEADINGS = ("Background", "Aim", "Methods", "Results", "Conclusions")
_JOURNALS = ("BMJ Open", "Social Science & Medicine", "Qualitative Health Research",
             "Journal of Advanced Nursing", "BMC Health Services Research", "PLoS One")


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + "."


def _abstract(rng: random.Random) -> str:
    size = rng.randint(1500, 2000)
    if rng.random() < 0.25:  # a structured abstract, on one line as most databases export it
        parts = []
        for heading in _HEADINGS:
            body = " ".join(_sentence(rng) for _ in range(3))
            parts.append(f"{heading}: {body}")
        text = " ".join(parts)
    else:
        text = ""
        while len(text) < size:
            text += _sentence(rng) + " "
    return text[:size].rstrip()


def write_ris(path: Path, n: int, seed: int = 1, start: int = 0, mode: str = "w") -> int:
    """Write ``n`` synthetic records to ``path``; return the file size in bytes."""
    rng = random.Random(seed)
    with path.open(mode, encoding="utf-8", newline="\n") as out:
        for i in range(start, start + n):
            lines = ["TY  - JOUR"]
            for _ in range(rng.randint(1, 10)):
                lines.append(f"AU  - {rng.choice(_SURNAMES)}, {rng.choice('ABCDEFGHJKLM')}.")
            title = " ".join(rng.choices(_WORDS, k=rng.randint(6, 18))).capitalize()
            lines += [
                f"TI  - {title} ({i})",
                f"PY  - {rng.randint(1990, 2024)}",
                f"JO  - {rng.choice(_JOURNALS)}",
                f"VL  - {rng.randint(1, 80)}",
                f"IS  - {rng.randint(1, 12)}",
                f"SP  - {rng.randint(1, 900)}",
                f"EP  - {rng.randint(901, 999)}",
                f"SN  - {rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                f"DO  - 10.{rng.randint(1000, 9999)}/bench.{i}",
                f"UR  - https://doi.org/10.1000/bench.{i}",
                f"AB  - {_abstract(rng)}",
            ]
            lines += [f"KW  - {' '.join(rng.choices(_WORDS, k=2))}"
                      for _ in range(rng.randint(3, 8))]
            lines += ["DB  - Scopus", f"N1  - Export date: {rng.randint(1, 28)} May 2024",
                      "ER  - ", ""]
            out.write("\n".join(lines) + "\n")
    return path.stat().st_size


_RISPY = (
    "import sys, pathlib, rispy; "
    "recs = rispy.load(pathlib.Path(sys.argv[1]), encoding='utf-8'); print(len(recs))"
)


def _run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one child process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {text[-500:]}")
    return wall, usage.ru_maxrss / 1024, text  # Linux: ru_maxrss is in KiB


def bench(size: int, rounds: int, folder: Path) -> dict[str, object]:
    ris = folder / f"bench-{size}.ris"
    file_bytes = write_ris(ris, size)
    times: dict[str, list[float]] = {"rispy": [], "litdesk": []}
    rss: dict[str, list[float]] = {"rispy": [], "litdesk": []}
    for r in range(rounds):
        order = ("rispy", "litdesk") if r % 2 == 0 else ("litdesk", "rispy")
        for which in order:
            if which == "rispy":
                cmd = [sys.executable, "-c", _RISPY, str(ris)]
            else:
                lib = folder / f"lib-{size}-{r}.sqlite"
                cmd = [sys.executable, "-m", "litdesk", "--library", str(lib), "import", str(ris)]
            wall, peak, out = _run(cmd)
            times[which].append(wall)
            rss[which].append(peak)
            print(f"  {size:>7,} records round {r + 1} {which:8} {wall:7.2f} s {peak:6.0f} MB"
                  f"  {out.strip().splitlines()[0][:90] if out.strip() else ''}", flush=True)
            if which == "litdesk":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{lib}{suffix}").unlink(missing_ok=True)
    ris.unlink()
    a, b = statistics.median(times["rispy"]), statistics.median(times["litdesk"])
    return {"size": size, "mb": file_bytes / 1e6, "rispy_s": a, "litdesk_s": b,
            "rispy_rss": max(rss["rispy"]), "litdesk_rss": max(rss["litdesk"]),
            "ratio": b / a}


def check_share(size: int, folder: Path) -> bool:
    """Import ``size`` records into a library of ``size``; print the duplicate check's share.

    Two figures: the time the reading thread spends deciding duplicates (look-ups and
    verdicts; it runs beside the writing thread, so GIL waits count too), and what the check
    adds to the import's wall time: the same file imported into a copy of the same library
    with the check switched off (``allow_duplicates``; it then writes the repeats too)."""
    import shutil

    from litdesk.store.importer import import_file
    from litdesk.store.library import Library

    first, second = folder / f"first-{size}.ris", folder / f"second-{size}.ris"
    write_ris(first, size, seed=1)
    write_ris(second, size // 10, seed=1)  # the first tenth again: certain duplicates
    write_ris(second, size - size // 10, seed=2, start=size, mode="a")
    lib_path, bare_path = folder / f"lib-{size}.sqlite", folder / f"bare-{size}.sqlite"
    with Library.open(lib_path, coder="bench") as lib:
        start = time.perf_counter()
        s1 = import_file(lib, first)
        into_empty = time.perf_counter() - start
    shutil.copyfile(lib_path, bare_path)
    with Library.open(bare_path, coder="bench") as bare:
        start = time.perf_counter()
        import_file(bare, second, allow_duplicates=True)
        unchecked = time.perf_counter() - start
    with Library.open(lib_path, coder="bench") as lib:
        start, cpu = time.perf_counter(), time.process_time()
        s2 = import_file(lib, second)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    share, added = s2.check_seconds / wall, (wall - unchecked) / wall
    cpu_share = s2.check_cpu_seconds / cpu
    print(f"into an empty library: {s1.added:,} added in {into_empty:.1f} s "
          f"(check {s1.check_seconds:.1f} s)")
    print(f"into {s1.added:,} records: {s2.line()}")
    print(f"  {wall:.1f} s in all, {s2.check_seconds:.1f} s in the reading thread deciding "
          f"duplicates: {share:.1%}")
    print(f"  CPU: {cpu:.1f} s for the import (all its threads), {s2.check_cpu_seconds:.1f} s "
          f"deciding duplicates: {cpu_share:.1%} (target <= {TARGET_CHECK_SHARE:.0%}: "
          f"{'met' if cpu_share <= TARGET_CHECK_SHARE else 'NOT met'})")
    print(f"  without the check (allow_duplicates): {unchecked:.1f} s; the check adds "
          f"{wall - unchecked:.1f} s = {added:.1%} of the import's wall time (a noisy figure "
          "on a shared machine)")
    return cpu_share <= TARGET_CHECK_SHARE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--into-library", action="store_true",
                        help="time the duplicate check of an import into a full library")
    args = parser.parse_args()
    if args.into_library:
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            return 0 if all(check_share(n, Path(tmp)) for n in args.sizes) else 1
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        results = [bench(n, args.rounds, Path(tmp)) for n in args.sizes]
    print("\n| records | file MB | rispy.load s | litdesk import s | ratio | rispy rec/s "
          "| litdesk rec/s | rispy peak MB | litdesk peak MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        n = r["size"]
        print(f"| {n:,} | {r['mb']:.0f} | {r['rispy_s']:.1f} | {r['litdesk_s']:.1f} | "
              f"{r['ratio']:.2f} | {n / r['rispy_s']:,.0f} | {n / r['litdesk_s']:,.0f} | "
              f"{r['rispy_rss']:.0f} | {r['litdesk_rss']:.0f} |")
    last = results[-1]
    ok = last["ratio"] <= TARGET_RATIO and last["litdesk_rss"] <= TARGET_RSS_MB
    print(f"\ntargets (largest size): ratio <= {TARGET_RATIO} and litdesk peak <= "
          f"{TARGET_RSS_MB} MB: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
