"""Which files belong to a library file: itself, its -wal/-shm/-journal and its backups.

Asked before anything writes a file the user named (an export, a report), so that no spelling
of the library's path (``./lib.sqlite``, ``$PWD/./lib.sqlite``, a symbolic or hard link) can
overwrite it. An existing file is compared by identity (device and inode), a file not there
yet by its resolved path.
"""

from __future__ import annotations

import os
from pathlib import Path

from litdesk.store.engines import sqlite_backup as backup

#: The files SQLite keeps beside a library while it is open or was left mid-transaction.
SIDE_FILES = ("-wal", "-shm", "-journal")


def role_of(library_path: str | os.PathLike[str], candidate: str | os.PathLike[str]) -> str | None:
    """What ``candidate`` is to the library file at ``library_path`` (for a message: "the
    library /x/lib.sqlite", "the write-ahead log of the library …", "a backup of the library
    …"), or None when it is none of its files."""
    library = Path(library_path)
    try:
        found: os.stat_result | None = os.stat(candidate)  # follows symbolic links
    except (OSError, ValueError):
        found = None
    real = _real(candidate)
    for base in {library, Path(_real(library))}:
        for suffix, what in (("", "the library"), *((s, f"the {s} file of the library")
                                                   for s in SIDE_FILES)):
            own = Path(f"{base}{suffix}")
            if _same(found, real, own):
                return f"{what} {library}"
    if _is_backup(library, found, Path(real)):
        return f"a backup of the library {library}"
    return None


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def _same(found: os.stat_result | None, real: str, own: Path) -> bool:
    try:
        own_stat = os.stat(own)
    except OSError:
        return real == _real(own)  # neither is there yet: compare where they would be
    return found is not None and os.path.samestat(found, own_stat)


def _is_backup(library: Path, found: os.stat_result | None, real: Path) -> bool:
    folder = backup.backup_folder(library)
    try:
        entries = [e for e in os.scandir(folder) if backup.is_backup_name(library, e.name)]
    except OSError:
        entries = []
    if found is not None and any(_same(found, "", Path(e.path)) for e in entries):
        return True  # a backup by another name (a hard link, a link)
    if not backup.is_backup_name(library, real.name):
        return False
    try:
        return os.path.samefile(real.parent, folder)
    except OSError:
        return str(real.parent) == _real(folder)
