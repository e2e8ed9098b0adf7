"""One window per library: a real server in this process, real second ``litdesk`` processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir

from litdesk.ui import single_instance
from litdesk.ui.single_instance import SingleInstanceServer, server_name

pytestmark = pytest.mark.slow


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    # Were the child to open a window after all, it would say so and quit instead of hanging.
    env["LITDESK_EXIT_AFTER_SHOWN"] = "child"
    return env


def _litdesk(qtbot, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """Run ``python -m litdesk ARGS`` while this process's event loop keeps serving."""
    out, err = tmp_path / "child.out", tmp_path / "child.err"
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen([sys.executable, "-m", "litdesk", *args], env=_env(tmp_path),
                                stdout=o, stderr=e, stdin=subprocess.DEVNULL)
        try:
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return proc.returncode, out.read_text(), err.read_text()


def _stale_socket(name: str) -> Path:
    """A socket file nobody listens on, as a crashed litdesk leaves behind."""
    path = Path(QDir.tempPath()) / name
    path.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


@pytest.fixture
def served(window):
    server = single_instance.serve(window)
    yield server
    server.close()


def test_second_launch_hands_its_file_to_the_window(qtbot, window, served, lib_path, seed,
                                                    tmp_path):
    assert served.name == server_name(lib_path)
    with qtbot.waitSignal(window.importFinished, timeout=60_000) as imported:
        status, out, err = _litdesk(qtbot, tmp_path, "--library", str(lib_path), str(seed))
    assert status == 0, err
    assert "litdesk-shown" not in out  # the child opened no window of its own
    assert [s.added for s in imported.args[0]] == [1]
    assert window.model.rowCount() == 1
    assert window.isVisible()


def test_launch_without_files_raises_the_window(qtbot, window, served, lib_path, tmp_path):
    window.showMinimized()
    status, out, err = _litdesk(qtbot, tmp_path, "--library", str(lib_path))
    assert status == 0, err
    assert "litdesk-shown" not in out
    qtbot.waitUntil(lambda: not window.isMinimized())


def test_another_library_opens_its_own_window(qtbot, window, served, tmp_path):
    from litdesk.store.library import Library

    other = tmp_path / "other.litdesk.sqlite"
    Library.open(other).close()  # the app asks before it creates a library that is not there
    status, out, err = _litdesk(qtbot, tmp_path, "--library", str(other))
    assert status == 0, err
    assert "litdesk-shown" in out
    assert window.model.rowCount() == 0


def test_stale_socket_is_replaced(qtbot, window, lib_path, seed, tmp_path):
    name = server_name(lib_path)
    stale = _stale_socket(name)
    assert not single_instance.hand_over(lib_path, [str(seed)])  # nobody answers
    server = single_instance.serve(window)
    try:
        assert server.name == name
        assert stale.exists()  # now the live server's socket
        with qtbot.waitSignal(window.importFinished, timeout=60_000):
            status, out, err = _litdesk(qtbot, tmp_path, "--library", str(lib_path), str(seed))
        assert status == 0, err
        assert "litdesk-shown" not in out
        assert window.model.rowCount() == 1
    finally:
        server.close()


def test_a_live_server_is_left_alone(window, served, lib_path):
    # Qt would let a second server take over the name: listen() must look for a live one first
    second = SingleInstanceServer(lambda: lib_path)
    assert not second.listen()
    assert served._server.isListening()
    assert single_instance._answers(server_name(lib_path))


def test_finder_file_open_events_are_imported(qtbot, window, served, seed):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QFileOpenEvent

    with qtbot.waitSignal(window.importFinished, timeout=60_000):
        QCoreApplication.sendEvent(QCoreApplication.instance(), QFileOpenEvent(str(seed)))
    assert window.model.rowCount() == 1


def test_messages_for_another_library_are_refused(window, served, tmp_path):
    line = b'{"library": "%s", "files": []}' % str(tmp_path / "elsewhere.sqlite").encode()
    assert served._parse(line) is None
    assert served._parse(b"not json") is None
    assert served._parse(b'{"library": "x"}') is None


def test_cli_import_while_the_window_has_the_library_open(qtbot, window, lib_path, seed,
                                                          tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "litdesk", "--library", str(lib_path), "import", str(seed)],
        env=_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    assert window.model.rowCount() == 0  # the window has not looked yet
    window.model.refresh()
    assert window.model.rowCount() == 1
