"""The composition root: QApplication, settings, the start-up library, the main window."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from litdesk import __version__, logs
from litdesk.paths import default_library_path
from litdesk.store.library import Library, LibraryError
from litdesk.store.location import Location
from litdesk.ui.opening import open_library

if TYPE_CHECKING:  # imported when a window opens: a hand-over to a running app needs none of it
    from litdesk.ui.window.main_window import MainWindow

log = logging.getLogger(__name__)


def make_settings() -> QSettings:
    return QSettings("litdesk", "litdesk")


def choose_library(explicit: str | None, settings: QSettings) -> Location:
    """--library if given, else the library used last (if it still exists), else the default.

    Raises LibraryError (a LocationError) for a malformed server address.
    """
    if explicit:
        return Location.parse(explicit)
    last = settings.value("library/last")
    if isinstance(last, str) and last and Path(last).is_file():
        return Location(path=Path(last))
    return Location(path=default_library_path())


def _create_asked(path: Path) -> bool:
    """The library named on the command line is not there: create it only if the user says."""
    folder = ("" if path.parent.is_dir() else
              f"\n\nThe folder {path.parent} does not exist yet either; it will be created.")
    box = QMessageBox(QMessageBox.Icon.Question, "Create a new library?",
                      f"There is no library at {path}.\n\nCreate a new library at {path}?"
                      f"{folder}")
    box.setObjectName("createLibrary")
    box.setTextFormat(Qt.TextFormat.PlainText)  # a path is shown as it is, never as markup
    create = box.addButton("Create Library", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole).setObjectName("quit")
    create.setObjectName("create")
    box.exec()
    return box.clickedButton() is create


def open_window(
    library_arg: str | None, files: Sequence[str] = (), *, coder: str | None = None,
    settings: QSettings | None = None,
) -> MainWindow | None:
    """Open the library and its main window (files given are imported once it shows)."""
    from litdesk.ui.window.main_window import MainWindow

    settings = settings or make_settings()
    coder = coder or _setting(settings, "coder")
    fallback = Location(path=default_library_path())
    location: Location | None = None
    try:
        location = choose_library(library_arg, settings)
        missing = location.path is not None and not location.path.exists()
        if library_arg and missing and not _create_asked(Path(str(location.path))):
            log.info("no library at %s, and none was created: quitting", location)
            return None
        # The integrity check of a large library runs while the window appears.
        opened = open_library(None, location, coder, create=True, check_in_background=True)
        if opened is None:  # a server's password was not given
            return None
        library = opened
    except LibraryError as e:
        if location == fallback:
            QMessageBox.critical(None, "litdesk cannot open the library", str(e))
            return None
        QMessageBox.warning(None, "litdesk cannot open the library",
                            f"{e}\n\nOpening your default library instead:\n{fallback}")
        try:
            library = Library.open(fallback, coder=coder)
        except LibraryError as e2:
            QMessageBox.critical(None, "litdesk cannot open the library", str(e2))
            return None
    window = MainWindow(library, settings)
    if files:
        QTimer.singleShot(0, lambda: window.import_paths([str(Path(f).absolute()) for f in files]))
    return window


def ask_coder(window: MainWindow, then: Callable[[], object] | None = None) -> None:
    """Asked once, at first use: the name this researcher codes under (kept in the settings).

    The window is already usable meanwhile (the dialog does not block the event loop); until
    it is answered the coder is the operating-system user, the default it proposes. ``then``
    runs once it is answered or dismissed (the files named on the command line are imported
    then, so that their import is the coder's).
    """
    from PySide6.QtWidgets import QInputDialog

    dialog = QInputDialog(window)
    dialog.setObjectName("askCoder")
    dialog.setWindowTitle("Welcome to litdesk")
    dialog.setLabelText("Your name as a coder (shown beside your spans when a team codes "
                        "together):")
    dialog.setTextValue(window.library.coder)
    dialog.textValueSelected.connect(
        lambda name: window.set_coder(name.strip() or window.library.coder))
    if then is not None:
        dialog.finished.connect(lambda _result: then())
    window.settings.setValue("coder", window.library.coder)
    dialog.open()


def _setting(settings: QSettings, key: str) -> str | None:
    value = settings.value(key)
    return value if isinstance(value, str) and value else None


def run_app(library_arg: str | None, files: Sequence[str] = (), *, coder: str | None = None) -> int:
    logs.setup()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("litdesk")
    app.setApplicationDisplayName("litdesk")
    app.setOrganizationName("litdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("litdesk")
    apply_style(app)
    sys.excepthook = _excepthook
    from litdesk.ui import single_instance

    try:
        location = choose_library(library_arg, make_settings())
    except LibraryError as e:
        QMessageBox.critical(None, "litdesk cannot open the library", str(e))
        return 1
    if single_instance.hand_over(location.path or Path(location.display), files):
        log.info("handed %d files to the litdesk already running on that library", len(files))
        return 0
    settings = make_settings()
    first_use = coder is None and _setting(settings, "coder") is None
    window = open_window(library_arg, () if first_use else files, coder=coder,
                         settings=settings)
    if window is None:
        return 1
    if first_use:  # the files are imported once the coder is known, as the coder's imports
        paths = [str(Path(f).absolute()) for f in files]
        QTimer.singleShot(0, lambda: ask_coder(
            window, then=lambda: bool(paths) and window.import_paths(paths)))
    single_instance.serve(window)
    if os.environ.get("LITDESK_EXIT_AFTER_SHOWN"):  # tests/benchmarks/bench_startup.py
        from litdesk.ui.startup_probe import exit_after_shown

        exit_after_shown(window, os.environ["LITDESK_EXIT_AFTER_SHOWN"])
    window.show()
    log.info("litdesk %s started on %s", __version__, window.library.path)
    status = app.exec()
    # Told to quit without the window closing (the start-up probe, the desktop session
    # ending): close it now, so its background threads stop before Python tears Qt down
    # (a QThread destroyed while running aborts the process).
    if window.isVisible():
        window.close()
    window.stop_background()
    from litdesk.ui.tasks import workers

    workers.stop_all()  # any other worker (a dialog's), before its library is closed
    window.library.close()
    return status


def apply_style(app: QApplication) -> None:
    from litdesk.assets import resource

    try:
        app.setStyleSheet(resource("style.qss").read_text(encoding="utf-8"))
        icon = resource("litdesk.svg")
        app.setWindowIcon(QIcon(str(icon)))
    except FileNotFoundError as e:
        log.warning("%s", e)


_shown_error = False


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Log an unexpected exception and show it once; never swallow it silently."""
    global _shown_error
    text = "".join(traceback.format_exception(kind, value, tb))
    log.error("unexpected error:\n%s", text)
    sys.__stderr__.write(text) if sys.__stderr__ else None
    if not _shown_error and QApplication.instance() is not None:
        _shown_error = True
        box = QMessageBox(QMessageBox.Icon.Critical, "litdesk: unexpected error",
                          f"Something went wrong: {value}\n\nYour library is saved. The details "
                          "are in the log file (Help > About shows where).")
        box.setDetailedText(text)
        box.exec()
