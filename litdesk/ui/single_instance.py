"""One window per library: a second ``litdesk FILE...`` hands its files to the running one.

The running app listens on a QLocalServer whose name is derived from the library's resolved
path and the user name, so each library has its own server and other users cannot reach it
(``UserAccessOption``). A starting app first tries to connect: when a server answers, it sends
one JSON line ``{"library": PATH, "files": [ABSOLUTE PATHS]}``, waits for ``{"ok": true}``
and exits; the running window imports the files and comes to the front. A socket left behind
by a crash does not answer, so it is removed and listened on again.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket

if TYPE_CHECKING:
    from litdesk.ui.window.main_window import MainWindow

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 500
REPLY_TIMEOUT_MS = 5_000
MAX_MESSAGE = 1 << 20


def server_name(library: Path) -> str:
    """The local server name of ``library`` for this user (stable, short, filename-safe)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = "unknown"
    key = f"{user}\0{_resolved(library)}".encode()
    return "litdesk-" + hashlib.sha256(key).hexdigest()[:32]


def _resolved(path: Path) -> Path:
    """``path`` with its links followed, as far as they go (a loop or a name too long for the
    system: as written, made absolute)."""
    path = Path(path).expanduser()
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return path.absolute()


def _same_library(a: Path, b: Path) -> bool:
    return _resolved(a) == _resolved(b)


def _answers(name: str) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(name)
    if not probe.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    probe.abort()
    return True


def hand_over(library: Path, files: Sequence[str]) -> bool:
    """Send ``files`` to a litdesk already running on ``library``; True when it took them.

    False when none is running (or it runs another library now, or it did not answer): the
    caller then opens its own window.
    """
    socket = QLocalSocket()
    socket.connectToServer(server_name(library))
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    message = {"library": str(_resolved(library)),
               "files": [str(Path(f).expanduser().absolute()) for f in files]}
    socket.write(json.dumps(message).encode("utf-8") + b"\n")
    socket.flush()
    reply = b""
    while not reply.endswith(b"\n") and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    try:
        answer = json.loads(reply.decode("utf-8"))
    except ValueError:
        log.warning("the litdesk running on %s did not answer; opening another window", library)
        return False
    return isinstance(answer, dict) and answer.get("ok") is True


class SingleInstanceServer(QObject):
    """Listens for later launches on the same library and emits the files they hand over."""

    #: absolute paths of the files handed over (possibly none: just come to the front)
    filesReceived = Signal(list)  # noqa: N815 (Qt naming)

    def __init__(self, library_path: Callable[[], Path], parent: QObject | None = None):
        super().__init__(parent)
        self._library_path = library_path
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def name(self) -> str:
        return self._server.serverName()

    def listen(self) -> bool:
        """Listen for the current library; False when another live litdesk already does.

        With ``UserAccessOption`` Qt replaces an existing socket file, a live one included,
        so a live server is looked for first; a socket that does not answer was left by a
        crash and is removed (needed on platforms where Qt would refuse the name instead).
        """
        name = server_name(self._library_path())
        if self._server.isListening() and self._server.serverName() == name:
            return True  # the library opened is the one it listened for while opening: a
            # launch waiting for an answer meanwhile must not lose its connection
        self._server.close()
        if _answers(name):
            log.info("another litdesk already listens on %s", name)
            return False
        if QLocalServer.removeServer(name):
            log.debug("removed a stale single-instance socket %s (if there was one)", name)
        if self._server.listen(name):
            return True
        log.warning("cannot listen on %s: %s", name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        self._buffers[socket] = data
        if b"\n" not in data and len(data) < MAX_MESSAGE:
            return
        files = self._parse(data.split(b"\n", 1)[0])
        ok = files is not None
        socket.write(json.dumps({"ok": ok}).encode("utf-8") + b"\n")
        socket.flush()
        socket.disconnectFromServer()
        if files is not None:
            self.filesReceived.emit(files)

    def _parse(self, line: bytes) -> list[str] | None:
        try:
            message = json.loads(line.decode("utf-8"))
            library = Path(message["library"])
            files = [str(f) for f in message["files"]]
        except (ValueError, KeyError, TypeError) as e:
            log.warning("ignored a malformed single-instance message: %s", e)
            return None
        if not _same_library(library, self._library_path()):
            return None  # this window has switched to another library since
        return files


class Handover(QObject):
    """Brings the window to the front and imports the files handed over to it.

    Files that arrive while an import or export runs wait for it to finish (``import_paths``
    refuses to start a second job), and those that arrive while the window's library opens
    wait for it: they go only into the library they were handed over for (if another one
    opened instead, they are not imported, and the window says so).
    """

    def __init__(self, window: MainWindow, library_path: Callable[[], Path],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._window, self._library_path = window, library_path
        self._pending: list[tuple[Path, list[str]]] = []  # (the library they are for, files)
        self._retry = QTimer(self)
        self._retry.setInterval(300)
        self._retry.timeout.connect(self._flush)

    def receive(self, files: list[str]) -> None:
        self._pending.append((self._library_path(), files))
        window = self._window
        if window.isMinimized():
            # un-minimise but keep a maximised window maximised (showNormal() would not)
            state = window.windowState() & ~Qt.WindowState.WindowMinimized
            window.setWindowState(state | Qt.WindowState.WindowActive)
        window.show()
        window.raise_()
        window.activateWindow()
        self._flush()

    def _flush(self) -> None:
        if not self._pending:
            self._retry.stop()
        elif self._window.busy or not self._window.holder.is_open:
            self._retry.start()
        else:
            pending, self._pending = self._pending, []
            self._retry.stop()
            here = self._window.library.path
            files = [f for target, fs in pending if _same_library(target, here) for f in fs]
            astray = [(target, fs) for target, fs in pending
                      if fs and not _same_library(target, here)]
            for target, fs in astray:
                self._window.messages.say(
                    f"Not imported: {', '.join(Path(f).name for f in fs)}, handed over for "
                    f"{target}, which could not be opened ({here} is open instead).", 20_000)
            if files:
                self._window.import_paths(files)


class FileOpenFilter(QObject):
    """macOS: Finder opens documents (double-click, Open With) with a QFileOpenEvent, not argv."""

    def __init__(self, handover: Handover):
        super().__init__(handover)
        self._handover = handover

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if isinstance(event, QFileOpenEvent) and event.file():
            self._handover.receive([event.file()])
            return True
        return False


def serve(window: MainWindow, opening: Path | None = None) -> SingleInstanceServer:
    """Make ``window`` the one window of its library: later launches hand their files to it.

    ``opening``: the library the window is opening, when it is not open yet (start-up); files
    handed over meanwhile wait until it is."""
    def library_path() -> Path:
        return window.library.path if window.holder.is_open else Path(str(opening))

    server = SingleInstanceServer(library_path, window)
    handover = Handover(window, library_path, server)
    server.filesReceived.connect(handover.receive)
    app = QCoreApplication.instance()
    if app is not None:
        app.installEventFilter(FileOpenFilter(handover))
    server.listen()
    # The server follows the library the window shows (File > Open switches it).
    window.holder.libraryChanged.connect(lambda *_: server.listen())
    return server
