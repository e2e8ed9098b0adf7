"""On PostgreSQL: search vectors in a narrow table of their own, ``record_search`` (id, tsv)
with a GIN index, kept in step by triggers, instead of a generated column of the wide
``record`` table. There, once VACUUM (ANALYZE) had given the planner statistics, a common word
was searched by reading every record's TOASTed vector (560 ms at 100,000 records). On SQLite:
nothing (FTS5 is a table of its own already).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: As this revision made them: the narrow table of search vectors, the searched columns, and
#: ``litdesk_search(tsquery)``, the ids whose vectors match, for any login that may read
#: ``record``. It runs as the tables' owner, so ``litdesk grant`` (which grants the tables of
#: the schema module) need not know ``record_search``; and its query, planned for a tsquery
#: it does not know, always takes the GIN index (with statistics, the planner scanned the
#: whole table for a common word).
_SEARCH_TABLE = "record_search"
_SEARCH_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
_SEARCH_FUNCTION = "litdesk_search"
_VECTOR_OF = f"litdesk_record_vector({', '.join(_SEARCH_COLUMNS)})"


def upgrade() -> None:
    """Move the search vectors from ``record.search_vector`` into ``record_search``.

    Inserted records get their vectors from one statement-level trigger per statement (a
    COPY chunk is one ``INSERT ... SELECT`` over its transition table), unless the same
    transaction stored them already (what an import does); a change
    to a searched column updates the row's vector; deleting a record cascades."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = str(bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar())
    definer = f"SECURITY DEFINER SET search_path = pg_catalog, {schema}"
    # Deferrable: an import may store a chunk's vectors just before the chunk's records.
    bind.exec_driver_sql(
        f"CREATE TABLE {_SEARCH_TABLE} (id integer PRIMARY KEY CONSTRAINT {_SEARCH_TABLE}_record "
        "REFERENCES record (id) ON DELETE CASCADE DEFERRABLE, tsv tsvector NOT NULL)")
    has_column = bind.exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'record' AND column_name = 'search_vector'").scalar()
    source = "search_vector" if has_column else _VECTOR_OF
    bind.exec_driver_sql(f"INSERT INTO {_SEARCH_TABLE} (id, tsv) SELECT id, {source} FROM record")
    bind.exec_driver_sql(f"CREATE INDEX ix_{_SEARCH_TABLE}_tsv ON {_SEARCH_TABLE} USING gin (tsv)")
    bind.exec_driver_sql("DROP INDEX IF EXISTS ix_record_search")
    bind.exec_driver_sql("ALTER TABLE record DROP COLUMN IF EXISTS search_vector")
    bind.exec_driver_sql(
        "CREATE FUNCTION litdesk_index_inserted() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ BEGIN INSERT INTO {_SEARCH_TABLE} (id, tsv) SELECT id, {_VECTOR_OF} "
        f"FROM litdesk_inserted n WHERE NOT EXISTS (SELECT FROM {_SEARCH_TABLE} s "
        "WHERE s.id = n.id); RETURN NULL; END $$")
    bind.exec_driver_sql(
        "CREATE TRIGGER litdesk_search_insert AFTER INSERT ON record "
        "REFERENCING NEW TABLE AS litdesk_inserted FOR EACH STATEMENT "
        "EXECUTE FUNCTION litdesk_index_inserted()")
    new = ", ".join(f"NEW.{c}" for c in _SEARCH_COLUMNS)
    bind.exec_driver_sql(
        "CREATE FUNCTION litdesk_index_updated() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ BEGIN INSERT INTO {_SEARCH_TABLE} (id, tsv) VALUES "
        f"(NEW.id, litdesk_record_vector({new})) ON CONFLICT (id) DO UPDATE SET "
        "tsv = excluded.tsv; RETURN NULL; END $$")
    # (PostgreSQL allows no transition tables on a trigger with a column list: row by row,
    # only for the rows whose searched text changed, never for has_suggestions and the like.)
    changed = " OR ".join(f"OLD.{c}::text IS DISTINCT FROM NEW.{c}::text" for c in _SEARCH_COLUMNS)
    bind.exec_driver_sql(
        f"CREATE TRIGGER litdesk_search_update AFTER UPDATE OF {', '.join(_SEARCH_COLUMNS)} "
        f"ON record FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION litdesk_index_updated()")
    bind.exec_driver_sql(
        f"CREATE FUNCTION {_SEARCH_FUNCTION}(q tsquery) RETURNS SETOF integer LANGUAGE sql "
        f"STABLE {definer} ROWS 1000 AS $$ SELECT id FROM {_SEARCH_TABLE} WHERE tsv @@ q "
        "AND has_table_privilege(session_user, 'record', 'SELECT') $$")


def downgrade() -> None:
    """Back to the generated column of migration 0004."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_SEARCH_FUNCTION}")
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS litdesk_search_update ON record")
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS litdesk_search_insert ON record")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_index_updated")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_index_inserted")
    bind.exec_driver_sql(f"DROP TABLE IF EXISTS {_SEARCH_TABLE}")
    bind.exec_driver_sql(
        "ALTER TABLE record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"({_VECTOR_OF}) STORED")
    bind.exec_driver_sql("CREATE INDEX ix_record_search ON record USING gin (search_vector)")
