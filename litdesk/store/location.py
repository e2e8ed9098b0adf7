"""Where a library lives: one parsed location, a file path or a PostgreSQL server address.

:meth:`Location.parse` holds the only rule for telling the two apart: text starting with
``postgresql:`` or ``postgres:`` (with an optional ``+driver``) is a server address, and must
go on with ``//`` (``postgresql://LOGIN@HOST:PORT/DBNAME``); anything else is a file path
(``./postgresql:notes.sqlite`` names a file). A server address may carry a password; it stays
in :attr:`Location.address`, which is passed to the driver and nowhere else: what people see
(titles, settings, logs, messages) is :attr:`Location.display`, which never holds a password.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from litdesk.store.errors import LocationError

if TYPE_CHECKING:  # SQLAlchemy is imported to show a server address, not to parse a path
    from sqlalchemy.engine import URL

SCHEMES = ("postgresql", "postgres")
_SERVER_PREFIX = re.compile(r"(?:postgresql|postgres)(?:\+[A-Za-z0-9_]+)?:", re.IGNORECASE)
#: Options of an address that may carry a secret: never shown.
_SECRET_OPTIONS = ("password", "passfile")


def is_server_address(text: str) -> bool:
    """Whether ``text`` is meant as a server address (it starts with a PostgreSQL scheme).

    Such text is never taken as a file name; :meth:`Location.parse` refuses it unless the
    scheme is followed by ``//``.
    """
    return _SERVER_PREFIX.match(text) is not None


def safe_display(address: str | URL) -> str:
    """A server ``address`` without any password (in it or in its options), for people."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(address) if isinstance(address, str) else address
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "postgresql://(unreadable address)"
    query = {k: v for k, v in url.query.items() if k.lower() not in _SECRET_OPTIONS}
    url = url.set(drivername="postgresql", query=query)._replace(password=None)  # (set()
    # leaves a field alone when given None: it would keep the password)
    return unquote(url.render_as_string(hide_password=False))


@dataclass(frozen=True)
class Location:
    """A library's place: ``path`` (a file) or ``address`` (a server), never both."""

    path: Path | None = None
    #: The server address as given: it may hold a password, so it is never shown.
    address: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.path is None) == (self.address is None):
            raise ValueError("a Location is a file path or a server address")

    @classmethod
    def parse(cls, value: str | os.PathLike[str] | Location) -> Location:
        """The location a user typed (``~`` expanded); LocationError for a malformed address."""
        if isinstance(value, Location):
            return value
        if isinstance(value, str) and is_server_address(value):
            return cls.server(value)
        text = os.fspath(value)
        if not text:
            raise LocationError("No library was named (an empty path).")
        return cls(path=Path(text).expanduser())

    @classmethod
    def server(cls, address: str) -> Location:
        """A server address; LocationError unless it reads ``SCHEME://...``."""
        scheme, _, rest = address.partition(":")
        if not rest.startswith("//"):
            raise LocationError(
                f"{scheme}:{'…' if rest else ''} is not a PostgreSQL address: write "
                "postgresql://LOGIN@HOST:PORT/DBNAME (for a file whose name starts with "
                f"'{scheme}:', write ./{scheme}:…).")
        return cls(address=address)

    @classmethod
    def for_server(cls, host: str, port: int, database: str, login: str = "",
                   sslmode: str = "prefer") -> Location:
        """The address of ``database`` on ``host`` for ``login`` (never with a password)."""
        at = f"{quote(login, safe='')}@" if login else ""
        return cls.server(f"postgresql://{at}{host or 'localhost'}:{int(port)}/"
                          f"{quote(database, safe='')}?sslmode={quote(sslmode, safe='')}")

    @property
    def is_server(self) -> bool:
        return self.address is not None

    @property
    def display(self) -> str:
        """The location for people and settings: a server address without its password."""
        return str(self.path) if self.path is not None else safe_display(str(self.address))

    @property
    def name(self) -> str:
        """What a window title shows: the file's name, or the server address."""
        return self.path.name if self.path is not None else self.display

    @property
    def folder(self) -> Path:
        """Where a file dialog about this library starts (the home folder for a server)."""
        return self.path.parent if self.path is not None else Path.home()

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"Location({self.display!r})"
