"""PostgreSQL full-text search: the ``litdesk`` configuration, the ``record_search`` table.

It mirrors SQLite's FTS5 index: a vector computed from title, authors, abstract, keywords and
journal through the ``litdesk`` text search configuration (English Snowball stemming without
stop words, diacritics folded by ``unaccent`` when the server has it), kept in the narrow
table ``record_search`` with a GIN index (migration 0007; 0004 kept it in a generated column
of the wide ``record`` table, where the planner scanned every row once it had statistics).
Triggers keep it in step with ``record``. ``opio*`` becomes ``'opio':*`` and a phrase ``<->``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause

from litdesk.core.query import Term

#: The text search configuration the migrations create and every query uses.
SEARCH_CONFIG = "litdesk"
SEARCH_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
_JSON_COLUMNS = ("authors", "keywords")
#: Characters PostgreSQL's parser reads as parts of numbers, hosts, e-mails or paths
#: ("covid-19" would give "covid" and "-19"); SQLite's unicode61 tokenizer splits at them.
_SPLIT_AT = "-./@+:"


def create_search_index(conn: Connection) -> None:
    """The ``litdesk`` configuration, the generated ``search_vector`` column and its GIN index."""
    has_unaccent = False
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
        has_unaccent = True
    except DBAPIError:  # not installed on this server, or not ours to install: no folding
        pass
    conn.exec_driver_sql(
        "CREATE TEXT SEARCH DICTIONARY litdesk_stem (TEMPLATE = snowball, Language = english)")
    conn.exec_driver_sql(f"CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = simple)")
    conn.exec_driver_sql(
        f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ALTER MAPPING FOR asciiword, "
        "asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart "
        f"WITH {'unaccent, ' if has_unaccent else ''}litdesk_stem")
    splits = _SPLIT_AT.replace("'", "''")
    # One JSON array of the columns: to_tsvector leaves a gap between its strings, so a
    # phrase never runs from one field (or one author) into the next, as in FTS5.
    conn.exec_driver_sql(
        "CREATE FUNCTION litdesk_doc_vector(doc jsonb) RETURNS tsvector LANGUAGE sql "
        "IMMUTABLE PARALLEL SAFE AS $$ SELECT to_tsvector("
        f"'{SEARCH_CONFIG}'::regconfig, translate(doc::text, '{splits}', "
        f"'{' ' * len(_SPLIT_AT)}')::jsonb) $$")
    conn.exec_driver_sql(
        "CREATE FUNCTION litdesk_record_vector(title text, authors json, abstract text, "
        "keywords json, journal text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT litdesk_doc_vector(jsonb_build_array(title, authors::jsonb, abstract, "
        "keywords::jsonb, journal)) $$")
    conn.exec_driver_sql(
        "ALTER TABLE record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"(litdesk_record_vector({', '.join(SEARCH_COLUMNS)})) STORED")
    conn.exec_driver_sql("CREATE INDEX ix_record_search ON record USING gin (search_vector)")


def drop_search_index(conn: Connection) -> None:
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_record_search")
    conn.exec_driver_sql("ALTER TABLE record DROP COLUMN IF EXISTS search_vector")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_record_vector")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_doc_vector")
    conn.exec_driver_sql(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {SEARCH_CONFIG}")
    conn.exec_driver_sql("DROP TEXT SEARCH DICTIONARY IF EXISTS litdesk_stem")


#: The narrow table of search vectors, one row per record (migration 0007).
SEARCH_TABLE = "record_search"
#: ``litdesk_search(tsquery)``: the ids whose vectors match, for any login that may read
#: ``record``. It runs as the tables' owner, so ``litdesk grant`` (which grants the tables of
#: the schema module) need not know ``record_search``; and its query, planned for a tsquery
#: it does not know, always takes the GIN index (with statistics, the planner scanned the
#: whole table for a common word).
SEARCH_FUNCTION = "litdesk_search"
_VECTOR_OF = f"litdesk_record_vector({', '.join(SEARCH_COLUMNS)})"


def _schema(conn: Connection) -> str:
    return str(conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar())


def create_search_table(conn: Connection) -> None:
    """Move the search vectors from ``record.search_vector`` into ``record_search``.

    Inserted records get their vectors from one statement-level trigger per statement (a
    COPY chunk is one ``INSERT ... SELECT`` over its transition table), unless the same
    transaction stored them already (:func:`vectors_of`, what an import does); a change
    to a searched column updates the row's vector; deleting a record cascades."""
    schema = _schema(conn)
    definer = f"SECURITY DEFINER SET search_path = pg_catalog, {schema}"
    # Deferrable: an import may store a chunk's vectors just before the chunk's records.
    conn.exec_driver_sql(
        f"CREATE TABLE {SEARCH_TABLE} (id integer PRIMARY KEY CONSTRAINT {SEARCH_TABLE}_record "
        "REFERENCES record (id) ON DELETE CASCADE DEFERRABLE, tsv tsvector NOT NULL)")
    has_column = conn.exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'record' AND column_name = 'search_vector'").scalar()
    source = "search_vector" if has_column else _VECTOR_OF
    conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE} (id, tsv) SELECT id, {source} FROM record")
    conn.exec_driver_sql(f"CREATE INDEX ix_{SEARCH_TABLE}_tsv ON {SEARCH_TABLE} USING gin (tsv)")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_record_search")
    conn.exec_driver_sql("ALTER TABLE record DROP COLUMN IF EXISTS search_vector")
    conn.exec_driver_sql(
        "CREATE FUNCTION litdesk_index_inserted() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ BEGIN INSERT INTO {SEARCH_TABLE} (id, tsv) SELECT id, {_VECTOR_OF} "
        f"FROM litdesk_inserted n WHERE NOT EXISTS (SELECT FROM {SEARCH_TABLE} s "
        "WHERE s.id = n.id); RETURN NULL; END $$")
    conn.exec_driver_sql(
        "CREATE TRIGGER litdesk_search_insert AFTER INSERT ON record "
        "REFERENCING NEW TABLE AS litdesk_inserted FOR EACH STATEMENT "
        "EXECUTE FUNCTION litdesk_index_inserted()")
    new = ", ".join(f"NEW.{c}" for c in SEARCH_COLUMNS)
    conn.exec_driver_sql(
        "CREATE FUNCTION litdesk_index_updated() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ BEGIN INSERT INTO {SEARCH_TABLE} (id, tsv) VALUES "
        f"(NEW.id, litdesk_record_vector({new})) ON CONFLICT (id) DO UPDATE SET "
        "tsv = excluded.tsv; RETURN NULL; END $$")
    # (PostgreSQL allows no transition tables on a trigger with a column list: row by row,
    # only for the rows whose searched text changed, never for has_suggestions and the like.)
    changed = " OR ".join(f"OLD.{c}::text IS DISTINCT FROM NEW.{c}::text" for c in SEARCH_COLUMNS)
    conn.exec_driver_sql(
        f"CREATE TRIGGER litdesk_search_update AFTER UPDATE OF {', '.join(SEARCH_COLUMNS)} "
        f"ON record FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION litdesk_index_updated()")
    conn.exec_driver_sql(
        f"CREATE FUNCTION {SEARCH_FUNCTION}(q tsquery) RETURNS SETOF integer LANGUAGE sql "
        f"STABLE {definer} ROWS 1000 AS $$ SELECT id FROM {SEARCH_TABLE} WHERE tsv @@ q "
        "AND has_table_privilege(session_user, 'record', 'SELECT') $$")


