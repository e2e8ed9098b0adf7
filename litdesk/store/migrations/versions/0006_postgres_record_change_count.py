"""On PostgreSQL: a count of the statements that added or removed records, kept in
library_meta by a trigger, so that a window's change stamp need not count the records (tens of
milliseconds at 100,000, after every tag). On SQLite: nothing (counting there is cheap).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The library_meta key of the count (what ``Library.change_stamp`` reads).
_RECORD_CHANGES = "record_changes"


def upgrade() -> None:
    """A trigger counting, in library_meta, the statements that add or remove records. It
    runs as the tables' owner (any granted login may import or delete records, not change
    the meta). Only statements that add or remove records count: an import or a deletion
    already holds locks that keep others from doing either, so the row waits on nothing new.
    """
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    bind.exec_driver_sql(
        f"INSERT INTO library_meta (key, value) VALUES ('{_RECORD_CHANGES}', '0') "
        "ON CONFLICT (key) DO NOTHING")
    bind.exec_driver_sql(
        "CREATE FUNCTION litdesk_count_record_change() RETURNS trigger LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $$ BEGIN "
        "UPDATE library_meta SET value = (value::bigint + 1)::text "
        f"WHERE key = '{_RECORD_CHANGES}'; RETURN NULL; END $$")
    bind.exec_driver_sql(
        "CREATE TRIGGER litdesk_count_change AFTER INSERT OR DELETE OR TRUNCATE ON record "
        "FOR EACH STATEMENT EXECUTE FUNCTION litdesk_count_record_change()")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS litdesk_count_change ON record")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_count_record_change")
    bind.exec_driver_sql(f"DELETE FROM library_meta WHERE key = '{_RECORD_CHANGES}'")
