"""The one open-library flow: a location becomes a Library, asking what needs asking.

Every way into a library goes through here: the app's start, File > New, Open, Open Team
and Open Recent, restoring a backup, and a damage the background check found. It asks for
a server's password (never kept), offers a damaged library's newest backup (the one "restore
a backup?" question), and reopens a library once its backup is restored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from litdesk.store.errors import BackupError, DamagedLibrary, LibraryError, PasswordNeeded
from litdesk.store.location import Location

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported when a library opens, not before:
    from litdesk.store.library import Library  # the window paints first


def open_library(parent: QWidget | None, where: str | Location, coder: str | None, *,
                 create: bool = False, check_in_background: bool = False) -> Library | None:
    """Open ``where`` (a file or a ``postgresql://`` address); None if the user cancelled.

    On a server the coder is the login, and the password is asked if the server wants one.
    A damaged file's newest backup is offered; declined (or none), the damage is raised.
    Raises LibraryError with a message to show.
    """
    from litdesk.store.library import Library

    location = where if isinstance(where, Location) else Location.parse(where)
    if location.is_server:
        return _open_server(parent, location, coder)
    try:
        return Library.open(location, coder=coder, create=create,
                            check_in_background=check_in_background)
    except DamagedLibrary as damaged:
        if damaged.backup is None or not offer_backup(parent, damaged, damaged.backup):
            raise
        try:
            return restore_and_open(location, damaged.backup, coder)
        except BackupError as e:
            raise LibraryError(str(e)) from e


def offer_backup(parent: QWidget | None, damage: LibraryError, backup: Path) -> bool:
    """Ask whether to restore a damaged library's newest backup: the one place it is asked."""
    answer = QMessageBox.question(
        parent, "The library is damaged",
        f"{damage}\n\nRestore the newest backup ({backup.name})? The damaged file is kept "
        "beside it.")
    return answer == QMessageBox.StandardButton.Yes


def restore_and_open(location: Location, backup: str | Path, coder: str | None) -> Library:
    """Put ``backup`` in the library file's place (the file as it was is kept) and open it.

    Raises BackupError when the backup cannot be put in place (the file stays as it was),
    LibraryError when the library cannot be opened then."""
    from litdesk.store.library import Library, restore_backup

    assert location.path is not None, "a server library is restored with the server's tools"
    restore_backup(location.path, str(backup))
    return Library.open(location, coder=coder, create=False)


def _open_server(parent: QWidget | None, location: Location, coder: str | None
                 ) -> Library | None:
    from litdesk.store.library import Library

    try:
        return Library.open(location, coder=coder)
    except PasswordNeeded as e:
        password, ok = QInputDialog.getText(parent, "Password", f"{e}\n\nPassword:",
                                            QLineEdit.EchoMode.Password)
        if not ok:
            return None
        try:
            return Library.open(location, coder=coder, password=password)
        except LibraryError as e2:
            raise LibraryError(str(e2)) from None  # no traceback holding the password
