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
from sqlalchemy.sql.elements import TextClause

from litdesk.core.query import Term

#: The text search configuration the migrations create and every query uses.
SEARCH_CONFIG = "litdesk"
SEARCH_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
_JSON_COLUMNS = ("authors", "keywords")
#: The narrow table of search vectors, one row per record (made by migration 0007).
SEARCH_TABLE = "record_search"
#: ``litdesk_search(tsquery)``: the ids whose vectors match, for any login that may read
#: ``record``. It runs as the tables' owner, so ``litdesk grant`` (which grants the tables of
#: the schema module) need not know ``record_search``; and its query, planned for a tsquery
#: it does not know, always takes the GIN index (with statistics, the planner scanned the
#: whole table for a common word).
SEARCH_FUNCTION = "litdesk_search"

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
        found: list[tuple[int, str]] = cur.fetchall()
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

