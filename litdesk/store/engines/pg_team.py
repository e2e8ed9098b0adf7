"""Who may use a team library on a PostgreSQL server: grant and revoke logins (``lib.team``).

A granted login reads everything and may import, edit and delete records; row-level security
(migration 0004) lets it write only its own spans, memos and coding status, plus the consensus
coding. Logins are created by the server's administrator (``createuser --pwprompt NAME``);
litdesk only grants them the library's tables. Only the library's owner may grant or revoke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from litdesk.store.engines.pg_connection import is_owner
from litdesk.store.engines.pg_connection import login as login_of
from litdesk.store.errors import LibraryError
from litdesk.store.schema import Base

if TYPE_CHECKING:
    from litdesk.store.library import Library

#: Tables a granted login writes (coders' tables guarded by row-level security).
WRITABLE = tuple(Base.metadata.tables)
#: Tables a granted login only reads: the schema version is the owner's business.
READ_ONLY = ("alembic_version",)


def _server_connection(lib: Library) -> Connection:
    return lib.engine.connect()


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _sequences(conn: Connection) -> list[str]:
    found = []
    for table in WRITABLE:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                           {"t": table}).scalar() if _has_id(conn, table) else None
        if seq:
            found.append(str(seq))
    return found


def _has_id(conn: Connection, table: str) -> bool:
    return bool(conn.execute(text(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = :t AND column_name = 'id'"), {"t": table}).scalar())


def _check(conn: Connection, lib: Library, login: str) -> str:
    if not login or not login.strip():
        raise ValueError("the login name must not be empty")
    if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login}).scalar():
        raise LibraryError(f"There is no login {login!r} on the server {lib.path}: ask its "
                           f"administrator to create it (createuser --pwprompt {login}).")
    if not is_owner(conn):
        raise LibraryError(f"Only the owner of {lib.path} may grant or revoke access; your "
                           f"login is {login_of(conn)!r}.")
    return _quoted(conn, login)


def grant(lib: Library, login: str) -> None:
    """Let the server login ``login`` open ``lib`` and code in it (as coder ``login``)."""
    with _server_connection(lib) as conn, conn.begin():
        who = _check(conn, lib, login)
        schema = str(conn.execute(text("SELECT current_schema()")).scalar())
        if not conn.execute(text("SELECT has_schema_privilege(:n, :s, 'USAGE')"),
                            {"n": login, "s": schema}).scalar():
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {_quoted(conn, schema)} TO {who}")
        tables = ", ".join(_quoted(conn, t) for t in WRITABLE)
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {who}")
        conn.exec_driver_sql(
            f"GRANT SELECT ON {', '.join(_quoted(conn, t) for t in READ_ONLY)} TO {who}")
        sequences = _sequences(conn)
        if sequences:
            # UPDATE: an import moves the record id sequence past the ids it hands out.
            conn.exec_driver_sql(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE {', '.join(sequences)} "
                                 f"TO {who}")


def revoke(lib: Library, login: str) -> None:
    """Take ``lib`` away from ``login`` (its coding stays in the library, readable by others)."""
    with _server_connection(lib) as conn, conn.begin():
        who = _check(conn, lib, login)
        tables = ", ".join(_quoted(conn, t) for t in WRITABLE + READ_ONLY)
        conn.exec_driver_sql(f"REVOKE ALL ON {tables} FROM {who}")
        sequences = _sequences(conn)
        if sequences:
            conn.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {', '.join(sequences)} FROM {who}")


def members(lib: Library) -> list[str]:
    """The logins granted ``lib`` (able to write spans), sorted; the owner not included."""
    with _server_connection(lib) as conn:
        rows = conn.execute(text(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
            "WHERE table_schema = current_schema() AND table_name = 'span' "
            "AND privilege_type = 'INSERT' AND grantee <> (SELECT tableowner FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'span')"))
        return sorted(str(r[0]) for r in rows)
