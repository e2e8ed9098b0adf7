"""Where an export goes: written without harming the destination, its folder or what it is.

:func:`write_to` is the one way an export reaches its destination:

- a destination that ``refuse`` names (the open library, its journal, its backups) is refused
  before anything is opened;
- a regular file, a new file, or a symbolic link to either is written atomically: into a hidden
  ``.NAME.XXXXXXXX.part`` file beside the real target (the link's target, so the link stays a
  link) that is renamed onto it only when the export succeeded;
- standard output (``-``, ``/dev/stdout``, ``/dev/fd/N``), character devices and named pipes
  are written through, never replaced; archive formats are first written to an anonymous
  temporary file (a zip needs to seek) and then copied through;
- folders, block devices (disks) and sockets are refused;
- an :class:`OSError` becomes an :class:`ExportError` naming the destination and the real
  reason ("permission denied", "read-only file system", "the folder X does not exist").
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final, TypeVar

from litdesk.core.export.streaming import Cancelled, ExportCancelled, ExportError

T = TypeVar("T")
#: Asked before anything is written: what the destination is that must not be written ("the
#: library /x/lib.sqlite"), or None when it may be.
Refuse = Callable[[str], "str | None"]

#: The destination meaning standard output.
STDOUT: Final[str] = "-"
#: A ``.part`` file whose writer cannot be told alive by a lock (no ``fcntl``: Windows) is
#: taken for a killed export's leftover once it is this old.
STALE_PART_SECONDS: Final[int] = 600
_FD_ALIAS: Final = re.compile(r"/dev/(?:(stdout)|(stderr)|fd/(\d+))|/proc/self/fd/(\d+)")
_CHUNK: Final[int] = 1 << 20

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def writes_through(destination: str) -> bool:
    """True when ``destination`` is written through (standard output, a device or a pipe)."""
    if destination == STDOUT or _fd_alias(destination) is not None:
        return True
    try:
        mode = os.stat(destination).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def write_to(
    destination: str | os.PathLike[str],
    write: Callable[[IO[bytes]], T],
    *,
    refuse: Refuse | None = None,
    archive: bool = False,
    cancelled: Cancelled | None = None,
) -> T:
    """Run ``write(out)`` with ``out`` open on ``destination``; what ``write`` returned.

    ``archive``: ``write`` needs a seekable stream (a zip); ``cancelled`` is also asked while
    waiting for a named pipe's reader. Raises :class:`ExportError` (message naming the
    destination) when it is refused or cannot be written; whatever ``write`` raises passes
    through. A regular file is never left half written, whatever happens.
    """
    name = os.fspath(destination)
    if not name.strip():
        raise ExportError("Could not export: no file name was given.")
    check_destination(name, refuse)
    fd = 1 if name == STDOUT else _fd_alias(name)
    shown = "standard output" if name == STDOUT else name
    if fd is not None:
        return _through(shown, lambda: os.dup(fd), write, archive)
    try:
        mode: int | None = os.stat(name).st_mode
    except FileNotFoundError:
        mode = None  # a new file (or a link to one): the regular route creates it
    except OSError as exc:
        raise _error(name, exc) from exc
    if mode is None and name.endswith(("/", os.sep)):
        raise ExportError(f"Could not export to {name}: that is a folder's name (no such "
                          "folder), not a file's.")
    if mode is None or stat.S_ISREG(mode):
        return _atomic(Path(name), write)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return _through(name, lambda: _open_through(name, cancelled), write, archive)
    kind = ("a folder" if stat.S_ISDIR(mode) else "a disk (block device)" if stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    raise ExportError(f"Could not export to {name}: it is {kind}.")


def check_destination(destination: str | os.PathLike[str], refuse: Refuse | None) -> None:
    """Raise :class:`ExportError` naming ``destination`` and what it is, if ``refuse`` says
    it must not be written (standard output is asked about as the file it is open on)."""
    if refuse is None:
        return
    name = os.fspath(destination)
    fd = 1 if name == STDOUT else _fd_alias(name)
    what = refuse(name if fd is None else _fd_path(fd))
    if what:
        shown = "standard output" if name == STDOUT else name
        raise ExportError(f"Refusing to write to {shown}: it is {what}. Nothing was written; "
                          "choose another file.")


# -- writing through --------------------------------------------------------------------------

def _fd_alias(name: str) -> int | None:
    """The file descriptor that a name like ``/dev/stdout`` or ``/dev/fd/3`` stands for."""
    match = _FD_ALIAS.fullmatch(os.path.normpath(name)) if name.startswith("/") else None
    if match is None:
        return None
    out, err, fd, proc = match.groups()
    return 1 if out else 2 if err else int(fd or proc)


def _fd_path(fd: int) -> str:
    return f"/proc/self/fd/{fd}" if os.path.isdir("/proc/self/fd") else f"/dev/fd/{fd}"


def _open_through(name: str, cancelled: Cancelled | None) -> int:
    """Open a device or named pipe for writing (no create, no truncate).

    A pipe with no reader yet is waited for (as a shell would), asking ``cancelled`` every
    tenth of a second, instead of blocking in ``open`` where no cancel can reach.
    """
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    while True:
        try:
            fd = os.open(name, flags | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            if exc.errno != errno.ENXIO or not stat.S_ISFIFO(os.stat(name).st_mode):
                raise
            if cancelled is not None and cancelled():
                raise ExportCancelled("export cancelled") from None
            time.sleep(0.1)
            continue
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return fd


def _through(shown: str, opener: Callable[[], int], write: Callable[[IO[bytes]], T],
             archive: bool) -> T:
    try:
        fd = opener()
    except OSError as exc:
        raise _error(shown, exc) from exc
    try:
        with open(fd, "wb", closefd=True) as out:
            if archive:
                with tempfile.TemporaryFile(prefix="litdesk-export-") as spool:
                    result = write(spool)
                    spool.seek(0)
                    shutil.copyfileobj(spool, out, _CHUNK)
            else:
                result = write(out)
        return result
    except OSError as exc:
        raise _error(shown, exc) from exc


# -- the atomic route for regular files -------------------------------------------------------

def _atomic(path: Path, write: Callable[[IO[bytes]], T]) -> T:
    # A symbolic link is followed: its target is replaced and the link stays a link.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    remove_stale_parts(target)
    fd, temp = _create_part(path, target)
    try:
        with open(fd, "wb", closefd=True) as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
            os.chmod(temp, _mode_for(target))
            os.replace(temp, target)  # while the part file is still locked (see below)
        return result
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _error(os.fspath(path), exc, os.fspath(target)) from exc
        raise


def part_name(target: Path) -> re.Pattern[str]:
    """The names of the temporary files of exports to ``target``: ``.NAME.XXXXXXXX.part``."""
    return re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}\.part")


def _create_part(shown: Path, target: Path) -> tuple[int, Path]:
    """Create and lock a new ``.part`` file beside ``target``: its descriptor and path."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _error(os.fspath(shown), exc, os.fspath(temp)) from exc
        if fcntl is None:
            return fd, temp
        # Between the create and the lock a cleaner may have taken the file for a dead
        # export's and removed it: keep it only if the name still leads to this file.
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            if os.path.samestat(os.fstat(fd), os.stat(temp)):
                return fd, temp
        os.close(fd)


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove the ``.part`` files that killed exports to ``target`` left; those removed.

    Only files named exactly as ours (:func:`part_name`) are candidates, and of those only the
    ones no live process is writing. An export holds an exclusive ``flock`` on its ``.part``
    file from its creation until it is renamed into place, and the kernel drops that lock when
    the process ends in any way (SIGKILL, a crash, a power cut: the lock does not outlive the
    boot), so a ``.part`` file we can lock without waiting has lost its writer: it is a
    leftover, removed at once, however young. Without ``flock`` (Windows), a ``.part`` file
    is taken for a leftover only when it has not been written for
    :data:`STALE_PART_SECONDS`.
    """
    pattern = part_name(target)
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(target.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return removed  # an unreadable folder: the export itself will say what is wrong
    for entry in entries:
        with contextlib.suppress(OSError):
            if _abandoned(Path(entry.path)):
                removed.append(Path(entry.path))
    return removed


def _abandoned(part: Path) -> bool:
    """Remove ``part`` if no live export holds it; True when it was removed."""
    if fcntl is None:
        if time.time() - part.stat().st_mtime > STALE_PART_SECONDS:
            part.unlink()
            return True
        return False
    fd = os.open(part, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its export is running
        if not os.path.samestat(os.fstat(fd), os.lstat(part)):
            return False  # renamed into place (and replaced) since we opened it
        part.unlink()
        return True
    finally:
        os.close(fd)


def _mode_for(target: Path) -> int:
    """Permissions for the new file: the old file's, else what the umask allows."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # reading it this way does not change it (os.umask would, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


