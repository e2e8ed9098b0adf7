"""The library's own section model, learned from its coding (shared by a team library).

``learned_model`` holds one row per kind of model (``name``: "sections"): the adapted model's
bytes (NULL after a reset), the cross-validated scores that decide whether it is used, and how
many abstracts were done when it was learned (the app learns again after every 20 more). On
PostgreSQL the logins granted the library are granted the new table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_model",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("in_use", sa.Boolean, nullable=False),
        sa.Column("base", sa.String(64), nullable=False),
        sa.Column("done_seen", sa.Integer, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("learned_at", sa.String(32), nullable=False),
        sa.Column("coder", sa.String(128), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _grant_members(bind)


def _grant_members(bind: sa.Connection) -> None:
    """The logins that may write spans (granted before this upgrade) get the new table."""
    members = [r[0] for r in bind.execute(sa.text(
        "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
        "WHERE table_schema = current_schema() AND table_name = 'span' "
        "AND privilege_type = 'INSERT' AND grantee <> (SELECT tableowner FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'span')"))]
    quote = bind.dialect.identifier_preparer.quote_identifier
    for who in members:
        bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON learned_model "
                             f"TO {quote(who)}")


def downgrade() -> None:
    op.drop_table("learned_model")
