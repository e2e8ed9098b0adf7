"""Duplicates decided on evidence: identifiers in a side table, possible pairs, a merge log,
PRISMA counts per import.

``record`` gains ``pmcid`` and ``accessions``; ``record_identifier`` (record, value) indexes
every identifier for the duplicate look-up; ``duplicate_pair`` holds possible duplicates with
their evidence and the researcher's decision; ``merge_log`` keeps what a merge replaced, for
undo; ``import_batch`` gains the counts of the PRISMA flow. The keys of records already in the
library are worked out again by litdesk after the upgrade (see ``litdesk.store.dup_check``),
with the rules of the litdesk that opens it. On PostgreSQL the logins granted the library are
granted the new tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_NEW_TABLES = ("record_identifier", "duplicate_pair", "merge_log")


def upgrade() -> None:
    op.add_column("record", sa.Column("pmcid", sa.String(32), nullable=False,
                                      server_default=""))
    op.add_column("record", sa.Column("accessions", sa.JSON, nullable=False,
                                      server_default="[]"))
    for name in ("read", "in_file", "in_library", "possible"):
        op.add_column("import_batch", sa.Column(name, sa.Integer, nullable=False,
                                                server_default="0"))
    op.create_table(
        "record_identifier",
        sa.Column("record_id", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("value", sa.String(255), primary_key=True),
    )
    op.create_index("ix_record_identifier_value", "record_identifier", ["value"])
    op.create_table(
        "duplicate_pair",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_a", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("record_b", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.UniqueConstraint("record_a", "record_b", name="uq_duplicate_pair"),
    )
    op.create_index("ix_duplicate_pair_b", "duplicate_pair", ["record_b"])
    op.create_index("ix_duplicate_pair_decision", "duplicate_pair", ["decision"])
    op.create_table(
        "merge_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kept_id", sa.Integer, nullable=False),
        sa.Column("removed_id", sa.Integer, nullable=False),
        sa.Column("merged_at", sa.String(32), nullable=False),
        sa.Column("coder", sa.String(128), nullable=False),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("undone_at", sa.String(32), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _grant_members(bind)


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
        bind.exec_driver_sql(
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCE duplicate_pair_id_seq, merge_log_id_seq "
            f"TO {quote(who)}")


def downgrade() -> None:
    for table in reversed(_NEW_TABLES):
        op.drop_table(table)
    with op.batch_alter_table("import_batch") as batch:
        for name in ("read", "in_file", "in_library", "possible"):
            batch.drop_column(name)
    with op.batch_alter_table("record") as batch:
        batch.drop_column("accessions")
        batch.drop_column("pmcid")
