"""Start-up time of the CLI and of the window (run by hand; prints the figures of issue #18).

    python tests/benchmarks/bench_startup.py [--runs 10] [--size 100000] [--exe dist/litdesk/x]
    xvfb-run -a python tests/benchmarks/bench_startup.py     # a real X server (xcb)

CLI: ``litdesk-cli --version``, ``list`` and ``coders`` on a small library (50 generated
records, a few coded), each spawned ``--runs`` times; with the interpreter's own start and
``import sqlalchemy`` for scale (what the commands would pay if they loaded the store's engine).
Target: a median of 0.4 s or less for each command.

Window: each run spawns the app with ``LITDESK_EXIT_AFTER_SHOWN`` set to the spawn time; the
app prints the seconds until its first paint (the window greyed, its library opening right
after), then until it has painted with its library open, and quits
(``litdesk/ui/startup_probe.py``): on an
empty library and on one of ``--size`` records (built once by ``bench_scale.build_library``,
cached in ``$LITDESK_BENCH_DIR`` or ``/tmp/litdesk-bench``). Each library is opened by an
unmeasured warm-up run first, so the figures are for an existing library with a warm disk
cache. Without ``DISPLAY`` it runs on Qt's offscreen platform. Target: a median of 0.8 s or
less to the window on the large library under X. The machine is shared: compare figures
within one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CLI_TARGET_S = 0.4
WINDOW_TARGET_S = 0.8


def one_run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning the app to its first paint, and to its paint with the records."""
    env = dict(env, LITDESK_EXIT_AFTER_SHOWN=repr(time.time()))
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
    except subprocess.TimeoutExpired as e:
        raise SystemExit(f"{command} did not show its window within 120 s\n"
                         f"stdout: {e.stdout!r}\nstderr: {e.stderr!r}") from None
    said = dict(line.split()[:2] for line in done.stdout.splitlines()
                if line.startswith(("litdesk-shown ", "litdesk-ready ")))
    if len(said) == 2:
        return float(said["litdesk-shown"]), float(said["litdesk-ready"])
    raise SystemExit(f"no timing from {command}: exit {done.returncode}\n{done.stderr}")


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` until it has exited (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def line(name: str, times: list[float], target: float | None = None) -> str:
    times = sorted(times)
    median = statistics.median(times)
    verdict = "" if target is None else (
        f"   target <= {target} s: {'met' if median <= target else 'NOT met'}")
    return (f"  {name:<34} median {median:.3f} s   min {times[0]:.3f} s   "
            f"max {times[-1]:.3f} s{verdict}")


def bench_cli(root: Path, env: dict[str, str], runs: int) -> None:
    from gen_records import Generator, write_ris

    cli = Path(sys.executable).with_name("litdesk-cli")
    library = str(root / "small.litdesk.sqlite")
    ris = write_ris(root / "small.ris", Generator(3).records(50))
    subprocess.run([str(cli), "--library", library, "import", str(ris)], env=env,
                   stdout=subprocess.DEVNULL, check=True)
    for rid in (1, 2, 3):
        subprocess.run([str(cli), "--library", library, "--coder", "ana", "tag", str(rid), "0",
                        "5", "Background"], env=env, stdout=subprocess.DEVNULL, check=True)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import sqlalchemy'": [sys.executable, "-c", "import sqlalchemy"],
        "litdesk-cli --version": [str(cli), "--version"],
        "litdesk-cli list": [str(cli), "--library", library, "list"],
        "litdesk-cli coders": [str(cli), "--library", library, "coders"],
    }
    for command in commands.values():
        wall(command, env)  # bytecode and disk cache warm
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a burst of load hits every command alike
        for name, command in commands.items():
            times[name].append(wall(command, env))
    print(f"CLI on a small library (50 records), {runs} runs each")
    for name in commands:
        print(line(name, times[name], CLI_TARGET_S if name.startswith("litdesk") else None))


def bench_window(root: Path, env: dict[str, str], runs: int, size: int, exe: str | None) -> None:
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    launcher = [exe] if exe else [sys.executable, "-m", "litdesk"]
    libraries = {"empty library": root / "empty.litdesk.sqlite"}
    if size:
        from bench_scale import build_library

        libraries[f"{size:,} records"] = build_library(size)
    platform = env.get("QT_QPA_PLATFORM") or "X (DISPLAY=" + env.get("DISPLAY", "") + ")"
    print(f"Window, process start to its first paint (the library opens right after it) and "
          f"to its paint with the records: {' '.join(launcher)} on {platform}, {runs} runs each")
    for name, library in libraries.items():
        command = [*launcher, "--library", str(library)]
        if not library.exists():  # the app asks before creating a library: make it first
            subprocess.run([*launcher, "--library", str(library), "list"], env=env,
                           capture_output=True, check=False)
            from litdesk.store.library import Library

            Library.open(library).close()
        one_run(command, env)  # opens the library once (daily backup) and warms caches
        times = [one_run(command, env) for _ in range(runs)]
        print(line(f"{name}: window", [t[0] for t in times],
                   WINDOW_TARGET_S if name != "empty library" else None))
        print(line(f"{name}: records shown", [t[1] for t in times]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", type=int, default=100_000,
                        help="records in the large library (0: the empty library only)")
    parser.add_argument("--exe", help="a built litdesk executable (default: python -m litdesk)")
    parser.add_argument("--only", choices=("cli", "window"), help="one half of the benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="litdesk-bench-") as tmp:
        root = Path(tmp)
        env = dict(os.environ)
        # As installed (pip compiles the bytecode): a child that may not write __pycache__
        # compiles litdesk from source on every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[var] = str(root / var.lower())
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.only != "window":
            bench_cli(root, env, args.runs)
        if args.only != "cli":
            bench_window(root, env, args.runs, args.size, args.exe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
