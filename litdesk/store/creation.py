"""Creating a library file atomically: built whole beside it, then moved into place.

A new library (schema, version stamp, marks) is written to ``.NAME.creating-PID`` in the
library's folder and linked to its name only when complete, so a creation that is killed
leaves either nothing under that name or a valid, empty library; never a half-made file that
later runs would refuse. What a killed creation leaves beside it is removed by the next open.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, create_engine

from litdesk.store.engines import sqlite_connection as sqlite

log = logging.getLogger(__name__)

_MARK = ".creating-"
#: Without a way to ask whether the creating process still runs (Windows), a leftover this old
#: is stale: a creation takes well under a second.
_STALE_AFTER_S = 3600
#: Tests set this to a stage name to have the process SIGKILL itself there (see ``stage``).
KILL_AT_ENV = "LITDESK_TEST_KILL_AT"


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{_MARK}{os.getpid()}")


def stage(name: str) -> None:
    """A moment of creation at which the crash tests kill the process, deterministically."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_leftovers(path: Path) -> None:
    """Remove what killed creations of ``path`` left beside it (their processes are gone)."""
    prefix = f".{path.name}{_MARK}"
    try:
        entries = [e for e in os.scandir(path.parent) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        digits = entry.name[len(prefix):].split("-", 1)[0]
        if not digits.isdigit():
            continue
        try:
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_AFTER_S
        except OSError:
            continue
        if old or not _alive(int(digits)):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                log.info("removed %s, left by a creation of %s that did not finish",
                         entry.name, path)


def create_file(path: Path, build: Callable[[Connection], None]) -> bool:
    """Create the library ``path`` with ``build(conn)`` (schema and stamps), atomically.

    Returns False when another process created ``path`` meanwhile (its library is kept and
    nothing of this one remains). Raises OSError when the folder cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    temp = _temp_name(path)
    for leftover in (temp, *_sidecars(temp)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    try:
        stage("start")
        engine = create_engine(f"sqlite:///{temp}", future=True)
        sqlite.configure_engine(engine)
        try:
            with engine.connect() as conn:
                stage("connected")
                build(conn)
                stage("built")
        finally:
            engine.dispose()
        sqlite.make_self_contained(temp)  # the name alone will be the whole library
        stage("complete")
        placed = _place(temp, path)
        stage("placed")
    finally:
        for leftover in (temp, *_sidecars(temp)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    sqlite.fsync_folder(path.parent)
    return placed


def _sidecars(temp: Path) -> tuple[Path, ...]:
    return tuple(temp.with_name(temp.name + s) for s in ("-journal", "-wal", "-shm"))


def _place(temp: Path, path: Path) -> bool:
    """Give ``temp`` the name ``path`` unless something has that name already."""
    try:
        os.link(temp, path)  # fails if path exists: another process's library is never replaced
        return True
    except FileExistsError:
        return False
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                           errno.EMLINK, errno.ENOSYS):
            raise
    if path.exists():  # a file system without hard links: as close as renaming gets
        return False
    os.replace(temp, path)
    return True
