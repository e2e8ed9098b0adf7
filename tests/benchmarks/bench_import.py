"""Benchmark: `litdesk import` of a large RIS file against `rispy.load` of the same file.

Run by hand (not collected by pytest)::

    python tests/benchmarks/bench_import.py                # 10k and 100k records, 3 rounds
    python tests/benchmarks/bench_import.py --sizes 20000 --rounds 1 --kinds real

For each size and kind of file it writes two RIS exports of that many records each (A, and B
with other records): ``synthetic``, with realistic field sizes (abstracts of 1,500-2,000
characters, a quarter of them structured, 1-10 authors, keywords, DOI...), and ``real``, the
real abstracts of ``../shared/corpus/abstracts`` cycled, each with a distinct title, authors
and DOI (skipped when the corpus is absent). Then it times, as separate processes, in one run
and alternating the order over the rounds: ``rispy.load`` of A, ``python -m litdesk --library
NEW import A``, ``rispy.load`` of B and the import of B into the library that A made. Wall
time and the peak RSS of each child (from ``os.wait4``) are reported, with records/s, the
size of the library (file and ``-wal``) against the RIS file, and the machine's load average.
Targets (issue 18): import <= 2.5 x rispy.load on the synthetic file and <= 4 x on real
abstracts, both into a new library and into one that holds the first file; peak RSS <= 300 MB;
library <= 2.5 x the RIS file on real abstracts.

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

TARGET_RATIO = {"synthetic": 2.5, "real": 4.0}
TARGET_RSS_MB = 300
TARGET_SIZE_RATIO = 2.5  # library (+ -wal) / RIS file, on real abstracts
REAL_ABSTRACTS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "abstracts" \
    / "abstracts.jsonl"
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


def write_real_ris(path: Path, n: int, seed: int = 1, start: int = 0) -> int:
    """Write ``n`` records carrying the corpus's real abstracts, cycled, each with a distinct
    title, authors and DOI; return the file size in bytes. The texts keep their line breaks
    (continuation lines, as PubMed exports have them)."""
    import json

    with REAL_ABSTRACTS.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in range(start, start + n):
            text = texts[i % len(texts)]
            words = text.split()
            first = rng.randrange(max(1, len(words) - 12))
            title = " ".join(words[first:first + rng.randint(6, 12)]).strip(".,;:")
            lines = ["TY  - JOUR", f"TI  - {title.capitalize()} ({seed}.{i})"]
            lines += [f"AU  - {rng.choice(_SURNAMES)}, {rng.choice('ABCDEFGHJKLM')}."
                      for _ in range(rng.randint(1, 10))]
            lines += [f"PY  - {rng.randint(1990, 2024)}", f"JO  - {rng.choice(_JOURNALS)}",
                      f"VL  - {rng.randint(1, 80)}", f"SP  - {rng.randint(1, 900)}",
                      f"DO  - 10.{rng.randint(1000, 9999)}/real.{seed}.{i}",
                      "AB  - " + "\n".join(line.strip() for line in text.splitlines())]
            lines += [f"KW  - {' '.join(rng.choices(_WORDS, k=2))}"
                      for _ in range(rng.randint(3, 8))]
            lines += ["DB  - PubMed", "ER  - ", ""]
            out.write("\n".join(lines) + "\n")
    return path.stat().st_size


def write_file(kind: str, path: Path, n: int, seed: int) -> int:
    """A RIS file of ``n`` records of ``kind`` ("synthetic" or "real")."""
    if kind == "real":
        return write_real_ris(path, n, seed=seed, start=(seed - 1) * n)
    return write_ris(path, n, seed=seed, start=(seed - 1) * n)


_RISPY = (
    "import sys, pathlib, rispy; "
    "recs = rispy.load(pathlib.Path(sys.argv[1]), encoding='utf-8'); print(len(recs))"
)


def _run(cmd: list[str]) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS in MB, stdout and CPU seconds (all threads) of one child."""
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
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, text, cpu  # Linux: ru_maxrss is in KiB


def _library_bytes(lib: Path) -> int:
    return sum(Path(f"{lib}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{lib}{s}").exists())


