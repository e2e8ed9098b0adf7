"""On PostgreSQL: search vectors in a narrow table of their own, ``record_search`` (id, tsv)
with a GIN index, kept in step by triggers, instead of a generated column of the wide
``record`` table. There, once VACUUM (ANALYZE) had given the planner statistics, a common word
was searched by reading every record's TOASTed vector (560 ms at 100,000 records). On SQLite:
nothing (FTS5 is a table of its own already).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from litdesk.store.engines import pg_search

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_search.create_search_table(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_search.drop_search_table(bind)
