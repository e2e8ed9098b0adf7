"""The one write path: this process's writes to a library, one at a time, the coder's first."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from litdesk.store.engines.sqlite_connection import WRITE_OPTION
from litdesk.store.errors import LibraryError

#: How long after opening a write still waits for the background integrity check (seconds):
#: a small library's check ends within it, so its damage is known before the first write; a
#: large one's does not, and no write waits for it after that (a tag never waits for a read).
CHECK_GRACE_S = 0.25


class WriteCancelled(LibraryError):
    """A background write was given up while it waited for its turn (nothing was written)."""


class WritePath:
    """Where every write transaction of one open library waits its turn in this process.

    A write waits here for the one under way and gets the library the moment it ends (SQLite's
    own lock, met by another program's writes, is polled by a busy handler that sleeps up to
    100 ms between tries). Writes from the application's main thread (the window's: a tag, a
    memo) go before waiting background ones (the suggestion check, an import), which wait for
    as long as it takes: no caller stops a background job to write. A thread may nest writes.
    """

    def __init__(self, timeout_s: float) -> None:
        #: How long a write from the main thread waits here before it is refused (as long as
        #: it would wait for another program's write).
        self.timeout_s = timeout_s
        self._opened = time.monotonic()
        self._cond = threading.Condition()
        self._owner: int | None = None
        self._depth = 0
        self._waiting_first = 0  # main-thread writes waiting

    def acquire(self, cancelled: Callable[[], bool] | None = None) -> None:
        """Wait for this thread's turn; LibraryError if a main-thread write waited too long
        (behind a long import, say), `WriteCancelled` once ``cancelled()`` says so (polled
        while a background write waits)."""
        me = threading.get_ident()
        first = threading.current_thread() is threading.main_thread()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return
            if first:
                self._waiting_first += 1
                try:
                    got = self._cond.wait_for(lambda: self._owner is None, self.timeout_s)
                finally:
                    self._waiting_first -= 1
                if not got:
                    raise LibraryError("The library is busy saving other changes (an import?): "
                                       "this change was not saved. Try again in a moment.")
            else:
                while not self._cond.wait_for(
                        lambda: self._owner is None and not self._waiting_first, 0.1):
                    if cancelled is not None and cancelled():
                        raise WriteCancelled("the write was given up before its turn")
            self._owner, self._depth = me, 1

    def grace_left(self) -> float:
        """How long a write may still wait for the integrity check (see CHECK_GRACE_S)."""
        return max(0.0, self._opened + CHECK_GRACE_S - time.monotonic())

    def release(self) -> None:
        with self._cond:
            self._depth -= 1
            if not self._depth:
                self._owner = None
                self._cond.notify_all()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Around a write made other than through a `WriteSession`."""
        self.acquire()
        try:
            yield
        finally:
            self.release()


class WriteSession(Session):
    """A session for changes that holds the library's write path from ``with`` to its end
    (waiting for its turn, polling ``cancelled`` meanwhile); its transaction then takes the
    engine's write lock when it begins."""

    def __init__(self, engine: Engine, path: WritePath,
                 cancelled: Callable[[], bool] | None = None) -> None:
        super().__init__(engine.execution_options(**{WRITE_OPTION: True}),
                         expire_on_commit=False)
        self._path, self._cancelled = path, cancelled
        self._held = False

    def __enter__(self) -> WriteSession:
        self._path.acquire(self._cancelled)
        self._held = True
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            super().__exit__(*exc)
        finally:
            if self._held:
                self._held = False
                self._path.release()


def in_the_background() -> None:
    """Lower the calling thread's CPU priority where the system allows it per thread (Linux):
    on a busy machine the window's thread then runs first."""
    if hasattr(os, "setpriority") and os.uname().sysname == "Linux":
        with contextlib.suppress(OSError):  # on Linux a thread id names one thread
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
