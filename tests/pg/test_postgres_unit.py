"""PostgreSQL pieces that need no server: addresses, passwords kept out of sight, queries."""

from __future__ import annotations

import pytest

from litdesk.core.query import Term
from litdesk.store.engines import pg_connection, pg_search
from litdesk.store.library import Library, LibraryError


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://ann:s3cret@db.example.org:5433/review",
     "postgresql://ann@db.example.org:5433/review"),
    ("postgresql://ann@db.example.org/review?sslmode=require&password=s3cret",
     "postgresql://ann@db.example.org/review?sslmode=require"),
    ("postgres://ann:s3cret@/review?host=/run/postgresql",
     "postgresql://ann@/review?host=/run/postgresql"),
    ("postgresql+psycopg://ann:p%40ss@h/db", "postgresql://ann@h/db"),
])
def test_safe_display_never_shows_the_password(url, shown):
    assert pg_connection.safe_display(url) == shown
    assert "s3cret" not in pg_connection.safe_display(url)


def test_engine_url_uses_psycopg_and_keeps_options():
    url = pg_connection.engine_url("postgresql://ann@h:5433/db?sslmode=verify-full", password="pw")
    assert url.drivername == "postgresql+psycopg"
    assert url.query["sslmode"] == "verify-full"
    assert url.password == "pw"
    assert "pw" not in pg_connection.safe_display(url)


def test_the_postgres_scheme_is_read_as_postgresql():
    """libpq takes postgres:// as postgresql://; asking SQLAlchemy for its driver raised
    NoSuchModuleError ("sqlalchemy.dialects:postgres"), which left the window greyed."""
    url = pg_connection.engine_url("postgres://ann@h:5433/db")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("h", 5433, "db")


@pytest.mark.parametrize("location", [
    "postgresql://ann@h", "postgresql:/ann@h/db", "mysql://ann@h/db",
    "postgresql://u@127.0.0.1:notaport/x", "postgres+pg8000://ann@h/db"])
def test_bad_addresses_are_refused_clearly(location):
    assert "(unreadable address)" in pg_connection.safe_display(location) or \
        "postgresql://" in pg_connection.safe_display(location)
    with pytest.raises(pg_connection.AddressError):
        pg_connection.engine_url(location)


@pytest.mark.parametrize("location", ["postgresql://ann@h", "postgresql:/ann@h/db"])
def test_library_open_refuses_bad_addresses_without_making_files(location, tmp_path,
                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LibraryError, match="PostgreSQL address|names no database"):
        Library.open(location)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("term", "query"), [
    (Term(("opio",), prefix=True), "'opio':*"),
    (Term(("chronic", "pain")), "'chronic' <-> 'pain'"),
    (Term(("general", "pract"), prefix=True), "'general' <-> 'pract':*"),
])
def test_ts_query(term, query):
    assert pg_search.ts_query(term) == query


def test_matching_ids_checks_field_terms_on_their_column():
    sql = pg_search.matching_ids([Term(("gill",), "authors")], "q0")
    assert "litdesk_search(to_tsquery(" in str(sql)
    assert "authors::jsonb" in str(sql)
    with pytest.raises(ValueError, match="full-text column"):
        pg_search.matching_ids([Term(("x",), "memo")], "q0")
