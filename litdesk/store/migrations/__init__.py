"""Alembic migrations of the library schema (run by litdesk.store.migrate)."""
