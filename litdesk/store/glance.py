"""A quick read-only look at a SQLite library with the standard library alone: `list`, `coders`.

Opening a :class:`~litdesk.store.library.Library` imports SQLAlchemy (about half a second on a
quiet machine, several times the rest of such a command) before it reads a row; these commands
need a few plain SELECTs. :meth:`Glance.open` opens only a library file that ``Library.open``
would open as it is, with nothing to do first: a litdesk library, intact (``quick_check``), at
this litdesk's schema version, with no suggestion flags pending. Anything else gives None, and
the caller opens the ``Library``, which says what is wrong or does what is due (an upgrade, the
flags). The connection is read-only: a glance never changes the library. The daily backup is
left to the next open that can change something.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from litdesk.core.model import short_authors
from litdesk.core.status import status_of
from litdesk.store import migrate, pending
from litdesk.store.engines.sqlite_look import (
    APPLICATION_ID,
    connect_read_only,
    inspect,
    looks_like_sqlite,
)
from litdesk.store.rows import CoderStatus, RowSummary


class Glance:
    """A library file open for the reads of `list` and `coders`, for ``coder``."""

    def __init__(self, con: sqlite3.Connection, coder: str):
        self._con = con
        self.coder = coder

    @classmethod
    def open(cls, path: Path, coder: str) -> Glance | None:
        """The library at ``path`` if it needs nothing before it is read, else None."""
        try:
            if not path.is_file() or not looks_like_sqlite(path):
                return None
            con = connect_read_only(path)
        except (OSError, sqlite3.Error):
            return None
        try:
            if cls._ready(con):
                return cls(con, coder)
        except sqlite3.Error:
            pass
        con.close()
        return None

    @staticmethod
    def _ready(con: sqlite3.Connection) -> bool:
        if con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return False
        state = inspect(con)
        if not state.intact or state.revision != migrate.head_revision():
            return False
        note = con.execute("SELECT value FROM library_meta WHERE key = ?",
                           (pending.PENDING_KEY,)).fetchone()
        return not pending.load(note[0] if note else None)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Glance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self) -> list[RowSummary]:
        """Every record's table row, by id: what ``Library.rows(Library.search_ids())`` gives."""
        found = self._con.execute(
            "SELECT r.id, r.authors, r.year, r.title, r.journal, r.has_suggestions, "
            "s.sections, s.done, s.suggestions FROM record AS r LEFT OUTER JOIN coding_status "
            "AS s ON s.record_id = r.id AND s.coder = ? ORDER BY r.id", (self.coder,))
        out = []
        for rid, authors, year, title, journal, flagged, sections, done, answer in found:
            sections, done = sections or 0, bool(done)
            out.append(RowSummary(
                rid, short_authors(json.loads(authors) if authors else []), year, title,
                journal, sections, done, status_of(sections, done, bool(flagged), answer),
                answer or ""))
        return out

    def coders(self) -> list[str]:
        """What ``Library.coding.coders()`` gives: every coder with any coding, sorted."""
        found = {name for (name,) in self._con.execute(
            "SELECT coder FROM span UNION SELECT coder FROM memo "
            "UNION SELECT coder FROM coding_status")}
        return sorted(c for c in found if c and c.strip())

    def status_by_coder(self) -> dict[int, dict[str, CoderStatus]]:
        """What ``Library.coding.status_by_coder`` gives for every record."""
        out: dict[int, dict[str, CoderStatus]] = {}
        for rid, coder, sections, done in self._con.execute(
                "SELECT s.record_id, s.coder, s.sections, s.done FROM coding_status AS s "
                "JOIN record AS r ON r.id = s.record_id"):
            out.setdefault(rid, {})[coder] = CoderStatus(sections or 0, bool(done))
        return out