#: ``(id, title, authors, abstract, keywords, journal)`` arrays -> ``(id, vector as text)``:
#: the vectors the insert trigger would compute, computed on a connection of its own.
_VECTORS_OF = (
    f"SELECT id, litdesk_record_vector(title, authors::json, abstract, keywords::json, "
    f"journal)::text FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[], "
    f"%s::text[]) AS u(id, {', '.join(SEARCH_COLUMNS)})")


def vectors_of(conn: Connection, rows: Sequence[Sequence[Any]]) -> list[tuple[int, str]]:
    """Search vectors of ``rows`` (id, title, authors, abstract, keywords, journal; JSON
    columns as text), computed by the server on ``conn`` without touching any table.

    A server import computes a chunk's vectors this way on helper connections, in parallel
    with the COPY of earlier chunks, and stores them with :func:`copy_vectors` just before
    the chunk's records: its insert trigger then skips them (the other server's cores do
    the work that made a large import twice as slow as SQLite's)."""
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * 6
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur:
        cur.execute(_VECTORS_OF, columns)
        found = cur.fetchall()
    conn.rollback()
    return found


def copy_vectors(conn: Connection, vectors: Sequence[tuple[int, str]]) -> None:
    """Store ``vectors`` (from :func:`vectors_of`) for records the same transaction is about
    to insert: the foreign key is checked at commit."""
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur:
        cur.execute(f"SET CONSTRAINTS {SEARCH_TABLE}_record DEFERRED")
        with cur.copy(f"COPY {SEARCH_TABLE} (id, tsv) FROM STDIN") as copy:
            for row in vectors:
                copy.write_row(row)


