"""SQLite full-text search: queries of the FTS5 index (migration 0001) and bulk indexing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.sql.elements import TextClause

from litdesk.core.query import Term

FTS_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
#: The trigger that indexes each new record; `indexing_in_bulk` suspends it during an import.
INSERT_TRIGGER = "record_fts_ai"
#: FTS5's in-memory hash of new postings during an import, in bytes (its default otherwise).
BULK_FTS_HASH = 16 << 20
FTS_HASH = 1 << 20


@contextmanager
def indexing_in_bulk(conn: Connection, *, rebuild: bool = False
                     ) -> Iterator[Callable[[int, int], None]]:
    """Within the open transaction, index new records a range at a time, not row by row.

    Yields ``index(first_id, last_id)``, which adds the records with ids in that range to the
    full-text index; every record inserted inside the block must be indexed so. Filling the
    index with one ``INSERT ... SELECT`` per range takes half the time of the per-row trigger,
    and FTS5 gathers `BULK_FTS_HASH` bytes of postings before it writes a segment (fewer,
    larger segments: less merging). The insert trigger is dropped for the block and
    re-created, verbatim, when it ends normally; when it raises, the caller's rollback undoes
    the drop along with everything else (DDL is transactional in SQLite), so the index can
    never miss a committed record. With ``rebuild`` (a load that brings more records than the
    library holds) the secondary indexes of records and identifiers are dropped likewise and
    built again, verbatim, at the end: one sort each instead of a b-tree insert per row.
    """
    trigger_sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (INSERT_TRIGGER,)
    ).scalar()
    if trigger_sql is None:  # no index to keep in step (never in a migrated library)
        yield lambda first, last: None
        return
    cols = ", ".join(FTS_COLUMNS)
    fill = (f"INSERT INTO record_fts(rowid, {cols}) SELECT id, {cols} FROM record "
            "WHERE id BETWEEN ? AND ?")

    def index(first: int, last: int) -> None:
        conn.exec_driver_sql(fill, (first, last))

    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('record', 'record_identifier') ORDER BY name").all() if rebuild else []
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    conn.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    _fts_hash(conn, BULK_FTS_HASH)
    yield index
    _fts_hash(conn, FTS_HASH)
    conn.exec_driver_sql(trigger_sql)
    for _, sql in indexes:
        conn.exec_driver_sql(sql)


def _fts_hash(conn: Connection, size: int) -> None:
    conn.exec_driver_sql(
        f"INSERT INTO record_fts(record_fts, rank) VALUES ('hashsize', {int(size)})")


def match_expression(terms: Sequence[Term]) -> str:
    """An FTS5 MATCH expression requiring every term (each word quoted: no syntax errors)."""
    parts = []
    for t in terms:
        phrase = '"' + " ".join(w.replace('"', '""') for w in t.words) + '"'
        if t.prefix:
            phrase += "*"
        parts.append(f"{t.column} : {phrase}" if t.column else phrase)
    return " AND ".join(parts)


def matching_ids(terms: Sequence[Term], param: str = "fts_q") -> TextClause:
    """SQL selecting the ids of records matching all ``terms`` (bound as ``param``)."""
    sql = text(f"SELECT rowid FROM record_fts WHERE record_fts MATCH :{param}")
    return sql.bindparams(**{param: match_expression(terms)})
