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

from litdesk.store.engines import pg_schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_schema.create_change_triggers(bind)
    pg_schema.create_sort_indexes(bind)
    pg_schema.tune_autovacuum(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_schema.untune_autovacuum(bind)
    pg_schema.drop_sort_indexes(bind)
    pg_schema.drop_change_triggers(bind)
