"""When to look for changes others made to the open library: at once on a server's notice,
else every few seconds.

A server library notifies every change (see :class:`litdesk.store.engines.pg_live.ChangeListener`);
the watch reads the listening connection when its socket has input, in the GUI thread and
without blocking, and asks for a look. A file library, or a server whose listening
connection has gone, is looked at every :attr:`LibraryWatch.POLL_MS` instead; once the
window finds the server again it calls :meth:`LibraryWatch.reachable` and listening resumes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from litdesk.store.errors import LibraryError, ListenerLost

if TYPE_CHECKING:
    from litdesk.store.library import ChangeListener, Library

log = logging.getLogger(__name__)


class LibraryWatch(QObject):
    """Emits :attr:`look` when the library may have changed under the window."""

    look = Signal()
    #: Without notifications: how often to look.
    POLL_MS = 3000
    #: With notifications: a slow look anyway, which also notices a connection that died
    #: without a word (a network dropped silently).
    HEARTBEAT_MS = 30_000
    #: Notifications in quick succession (an import, a burst of tags) make one look.
    SETTLE_MS = 100

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._library: Library | None = None
        self._listener: ChangeListener | None = None
        self._notifier: QSocketNotifier | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(self.POLL_MS)
        self.timer.timeout.connect(self.look)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(self.look)

    @property
    def listening(self) -> bool:
        """Whether the server's notices arrive (else the watch polls)."""
        return self._listener is not None

    @property
    def listener(self) -> ChangeListener | None:
        """The connection the notices arrive on, while there is one."""
        return self._listener

    def follow(self, library: Library) -> None:
        """Watch ``library`` from now on (and stop listening to the previous one)."""
        self._unlisten()
        self._library = library
        self.timer.start(self.POLL_MS)
        self._listen()

    def reachable(self) -> None:
        """The window reached the library: listen again if the connection had gone."""
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self.timer.stop()
        self._settle.stop()
        self._unlisten()
        self._library = None

    def _listen(self) -> None:
        lib = self._library
        if lib is None or lib.engine.dialect.name != "postgresql":
            return
        try:
            listener = lib.live.listener()
        except (LibraryError, ListenerLost) as e:
            log.info("not listening for changes (looking every %d s): %s",
                     self.POLL_MS // 1000, e)
            return
        self._listener = listener
        self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)
        self.timer.start(self.HEARTBEAT_MS)

    def _readable(self) -> None:
        if self._listener is None:
            return
        try:
            changed = self._listener.pending()
        except ListenerLost as e:
            log.info("lost the server's change notices (looking every %d s): %s",
                     self.POLL_MS // 1000, e)
            self._unlisten()
            self.timer.start(self.POLL_MS)
            self.look.emit()  # at once: the window tells whether the library is away
            return
        if changed:
            self._settle.start()

    def _unlisten(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
