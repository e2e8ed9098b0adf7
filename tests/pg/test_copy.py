"""Copying a whole library between engines: file to server, server to file, file to file."""

from __future__ import annotations

import pytest

from litdesk.core.model import CONSENSUS_CODER, Span
from litdesk.store import coders
from litdesk.store.copy import copy_library, counts
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError


@pytest.fixture
def make_location(tmp_path, request):
    made = iter(range(100))

    def make(kind: str) -> str:
        if kind == "sqlite":
            return str(tmp_path / f"lib{next(made)}.sqlite")
        request.getfixturevalue("pg_url")  # skip without a server
        return request.getfixturevalue("server_url")

    return make


def _fill(lib: Library, seed, make_ris) -> list[int]:
    import_file(lib, seed)
    import_file(lib, make_ris("more.ris", [
        {"TY": "JOUR", "TI": "Müller's study", "AU": ["Müller, Jörg"], "PY": "2021",
         "AB": "Background text. Aim text.", "KW": ["a", "b"], "N1": "vendor note"},
        {"TY": "BOOK", "TI": "Second", "AB": "abcdef"}]))
    ids = lib.search_ids()
    lib.tag(ids[0], 0, 10, "background")
    lib.set_memo(ids[1], "memo über")
    lib.set_done(ids[1], True)
    lib.set_suggestion_state(ids[2], "rejected")
    coders.set_spans_as(lib, ids[1], CONSENSUS_CODER, [Span(0, 4, "aim")])
    Library(lib.engine, lib.path, "bob").set_spans(ids[1], [Span(0, 3, "method")])
    _screen(lib, ids)
    return ids


def _screen(lib: Library, ids: list[int]) -> None:
    """Two screeners' decisions (one with a reason of the team's own), a consensus, terms."""
    lib.screening.remove_reason(lib.screening.reasons()[0].name)  # the list as the team made it
    lib.screening.add_reason("Not qualitative", key="q")
    lib.screening.decide(ids[1], "include", note="fits")
    lib.screening.decide(ids[2], "exclude", reason="Not qualitative")
    lib.screening.decide(ids[1], "exclude", reason="Not qualitative", coder="bob")
    lib.screening.resolve(ids[1], "include", note="discussed")
    lib.screening.set_term("burnout", "include")
    lib.screening.set_term("rats", "exclude")


def _screening(lib: Library, ids: list[int]) -> tuple:
    """Everything screening keeps, by record position (the ids may differ)."""
    s = lib.screening

    def kept(d):
        return None if d is None else (d.coder, d.decision, d.reason, d.note, d.at)

    return ([(r.name, r.key) for r in s.reasons()], s.terms(), s.screeners(),
            [[kept(s.decision(i, coder)) for i in ids] for coder in ("tester", "bob")],
            [kept(s.consensus(i)) for i in ids])


@pytest.mark.parametrize(("src_kind", "dest_kind"), [
    ("sqlite", "postgres"), ("postgres", "sqlite"), ("sqlite", "sqlite")])
def test_copy_keeps_everything_and_ids(src_kind, dest_kind, make_location, seed, make_ris):
    with Library.open(make_location(src_kind), coder="tester") as src, \
            Library.open(make_location(dest_kind), coder="tester") as dest:
        ids = _fill(src, seed, make_ris)
        src.delete_records([ids[0]])  # a gap in the ids must survive
        report = copy_library(src, dest)
        assert report.ok, report.lines()
        assert report.kept_ids
        assert report.source_counts == report.dest_counts == counts(dest)
        assert report.copied == counts(src)
        assert dest.search_ids() == ids[1:]
        assert list(dest.records(ids[1:])) == list(src.records(ids[1:]))
        assert dest.search_ids("muller") == src.search_ids("muller")
        assert coders.coders(dest) == ["bob", CONSENSUS_CODER, "tester"]
        assert dest.rows(ids[1:]) == src.rows(ids[1:])
        assert [b.source for b in dest.batches()] == [b.source for b in src.batches()]
        assert report.copied["decisions"] == 3
        assert report.copied["consensus"] == 1
        assert _screening(dest, ids[1:]) == _screening(src, ids[1:])
        new = import_file(dest, make_ris("new.ris", [{"TY": "JOUR", "TI": "After the copy"}]))
        assert new.added == 1
        assert max(dest.search_ids()) > max(ids)


