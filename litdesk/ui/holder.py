"""The one open library of a window, and the signal everyone who uses it follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from litdesk.store.library import Library



class LibraryHolder(QObject):
    """Holds the library a window works on; `replace` switches it for everyone at once.

    Who needs the library reads ``holder.library`` when it acts (never keeps its own copy)
    and connects to the signals: ``aboutToChange`` while the old library is still open
    (save a memo, stop a background check), then ``libraryChanged`` with the new one. The
    old library is closed after everyone has moved on: the holder owns what it holds.
    """

    aboutToChange = Signal()
    libraryChanged = Signal(object)  # the Library now open

    def __init__(self, library: Library | None, parent: QObject | None = None):
        super().__init__(parent)
        self._library = library

    @property
    def library(self) -> Library:
        """The open library. A window shows before its first library is open (start-up opens
        it right after the first paint); nothing acts on the library until then."""
        if self._library is None:
            raise RuntimeError("no library is open yet")
        return self._library

    @property
    def is_open(self) -> bool:
        """A library has been opened (False only while a window's first one is opening)."""
        return self._library is not None

    def replace(self, library: Library) -> None:
        """Work on ``library`` from now on (the same one again re-reads it everywhere)."""
        self.aboutToChange.emit()
        old, self._library = self._library, library
        self.libraryChanged.emit(library)
        if old is not None and old is not library:
            old.close()

    def reopen(self, opener: Callable[[], Library]) -> None:
        """Close the library, then work on what ``opener`` opens (a backup put in its place).

        Raises what ``opener`` raises; the holder then keeps the closed library."""
        self.aboutToChange.emit()
        self.library.close()
        self._library = opener()
        self.libraryChanged.emit(self._library)

    def close(self) -> None:
        """The window closes: its library's file handles or connections go with it."""
        if self._library is not None:
            self._library.close()
