"""Event-loop stalls while tagging during the background integrity check of a large library.

Builds (once, kept in the given folder) a library of N generated records whose suggestion flags
are pending, as after an import; opens a fresh copy of it as the app does
(``check_in_background=True``), shows the window and selects words and presses 1-5 on the
abstract in rounds while the check runs. Prints the longest gap, and the 99th percentile, of a
5 ms timer's ticks per round and over every round. The same gestures as
``tests/ui/test_tag_stalls.py``, on 100,000 records, run by hand:

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_tag_stalls.py 100000 /tmp/stalls
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from test_tag_stalls import build_library, show_first_record, tag_round  # noqa: E402

from litdesk.store.library import Library  # noqa: E402
from litdesk.ui.window.main_window import MainWindow  # noqa: E402


class _Bot:
    """The qtbot calls the gestures make."""

    @staticmethod
    def wait(ms: int) -> None:
        QTest.qWait(ms)

    @staticmethod
    def keyClick(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # noqa: N802
        QTest.keyClick(widget, key, modifiers)

    @staticmethod
    def waitUntil(condition, timeout: int = 60_000) -> None:  # noqa: N802
        deadline = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met")
            QTest.qWait(10)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _spread(gaps: list[float]) -> str:
    gaps = sorted(gaps)
    return (f"{len(gaps)} gaps, max {_ms(gaps[-1])} ms, p99 {_ms(gaps[int(len(gaps) * 0.99)])} "
            f"ms, median {_ms(statistics.median(gaps))} ms")


def idle_gaps(seconds: float) -> list[float]:
    """The event loop's gaps with nothing to do: the machine's own noise, to compare with."""
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(5)
    QTest.qWait(round(seconds * 1000))
    timer.stop()
    return [b - a for a, b in itertools.pairwise(ticks)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("folder", type=Path)
    args = ap.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    pristine = args.folder / f"pristine-{args.n}.sqlite"
    if not pristine.exists():
        t = time.perf_counter()
        build_library(args.folder, args.n).rename(pristine)
        print(f"built {args.n:,} records in {time.perf_counter() - t:.0f} s")
    path = args.folder / "big.litdesk.sqlite"
    shutil.copyfile(pristine, path)  # its suggestion flags pending again
    print(f"library file: {path.stat().st_size / 2**20:.0f} MiB; load: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    _app = QApplication.instance() or QApplication([])  # kept alive to the end
    print(f"idle event loop, no library: {_spread(idle_gaps(3))}")
    opened = time.perf_counter()
    lib = Library.open(path, coder="bench", check_in_background=True)
    win = MainWindow(lib, QSettings(str(args.folder / "settings.ini"),
                                    QSettings.Format.IniFormat))
    show_first_record(_Bot, win)
    print(f"window up, first tag written {time.perf_counter() - opened:.2f} s after opening; "
          f"integrity check running: {lib.checking}, suggestion check running: "
          f"{win.checker.running}")
    every: list[float] = []
    blocked: list[float] = []
    ran: list[float] = []
    while lib.checking:
        ticks, during = tag_round(_Bot, win, 4)
        if during:
            every += ticks.gaps()
            blocked += ticks.blocked()
            ran += ticks.ran()
        print(f"round: longest gap {_ms(max(ticks.gaps()))} ms, longest blocked "
              f"{_ms(max(ticks.blocked()))} ms{'' if during else ' (the check ended during it)'}"
              f"; suggestion check running: {win.checker.running}")
    print(f"check ended {time.perf_counter() - opened:.2f} s after opening; "
          f"damage: {lib.damage}")
    if every:
        print(f"tagging during the check: {_spread(every)}")
        print(f"  of which blocked (not running, not waiting for a CPU): {_spread(blocked)}")
        print(f"  of which running: {_spread(ran)}")
    after: list[float] = []
    after_blocked: list[float] = []
    for _ in range(5):
        ticks = tag_round(_Bot, win, 4)[0]
        after += ticks.gaps()
        after_blocked += ticks.blocked()
    print(f"tagging after the check: {_spread(after)}")
    print(f"  of which blocked: {_spread(after_blocked)}")
    print(f"load: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    win.close()
    lib.close()


if __name__ == "__main__":
    main()
