"""How litdesk's working loop scales with library size: run by hand, prints a table.

    python tests/benchmarks/bench_scale.py [--sizes 1000 10000 100000] [--xvfb]

For each size it builds (once, cached in ``$LITDESK_BENCH_DIR`` or ``/tmp/litdesk-bench``) a
library by importing a generated RIS file through ``litdesk.store.importer`` (records from
``gen_records.py``; 1% of them coded), then measures:

* start: process start until the main window is shown with its first rows painted, in a
  fresh interpreter (offscreen, or the X display in ``$DISPLAY``; ``--xvfb`` runs it under
  ``xvfb-run``), and the process's RSS at that moment;
* search: ``model.set_filter`` for a common and a rare word until the table has repainted
  its visible rows (median of 20; the search box's debounce is not counted);
* sort: by year and by title, until the table has repainted (median of 5);
* select: selecting a row until the abstract pane shows the record (median of 20);
* tag: tagging a span from the abstract pane until it is in the library (median of 20).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_records import COMMON, RARE, Generator, write_ris  # noqa: E402

if TYPE_CHECKING:
    from litdesk.store.library import Library

TARGETS = {"start_s": 1.0, "rss_mb": 250, "search_common_ms": 100, "search_rare_ms": 100,
           "sort_year_ms": 300, "sort_title_ms": 300, "select_ms": 30, "tag_ms": 20}
CODER = "bench"


def bench_dir() -> Path:
    d = Path(os.environ.get("LITDESK_BENCH_DIR", "/tmp/litdesk-bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def as_the_app_leaves_it(lib: Library, n: int, seed: int) -> None:
    """After an import: the suggestion flags worked out (a window opened on pending ones
    would check them in the background while it is measured), and 1% of records coded."""
    from litdesk.core.model import LABELS, Span
    from litdesk.store.suggestions import check_pending

    check_pending(lib)
    rng = random.Random(seed)
    for rid in rng.sample(lib.search_ids(), max(1, n // 100)):
        abstract = lib.record(rid).abstract
        k = rng.randint(1, len(LABELS))
        cuts = sorted(rng.sample(range(1, len(abstract)), k))
        lib.set_spans(rid, [Span(a, b, LABELS[i], "")
                            for i, (a, b) in enumerate(zip([0, *cuts], cuts, strict=False))])


def build_library(n: int, seed: int = 7) -> Path:
    """The cached library of ``n`` generated records (built by a real import when missing)."""
    from litdesk.store.importer import import_file
    from litdesk.store.library import Library

    path = bench_dir() / f"lib-{n}-seed{seed}.litdesk.sqlite"
    if path.exists():
        with Library.open(path, coder=CODER) as lib:
            if lib.count() == n and lib.meta("bench_complete") == "1":
                return path
        path.unlink()
    ris = write_ris(bench_dir() / f"gen-{n}-seed{seed}.ris", Generator(seed).records(n))
    t = time.perf_counter()
    with Library.open(path, coder=CODER) as lib:
        summary = import_file(lib, ris)
        assert summary.added == n, summary.line()
        as_the_app_leaves_it(lib, n, seed)
        lib.set_meta("bench_complete", "1")
    print(f"  built {path.name}: {n:,} records in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)
    ris.unlink()
    return path


# -- start-up, in a fresh process ------------------------------------------------------------
def child_startup(library: str, spawned: float) -> None:
    """Runs in the subprocess: the app's own wiring, timed to the table's first painted rows."""
    import psutil
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from litdesk.ui.app import apply_style, open_window

    app = QApplication(sys.argv[:1])
    apply_style(app)
    window = open_window(library, coder=CODER)
    assert window is not None

    class FirstRows(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802
            # the first paint with the library open (the window paints once before it opens)
            painted = event.type() == QEvent.Type.Paint and window.holder.is_open
            if painted and not hasattr(self, "done"):
                self.done = True
                QTimer.singleShot(0, report)
            return False

    def report() -> None:
        elapsed = time.time() - spawned
        painted = window.model.index(0, 2).data() is not None or window.model.rowCount() == 0
        rss = psutil.Process().memory_info().rss / 2**20
        print(f"litdesk-start {elapsed:.4f} {rss:.1f} {int(painted)}", flush=True)
        app.quit()

    probe = FirstRows(window)
    window.table.viewport().installEventFilter(probe)
    window.show()
    app.exec()
    window.holder.close()


def measure_startup(library: Path, xvfb: bool, runs: int = 3) -> tuple[float, float]:
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(bench_dir() / "config")  # leave the user's settings alone
    env["XDG_DATA_HOME"] = str(bench_dir() / "data")
    if not env.get("DISPLAY") and not xvfb:
        env["QT_QPA_PLATFORM"] = "offscreen"
    prefix = ["xvfb-run", "-a"] if xvfb else []
    times, rss = [], []
    for run in range(runs + 1):  # the first run warms the disk cache and bytecode: not counted
        spawned = time.time()
        out = subprocess.run(
            [*prefix, sys.executable, __file__, "--child-startup", str(library), repr(spawned)],
            env=env, capture_output=True, text=True, timeout=120, check=False)
        line = next((x for x in out.stdout.splitlines() if x.startswith("litdesk-start")), None)
        if line is None:
            raise RuntimeError(f"start-up run failed:\n{out.stdout}\n{out.stderr}")
        _, s, mb, painted = line.split()
        assert painted == "1", "the window painted before its rows were available"
        if run:
            times.append(float(s))
            rss.append(float(mb))
    return statistics.median(times), statistics.median(rss)


# -- in-process measurements ---------------------------------------------------------------
def median_ms(action: Callable[[], object], runs: int, between: Callable[[], object] = lambda: None,
              ) -> float:
    samples = []
    for _ in range(runs):
        between()
        t = time.perf_counter()
        action()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def measure_in_process(library: Path) -> dict[str, float]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from litdesk.core.model import LABELS
    from litdesk.store.library import Library
    from litdesk.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(bench_dir() / "settings.ini"), QSettings.Format.IniFormat)
    lib = Library.open(library, coder=CODER)
    win = MainWindow(lib, settings)
    win.show()
    app.processEvents()
    table, model = win.table, win.model
    total = model.rowCount()

    def shown(text: str) -> Callable[[], None]:
        def run() -> None:
            model.set_filter(text, None)
            table.viewport().repaint()
            assert model.rowCount() == 0 or model.index(0, 2).data() is not None
        return run

    def clear() -> None:
        model.set_filter("", None)

    res: dict[str, float] = {}
    res["search_common_ms"] = median_ms(shown(COMMON), 20, clear)
    res["common_hits"] = model.rowCount()
    res["search_rare_ms"] = median_ms(shown(RARE), 20, clear)
    res["rare_hits"] = model.rowCount()
    clear()
    assert model.rowCount() == total

    def sort(col: int) -> Callable[[], None]:
        def run() -> None:
            table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
            table.viewport().repaint()
        return run

    unsort = lambda: table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # noqa: E731
    res["sort_year_ms"] = median_ms(sort(model.YEAR), 5, unsort)
    res["sort_title_ms"] = median_ms(sort(model.TITLE), 5, unsort)
    unsort()

    rng = random.Random(1)
    rows = [rng.randrange(total) for _ in range(20)]
    it = iter(rows)

    def select() -> None:
        row = next(it)
        table.selectRow(row)
        win.pane.abstract.viewport().repaint()
        assert win.pane.record is not None
        assert win.pane.record.id == model.record_id(row)

    res["select_ms"] = median_ms(select, len(rows))

    def tag() -> None:
        rec = win.pane.record
        assert rec is not None
        assert rec.id is not None
        win.pane.abstract.tagRequested.emit(0, min(40, len(rec.abstract)), LABELS[0])

    def next_record() -> None:
        table.selectRow(rng.randrange(total))

    res["tag_ms"] = median_ms(tag, 20, next_record)
    rec = win.pane.record
    assert rec is not None
    assert rec.id is not None
    with Library.open(library, coder=CODER) as other:  # persisted: another connection sees it
        assert any(s.start == 0 and s.label == LABELS[0] for s in other.spans(rec.id))
    win.close()
    lib.close()
    return res


def run_size(n: int, xvfb: bool) -> dict[str, float]:
    """All figures for one size; the in-process part runs in a subprocess of its own."""
    path = build_library(n)
    start, rss = measure_startup(path, xvfb)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, __file__, "--child-measure", str(path)], env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("litdesk-measure")), None)
    if line is None:
        raise RuntimeError(f"measurement run failed:\n{out.stdout}\n{out.stderr}")
    res = json.loads(line.split(" ", 1)[1])
    return {"records": n, "start_s": start, "rss_mb": rss, **res}


def print_table(results: list[dict[str, float]]) -> None:
    rows = [("records", "", "{:,.0f}"), ("start_s", "≤ 1.0 s", "{:.2f} s"),
            ("rss_mb", "≤ 250 MB", "{:.0f} MB"), ("search_common_ms", "≤ 100 ms", "{:.1f} ms"),
            ("common_hits", "", "{:,.0f}"), ("search_rare_ms", "≤ 100 ms", "{:.1f} ms"),
            ("rare_hits", "", "{:,.0f}"), ("sort_year_ms", "≤ 300 ms", "{:.1f} ms"),
            ("sort_title_ms", "≤ 300 ms", "{:.1f} ms"), ("select_ms", "≤ 30 ms", "{:.1f} ms"),
            ("tag_ms", "≤ 20 ms", "{:.1f} ms")]
    print(f"{'measure':<18}{'target':>10}" + "".join(f"{r['records']:>14,.0f}" for r in results))
    for key, target, fmt in rows[1:]:
        cells = []
        for r in results:
            mark = " !" if key in TARGETS and r[key] > TARGETS[key] else "  "
            cells.append(f"{fmt.format(r[key]) + mark:>14}")
        print(f"{key:<18}{target:>10}" + "".join(cells))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-startup":
        child_startup(sys.argv[2], float(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-measure":
        print("litdesk-measure", json.dumps(measure_in_process(Path(sys.argv[2]))), flush=True)
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--xvfb", action="store_true", help="measure start-up under xvfb-run")
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        print(f"{n:,} records…", file=sys.stderr)
        results.append(run_size(n, args.xvfb))
    print_table(results)
    print("(! marks a missed target)")


if __name__ == "__main__":
    main()