def test_non_empty_destination_is_refused_unless_merged(make_location, seed, make_ris):
    with Library.open(make_location("sqlite"), coder="tester") as src, \
            Library.open(make_location("postgres"), coder="tester") as dest:
        _fill(src, seed, make_ris)
        import_file(dest, make_ris("own.ris", [{"TY": "JOUR", "TI": "Already here"}]))
        [own] = dest.search_ids()
        own_reasons = [r.name for r in dest.screening.reasons()]
        with pytest.raises(LibraryError, match="not empty"):
            copy_library(src, dest)
        assert dest.count() == 1
        report = copy_library(src, dest, merge=True)
        assert report.ok, report.lines()
        assert not report.kept_ids
        assert dest.count() == 1 + src.count()
        assert len(dest.batches()) == 1 + len(src.batches())
        # decisions follow their records to the new ids; the destination's reasons stay,
        # the source's own are added
        moved = sorted(set(dest.search_ids()) - {own})
        assert _screening(dest, moved)[1:] == _screening(src, src.search_ids())[1:]
        assert [r.name for r in dest.screening.reasons()] == [*own_reasons, "Not qualitative"]


@pytest.mark.parametrize(("src_kind", "dest_kind"), [
    ("sqlite", "postgres"), ("postgres", "sqlite"), ("sqlite", "sqlite")])
def test_copy_carries_pairs_and_merges_which_undo_in_the_copy(src_kind, dest_kind,
                                                                make_location, make_ris):
    from litdesk.store import merging

    paper = {"TY": "JOUR", "TI": "Burnout on night shifts", "AU": ["Smith, Jane"],
             "PY": "2019", "AB": "Nurses on night shifts reported more burnout."}
    with Library.open(make_location(src_kind), coder="tester") as src, \
            Library.open(make_location(dest_kind), coder="tester") as dest:
        import_file(src, make_ris("a.ris", [paper, {**paper, "TY": "CPAPER",
                                                    "AB": "Poster abstract."}]))
        import_file(src, make_ris("b.ris", [
            {"TY": "JOUR", "TI": "Another paper", "AB": "Aims and more."},
            {"TY": "JOUR", "TI": "Another paper (abstract)", "AB": "Aims and less."}]))
        ids = src.search_ids()
        [pair] = merging.pairs(src)  # the conference version is flagged, never dropped
        src.tag(ids[3], 0, 5, "aim")
        merging.merge(src, ids[2], ids[3])  # coding moves onto the kept record
        log = merging.merges(src)
        report = copy_library(src, dest)
        assert report.ok, report.lines()
        assert report.copied["pairs"] == report.dest_counts["pairs"] == 1
        assert report.copied["merges"] == report.dest_counts["merges"] == 1
        assert [(p.a.id, p.b.id) for p in merging.pairs(dest)] == [(pair.a.id, pair.b.id)]
        assert merging.merges(dest) == log
        assert merging.unmerge(dest) == (ids[2], ids[3])  # the undo works in the copy
        assert dest.search_ids() == ids
        assert [s.label for s in dest.coding.spans_of(ids[3], "tester")] == ["aim"]


def test_copy_into_a_library_with_records_says_merges_stay_behind(make_location, make_ris):
    from litdesk.store import merging

    with Library.open(make_location("sqlite"), coder="tester") as src, \
            Library.open(make_location("sqlite"), coder="tester") as dest:
        import_file(src, make_ris("a.ris", [{"TY": "JOUR", "TI": "One"},
                                            {"TY": "JOUR", "TI": "Two"}]))
        merging.merge(src, *src.search_ids())
        import_file(dest, make_ris("own.ris", [{"TY": "JOUR", "TI": "Already here"}]))
        report = copy_library(src, dest, merge=True)
        assert report.ok
        assert report.copied["merges"] == 0
        assert merging.merges(dest) == []
        assert any(line.startswith("merges: not carried") for line in report.lines())
