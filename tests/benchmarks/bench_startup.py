"""Start-up time: from spawning ``litdesk`` until its main window has painted (run by hand).

    python tests/benchmarks/bench_startup.py [--runs 10] [--exe dist/litdesk/litdesk]
    xvfb-run -a python tests/benchmarks/bench_startup.py     # a real X server (xcb)

Each run spawns the app on an empty library with ``LITDESK_EXIT_AFTER_SHOWN`` set to the
spawn time; the app prints the seconds until its first paint and quits
(``litdesk/ui/startup_probe.py``). The library is created by an unmeasured warm-up run, so the
figures are for opening an existing empty library with a warm disk cache. Without ``DISPLAY``
it runs on Qt's offscreen platform. Target: a median of 1.0 s or less.
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


def one_run(command: list[str], env: dict[str, str]) -> float:
    env = dict(env, LITDESK_EXIT_AFTER_SHOWN=repr(time.time()))
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
    except subprocess.TimeoutExpired as e:
        raise SystemExit(f"{command} did not show its window within 120 s\n"
                         f"stdout: {e.stdout!r}\nstderr: {e.stderr!r}") from None
    for line in done.stdout.splitlines():
        if line.startswith("litdesk-shown "):
            return float(line.split()[1])
    raise SystemExit(f"no timing from {command}: exit {done.returncode}\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--exe", help="a built litdesk executable (default: python -m litdesk)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="litdesk-bench-") as tmp:
        root = Path(tmp)
        env = dict(os.environ)
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[var] = str(root / var.lower())
        launcher = [args.exe] if args.exe else [sys.executable, "-m", "litdesk"]
        command = [*launcher, "--library", str(root / "empty.litdesk.sqlite")]
        one_run(command, env)  # creates the library (schema, migrations) and warms caches
        times = sorted(one_run(command, env) for _ in range(args.runs))
    platform = env.get("QT_QPA_PLATFORM") or "default (DISPLAY=" + env.get("DISPLAY", "") + ")"
    print(f"{' '.join(launcher)} on {platform}, {args.runs} runs")
    print(f"median {statistics.median(times):.3f} s   min {times[0]:.3f} s   "
          f"max {times[-1]:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
