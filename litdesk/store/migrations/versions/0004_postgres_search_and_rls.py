"""On PostgreSQL: full-text search (generated tsvector, GIN index), code-point sort keys, and
row-level security so each login writes only its own coding. On SQLite: nothing.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from litdesk.store.engines import pg_schema, pg_search

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_search.create_search_index(bind)
    pg_schema.collate_sort_keys(bind)
    pg_schema.enable_row_security(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_schema.disable_row_security(bind)
    pg_search.drop_search_index(bind)
