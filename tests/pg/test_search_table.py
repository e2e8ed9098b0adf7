"""The server's search vectors live in the narrow table ``record_search`` (migration 0007):
a common word is found through its GIN index after ``settle()``, never by reading every
record; and the vectors follow every write to ``record``: imports (COPY), edits of the
searched columns, deletions, restores, undone imports and copies from another library."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from litdesk.store.copy import copy_library
from litdesk.store.engines import pg_search, postgres
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.store.query import search_statement

WORDS = ("cohort", "trial", "nurses", "practice", "outcomes", "primary", "care", "review")


def _records(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.choices(WORDS, k=40)
        if i % 3 == 0:
            words.append("opioid")
        if i == 7:
            words.append("naloxegol")
        out.append({"TY": "JOUR", "TI": f"Study {i} of {rng.choice(WORDS)}",
                    "AU": [f"Author{i}, A."], "PY": str(1990 + i % 30),
                    "JO": "Journal of General Practice", "AB": " ".join(words),
                    "DO": f"10.1/{i}"})
    return out


def _stale(conn) -> int:
    """Records whose stored vector is missing or not what their columns give; vectors of
    records that are gone."""
    cols = ", ".join(f"r.{c}" for c in pg_search.SEARCH_COLUMNS)
    return int(conn.execute(text(
        f"SELECT count(*) FROM record r FULL JOIN record_search s ON s.id = r.id "
        f"WHERE r.id IS NULL OR s.id IS NULL "
        f"OR s.tsv IS DISTINCT FROM litdesk_record_vector({cols})")).scalar())


def _plans(lib: Library, sql: str, params: dict) -> str:
    """EXPLAIN ANALYZE of ``sql`` and of the statements it runs inside functions
    (auto_explain, its plans sent to this client as LOG messages)."""
    with lib.engine.connect() as conn:
        driver = conn.connection.driver_connection
        notes: list[str] = []
        driver.add_notice_handler(lambda d: notes.append(d.message_primary or ""))
        with driver.cursor() as cur:
            cur.execute("LOAD 'auto_explain'")
            for setting in ("auto_explain.log_min_duration = 0",
                            "auto_explain.log_nested_statements = on",
                            "auto_explain.log_analyze = on", "client_min_messages = log"):
                cur.execute(f"SET {setting}")
            cur.execute(sql, params)
            cur.fetchall()
        conn.rollback()
    return "\n".join(notes)


@pytest.fixture
def big(server_url, make_ris) -> Library:
    lib = Library.open(server_url, coder="tester")
    summary = import_file(lib, make_ris("big.ris", _records(3000)))  # settles: >= 1000
    assert summary.added == 3000, summary.line()
    yield lib
    lib.close()


@pytest.mark.parametrize("words", ["opioid", "naloxegol", "opio*", '"general practice"',
                                   "journal:general", "opioid cohort"])
def test_search_uses_the_index_after_settle(big, words):
    postgres.settle(big.engine)
    stmt = search_statement(words, "tester", status=None, sort="id", descending=False,
                            dialect="postgresql")
    with big.engine.connect() as conn:
        compiled = stmt.compile(conn)
    plans = _plans(big, compiled.string, compiled.params)
    assert "Bitmap Index Scan on ix_record_search_tsv" in plans, plans
    assert "Seq Scan on record_search" not in plans, plans
    assert "Seq Scan on record " not in plans + " ", plans
    if words == "opioid":
        assert big.search_ids(words) == list(range(1, 3001, 3))
    if words == "naloxegol":
        assert big.search_ids(words) == [8]


def test_vectors_follow_every_write(server_url, make_ris, tmp_path):
    with Library.open(server_url, coder="tester") as lib:
        summary = import_file(lib, make_ris("a.ris", _records(40)))
        with lib.engine.connect() as conn:
            assert _stale(conn) == 0
            assert conn.execute(text("SELECT count(*) FROM record_search")).scalar() == 40
        first = lib.search_ids()[0]
        with lib.engine.begin() as conn:  # every searched column, and one that is not
            conn.execute(text("UPDATE record SET title = 'Zanzibar trial', "
                              "abstract = 'quokka', journal = 'Wombat Weekly', "
                              "authors = '[\"Platypus, P.\"]', keywords = '[\"echidna\"]' "
                              "WHERE id = :i"), {"i": first})
            conn.execute(text("UPDATE record SET has_suggestions = true"))
        with lib.engine.connect() as conn:
            assert _stale(conn) == 0
        for word in ("zanzibar", "quokka", "journal:wombat", "author:platypus",
                     "keyword:echidna"):
            assert lib.search_ids(word) == [first], word
        assert lib.search_ids("title:study") == lib.search_ids()[1:]
        gone = lib.search_ids("opioid")[:3]
        snapshot = lib.delete_records([first, *gone])
        with lib.engine.connect() as conn:
            assert _stale(conn) == 0
        assert lib.search_ids("quokka") == []
        lib.restore_records(snapshot)
        with lib.engine.connect() as conn:
            assert _stale(conn) == 0
        assert lib.search_ids("quokka") == [first]
        assert set(gone) <= set(lib.search_ids("opioid"))
        more = import_file(lib, make_ris("b.ris", [
            {"TY": "JOUR", "TI": "Capybara care", "AB": "x", "DO": "10.9/c"}]))
        assert len(lib.search_ids("capybara")) == 1
        lib.remove_batch(more.batch_id)
        assert lib.search_ids("capybara") == []
        with lib.engine.connect() as conn:
            assert _stale(conn) == 0
        source_ids = lib.search_ids("opioid")
        assert summary.added == 40
    copy_path = str(tmp_path / "copy.litdesk.sqlite")
    with Library.open(server_url, coder="tester") as src, \
            Library.open(copy_path, coder="tester") as lite:
        copy_library(src, lite)
    # and back, from a file into a server library
    with Library.open(copy_path, coder="tester") as lite, \
            Library.open(server_url, coder="tester") as lib:
        lib.delete_records(lib.search_ids())
        copy_library(lite, lib, merge=True)
        with lib.engine.connect() as conn:
            assert _stale(conn) == 0
        assert len(lib.search_ids("opioid")) == len(source_ids)
        assert len(lib.search_ids("quokka")) == 1


def test_migration_moves_the_vectors(server_url, make_ris):
    from alembic import command

    from litdesk.store import migrate

    with Library.open(server_url, coder="tester") as lib:
        import_file(lib, make_ris("a.ris", _records(30)))
        before = lib.search_ids("opioid")
        with lib.engine.connect() as conn:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
            conn.commit()
            assert conn.execute(text("SELECT to_regclass('record_search')")).scalar() is None
            command.upgrade(cfg, "0007")
            conn.commit()
            assert _stale(conn) == 0
            assert conn.execute(text(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'record' "
                "AND column_name = 'search_vector'")).scalar() == 0
        assert lib.search_ids("opioid") == before


def test_a_granted_login_imports_edits_and_searches(server_url, make_ris, pg_url,
                                                    pg_admin, pg_with_login):
    """A login granted the library (no grant on record_search) imports, edits and
    searches: its vectors come from the triggers, which run as the owner."""
    import os

    name = f"cleo_{os.getpid()}"
    with pg_admin(pg_url) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
    try:
        with Library.open(server_url, coder="owner") as owner:
            owner.team.grant(name)
        with Library.open(pg_with_login(server_url, name)) as lib:
            import_file(lib, make_ris("a.ris", _records(20)))
            assert lib.search_ids("opioid") == list(range(1, 21, 3))
            with lib.engine.begin() as conn:
                conn.execute(text("UPDATE record SET abstract = 'quokka' WHERE id = 2"))
            assert lib.search_ids("quokka") == [2]
            lib.delete_records([2])
            assert lib.search_ids("quokka") == []
        with Library.open(server_url, coder="owner") as owner, owner.engine.connect() as conn:
            assert _stale(conn) == 0
    finally:
        with pg_admin(server_url) as conn:  # (its grants are in the library's database)
            conn.execute(f'DROP OWNED BY "{name}"')
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')
