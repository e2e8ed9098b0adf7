"""Files dropped on the window: a highlight while they hover, their paths once dropped."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QMainWindow


class FileDrops(QObject):
    """Watches a window's drag and drop events (installed as its event filter)."""

    dropped = Signal(list)  # the local paths dropped
    refused = Signal(str)  # why a drop brought nothing to import

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self._window = window
        window.setAcceptDrops(True)
        self.overlay = QLabel("Drop exports to import them", window)
        self.overlay.setObjectName("dropOverlay")
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.hide()
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._window:
            return False
        if isinstance(event, QDragEnterEvent):
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
                central = self._window.centralWidget()
                if central is not None:
                    self.overlay.setGeometry(central.geometry())
                self.overlay.raise_()
                self.overlay.show()
            return True
        if isinstance(event, QDragMoveEvent):  # (a QDragEnterEvent is one too: it went first)
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
            return True
        if event.type() == QEvent.Type.DragLeave:
            self.overlay.hide()
            return True
        if isinstance(event, QDropEvent):
            self.overlay.hide()
            paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            if not paths:
                self.refused.emit("Only files on this computer can be imported.")
                return True
            event.acceptProposedAction()
            self.dropped.emit(paths)
            return True
        return False