def _remove_library(lib: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{lib}{suffix}").unlink(missing_ok=True)


STEPS = ("rispy A", "new A", "rispy B", "into B")


def bench(kind: str, size: int, rounds: int, folder: Path) -> dict[str, object]:
    """Time the four steps of `STEPS` over ``rounds`` rounds, alternating their order."""
    a_file, b_file = folder / f"{kind}-{size}-a.ris", folder / f"{kind}-{size}-b.ris"
    a_bytes = write_file(kind, a_file, size, seed=1)
    b_bytes = write_file(kind, b_file, size, seed=2)
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    cpus: dict[str, list[float]] = {s: [] for s in STEPS}
    rss: dict[str, list[float]] = {s: [] for s in STEPS}
    lib_bytes: dict[str, list[int]] = {"new A": [], "into B": []}
    for r in range(rounds):
        lib = folder / f"lib-{kind}-{size}-{r}.sqlite"
        # the import into B needs the library A made: alternate the pairs' inner order
        pairs = [("rispy A", "new A"), ("rispy B", "into B")]
        order = [s for p in pairs for s in (p if r % 2 == 0 else p[::-1])]
        for step in order:
            ris = a_file if step.endswith("A") else b_file
            if step.startswith("rispy"):
                cmd = [sys.executable, "-c", _RISPY, str(ris)]
            else:
                cmd = [sys.executable, "-m", "litdesk", "--library", str(lib), "import",
                       str(ris)]
            wall, peak, out, cpu = _run(cmd)
            times[step].append(wall)
            cpus[step].append(cpu)
            rss[step].append(peak)
            if step in lib_bytes:
                lib_bytes[step].append(_library_bytes(lib))
            print(f"  {kind:9} {size:>7,} round {r + 1} {step:8} {wall:7.2f} s "
                  f"(CPU {cpu:6.2f} s) {peak:4.0f} MB"
                  f"  load {os.getloadavg()[0]:.2f}"
                  f"  {out.strip().splitlines()[0][:70] if out.strip() else ''}", flush=True)
        _remove_library(lib)
    a_file.unlink()
    b_file.unlink()
    med = {s: statistics.median(v) for s, v in times.items()}
    cpu = {s: statistics.median(v) for s, v in cpus.items()}
    return {"kind": kind, "size": size, "mb": a_bytes / 1e6, "med": med,
            "cpu_new": cpu["new A"] / cpu["rispy A"], "cpu_into": cpu["into B"] / cpu["rispy B"],
            "rss": max(max(rss["new A"]), max(rss["into B"])), "rispy_rss": max(rss["rispy A"]),
            "new_ratio": med["new A"] / med["rispy A"],
            "into_ratio": med["into B"] / med["rispy B"],
            "size_ratio": max(lib_bytes["new A"]) / a_bytes,
            "size_ratio_into": max(lib_bytes["into B"]) / (a_bytes + b_bytes)}


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
    parser.add_argument("--kinds", nargs="+", default=["synthetic", "real"],
                        choices=["synthetic", "real"])
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--into-library", action="store_true",
                        help="time the duplicate check of an import into a full library")
    args = parser.parse_args()
    if args.into_library:
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            return 0 if all(check_share(n, Path(tmp)) for n in args.sizes) else 1
    kinds = list(args.kinds)
    if "real" in kinds and not REAL_ABSTRACTS.exists():
        print(f"skipping real abstracts: {REAL_ABSTRACTS} is absent")
        kinds.remove("real")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        results = [bench(k, n, args.rounds, Path(tmp)) for n in args.sizes for k in kinds]
    load_after = os.getloadavg()
    print("\n| file | records | file MB | rispy.load A s | new A s | ratio | rispy.load B s "
          "| into A+B s | ratio | CPU ratios (new, into) | rec/s new | peak MB "
          "| library / RIS (new, into) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for r in results:
        n, med = r["size"], r["med"]
        print(f"| {r['kind']} | {n:,} | {r['mb']:.0f} | {med['rispy A']:.2f} | "
              f"{med['new A']:.2f} | {r['new_ratio']:.2f} | {med['rispy B']:.2f} | "
              f"{med['into B']:.2f} | {r['into_ratio']:.2f} | "
              f"{r['cpu_new']:.2f}, {r['cpu_into']:.2f} | "
              f"{n / med['new A']:,.0f} | "
              f"{r['rss']:.0f} (rispy {r['rispy_rss']:.0f}) | "
              f"{r['size_ratio']:.2f}, {r['size_ratio_into']:.2f} |")
        if n == max(args.sizes):
            target = TARGET_RATIO[r["kind"]]
            ok &= r["new_ratio"] <= target and r["into_ratio"] <= target
            ok &= r["rss"] <= TARGET_RSS_MB
            if r["kind"] == "real":
                ok &= max(r["size_ratio"], r["size_ratio_into"]) <= TARGET_SIZE_RATIO
    print(f"\nload average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)};"
          f" after {', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs)")
    print(f"targets (largest size): ratio <= {TARGET_RATIO['synthetic']} (synthetic), "
          f"<= {TARGET_RATIO['real']} (real), new and into; peak <= {TARGET_RSS_MB} MB; "
          f"library <= {TARGET_SIZE_RATIO} x RIS (real): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
