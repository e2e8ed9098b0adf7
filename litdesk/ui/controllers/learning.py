"""The library's own section model in the window: learn it now, reset it, learn as coders go.

After a coder's change the library is asked (on the learner's thread) whether 20 more
abstracts were done since the model was last learned; if so it learns again in the
background, with its progress and result in the status bar. The menu's commands learn at
once or go back to the built-in model.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from litdesk.store.errors import LibraryError
from litdesk.ui.controllers.shared import Messages
from litdesk.ui.holder import LibraryHolder
from litdesk.ui.tasks.learning import Learner


class LearningActions(QObject):
    """Learn and reset the library's section model; learn again after every 20 done."""

    modelChanged = Signal()  # suggestions may now come from another model
    SETTLE_MS = 1500  # a burst of tagging asks the library once, when it settles

    def __init__(self, holder: LibraryHolder, messages: Messages, parent: QWidget):
        super().__init__(parent)
        self.holder, self.messages = holder, messages
        self.learner = Learner(self)
        self.learner.progressed.connect(self._progress)
        self.learner.learned.connect(self._learned)
        self.learner.failed.connect(lambda why: self.messages.say(
            f"The section model was not learned: {why}", 10000))
        holder.aboutToChange.connect(self.learner.stop)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(lambda: self.learner.start(self.holder.library))

    def coding_changed(self, _record_id: int = 0) -> None:
        """A coder changed a record: learn again if 20 more abstracts are done (later)."""
        self._settle.start()

    def learn_now(self) -> None:
        if self.learner.running:
            self.messages.say("The section model is being learned already.")
        elif self.learner.start(self.holder.library, force=True):
            self.messages.say("Learning the section model from your coding…", 0)
        else:
            self.messages.say("This library is read-only: its section model cannot be learned.")

    def reset(self) -> None:
        self.learner.stop()
        try:
            dropped = self.holder.library.learning.reset()
        except LibraryError as e:
            self.messages.say(f"Not reset: {e}")
            return
        self.messages.say("Suggestions come from the built-in section model again." if dropped
                          else "This library has no learned section model: the built-in one "
                          "suggests sections.")
        self.modelChanged.emit()

    def shut(self) -> None:
        self._settle.stop()
        self.learner.shut()

    def _progress(self, done: int, total: int) -> None:
        self.messages.say(f"Learning the section model from your coding: step {done} of "
                          f"{total}…", 0)

    def _learned(self, report: object) -> None:
        self.messages.say(report.summary(), 15000)  # type: ignore[attr-defined]
        self.modelChanged.emit()