# -- saying what went wrong -------------------------------------------------------------------

_REASONS: Final[dict[int, str]] = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EISDIR: "it is a folder",
    errno.EPIPE: "the program reading the output stopped reading (broken pipe)",
    errno.ENXIO: "nothing is reading from it",
    errno.ELOOP: "too many symbolic links (a loop?)",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ETXTBSY: "the file is in use",
}


def _error(shown: str, exc: OSError, where: str | None = None) -> ExportError:
    """``exc`` as an ExportError naming ``shown``, with the operating system's reason.

    ``where``: the path really written (a link's target), when it is not ``shown``.
    """
    reason = _REASONS.get(exc.errno or 0) or _folder_reason(where or shown, exc)
    hint = ""
    if exc.errno in (errno.EACCES, errno.EPERM) and os.path.isfile(shown):
        hint = " (is the file open in another program?)"
    return ExportError(f"Could not export to {shown}: {reason}{hint}.")


def _folder_reason(path: str, exc: OSError) -> str:
    """The reason for ENOENT and ENOTDIR: which part of the path is missing or not a folder."""
    text = (exc.strerror or str(exc)).lower()
    if exc.errno not in (errno.ENOENT, errno.ENOTDIR) or path == "standard output":
        return text
    folder = Path(os.path.abspath(path)).parent
    for step in (folder, *folder.parents):
        if step.is_dir():
            if step == folder:  # the folder is there but cannot hold new files (/proc)
                return f"files cannot be created in {folder} ({text})"
            break
        if step.exists() or step.is_symlink():
            return f"{step} is not a folder"
    return f"the folder {folder} does not exist"
