"""Everything in the store that only PostgreSQL has: server addresses, full-text search, RLS.

The counterpart of :mod:`litdesk.store.sqlite` for a team library on a PostgreSQL server,
opened as ``postgresql://USER@HOST:PORT/DBNAME`` (libpq options such as ``sslmode=require``
or ``host=/run/postgresql`` go in the query string). The password is never part of what
litdesk stores or shows: libpq reads it from ``PGPASSWORD`` or ``~/.pgpass`` itself, or the
caller asks for it (:class:`litdesk.store.server.PasswordNeeded`) and passes it in memory.
:func:`safe_display` is the only form of an address that may reach settings, logs or titles.

Full-text search mirrors SQLite's FTS5 index: a vector computed from title, authors, abstract,
keywords and journal through the ``litdesk`` text search configuration (English Snowball
stemming without stop words, diacritics folded by ``unaccent`` when the server has it), kept in
the narrow table ``record_search`` with a GIN index (migration 0007; 0004 kept it in a generated
column of the wide ``record`` table, where the planner scanned every row once it had
statistics). Triggers keep it in step with ``record``. ``opio*`` becomes ``'opio':*`` and a
phrase ``<->``.

Backups: a server library is backed up with the server's tools, not by litdesk::

    pg_dump --format=custom --file=litdesk-$(date +%F).dump "postgresql://OWNER@HOST/DBNAME"
    # restore into a new, empty database owned by the same login:
    createdb -O OWNER litdesk_restored
    pg_restore --no-owner --role=OWNER -d "postgresql://OWNER@HOST/litdesk_restored" FILE.dump

``pg_dump`` runs as the owner (row-level security does not hide rows from a table's owner);
the logins granted access must be granted again on a restored database (``litdesk grant``).

Live updates: triggers (migration 0005) ``NOTIFY`` the ``litdesk_changes`` channel whenever a
statement changes records, spans or coding status; :class:`ChangeListener` holds a connection
of its own that listens, so an open window learns of a teammate's work at once.
"""

from __future__ import annotations

import json
import select
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.sql.elements import TextClause

from litdesk.core.model import CONSENSUS_CODER
from litdesk.core.query import Term
from litdesk.store import location as location_rules

SCHEMES = ("postgresql", "postgres")
DRIVER = "postgresql+psycopg"
#: The text search configuration the migrations create and every query uses.
SEARCH_CONFIG = "litdesk"
SEARCH_COLUMNS = ("title", "authors", "abstract", "keywords", "journal")
_JSON_COLUMNS = ("authors", "keywords")
#: Characters PostgreSQL's parser reads as parts of numbers, hosts, e-mails or paths
#: ("covid-19" would give "covid" and "-19"); SQLite's unicode61 tokenizer splits at them.
_SPLIT_AT = "-./@+:"
#: Tables a coder writes one row per coder in; row-level security keeps each login to its own.
CODER_TABLES = ("span", "memo", "coding_status")
SORT_KEY_COLUMNS = ("author_key", "title_key", "journal_key")
#: The channel the change triggers notify, with the changed table's name as the payload.
CHANNEL = "litdesk_changes"
#: Tables whose changes others should see at once. Memos are left out: a window shows and
#: searches only its own coder's memos, so another coder's memo changes nothing on screen.
NOTIFYING_TABLES = ("record", "span", "coding_status")


class AddressError(ValueError):
    """The library location is not a usable PostgreSQL address."""


def engine_url(location: str, password: str | None = None) -> URL:
    """The SQLAlchemy URL (psycopg driver) for ``location``; ``password`` kept in memory only."""
    try:
        url = make_url(location)
    except ArgumentError as e:
        raise AddressError(f"{safe_display(location)} is not a PostgreSQL address "
                           "(postgresql://USER@HOST:PORT/DBNAME).") from e
    if url.get_backend_name() not in SCHEMES or url.get_driver_name() not in ("", "psycopg"):
        raise AddressError(f"{safe_display(location)} is not a PostgreSQL address.")
    if not url.database:
        raise AddressError(f"{safe_display(location)} names no database "
                           "(postgresql://USER@HOST:PORT/DBNAME).")
    url = url.set(drivername=DRIVER)
    if password is not None:
        url = url.set(password=password)
    return url


#: ``location`` without any password, for people to see (see :mod:`litdesk.store.location`).
safe_display = location_rules.safe_display


def _plain_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def create_engine(
    location: str, *, password: str | None = None, read_only: bool = False,
    lock_timeout_ms: int | None = None,
) -> Engine:
    """An engine on the server library at ``location`` (not connected yet)."""
    engine = sa_create_engine(
        engine_url(location, password), future=True, json_serializer=_plain_json,
        connect_args={"application_name": "litdesk", "connect_timeout": 15},
    )
    event.listen(engine, "checkout", _check_alive)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            if read_only:
                cur.execute("SET default_transaction_read_only = on")
            if lock_timeout_ms is not None:
                cur.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_conn.commit()

    return engine


