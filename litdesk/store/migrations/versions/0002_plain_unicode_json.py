"""Store authors, keywords, URLs and tags as plain Unicode JSON, and re-index them.

Revision 0001 wrote JSON with ASCII escapes ("M\\u00fcller"), which the full-text index then
split into meaningless tokens: a search for an author with a non-ASCII letter found nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("authors", "keywords", "urls", "tags")
_BATCH = 2000


def upgrade() -> None:
    bind = op.get_bind()
    record = sa.table("record", sa.column("id"), *(sa.column(c) for c in _COLUMNS))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(record).where(record.c.id > last).order_by(record.c.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        changed = []
        for row in rows:
            values = {c: getattr(row, c) for c in _COLUMNS}
            plain = {c: json.dumps(json.loads(v), ensure_ascii=False) if v else v
                     for c, v in values.items()}
            if plain != values:
                changed.append({"rid": row.id, **{f"v_{c}": plain[c] for c in _COLUMNS}})
        if changed:
            bind.execute(
                record.update().where(record.c.id == sa.bindparam("rid")).values(
                    **{c: sa.bindparam(f"v_{c}") for c in _COLUMNS}),
                changed,
            )
        last = rows[-1].id
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("INSERT INTO record_fts(record_fts) VALUES ('rebuild')")


def downgrade() -> None:
    """Nothing to undo: escaped and plain JSON read back the same."""
