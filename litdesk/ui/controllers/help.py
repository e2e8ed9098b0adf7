"""The Help menu: user guide, shortcuts, log folder, desktop integration, About."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget


def show_shortcuts(win: QWidget) -> None:
    from litdesk.ui.views.dialogs import ShortcutsDialog

    ShortcutsDialog(win).exec()


def show_user_guide(win: QWidget) -> None:
    from litdesk.ui.views.dialogs import UserGuideDialog

    UserGuideDialog(win).exec()


def open_log_folder() -> None:
    from litdesk.paths import log_dir

    log_dir().mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))


def show_about(win: QWidget, library_path: Path) -> None:
    from litdesk.paths import data_dir, log_dir
    from litdesk.ui.views.dialogs import about_text

    QMessageBox.about(win, "About litdesk",
                      about_text(str(library_path), str(data_dir()), str(log_dir())))


def install_desktop(win: QWidget) -> None:
    """Help > Add litdesk to the Applications Menu (launcher, icon, .ris association)."""
    import contextlib
    import io

    from litdesk import desktop

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = desktop.main()
    box = QMessageBox.information if status == 0 else QMessageBox.warning
    box(win, "Desktop integration", out.getvalue().strip() or "Done.")