def _check_alive(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Whether a pooled connection still reaches the server, at checkout, without a round trip.

    An idle connection has nothing to read: the server stopping, or ending the session,
    sends a last message and closes, so the socket turns readable (so does a reset from the
    network). Only then is there a real ping; a dead connection is replaced at once (the
    pool retries on DisconnectionError), as ``pool_pre_ping`` would, without its query per
    checkout. A connection that died without a word fails on its first statement instead;
    the error handlers then invalidate the pool, and the next checkout connects anew.
    """
    import psycopg

    pgconn = dbapi_conn.pgconn
    if dbapi_conn.closed or pgconn.status != psycopg.pq.ConnStatus.OK:
        raise DisconnectionError("the connection is closed")
    readable, _, _ = select.select([pgconn.socket], [], [], 0)
    if not readable:
        return
    try:
        dbapi_conn.execute("SELECT 1")
        dbapi_conn.rollback()
    except psycopg.Error as e:
        raise DisconnectionError(str(e).strip() or "the server closed the connection") from e


def login(conn: Connection) -> str:
    """The server login of ``conn`` (the default coder of a server library)."""
    return str(conn.execute(text("SELECT current_user")).scalar())


def is_owner(conn: Connection) -> bool:
    """Whether the login owns the library's tables (it may upgrade the schema and grant)."""
    return bool(conn.execute(text(
        "SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'record'")).scalar())


# -- errors ----------------------------------------------------------------------------------

def is_password_problem(exc: BaseException) -> bool:
    """Whether connecting failed for want of a (correct) password: ask for one and retry."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    message = str(orig).lower()
    return "no password supplied" in message or "password authentication failed" in message


def environment_message(exc: BaseException, display: str) -> str | None:
    """A message for people when ``exc`` comes from the server or the network, else None."""
    import psycopg

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        if "row-level security" in str(orig):
            return (f"The server refused the change to {display}: your login may change only "
                    f"its own coding and the {CONSENSUS_CODER!r} coding. Nothing was changed.")
        return (f"Your login has no access to {display} ({orig.diag.message_primary}): ask the "
                "library's owner to grant it (litdesk --library ADDRESS grant LOGIN).")
    if isinstance(orig, psycopg.errors.ReadOnlySqlTransaction):
        return f"The library {display} is open read-only: changes cannot be saved."
    if isinstance(orig, psycopg.errors.LockNotAvailable):
        return (f"The library {display} is busy (another coder holds a lock); nothing was "
                "changed. Try again.")
    if isinstance(orig, psycopg.OperationalError):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        return f"Cannot reach the library server {display}: {first}."
    return None


def guard_engine(engine: Engine, display: str, error: Callable[[str], Exception]) -> None:
    """Turn server and network errors on ``engine`` into ``error(message)``."""

    @event.listens_for(engine, "handle_error")
    def _translate(ctx: ExceptionContext) -> None:
        message = environment_message(ctx.original_exception, display)
        if message is not None:
            raise error(message) from ctx.original_exception


# -- full-text search ------------------------------------------------------------------------

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


# -- sorting and row-level security ----------------------------------------------------------

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


def settle(engine: Engine) -> None:
    """``VACUUM (ANALYZE)`` the tables a large import filled, at once rather than when
    autovacuum next wakes: sorted pages become index-only scans, and plans use statistics.
    Only the tables' owner may; for other logins this is a no-op (the server says why)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if is_owner(conn):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) record, {SEARCH_TABLE}, coding_status, span")


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


class ListenerLost(Exception):
    """The listening connection is gone (the server stopped, the network dropped)."""


class ChangeListener:
    """A connection of its own, outside ``engine``'s pool, that LISTENs for the library's
    changes. It never runs a query after LISTEN, so it can be read without blocking: watch
    :meth:`fileno` for input and call :meth:`pending`, or block in :meth:`wait`.

    Raises the engine's error (a LibraryError through :func:`guard_engine`) when it cannot
    connect; :class:`ListenerLost` from :meth:`pending` or :meth:`wait` once the connection
    has gone. Close it when done: the connection is not the pool's to close.
    """

    def __init__(self, engine: Engine):
        import psycopg

        raw = engine.raw_connection()  # the engine's address, password and session settings
        conn = raw.driver_connection
        raw.detach()
        assert isinstance(conn, psycopg.Connection)
        self._conn = conn
        try:
            conn.rollback()
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as e:
            conn.close()
            raise ListenerLost(str(e)) from e

    def fileno(self) -> int:
        """The socket to watch: readable when a notification (or the end) has arrived."""
        return self._conn.pgconn.socket

    def pending(self) -> list[str]:
        """The payloads (table names) that have arrived, without waiting."""
        import psycopg

        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()
        except psycopg.Error as e:
            raise ListenerLost(str(e).strip() or "the connection closed") from e
        payloads = []
        while (note := pgconn.notifies()) is not None:
            payloads.append(note.extra.decode())
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            raise ListenerLost("the connection closed")
        return payloads

    def wait(self, timeout: float) -> list[str]:
        """The payloads that arrive within ``timeout`` seconds (empty if none did)."""
        payloads = self.pending()
        if payloads:
            return payloads
        readable, _, _ = select.select([self.fileno()], [], [], timeout)
        return self.pending() if readable else []

    def close(self) -> None:
        self._conn.close()
