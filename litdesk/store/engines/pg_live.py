"""PostgreSQL live updates: a connection of its own that listens for the library's changes.

Triggers (migration 0005) ``NOTIFY`` the ``litdesk_changes`` channel whenever a statement
changes records, spans or coding status; :class:`ChangeListener` listens on a connection of
its own, so an open window learns of a teammate's work at once.
"""

from __future__ import annotations

import select

from sqlalchemy import Engine

from litdesk.store.errors import ListenerLost as ListenerLost

#: The channel the change triggers notify, with the changed table's name as the payload.
CHANNEL = "litdesk_changes"


class ChangeListener:
    """A connection of its own, outside ``engine``'s pool, that LISTENs for the library's
    changes. It never runs a query after LISTEN, so it can be read without blocking: watch
    :meth:`fileno` for input and call :meth:`pending`, or block in :meth:`wait`.

    Raises the engine's error (a LibraryError through :func:`guard_engine`) when it cannot
    connect; :class:`ListenerLost` from :meth:`pending` or :meth:`wait` once the connection
    has gone. Close it when done: the connection is not the pool's to close.
    """

    def __init__(self, engine: Engine):
        import psycopg

        raw = engine.raw_connection()  # the engine's address, password and session settings
        conn = raw.driver_connection
        raw.detach()
        assert isinstance(conn, psycopg.Connection)
        self._conn = conn
        try:
            conn.rollback()
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as e:
            conn.close()
            raise ListenerLost(str(e)) from e

    def fileno(self) -> int:
        """The socket to watch: readable when a notification (or the end) has arrived."""
        return self._conn.pgconn.socket

    def pending(self) -> list[str]:
        """The payloads (table names) that have arrived, without waiting."""
        import psycopg

        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()
        except psycopg.Error as e:
            raise ListenerLost(str(e).strip() or "the connection closed") from e
        payloads = []
        while (note := pgconn.notifies()) is not None:
            payloads.append(note.extra.decode())
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            raise ListenerLost("the connection closed")
        return payloads

    def wait(self, timeout: float) -> list[str]:
        """The payloads that arrive within ``timeout`` seconds (empty if none did)."""
        payloads = self.pending()
        if payloads:
            return payloads
        readable, _, _ = select.select([self.fileno()], [], [], timeout)
        return self.pending() if readable else []

    def close(self) -> None:
        self._conn.close()