def drop_search_table(conn: Connection) -> None:
    """Back to the generated column of migration 0004."""
    conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SEARCH_FUNCTION}")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS litdesk_search_update ON record")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS litdesk_search_insert ON record")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_index_updated")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS litdesk_index_inserted")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
    conn.exec_driver_sql(
        "ALTER TABLE record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"({_VECTOR_OF}) STORED")
    conn.exec_driver_sql("CREATE INDEX ix_record_search ON record USING gin (search_vector)")


def ts_query(term: Term) -> str:
    """``to_tsquery`` text for one term: its words as a phrase, the last a prefix if asked."""
    # Words come from the \\w+ of litdesk.core.query: no quotes, backslashes or operators.
    words = [f"'{w}'" for w in term.words]
    if term.prefix:
        words[-1] += ":*"
    return " <-> ".join(words)


def matching_ids(terms: Sequence[Term], param: str = "fts_q") -> TextClause:
    """SQL selecting, as ``rowid``, the ids of records matching all ``terms`` (bound as
    ``param``): the GIN index of ``record_search`` finds the candidates (through
    :data:`SEARCH_FUNCTION`), a field term is checked on its column of ``record``."""
    combined = " & ".join(f"({ts_query(t)})" for t in terms)
    found = f"{SEARCH_FUNCTION}(to_tsquery('{SEARCH_CONFIG}', :{param}))"
    binds: dict[str, str] = {param: combined}
    checks = []
    for n, t in enumerate(terms):
        if t.column is None:
            continue
        if t.column not in SEARCH_COLUMNS:
            raise ValueError(f"no full-text column {t.column!r}")
        value = f"{t.column}::jsonb" if t.column in _JSON_COLUMNS else f"to_jsonb({t.column})"
        checks.append(f"litdesk_doc_vector(jsonb_build_array({value})) @@ "
                      f"to_tsquery('{SEARCH_CONFIG}', :{param}_{n})")
        binds[f"{param}_{n}"] = ts_query(t)
    if not checks:
        sql = f"SELECT found.id AS rowid FROM {found} AS found(id)"
    else:
        # Checked on the found records only, each fetched by its id ("OFFSET 0" keeps the
        # planner from computing the field's vector for every record and joining after).
        sql = (f"SELECT found.id AS rowid FROM {found} AS found(id) CROSS JOIN LATERAL "
               f"(SELECT FROM record WHERE record.id = found.id AND {' AND '.join(checks)} "
               "OFFSET 0) AS checked")
    return text(sql).bindparams(**binds)

