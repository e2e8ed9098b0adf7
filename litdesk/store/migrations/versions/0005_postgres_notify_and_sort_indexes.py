"""On PostgreSQL: triggers that NOTIFY open windows of changes (live updates); sort indexes
ending in the id, the tie-break of every sort; autovacuum soon after large imports. On
SQLite: nothing (its indexes end in the rowid already, and windows there look for changes
every few seconds).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: As this revision made them: the channel the change triggers notify (the payload is the
#: changed table's name), the tables whose changes others see at once (memos are left out:
#: a window shows only its own coder's), the sort indexes ending in the id that breaks ties
#: (years ascend with NULL first, as SQLite sorts them; they replace the key-only indexes),
#: and autovacuum on ``record`` soon after a large import.
_CHANNEL = "litdesk_changes"
_NOTIFYING_TABLES = ("record", "span", "coding_status")
_SORT_INDEXES = {
    "ix_record_year": ("ix_record_year_id", "year NULLS FIRST, id"),
    "ix_record_title_key": ("ix_record_title_key_id", "title_key, id"),
    "ix_record_author_key": ("ix_record_author_key_id", "author_key, id"),
    "ix_record_journal_key": ("ix_record_journal_key_id", "journal_key, id"),
}
_AUTOVACUUM = ("autovacuum_vacuum_insert_scale_factor = 0.01",
               "autovacuum_analyze_scale_factor = 0.02")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Statement-level triggers: a transaction's identical notifications reach listeners once.
    bind.exec_driver_sql(
        "CREATE FUNCTION litdesk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$")
    for table in _NOTIFYING_TABLES:
        bind.exec_driver_sql(
            f"CREATE TRIGGER litdesk_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION litdesk_notify_change()")
    for old, (name, columns) in _SORT_INDEXES.items():
        bind.exec_driver_sql(f"CREATE INDEX {name} ON record ({columns})")
        bind.exec_driver_sql(f"DROP INDEX IF EXISTS {old}")
    bind.exec_driver_sql(f"ALTER TABLE record SET ({', '.join(_AUTOVACUUM)})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    names = ", ".join(s.split(" = ")[0] for s in _AUTOVACUUM)
    bind.exec_driver_sql(f"ALTER TABLE record RESET ({names})")
    for old, (name, _columns) in _SORT_INDEXES.items():
        column = old.removeprefix("ix_record_")
        bind.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {old} ON record ({column})")
        bind.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    for table in _NOTIFYING_TABLES:
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS litdesk_notify ON {table}")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_notify_change")
