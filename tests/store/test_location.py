"""One parsed library location: the one rule for "is this a server address?", and a display
form that never shows a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from litdesk.store.errors import LibraryError
from litdesk.store.library import Library
from litdesk.store.location import Location, is_server_address


@pytest.mark.parametrize("text", ["postgresql://a@b/c", "postgres://a@b/c",
                                  "POSTGRESQL://a@b/c", "postgresql+psycopg://a@b/c",
                                  "postgresql://ann@/db?host=/run/postgresql"])
def test_server_addresses(text):
    assert is_server_address(text)
    where = Location.parse(text)
    assert where.is_server
    assert where.path is None
    assert where.folder == Path.home()


@pytest.mark.parametrize("text", ["/home/a/postgresql.litdesk.sqlite", "postgresql-notes.sqlite",
                                  "./postgresql:notes.sqlite", "lib.sqlite", "~/lib.sqlite",
                                  "C:\\Users\\a\\lib.sqlite"])
def test_file_paths(text):
    assert not is_server_address(text)
    where = Location.parse(text)
    assert not where.is_server
    assert where.path == Path(text).expanduser()
    assert where.display == str(Path(text).expanduser())


@pytest.mark.parametrize("text", ["postgresql:x", "postgres:/ann@h/db", "postgresql+psycopg:x",
                                  "postgresql:"])
def test_a_scheme_without_slashes_is_refused_as_either(text):
    assert is_server_address(text)  # meant as a server, so never a file of that name
    with pytest.raises(LibraryError, match="is not a PostgreSQL address"):
        Location.parse(text)


def test_a_path_object_is_always_a_file():
    assert Location.parse(Path("postgresql:x")).path == Path("postgresql:x")


@pytest.mark.parametrize("text", ["postgresql://ann:s3cret@db.example.org:5433/review",
                                  "postgresql://ann@h/db?sslmode=require&password=s3cret",
                                  "postgres://ann:s3cret@/review?host=/run/postgresql"])
def test_the_password_is_never_shown(text):
    where = Location.parse(text)
    assert where.address == text  # kept for the driver
    for shown in (where.display, str(where), repr(where), where.name):
        assert "s3cret" not in shown
    assert where.display.startswith("postgresql://ann@")


def test_for_server_builds_the_team_dialogs_address():
    where = Location.for_server("db.example.org", 5433, "review 2026", "ann@uni", "require")
    assert where.address == ("postgresql://ann%40uni@db.example.org:5433/review%202026"
                             "?sslmode=require")
    assert Location.for_server("", 5432, "db").address == (
        "postgresql://localhost:5432/db?sslmode=prefer")


def test_an_empty_location_is_refused():
    with pytest.raises(LibraryError, match="No library was named"):
        Location.parse("")


def test_library_open_refuses_a_malformed_address_and_makes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LibraryError, match="is not a PostgreSQL address"):
        Library.open("postgresql:review")
    assert list(tmp_path.iterdir()) == []


def test_an_open_library_knows_its_location(library, lib_path):
    assert library.location == Location(path=lib_path)
    assert not library.location.is_server
