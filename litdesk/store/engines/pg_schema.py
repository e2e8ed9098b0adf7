"""PostgreSQL schema pieces beyond the tables: sort keys and indexes, row-level security,
change notices and the record change count (what migrations 0004-0006 create).
"""

from __future__ import annotations

from sqlalchemy import Connection

from litdesk.core.model import CONSENSUS_CODER
from litdesk.store.engines.pg_live import CHANNEL

#: Tables a coder writes one row per coder in; row-level security keeps each login to its own.
CODER_TABLES = ("span", "memo", "coding_status")
SORT_KEY_COLUMNS = ("author_key", "title_key", "journal_key")
#: Tables whose changes others should see at once. Memos are left out: a window shows and
#: searches only its own coder's memos, so another coder's memo changes nothing on screen.
NOTIFYING_TABLES = ("record", "span", "coding_status")


def collate_sort_keys(conn: Connection) -> None:
    """Sort keys in code point order ("C"), as SQLite sorts them, whatever the server locale."""
    for col in SORT_KEY_COLUMNS:
        conn.exec_driver_sql(
            f'ALTER TABLE record ALTER COLUMN {col} TYPE varchar(255) COLLATE "C"')


#: Sort indexes on PostgreSQL: each sort key, then the id that breaks its ties, so that a
#: sorted page of ids is one index scan (SQLite's indexes end in the rowid by themselves).
#: Years ascend with NULL first, as SQLite sorts them. They replace the key-only indexes,
#: which they also serve for look-ups by the key.
SORT_INDEXES = {
    "ix_record_year": ("ix_record_year_id", "year NULLS FIRST, id"),
    "ix_record_title_key": ("ix_record_title_key_id", "title_key, id"),
    "ix_record_author_key": ("ix_record_author_key_id", "author_key, id"),
    "ix_record_journal_key": ("ix_record_journal_key_id", "journal_key, id"),
}


def create_sort_indexes(conn: Connection) -> None:
    for old, (name, columns) in SORT_INDEXES.items():
        conn.exec_driver_sql(f"CREATE INDEX {name} ON record ({columns})")
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {old}")


#: Autovacuum on ``record`` soon after a large import, not once a fifth of it is new: until
#: it has run, sorting cannot use index-only scans and the planner has no statistics.
_AUTOVACUUM = ("autovacuum_vacuum_insert_scale_factor = 0.01",
               "autovacuum_analyze_scale_factor = 0.02")


def tune_autovacuum(conn: Connection) -> None:
    conn.exec_driver_sql(f"ALTER TABLE record SET ({', '.join(_AUTOVACUUM)})")


def untune_autovacuum(conn: Connection) -> None:
    names = ", ".join(s.split(" = ")[0] for s in _AUTOVACUUM)
    conn.exec_driver_sql(f"ALTER TABLE record RESET ({names})")



def drop_sort_indexes(conn: Connection) -> None:
    for old, (name, _columns) in SORT_INDEXES.items():
        column = old.removeprefix("ix_record_")
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {old} ON record ({column})")
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def enable_row_security(conn: Connection) -> None:
    """Everyone granted may read every row; a login writes only rows whose coder is itself
    or the consensus. The tables' owner (who upgrades the schema) is not restricted."""
    own = f"(coder::text = current_user::text OR coder = '{CONSENSUS_CODER}')"
    for table in CODER_TABLES:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"CREATE POLICY litdesk_read ON {table} FOR SELECT USING (true)")
        conn.exec_driver_sql(f"CREATE POLICY litdesk_insert ON {table} FOR INSERT "
                             f"WITH CHECK {own}")
        conn.exec_driver_sql(f"CREATE POLICY litdesk_update ON {table} FOR UPDATE "
                             f"USING {own} WITH CHECK {own}")
        conn.exec_driver_sql(f"CREATE POLICY litdesk_delete ON {table} FOR DELETE USING {own}")


def disable_row_security(conn: Connection) -> None:
    for table in CODER_TABLES:
        for policy in ("read", "insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS litdesk_{policy} ON {table}")
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


# -- live updates ----------------------------------------------------------------------------

def create_change_triggers(conn: Connection) -> None:
    """Statement-level triggers that notify :data:`CHANNEL` of every change to the tables
    others watch. A transaction's identical notifications reach listeners once, at commit."""
    conn.exec_driver_sql(
        "CREATE FUNCTION litdesk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$")
    for table in NOTIFYING_TABLES:
        conn.exec_driver_sql(
            f"CREATE TRIGGER litdesk_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION litdesk_notify_change()")


def drop_change_triggers(conn: Connection) -> None:
    for table in NOTIFYING_TABLES:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS litdesk_notify ON {table}")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_notify_change")


#: The library_meta key of the count that :func:`create_record_change_count` keeps.
RECORD_CHANGES = "record_changes"


def create_record_change_count(conn: Connection) -> None:
    """A trigger counting, in library_meta, the statements that add or remove records.

    ``Library.change_stamp`` reads it instead of counting the records. It runs as the
    tables' owner (any granted login may import or delete records, not change the meta).
    Only statements that add or remove records count: an import or a deletion already
    holds locks that keep others from doing either, so the one row waits on nothing new.
    """
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    conn.exec_driver_sql(
        f"INSERT INTO library_meta (key, value) VALUES ('{RECORD_CHANGES}', '0') "
        "ON CONFLICT (key) DO NOTHING")
    conn.exec_driver_sql(
        "CREATE FUNCTION litdesk_count_record_change() RETURNS trigger LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $$ BEGIN "
        "UPDATE library_meta SET value = (value::bigint + 1)::text "
        f"WHERE key = '{RECORD_CHANGES}'; RETURN NULL; END $$")
    conn.exec_driver_sql(
        "CREATE TRIGGER litdesk_count_change AFTER INSERT OR DELETE OR TRUNCATE ON record "
        "FOR EACH STATEMENT EXECUTE FUNCTION litdesk_count_record_change()")


def drop_record_change_count(conn: Connection) -> None:
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS litdesk_count_change ON record")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_count_record_change")
    conn.exec_driver_sql(f"DELETE FROM library_meta WHERE key = '{RECORD_CHANGES}'")

