"""Alembic environment: litdesk runs migrations itself on an open connection."""

from __future__ import annotations

from alembic import context

from litdesk.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables instead
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
