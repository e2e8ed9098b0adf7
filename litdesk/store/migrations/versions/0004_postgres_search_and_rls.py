"""On PostgreSQL: full-text search (generated tsvector, GIN index), code-point sort keys, and
row-level security so each login writes only its own coding. On SQLite: nothing.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

#: As this revision made them: the searched columns, the characters PostgreSQL's parser reads
#: as parts of numbers, hosts, e-mails or paths ("covid-19" would give "covid" and "-19",
#: where SQLite's tokenizer splits), the sort keys, and the tables a coder writes rows in.
_SEARCH_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
_SPLIT_AT = "-./@+:"
_SORT_KEY_COLUMNS = ("author_key", "title_key", "journal_key")
_CODER_TABLES = ("span", "memo", "coding_status")
_CONSENSUS_CODER = "consensus"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _create_search_index(bind)
    for col in _SORT_KEY_COLUMNS:  # code point order ("C"), as SQLite sorts, whatever the locale
        bind.exec_driver_sql(
            f'ALTER TABLE record ALTER COLUMN {col} TYPE varchar(255) COLLATE "C"')
    _enable_row_security(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in _CODER_TABLES:
        for policy in ("read", "insert", "update", "delete"):
            bind.exec_driver_sql(f"DROP POLICY IF EXISTS litdesk_{policy} ON {table}")
        bind.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    bind.exec_driver_sql("DROP INDEX IF EXISTS ix_record_search")
    bind.exec_driver_sql("ALTER TABLE record DROP COLUMN IF EXISTS search_vector")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_record_vector")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_doc_vector")
    bind.exec_driver_sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS litdesk")
    bind.exec_driver_sql("DROP TEXT SEARCH DICTIONARY IF EXISTS litdesk_stem")


def _create_search_index(bind: Connection) -> None:
    """The ``litdesk`` configuration, the generated ``search_vector`` column and its GIN index."""
    has_unaccent = False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
        has_unaccent = True
    except DBAPIError:  # not installed on this server, or not ours to install: no folding
        pass
    bind.exec_driver_sql(
        "CREATE TEXT SEARCH DICTIONARY litdesk_stem (TEMPLATE = snowball, Language = english)")
    bind.exec_driver_sql("CREATE TEXT SEARCH CONFIGURATION litdesk (COPY = simple)")
    bind.exec_driver_sql(
        "ALTER TEXT SEARCH CONFIGURATION litdesk ALTER MAPPING FOR asciiword, "
        "asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart "
        f"WITH {'unaccent, ' if has_unaccent else ''}litdesk_stem")
    splits = _SPLIT_AT.replace("'", "''")
    # One JSON array of the columns: to_tsvector leaves a gap between its strings, so a
    # phrase never runs from one field (or one author) into the next, as in FTS5.
    bind.exec_driver_sql(
        "CREATE FUNCTION litdesk_doc_vector(doc jsonb) RETURNS tsvector LANGUAGE sql "
        "IMMUTABLE PARALLEL SAFE AS $$ SELECT to_tsvector("
        f"'litdesk'::regconfig, translate(doc::text, '{splits}', "
        f"'{' ' * len(_SPLIT_AT)}')::jsonb) $$")
    bind.exec_driver_sql(
        "CREATE FUNCTION litdesk_record_vector(title text, authors json, abstract text, "
        "keywords json, journal text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT litdesk_doc_vector(jsonb_build_array(title, authors::jsonb, abstract, "
        "keywords::jsonb, journal)) $$")
    bind.exec_driver_sql(
        "ALTER TABLE record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"(litdesk_record_vector({', '.join(_SEARCH_COLUMNS)})) STORED")
    bind.exec_driver_sql("CREATE INDEX ix_record_search ON record USING gin (search_vector)")


def _enable_row_security(bind: Connection) -> None:
    """Everyone granted may read every row; a login writes only rows whose coder is itself
    or the consensus. The tables' owner (who upgrades the schema) is not restricted."""
    own = f"(coder::text = current_user::text OR coder = '{_CONSENSUS_CODER}')"
    for table in _CODER_TABLES:
        bind.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        bind.exec_driver_sql(f"CREATE POLICY litdesk_read ON {table} FOR SELECT USING (true)")
        bind.exec_driver_sql(f"CREATE POLICY litdesk_insert ON {table} FOR INSERT "
                             f"WITH CHECK {own}")
        bind.exec_driver_sql(f"CREATE POLICY litdesk_update ON {table} FOR UPDATE "
                             f"USING {own} WITH CHECK {own}")
        bind.exec_driver_sql(f"CREATE POLICY litdesk_delete ON {table} FOR DELETE USING {own}")
