"""The store's exceptions: what a caller catches to tell people why a library cannot be used."""

from __future__ import annotations

from pathlib import Path


class LibraryError(Exception):
    """A library cannot be opened or written, for a reason the researcher can act on."""


class LocationError(LibraryError):
    """A library location that names no usable file or server address."""


class LibraryMissing(LibraryError):
    """There is no library at the location, and the caller asked not to create one.

    Nothing was created: no file, no folder, no schema in a server database.
    """


class BackupError(Exception):
    """A backup could not be made or restored (message for people)."""


class ListenerLost(Exception):
    """The listening connection is gone (the server stopped, the network dropped)."""


class PasswordNeeded(LibraryError):
    """The server wants a password that neither PGPASSWORD nor ~/.pgpass gave: ask and retry
    with ``password=``. The password is never stored by litdesk."""


def damaged_message(path: Path, problem: str, backup: Path | None) -> str:
    """Why a damaged library file was refused, and which backup would restore it."""
    offer = (f" The newest backup is {backup}: restore it with File > Restore Backup."
             if backup else " There is no backup of it.")
    return f"The library {path} is damaged ({problem}); it was left untouched.{offer}"


class DamagedLibrary(LibraryError):
    """The file fails SQLite's integrity check, or has lost its schema version (left
    untouched); ``backup``: its newest backup."""

    def __init__(self, path: Path, problem: str, backup: Path | None, message: str = ""):
        self.path, self.problem, self.backup = path, problem, backup
        super().__init__(message or damaged_message(path, problem, backup))
