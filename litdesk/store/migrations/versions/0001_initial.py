"""The first library schema: records, import batches, spans, memos, coding status.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: The FTS5 index's columns, and its triggers, as this revision made them.
_FTS_COLUMNS = "title, authors, abstract, keywords, journal"
_NEW = "new.title, new.authors, new.abstract, new.keywords, new.journal"
_OLD = "old.title, old.authors, old.abstract, old.keywords, old.journal"


def upgrade() -> None:
    op.create_table(
        "library_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("encoding", sa.String(32), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("coder", sa.String(128), nullable=False),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "batch_id",
            sa.Integer,
            sa.ForeignKey("import_batch.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("ris_type", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("journal", sa.Text, nullable=False),
        sa.Column("volume", sa.String(64), nullable=False),
        sa.Column("issue", sa.String(64), nullable=False),
        sa.Column("pages", sa.String(64), nullable=False),
        sa.Column("doi", sa.Text, nullable=False),
        sa.Column("pmid", sa.String(32), nullable=False),
        sa.Column("urls", sa.JSON, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("author_key", sa.String(255), nullable=False),
        sa.Column("title_key", sa.String(255), nullable=False),
        sa.Column("journal_key", sa.String(255), nullable=False),
        sa.Column("doi_key", sa.String(255), nullable=False),
        sa.Column("dup_key", sa.String(400), nullable=False),
        sa.Column("has_suggestions", sa.Boolean, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
    )
    for name, cols in (
        ("ix_record_author_key", ["author_key"]),
        ("ix_record_title_key", ["title_key"]),
        ("ix_record_journal_key", ["journal_key"]),
        ("ix_record_year", ["year"]),
        ("ix_record_doi_key", ["doi_key"]),
        ("ix_record_pmid", ["pmid"]),
        ("ix_record_dup_key", ["dup_key"]),
        ("ix_record_batch", ["batch_id"]),
    ):
        op.create_index(name, "record", cols)
    op.create_table(
        "span",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "record_id", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("coder", sa.String(128), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_span_record_coder", "span", ["record_id", "coder"])
    op.create_table(
        "memo",
        sa.Column(
            "record_id", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("coder", sa.String(128), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "coding_status",
        sa.Column(
            "record_id", sa.Integer, sa.ForeignKey("record.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("coder", sa.String(128), primary_key=True),
        sa.Column("sections", sa.Integer, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("suggestions", sa.String(16), nullable=False),
    )
    op.create_index("ix_status_coder_sections", "coding_status", ["coder", "sections"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _create_search_index(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("record_fts_ai", "record_fts_ad", "record_fts_au"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS record_fts")
    for table in ("coding_status", "memo", "span", "record", "import_batch", "library_meta"):
        op.drop_table(table)


def _create_search_index(bind: Connection) -> None:
    """The FTS5 index over records and the triggers that keep it in step (SQLite)."""
    bind.exec_driver_sql(
        f"CREATE VIRTUAL TABLE record_fts USING fts5({_FTS_COLUMNS}, content='record', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
    )
    bind.exec_driver_sql(
        "CREATE TRIGGER record_fts_ai AFTER INSERT ON record BEGIN "
        f"INSERT INTO record_fts(rowid, {_FTS_COLUMNS}) VALUES (new.id, {_NEW}); END"
    )
    bind.exec_driver_sql(
        "CREATE TRIGGER record_fts_ad AFTER DELETE ON record BEGIN "
        f"INSERT INTO record_fts(record_fts, rowid, {_FTS_COLUMNS}) "
        f"VALUES ('delete', old.id, {_OLD}); END"
    )
    bind.exec_driver_sql(
        f"CREATE TRIGGER record_fts_au AFTER UPDATE OF {_FTS_COLUMNS} ON record BEGIN "
        f"INSERT INTO record_fts(record_fts, rowid, {_FTS_COLUMNS}) "
        f"VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO record_fts(rowid, {_FTS_COLUMNS}) VALUES (new.id, {_NEW}); END"
    )
