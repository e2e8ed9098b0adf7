"""Screening: each screener's decision per record, the team's exclusion reasons, consensus
decisions, and the inclusion/exclusion keyword terms highlighted in abstracts.

``screening_decision`` (record, coder) holds include/exclude/maybe with a reason, a note and
the time; ``screening_reason`` the team's list of exclusion reasons (a name, a key, an order),
started with the usual title/abstract reasons; ``screening_consensus`` the decision that
settles a record for everyone; ``screening_term`` the highlighted words. On PostgreSQL a login
writes only its own decisions (row-level security, as for coding), and the logins granted the
library before this upgrade are granted the new tables.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NEW_TABLES = ("screening_decision", "screening_reason", "screening_consensus",
               "screening_term")
#: The reasons a library starts with (frozen here: the app's list may change later).
_FIRST_REASONS = (
    ("Wrong population", "1"),
    ("Wrong intervention or exposure", "2"),
    ("Wrong outcome", "3"),
    ("Wrong study design", "4"),
    ("Wrong publication type", "5"),
    ("Not in the language of the review", "6"),
)


def upgrade() -> None:
    op.create_table(
        "screening_decision",
        sa.Column("record_id", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("coder", sa.String(128), primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_at", sa.String(32), nullable=False, server_default=""),
    )
    op.create_index("ix_screening_decision_coder", "screening_decision", ["coder", "decision"])
    reasons = op.create_table(
        "screening_reason",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(8), nullable=False, server_default=""),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "screening_consensus",
        sa.Column("record_id", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(128), nullable=False, server_default=""),
        sa.Column("decided_at", sa.String(32), nullable=False, server_default=""),
    )
    op.create_table(
        "screening_term",
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.bulk_insert(reasons, [{"name": name, "key": key, "position": i}
                             for i, (name, key) in enumerate(_FIRST_REASONS)])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _own_decisions_only(bind)
        _grant_members(bind)


def _own_decisions_only(bind: sa.Connection) -> None:
    """Everyone granted reads every decision; a login writes only its own (the owner, who
    upgrades the schema, is not restricted)."""
    own = "(coder::text = current_user::text)"
    table = "screening_decision"
    bind.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    bind.exec_driver_sql(f"CREATE POLICY litdesk_read ON {table} FOR SELECT USING (true)")
    bind.exec_driver_sql(f"CREATE POLICY litdesk_insert ON {table} FOR INSERT WITH CHECK {own}")
    bind.exec_driver_sql(f"CREATE POLICY litdesk_update ON {table} FOR UPDATE "
                         f"USING {own} WITH CHECK {own}")
    bind.exec_driver_sql(f"CREATE POLICY litdesk_delete ON {table} FOR DELETE USING {own}")


def _grant_members(bind: sa.Connection) -> None:
    """The logins that may write spans (granted before this upgrade) get the new tables."""
    members = [r[0] for r in bind.execute(sa.text(
        "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
        "WHERE table_schema = current_schema() AND table_name = 'span' "
        "AND privilege_type = 'INSERT' AND grantee <> (SELECT tableowner FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'span')"))]
    quote = bind.dialect.identifier_preparer.quote_identifier
    for who in members:
        bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON "
                             f"{', '.join(_NEW_TABLES)} TO {quote(who)}")


def downgrade() -> None:
    for table in reversed(_NEW_TABLES):
        op.drop_table(table)
