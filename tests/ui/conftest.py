"""GUI fixtures: a real main window on a real library file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox


@pytest.fixture
def window(qtbot, library, settings):
    from litdesk.ui.window.main_window import MainWindow

    win = MainWindow(library, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # window shortcuts (Ctrl+Z, J/K...) only fire in the active window
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    if win.busy:
        win.jobs.cancel()
        qtbot.waitUntil(lambda: not win.busy, timeout=10_000)


def drop_files(window, paths) -> None:
    """Drag files from the file manager and drop them on the window (real Qt events)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = window.rect().center()
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    assert window.drop_overlay.isVisible()  # the visible drop highlight
    drop = QDropEvent(pos.toPointF(), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    assert not window.drop_overlay.isVisible()


def drop_and_wait(qtbot, window, paths) -> list:
    """Drop files, wait for the import, read the summary and close it with its OK button."""
    with qtbot.waitSignal(window.importFinished, timeout=30_000) as blocker:
        drop_files(window, paths)
    dialog = summary_dialog()
    window.last_summary_text = dialog.text.toPlainText()
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    window.activateWindow()  # a window manager does this when the dialog closes; offscreen has none
    qtbot.waitUntil(window.isActiveWindow)
    return blocker.args[0]


def summary_dialog():
    found = [w for w in QApplication.topLevelWidgets()
             if w.objectName() == "importSummary" and w.isVisible()]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def drop(qtbot):
    """``drop(window, paths)``: drop files on the window, wait, read and close the summary."""
    return lambda window, paths: drop_and_wait(qtbot, window, paths)


@pytest.fixture
def close_summaries():
    """A function closing every import summary dialog that is open (they are window-modal)."""
    from PySide6.QtWidgets import QApplication

    def close() -> None:
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "importSummary" and w.isVisible():
                w.close()

    return close


class DialogAnswerer:
    """Answers each dialog and popup menu that opens, as a user would, from a timer.

    ``accept_first`` dialogs are accepted (OK, Save, Yes, Open; a file dialog is given a path in
    ``folder``), the next ones dismissed with Esc. A popup menu gets the action named ``pick``
    chosen with the keyboard, or (with none) is read into ``menus`` and closed with Esc.
    Static QFileDialog / QMessageBox / QInputDialog functions are answered the same way: the
    application is told not to use native dialogs, so theirs are widgets found here.
    """

    def __init__(self, folder):
        from PySide6.QtCore import QTimer

        self.folder = folder
        self.accept_first = 0
        self.pick: str | None = None
        self.seen: list[str] = []  # "accepted QFileDialog 'Export records'", in order
        self.menus: list[list[tuple[str, bool, str]]] = []  # (text, enabled, objectName)
        self.problems: list[str] = []
        self._answers: dict[int, int] = {}  # dialog address -> times answered
        self._pending = False
        self._saved = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self, accept_first: int = 0, pick: str | None = None) -> None:
        self.accept_first, self.pick = accept_first, pick
        self.seen, self.problems, self._answers = [], [], {}
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @staticmethod
    def open_dialogs() -> list:
        from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog

        modal = QApplication.activeModalWidget()
        found = [modal] if isinstance(modal, QDialog) and modal.isVisible() else []
        found += [w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QDialog) and w.isVisible() and w not in found]
        return [w for w in found if not isinstance(w, QProgressDialog)]  # progress: waited on

    def idle(self) -> bool:
        from PySide6.QtWidgets import QApplication

        return (not self._pending and not self.open_dialogs()
                and QApplication.activePopupWidget() is None)

    def _tick(self) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QMenu

        if self._pending:
            return
        popup = QApplication.activePopupWidget()
        target = popup if isinstance(popup, QMenu) else None
        dialogs = [] if target else self.open_dialogs()
        if target is None and not dialogs:
            return
        self._pending = True  # answered outside this slot: an answer may run its own loop
        QTimer.singleShot(0, (lambda: self._menu(target)) if target
                          else (lambda: self._dialog(dialogs[0])))

    def _menu(self, menu) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self._pending = False
        acts = [a for a in menu.actions() if not a.isSeparator()]
        if self.pick is None:
            self.menus.append([(a.text(), a.isEnabled(), a.objectName()) for a in acts])
        else:
            pick, self.pick = self.pick, None
            chosen = next((a for a in acts if a.text() == pick and a.isEnabled()), None)
            if chosen is not None:
                menu.setActiveAction(chosen)
                QTest.keyClick(menu, Qt.Key.Key_Return)
                return
            self.problems.append(f"the menu has no enabled action {pick!r}")
        QTest.keyClick(menu, Qt.Key.Key_Escape)

    def _dialog(self, dialog) -> None:
        import shiboken6
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QMessageBox

        self._pending = False
        if not shiboken6.isValid(dialog) or not dialog.isVisible():
            return
        key = shiboken6.getCppPointer(dialog)[0]
        self._answers[key] = self._answers.get(key, 0) + 1
        what = f"{type(dialog).__name__} {dialog.windowTitle()!r}"
        if isinstance(dialog, QMessageBox):
            what += f" ({' '.join(dialog.text().split())[:100]})"
        if self._answers[key] > 2:  # answered twice and still open: it ignores the user
            self.problems.append(f"{what} stays open when answered ({self.seen[-1]})")
            dialog.done(0)
            return
        accept = self._answers[key] == 1 and self._accepting()
        self.seen.append(f"{'accepted' if accept else 'dismissed'} {what}")
        if not accept:
            QTest.keyClick(dialog, Qt.Key.Key_Escape)
        else:
            self._accept(dialog, what)

    def _accepting(self) -> bool:
        return len(self.seen) < self.accept_first

    def _accept(self, dialog, what: str) -> None:
        from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

        if isinstance(dialog, QFileDialog):
            path = self._file_answer(dialog)
            if path is None:
                self.problems.append(f"{what}: no file in {self.folder} fits its filter")
                dialog.reject()
                return
            from PySide6.QtWidgets import QLineEdit

            dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))  # typed in
            dialog.accept()
            return
        good = (QMessageBox.ButtonRole.YesRole, QMessageBox.ButtonRole.AcceptRole,
                QDialogButtonBox.ButtonRole.YesRole, QDialogButtonBox.ButtonRole.AcceptRole)
        if isinstance(dialog, QMessageBox):
            buttons = [(dialog.buttonRole(b), b) for b in dialog.buttons()]
        else:
            buttons = [(box.buttonRole(b), b) for box in dialog.findChildren(QDialogButtonBox)
                       if box.isVisible() for b in box.buttons()]
        yes = [b for role, b in buttons if role in good and b.isEnabled() and b.isVisible()]
        if yes:
            yes[0].click()
        elif any(role in good for role, _b in buttons):
            self.problems.append(f"{what}: its {buttons[0][1].text()!r} button is disabled")
            dialog.reject()
        else:
            dialog.accept()  # nothing to say yes with (a Close button, no buttons): closed

    def _file_answer(self, dialog):
        import fnmatch
        import re

        from PySide6.QtWidgets import QFileDialog

        mode = dialog.fileMode()
        if mode == QFileDialog.FileMode.Directory:
            return self.folder
        if dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave:
            given = dialog.selectedFiles()
            name = (given[0].rsplit("/", 1)[-1] if given else "") or "answer"
            self._saved += 1
            return self.folder / f"saved-{self._saved}-{name}"
        patterns = re.findall(r"\(([^)]*)\)", dialog.selectedNameFilter())
        globs = patterns[0].split() if patterns else ["*"]
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and any(fnmatch.fnmatch(path.name, g) for g in globs):
                return path
        return None


@pytest.fixture
def answerer(tmp_path, qapp):
    """A `DialogAnswerer` whose file dialogs are given paths in ``tmp_path/answers``."""
    from PySide6.QtCore import Qt

    folder = tmp_path / "answers"
    folder.mkdir()
    native = qapp.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    qapp.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    a = DialogAnswerer(folder)
    yield a
    a.stop()
    qapp.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, native)
