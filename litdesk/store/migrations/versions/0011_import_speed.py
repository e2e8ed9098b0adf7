"""Import speed: the SQLite full-text index without its prefix indexes.

FTS5's ``prefix='2 3'`` kept two extra copies of every token's postings: it doubled the time
to index records and the index's size, and bought nothing measurable (a search for ``opio*``
over 100,000 real abstracts costs what a search for ``opioid`` costs: the time goes on the
matching rows, not on finding the terms). The index is made again without them, with the
same columns, tokenizer and triggers. Nothing changes on PostgreSQL.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COLUMNS = "title, authors, abstract, keywords, journal"
_NEW = ", ".join(f"new.{c}" for c in _COLUMNS.split(", "))
_OLD = ", ".join(f"old.{c}" for c in _COLUMNS.split(", "))
_TRIGGERS = (
    "CREATE TRIGGER record_fts_ai AFTER INSERT ON record BEGIN "
    f"INSERT INTO record_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER record_fts_ad AFTER DELETE ON record BEGIN "
    f"INSERT INTO record_fts(record_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); "
    "END",
    f"CREATE TRIGGER record_fts_au AFTER UPDATE OF {_COLUMNS} ON record BEGIN "
    f"INSERT INTO record_fts(record_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO record_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
)


def _make_index(prefix: str) -> None:
    bind = op.get_bind()
    for trigger in ("record_fts_ai", "record_fts_ad", "record_fts_au"):
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    bind.exec_driver_sql("DROP TABLE IF EXISTS record_fts")
    bind.exec_driver_sql(
        f"CREATE VIRTUAL TABLE record_fts USING fts5({_COLUMNS}, content='record', "
        f"content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'{prefix})")
    for sql in _TRIGGERS:
        bind.exec_driver_sql(sql)
    bind.exec_driver_sql("INSERT INTO record_fts(record_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _make_index("")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _make_index(", prefix='2 3'")
