"""The engines a library lives on (SQLite files, PostgreSQL servers), behind engines.base."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from litdesk.store.engines.base import Backend


def backend_for(engine: Engine) -> Backend:
    """The backend of ``engine``'s kind of database."""
    if engine.dialect.name == "postgresql":
        from litdesk.store.engines import postgres

        return postgres.BACKEND
    from litdesk.store.engines import sqlite

    return sqlite.BACKEND
