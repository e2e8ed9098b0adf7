"""A team library: logins granted by the owner, each writing only its own coding (row-level
security, checked with raw SQL as well as through the facade), and revoking access."""

from __future__ import annotations

import psycopg
import pytest

from litdesk.core.model import CONSENSUS_CODER, Span
from litdesk.store import coders, team
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError


@pytest.fixture
def admin(pg_admin):
    return pg_admin


@pytest.fixture
def with_login(pg_with_login):
    return pg_with_login


@pytest.fixture
def team_library(logins, server_url, make_ris):
    """The owner's library with one record, granted to both logins; (url, record id)."""
    with Library.open(server_url, coder="owner") as owner:
        import_file(owner, make_ris("one.ris", [
            {"TY": "JOUR", "TI": "Shared", "AB": "Background text. Aim text."}]))
        for name in logins:
            team.grant(owner, name)
        assert team.members(owner) == sorted(logins)
        return server_url, owner.search_ids()[0]


def test_each_login_codes_as_itself(team_library, logins, with_login):
    url, rid = team_library
    ann_name, bob_name = logins
    with Library.open(with_login(url, ann_name)) as ann, \
            Library.open(with_login(url, bob_name)) as bob:
        assert (ann.coder, bob.coder) == (ann_name, bob_name)
        ann.tag(rid, 0, 10, "background")
        bob.tag(rid, 0, 4, "aim")
        bob.set_memo(rid, "bob's memo")
        ann.set_done(rid, True)
        assert coders.spans_of(bob, rid, ann_name)[0].label == "background"  # everyone reads
        coders.set_spans_as(bob, rid, CONSENSUS_CODER, [Span(0, 10, "background")])
        coders.set_spans_as(ann, rid, CONSENSUS_CODER, [Span(0, 4, "aim")])  # anyone's
        assert [s.label for s in coders.spans_of(ann, rid, CONSENSUS_CODER)] == ["aim"]
        assert import_file(bob, _ris(url)).added == 1  # importing is for everyone
        impostor = Library(bob.engine, bob.path, ann_name)
        with pytest.raises(LibraryError, match="only its own coding"):
            impostor.set_spans(rid, [Span(0, 2, "method")])
        assert [s.label for s in ann.spans(rid)] == ["background"]


def _ris(url: str):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "more.ris"
    path.write_text("TY  - JOUR\nTI  - Imported by bob\nER  - \n", encoding="utf-8")
    return path


def test_raw_sql_cannot_touch_another_logins_rows(team_library, logins, with_login):
    url, rid = team_library
    ann_name, bob_name = logins
    with Library.open(with_login(url, ann_name)) as ann:
        ann.tag(rid, 0, 10, "background")
        ann.set_memo(rid, "ann's memo")
    with psycopg.connect(with_login(url, bob_name)) as bob:
        for table in ("span", "memo", "coding_status"):
            assert bob.execute(f"SELECT count(*) FROM {table} WHERE coder = %s",
                               (ann_name,)).fetchone()[0] == 1  # readable
            assert bob.execute(f"UPDATE {table} SET coder = coder WHERE coder = %s",
                               (ann_name,)).rowcount == 0
            assert bob.execute(f"DELETE FROM {table} WHERE coder = %s",
                               (ann_name,)).rowcount == 0
        bob.commit()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bob.execute("INSERT INTO span (record_id, coder, start, \"end\", label, text) "
                        "VALUES (%s, %s, 0, 1, 'aim', 'B')", (rid, ann_name))
        bob.rollback()
        bob.execute("INSERT INTO span (record_id, coder, start, \"end\", label, text) "
                    "VALUES (%s, %s, 0, 1, 'aim', 'B')", (rid, bob_name))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bob.execute("UPDATE span SET coder = %s WHERE coder = %s", (ann_name, bob_name))
        bob.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute("UPDATE alembic_version SET version_num = '9999'")
        bob.rollback()
    with Library.open(with_login(url, ann_name)) as ann:
        assert [(s.start, s.end, s.label) for s in ann.spans(rid)] == [(0, 10, "background")]
        assert ann.record(rid).memo == "ann's memo"


def test_revoke_and_refusals(team_library, logins, with_login):
    url, _ = team_library
    ann_name, bob_name = logins
    with Library.open(url, coder="owner") as owner:
        team.revoke(owner, bob_name)
        assert team.members(owner) == [ann_name]
        with pytest.raises(LibraryError, match="no login"):
            team.grant(owner, "nobody_at_all")
    with pytest.raises(LibraryError, match="no access"):
        Library.open(with_login(url, bob_name))
    with Library.open(with_login(url, ann_name)) as ann, \
            pytest.raises(LibraryError, match="Only the owner"):
        team.grant(ann, bob_name)


def test_grant_is_for_server_libraries(library):
    with pytest.raises(LibraryError, match="library file"):
        team.grant(library, "ann")


def test_new_schema_needs_the_owner(team_library, logins, admin, with_login):
    url, _ = team_library
    with admin(url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0002'")
    with pytest.raises(LibraryError, match="ask its owner"):
        Library.open(with_login(url, logins[0]))


def test_the_password_is_never_shown(empty_database):
    from sqlalchemy.engine import make_url

    url = make_url(empty_database).set(password="s3cret-pw").render_as_string(
        hide_password=False)
    with Library.open(url, coder="x") as lib:
        assert "s3cret" not in str(lib.path)
        assert "s3cret" not in lib.path.name
        assert str(lib.path).startswith("postgresql://")
        assert lib.count() == 0


def test_members_import_flag_and_merge_only_their_own_coding(team_library, logins,
                                                             with_login, make_ris):
    from litdesk.store import merging

    url, rid = team_library
    with Library.open(with_login(url, logins[0])) as ann:
        paper = {"TY": "JOUR", "TI": "Shared", "AU": "Lee, K", "PY": "2020", "AB": "Poster text."}
        summary = import_file(ann, make_ris("again.ris", [{**paper, "TY": "CPAPER"}]))
        assert (summary.added, len(summary.possible)) == (1, 1)  # a member writes pairs
        [pair] = merging.pairs(ann)
        ann.tag(pair.b.id, 0, 5, "aim")
    with Library.open(with_login(url, logins[1])) as bob:
        with pytest.raises(LibraryError, match="only the library's owner"):
            merging.merge(bob, rid, pair.b.id)  # ann's coding would be lost to bob's rights
        assert bob.count() == 2
        merging.keep_both(bob, rid, pair.b.id)
    with Library.open(with_login(url, logins[0])) as ann:
        assert merging.pairs(ann) == []
