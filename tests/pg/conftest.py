"""PostgreSQL fixtures: a fresh library database per test on the server named by
``LITDESK_TEST_PG_URL`` (a superuser's ``postgresql://USER@HOST:PORT/DBNAME``; ``.ci/run``
starts a throwaway server and sets it). Without it, the tests that need a server skip.

``any_library`` runs a test on both engines: a SQLite file and a server database.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from litdesk.store.library import Library

ENV = "LITDESK_TEST_PG_URL"
_names = itertools.count()


def with_database(url: str, database: str, user: str | None = None) -> str:
    """``url`` naming another database (and login)."""
    from sqlalchemy.engine import make_url

    changed = make_url(url).set(database=database)
    if user is not None:
        changed = changed.set(username=user, password=None)
    return changed.render_as_string(hide_password=False)


def admin(url: str):
    """An autocommit psycopg connection as the test superuser (for CREATE DATABASE, roles)."""
    import psycopg

    return psycopg.connect(url, autocommit=True)


@pytest.fixture
def pg_admin() -> Callable[[str], object]:
    """``pg_admin(url)``: an autocommit psycopg connection (a context manager)."""
    return admin


@pytest.fixture
def pg_with_login() -> Callable[[str, str], str]:
    """``pg_with_login(url, login)``: ``url`` connecting as another login."""
    return lambda url, login: with_database(url, make_url_database(url), login)


def make_url_database(url: str) -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(url).database)


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server for the tests: set {ENV}=postgresql://USER@HOST/DB "
                    "(a superuser; .ci/run starts a throwaway server)")
    pytest.importorskip("psycopg", reason="psycopg is needed for the PostgreSQL tests")
    return url


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> Iterator[str]:
    """A database holding an empty, migrated library, copied for each test (fast)."""
    name = f"litdesk_tpl_{os.getpid()}"
    with admin(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    Library.open(with_database(pg_url, name), coder="tester").close()
    yield name
    with admin(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database(pg_url: str) -> Iterator[str]:
    """The URL of a new, empty database (no library in it yet)."""
    name = f"litdesk_e_{os.getpid()}_{next(_names)}"
    with admin(pg_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield with_database(pg_url, name)
    with admin(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server_url(pg_url: str, pg_template: str) -> Iterator[str]:
    """The URL of a new database holding an empty library, owned by the test superuser."""
    name = f"litdesk_t_{os.getpid()}_{next(_names)}"
    with admin(pg_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield with_database(pg_url, name)
    with admin(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(engine_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the test's library lives: a file path, or a server database URL."""
    if engine_kind == "sqlite":
        return str(tmp_path / "library.litdesk.sqlite")
    return str(request.getfixturevalue("server_url"))


@pytest.fixture
def open_any(location: str) -> Iterator[Callable[..., Library]]:
    """``open_any(coder=...)`` opens the test's library (closed at the end of the test)."""
    opened: list[Library] = []

    def open_(coder: str = "tester", **kw: object) -> Library:
        lib = Library.open(location, coder=coder, **kw)  # type: ignore[arg-type]
        opened.append(lib)
        return lib

    yield open_
    for lib in opened:
        lib.close()


@pytest.fixture
def any_library(open_any: Callable[..., Library]) -> Library:
    """An empty library on either engine, coder ``tester``."""
    return open_any()


@pytest.fixture
def logins(pg_url):
    """Two new logins (no password: the test server trusts its socket)."""
    names = [f"ann_{os.getpid()}", f"bob_{os.getpid()}"]
    with admin(pg_url) as conn:
        for name in names:
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')
            conn.execute(f'CREATE ROLE "{name}" LOGIN')
    yield names
    with admin(pg_url) as conn:
        for name in names:
            conn.execute(f'DROP OWNED BY "{name}"')
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')
