"""The store's exceptions: what a caller catches to tell people why a library cannot be used."""

from __future__ import annotations


class LibraryError(Exception):
    """A library cannot be opened or written, for a reason the researcher can act on."""


class LocationError(LibraryError):
    """A library location that names no usable file or server address."""


class LibraryMissing(LibraryError):
    """There is no library at the location, and the caller asked not to create one.

    Nothing was created: no file, no folder, no schema in a server database.
    """
