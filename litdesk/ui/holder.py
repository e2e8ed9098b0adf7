"""The one open library of a window, and the signal everyone who uses it follows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

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

    def __init__(self, library: Library, parent: QObject | None = None):
        super().__init__(parent)
        self._library = library

    @property
    def library(self) -> Library:
        return self._library

    def replace(self, library: Library) -> None:
        """Work on ``library`` from now on (the same one again re-reads it everywhere)."""
        self.aboutToChange.emit()
        old, self._library = self._library, library
        self.libraryChanged.emit(library)
        if old is not library:
            old.close()

    def reopen(self, opener: Callable[[], Library]) -> None:
        """Close the library, then work on what ``opener`` opens (a backup put in its place).

        Raises what ``opener`` raises; the holder then keeps the closed library."""
        self.aboutToChange.emit()
        self._library.close()
        self._library = opener()
        self.libraryChanged.emit(self._library)

    def close(self) -> None:
        """The window closes: its library's file handles or connections go with it."""
        self._library.close()
