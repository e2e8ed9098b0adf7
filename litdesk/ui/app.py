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

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from litdesk import __version__, logs
from litdesk.paths import default_library_path
from litdesk.store.errors import LibraryError
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


def _exists(path: Path) -> bool:
    """Whether there is something at ``path`` (a link that leads nowhere counts); True when
    the system cannot tell (a name too long): opening it then says what is wrong."""
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return True


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
    settings: QSettings | None = None, ask_coder_first: bool = False,
) -> MainWindow | None:
    """Show the main window at once; its library opens right after the window's first paint.

    The store (SQLAlchemy) is imported then too, so the window paints without waiting for it.
    Returns None, with no window, when the library named on the command line does not exist
    and the user declined to create it. Once the library is open, the coder is asked
    (``ask_coder_first``) and ``files`` are imported. If no library can be opened, the window
    says why and closes, with its ``startFailed`` property set.
    """
    from litdesk.ui.window.main_window import MainWindow

    settings = settings or make_settings()
    coder = coder or _setting(settings, "coder")
    location: Location | None = None
    refused: LibraryError | None = None
    try:
        location = choose_library(library_arg, settings)
    except LibraryError as e:  # a malformed server address: the default library instead
        refused = e
    named = location.path if library_arg and location is not None else None
    if named is not None and not _exists(named) and not _create_asked(named):
        log.info("no library at %s, and none was created: quitting", location)
        return None
    window = MainWindow(None, settings)
    if location is not None:
        window.show_opening(location.display, location.name or location.display)
    paths = [str(Path(f).absolute()) for f in files]

    def opened() -> None:
        if not window.isVisible():  # closed before its library opened: open none
            return
        try:
            ok = _open_first(window, location, refused, coder)
        except KeyboardInterrupt:  # Ctrl+C in the terminal that started it: quit
            ok = False
        except Exception as e:  # never a window left greyed for good
            log.exception("opening %s failed", location)
            QMessageBox.critical(window, "litdesk cannot open the library",
                                 f"{location.display if location else 'The library'} could "
                                 f"not be opened: {e}")
            ok = False
        if not ok:
            if window.isVisible():  # (not if the user closed it meanwhile: a plain quit)
                window.setProperty("startFailed", True)
                window.close()
        elif ask_coder_first:  # the files are imported once the coder is known, as theirs
            ask_coder(window, then=lambda: bool(paths) and window.import_paths(paths))
        elif paths:
            window.import_paths(paths)

    _FirstPaint(window, opened)
    window.show()
    return window


class _FirstPaint(QObject):
    """Runs ``then`` once ``window`` has painted for the first time (or after a moment, should
    no paint come: a window started minimised)."""

    def __init__(self, window: QWidget, then: Callable[[], None]):
        super().__init__(window)
        self._window = window
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(1000, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self._then is not None:
            QTimer.singleShot(0, self, self._run)  # after this paint reached the screen
        return False

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._window.removeEventFilter(self)
            then()


def _open_first(window: MainWindow, location: Location | None, refused: LibraryError | None,
                coder: str | None) -> bool:
    """Open the window's first library; the default one, saying why, if that one cannot be
    opened. False when none could (said too) or a server's password was not given."""
    fallback = Location(path=default_library_path())
    try:
        if refused is not None or location is None:
            raise refused or LibraryError("no library")
        # The integrity check of a large library runs while the window is in use.
        library = open_library(window, location, coder, create=True, check_in_background=True)
        if library is None:  # a server's password was not given
            return False
    except LibraryError as e:
        if location == fallback:
            QMessageBox.critical(window, "litdesk cannot open the library", str(e))
            return False
        QMessageBox.warning(window, "litdesk cannot open the library",
                            f"{e}\n\nOpening your default library instead:\n{fallback}")
        if not window.isVisible():  # closed while the message showed: the user quit
            return False
        try:
            library = open_library(window, fallback, coder, create=True)
        except LibraryError as e2:
            QMessageBox.critical(window, "litdesk cannot open the library", str(e2))
            return False
        if library is None:
            return False
    if not window.isVisible():  # closed while it opened (a slow disk, a locked file)
        library.close()
        return False
    window.holder.replace(library)
    return True


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
    window = open_window(library_arg, files, coder=coder, settings=settings,
                         ask_coder_first=first_use)
    if window is None:
        return 1
    single_instance.serve(window, location.path or Path(location.display))
    if os.environ.get("LITDESK_EXIT_AFTER_SHOWN"):  # tests/benchmarks/bench_startup.py
        from litdesk.ui.startup_probe import exit_after_shown

        exit_after_shown(window, os.environ["LITDESK_EXIT_AFTER_SHOWN"])
    log.info("litdesk %s started on %s", __version__, location)
    status = app.exec()
    # Told to quit without the window closing (the start-up probe, the desktop session
    # ending): close it now, so its background threads stop before Python tears Qt down
    # (a QThread destroyed while running aborts the process).
    if window.isVisible():
        window.close()
    window.stop_background()
    from litdesk.ui.tasks import workers

    workers.stop_all()  # any other worker (a dialog's), before its library is closed
    window.holder.close()
    return 1 if window.property("startFailed") else status


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
