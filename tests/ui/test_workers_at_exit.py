"""Background workers when the app ends: every one still running is cancelled and waited for,
so no QThread is destroyed while it runs (which aborts the process, exit 134)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys, time
    from PySide6.QtWidgets import QApplication
    from litdesk.ui.tasks import workers

    class Slow(workers.Worker):  # a worker busy until cancelled (a long read, say)
        def run(self):
            while not self.cancelled():
                time.sleep(0.01)
            self.finished.emit(None)

    app = QApplication([])
    worker = Slow()
    thread = workers.start(worker, None)  # no parent: as a dialog starts its reading
    time.sleep(0.2)
    assert thread.isRunning()
    if sys.argv[1] == "stop":
        assert workers.stop_all(10_000)
        assert not thread.isRunning()
    print("ending", flush=True)
""")


def _run(mode: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True,
                          timeout=60, env=env)


def test_stop_all_ends_a_running_worker_so_the_process_ends_cleanly():
    done = _run("stop")
    assert done.returncode == 0, done.stderr
    assert "ending" in done.stdout
    assert "Destroyed while thread" not in done.stderr
    # Without stop_all ("leave") the same script ends with exit 134 and "QThread: Destroyed
    # while thread '' is still running" (PySide6 6.11 here): the failure this prevents.

