"""On PostgreSQL: a count of the statements that added or removed records, kept in
library_meta by a trigger, so that a window's change stamp need not count the records (tens of
milliseconds at 100,000, after every tag). On SQLite: nothing (counting there is cheap).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from litdesk.store.engines import pg_schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_schema.create_record_change_count(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg_schema.drop_record_change_count(bind)
