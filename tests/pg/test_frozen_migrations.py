"""Migrations are frozen: a fresh library upgraded from 0001 to 0008, on either engine, has the
schema those revisions gave it when they were written (tests/data/schema-0008.json).

The migrations hold their own DDL, so changing the store's live code can never change an old
revision. The expected schema was taken from the migrations as they were before they were
frozen (when they still called the store's functions); a difference here means a migration
script was edited. Regenerate the file only for a deliberate change to an unreleased revision:
``python tests/pg/test_frozen_migrations.py`` (with LITDESK_TEST_PG_URL set).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

from litdesk.store import migrate

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "schema-0008.json"
#: The revision whose schema EXPECTED holds (later revisions are not frozen by this file).
FROZEN_AT = "0008"


def sqlite_schema(conn: Connection) -> dict[str, Any]:
    """Every table, index, trigger and view of a SQLite database, with its SQL."""
    rows = conn.execute(text(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
        "ORDER BY type, name")).all()
    return {"objects": [list(r) for r in rows]}


#: What a PostgreSQL schema holds beyond its rows, each a query of (name, definition) pairs.
_PG_QUERIES = {
    "columns": "SELECT table_name || '.' || column_name, concat_ws(' ', data_type, "
               "collation_name, is_nullable, column_default, is_generated, generation_expression)"
               " FROM information_schema.columns WHERE table_schema = current_schema()",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
    "constraints": "SELECT conrelid::regclass::text || '.' || conname, "
                   "pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE connamespace = current_schema()::regnamespace",
    "triggers": "SELECT tgname || ' ON ' || tgrelid::regclass::text, pg_get_triggerdef(t.oid) "
                "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal",
    "functions": "SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p "
                 "WHERE pronamespace = current_schema()::regnamespace AND NOT EXISTS "
                 "(SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
    "policies": "SELECT tablename || '.' || policyname, concat_ws(' ', cmd, qual, with_check) "
                "FROM pg_policies WHERE schemaname = current_schema()",
    "tables": "SELECT relname, concat_ws(' ', relkind, relrowsecurity, "
              "array_to_string(reloptions, ',')) FROM pg_class "
              "WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'S')",
    "text_search": "SELECT cfgname, '' FROM pg_ts_config "
                   "WHERE cfgnamespace = current_schema()::regnamespace UNION ALL "
                   "SELECT dictname, dictinitoption FROM pg_ts_dict "
                   "WHERE dictnamespace = current_schema()::regnamespace UNION ALL "
                   "SELECT 'litdesk:' || t.alias, string_agg(d.dictname, ',' ORDER BY m.mapseqno)"
                   " FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid "
                   "JOIN ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype "
                   "JOIN pg_ts_dict d ON d.oid = m.mapdict WHERE c.cfgname = 'litdesk' "
                   "AND d.dictname <> 'unaccent' GROUP BY t.alias",
    "meta": "SELECT key, value FROM library_meta WHERE key NOT IN ('application', 'created')",
}


def postgres_schema(conn: Connection) -> dict[str, Any]:
    """Tables, columns, indexes, constraints, triggers, functions, policies and text search
    objects of the current schema, by name, with their definitions (schema name left out;
    the ``unaccent`` dictionary, which a server may lack, too)."""
    schema = str(conn.execute(text("SELECT current_schema()")).scalar())
    found: dict[str, Any] = {}
    for kind, sql in _PG_QUERIES.items():
        rows = conn.execute(text(sql)).all()
        found[kind] = sorted([str(name), str(definition).replace(f"{schema}.", "")]
                             for name, definition in rows)
    return found


def upgraded_schema(url: str) -> dict[str, Any]:
    """The schema of a fresh database at ``url`` upgraded to 0001, then to FROZEN_AT."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            migrate.upgrade(conn, "0001")
            conn.commit()
            migrate.upgrade(conn, FROZEN_AT)
            conn.commit()
            assert migrate.current_revision(conn) == FROZEN_AT
            found = (sqlite_schema(conn) if engine.dialect.name == "sqlite"
                     else postgres_schema(conn))
            conn.rollback()
            return found
    finally:
        engine.dispose()


def _expected(kind: str) -> dict[str, Any]:
    return dict(json.loads(EXPECTED.read_text(encoding="utf-8"))[kind])


def test_sqlite_upgraded_from_0001_has_the_frozen_schema(tmp_path: Path) -> None:
    found = upgraded_schema(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    assert found == _expected("sqlite")


def test_postgres_upgraded_from_0001_has_the_frozen_schema(empty_database: str) -> None:
    url = empty_database.replace("postgresql://", "postgresql+psycopg://", 1)
    found = upgraded_schema(url)
    expected = _expected("postgresql")
    for kind in expected:  # one kind at a time: a readable difference
        assert found[kind] == expected[kind], kind
    assert found == expected


def _write_expected(pg_url: str, folder: Path) -> None:
    """Take the expected schema from the migrations as they are now (see the module notes)."""
    import psycopg

    name = f"litdesk_frozen_{os.getpid()}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        from sqlalchemy.engine import make_url

        url = make_url(pg_url).set(drivername="postgresql+psycopg", database=name)
        schema = {"sqlite": upgraded_schema(f"sqlite:///{folder / 'fresh.sqlite'}"),
                  "postgresql": upgraded_schema(url.render_as_string(hide_password=False))}
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    EXPECTED.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _write_expected(os.environ["LITDESK_TEST_PG_URL"], Path(tmp))
    sys.exit(0)
