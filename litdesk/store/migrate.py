"""Schema versions: bring a library to the current schema with Alembic, or refuse it.

Alembic is imported only when a library actually needs an upgrade: reading the stored
version is one query, and start-up should not pay for loading Alembic every time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

MIGRATIONS = Path(__file__).with_name("migrations")

#: Every schema version this litdesk knows, oldest first; the last is the one it writes.
#: (A test checks this against the Alembic scripts in ``migrations/versions``.)
REVISIONS: tuple[str, ...] = ("0001", "0002", "0004", "0005", "0006", "0007", "0008",
                              "0009", "0010", "0011")


def head_revision() -> str:
    """The schema version this litdesk writes."""
    return REVISIONS[-1]


def known_revisions() -> set[str]:
    return set(REVISIONS)


def is_newer(revision: str) -> bool:
    """Whether ``revision``, unknown here, comes after this litdesk's newest (a later release
    made it) rather than from outside litdesk's history."""
    head = head_revision()
    return revision.isdigit() and head.isdigit() and int(revision) > int(head)


def current_revision(conn: Connection) -> str | None:
    """The schema version recorded in the library (None for a new, empty file)."""
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def script_revisions() -> list[str]:
    """The revisions of the Alembic scripts, oldest first (what REVISIONS must equal)."""
    from alembic.script import ScriptDirectory

    return [s.revision for s in reversed(list(
        ScriptDirectory.from_config(_config()).walk_revisions()))]


def upgrade(conn: Connection, target: str = "head") -> None:
    """Run every migration up to ``target`` on ``conn`` (each in its own transaction)."""
    from alembic import command

    cfg = _config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, target)


def unknown_version_message(path: object, revision: str, advice: str = "") -> str:
    """Why a library whose schema version this litdesk does not know was refused."""
    if is_newer(revision):
        return (f"{path} was made by a newer version of litdesk (schema {revision}). "
                "Update litdesk to open it; the library was not changed.")
    known = REVISIONS
    return (f"{path} has an unknown schema version ({revision!r}): not one this litdesk knows "
            f"({known[0]} to {known[-1]}) and not a newer one, so no litdesk release made it "
            "(a development build may have, or the library was damaged). It was left "
            "untouched. Open it with the litdesk that made it, or, if it was damaged, "
            f"restore a backup. {advice}").rstrip()
