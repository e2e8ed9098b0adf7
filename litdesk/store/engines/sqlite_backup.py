"""Backups of a library file: consistent copies in a ``backups`` folder beside it, and restore.

A backup is made with SQLite's online backup API (so it is consistent even while the library is
open) into ``<folder>/backups/<library-stem>-YYYYMMDD-HHMMSS.sqlite`` (local time; ``-2``,
``-3``... when two fall in the same second). It is written as ``...sqlite.part`` and renamed
when complete, so a crash never leaves a half backup under a backup's name. The last
:data:`KEEP` backups of each library are kept. :class:`~litdesk.store.library.Library` makes
one before every migration and one when a library is opened, at most once a day.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection

from litdesk.store.engines import sqlite_connection as sqlite
from litdesk.store.engines.sqlite_files import Kind, identify
from litdesk.store.errors import BackupError as BackupError

FOLDER = "backups"
KEEP = 7
#: A library opened again within this time is not backed up again on open.
DAILY = timedelta(days=1)

_STAMP = "%Y%m%d-%H%M%S"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupInfo:
    """One backup of a library: its file, when it was made, how many records it holds."""

    path: Path
    created: datetime
    records: int | None  # None: the backup cannot be read


def backup_folder(library_path: str | os.PathLike[str]) -> Path:
    return Path(library_path).parent / FOLDER


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.sqlite")


def is_backup_name(library_path: str | os.PathLike[str], name: str) -> bool:
    """True when ``name`` is named as a backup of the library is, or one being made, in its
    :func:`backup_folder` (a damaged library's saved copy included)."""
    stem = Path(library_path).stem
    base = name.removesuffix(".part")
    return _pattern(stem).fullmatch(base) is not None or re.fullmatch(
        rf"{re.escape(stem)}-damaged-\d{{8}}-\d{{6}}\.sqlite", base) is not None


def _backups(library_path: Path) -> Iterator[tuple[datetime, int, Path]]:
    folder = backup_folder(library_path)
    pattern = _pattern(library_path.stem)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m is None:
            continue
        try:
            created = datetime.strptime(m[1], _STAMP).astimezone()
        except ValueError:
            continue
        yield created, int(m[2] or 1), entry


def _sorted(library_path: Path) -> list[tuple[datetime, int, Path]]:
    return sorted(_backups(library_path), key=lambda b: (b[0], b[1]))


def list_backups(library_path: str | os.PathLike[str]) -> list[BackupInfo]:
    """The backups of the library at ``library_path``, newest first."""
    found = _sorted(Path(library_path))
    return [BackupInfo(p, created, record_count(p)) for created, _, p in reversed(found)]


def latest_backup(library_path: str | os.PathLike[str]) -> Path | None:
    """The newest backup of the library, or None when there is none."""
    found = _sorted(Path(library_path))
    return found[-1][2] if found else None


def restore_advice(library_path: str | os.PathLike[str], app_offers: bool = False) -> str:
    """How to restore a library that cannot be opened, naming each of its backups.

    ``app_offers``: the app offers the newest backup when it opens this library.
    """
    found = list_backups(library_path)
    if not found:
        return f"There is no backup of it (in {backup_folder(library_path)})."
    rows = [f"  {b.path}  (made {b.created:%Y-%m-%d %H:%M}, {_records(b.records)})"
            for b in found]
    app = "open the library in the litdesk app, which offers the newest, or " if app_offers else ""
    return (f"To restore a backup, {app}move the file aside and copy one of its backups "
            "(newest first) in its place:\n" + "\n".join(rows))


def _records(n: int | None) -> str:
    return "unreadable" if n is None else f"{n:,} record{'' if n == 1 else 's'}"


def backup_due(library_path: str | os.PathLike[str], now: datetime | None = None) -> bool:
    """True when the library has no backup made within the last day."""
    found = _sorted(Path(library_path))
    moment = now or datetime.now().astimezone()
    return not found or moment - found[-1][0] >= DAILY


def record_count(path: Path) -> int | None:
    """How many records the library file at ``path`` holds (None: it cannot be read)."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(con.execute("SELECT count(*) FROM record").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        con.close()


def _new_name(library_path: Path, moment: datetime) -> Path:
    """A name that sorts after every backup made before, even within the same second."""
    folder = backup_folder(library_path)
    stamp = moment.strftime(_STAMP)
    base = f"{library_path.stem}-{stamp}"
    same_second = [n for created, n, _ in _backups(library_path)
                   if created.strftime(_STAMP) == stamp]
    n = max(same_second, default=0) + 1
    name = folder / (f"{base}.sqlite" if n == 1 else f"{base}-{n}.sqlite")
    while name.exists() or name.with_name(name.name + ".part").exists():
        n += 1
        name = folder / f"{base}-{n}.sqlite"
    return name


def make_backup(conn: Connection, library_path: str | os.PathLike[str]) -> Path:
    """Back up the library open on ``conn`` (whose file is ``library_path``); the new file.

    Older backups beyond the last :data:`KEEP` are deleted. Raises :class:`BackupError`.
    """
    library_path = Path(library_path)
    folder = backup_folder(library_path)
    try:
        folder.mkdir(exist_ok=True)
        dest = _new_name(library_path, datetime.now().astimezone())
        part = dest.with_name(dest.name + ".part")
        try:
            sqlite.backup(conn, part)
            _finish(part, dest)
        finally:
            part.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as e:
        raise BackupError(f"Could not back up {library_path} into {folder}: {e}.") from e
    prune(library_path)
    return dest


def daily_backup(conn: Connection, library_path: str | os.PathLike[str]) -> Path | None:
    """Back up the library if it has no backup from the last day; a failure is only logged."""
    if not backup_due(library_path):
        return None
    try:
        return make_backup(conn, library_path)
    except BackupError as e:  # the library itself is fine: it opens anyway
        log.warning("%s", e)
        return None


def _finish(part: Path, dest: Path) -> None:
    """Make the copy stand alone (no -wal needed), put it on disk, give it its final name."""
    sqlite.make_self_contained(part)
    os.replace(part, dest)
    sqlite.fsync_folder(dest.parent)


def prune(library_path: str | os.PathLike[str], keep: int = KEEP) -> None:
    """Delete all but the newest ``keep`` backups of the library."""
    found = _sorted(Path(library_path))
    for _, _, old in found[:-keep] if keep else found:
        with contextlib.suppress(OSError):
            old.unlink()


def restore_backup(
    library_path: str | os.PathLike[str], backup_path: str | os.PathLike[str]
) -> Path | None:
    """Replace the library file with ``backup_path``; the backup made of the current file.

    Call it with the library closed (no :class:`Library` open on it in any window). The current
    file is backed up first (a damaged one is copied as ``<stem>-damaged-<time>.sqlite``), then
    the restored copy replaces it in one rename, so a crash leaves one or the other. Raises
    :class:`BackupError` when ``backup_path`` is not a readable litdesk library.
    """
    library_path, backup_path = Path(library_path), Path(backup_path)
    _check_backup(backup_path)
    saved = _save_current(library_path) if library_path.exists() else None
    part = library_path.with_name(f".{library_path.name}.restore.part")
    try:
        src = sqlite3.connect(f"{backup_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            sqlite.copy_database(src, part)
        finally:
            src.close()
        sqlite.make_self_contained(part)
        # A -wal left beside the old file would be replayed into the restored one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{library_path}{suffix}").unlink(missing_ok=True)
        os.replace(part, library_path)
        sqlite.fsync_folder(library_path.parent)
    except (OSError, sqlite3.Error) as e:
        raise BackupError(f"Could not restore {backup_path} to {library_path}: {e}.") from e
    finally:
        part.unlink(missing_ok=True)
    return saved


def _check_backup(path: Path) -> None:
    found = identify(path, check=True)
    if found.kind is Kind.UNREADABLE:
        raise BackupError(f"Cannot read the backup {path}: {found.detail}.")
    if found.kind in (Kind.DAMAGED, Kind.BUSY):
        raise BackupError(f"The backup {path} cannot be read ({found.detail}).")
    if found.kind is not Kind.OURS:
        raise BackupError(f"{path} is not a litdesk library backup.")
    if not found.intact:
        raise BackupError(f"The backup {path} is damaged too; choose another one.")


def _save_current(library_path: Path) -> Path:
    """Back up the current library file before it is replaced (copy it if it is damaged)."""
    folder = backup_folder(library_path)
    try:
        folder.mkdir(exist_ok=True)
        dest = _new_name(library_path, datetime.now().astimezone())
        part = dest.with_name(dest.name + ".part")
        try:
            src = sqlite3.connect(library_path)
            try:
                if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise sqlite3.DatabaseError("damaged")
                sqlite.copy_database(src, part)
            finally:
                src.close()
            _finish(part, dest)
        except sqlite3.DatabaseError:
            stamp = datetime.now().astimezone().strftime(_STAMP)
            dest = folder / f"{library_path.stem}-damaged-{stamp}.sqlite"
            _copy_bytes(library_path, dest)
        finally:
            part.unlink(missing_ok=True)
    except OSError as e:
        raise BackupError(f"Could not back up {library_path} before restoring: {e}.") from e
    prune(library_path)
    return dest


def _copy_bytes(src: Path, dest: Path) -> None:
    with src.open("rb") as fin, dest.open("wb") as fout:
        while chunk := fin.read(1 << 20):
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
