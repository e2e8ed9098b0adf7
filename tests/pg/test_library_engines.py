"""The library facade on both engines (a SQLite file and a PostgreSQL database): create and
reopen, import, duplicates, tagging, memos, coders and consensus, undoable deletion, export.

The same steps on both must give the same library: the exports are compared byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litdesk.core.agreement import agreement
from litdesk.core.export import export_to_path
from litdesk.core.model import CONSENSUS_CODER, Span
from litdesk.core.spans import SpanError
from litdesk.store import coders, migrate
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError

TWO = [
    {"TY": "JOUR", "TI": "First study", "AU": ["Gill, Ann"], "PY": "2020", "DO": "10.1234/abc.1",
     "AB": "Background text. Aim text. Method text."},
    {"TY": "JOUR", "TI": "Second study", "AU": ["Zhou, Li"], "PY": "2021", "AB": "abcdef"},
]


def test_create_and_reopen(open_any):
    lib = open_any()
    assert lib.count() == 0
    assert lib.meta("application") == "litdesk"
    with lib.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    lib.set_meta("review", "opioids")
    lib.close()
    assert open_any().meta("review") == "opioids"


def test_import_seed_and_duplicates(any_library, seed, make_ris):
    first = import_file(any_library, seed)
    assert (first.added, first.ok) == (1, True), first.line()
    again = import_file(any_library, seed)
    assert again.added == 0
    assert [d.existing_id for d in again.duplicates] == any_library.search_ids()
    dup = make_ris("dup.ris", [TWO[0], {**TWO[0], "TI": "First study.",
                                        "DO": "https://doi.org/10.1234/ABC.1"}, TWO[1]])
    summary = import_file(any_library, dup)
    assert (summary.added, len(summary.duplicates)) == (2, 1)
    assert summary.duplicates[0].reason == "same DOI"
    assert import_file(any_library, dup, allow_duplicates=True).added == 3
    assert any_library.count() == 6


def test_corpus_files_import_the_same_on_both(any_library, corpus):
    counts = {}
    for path in sorted(corpus.rglob("*.ris"))[:12]:
        s = import_file(any_library, path)
        counts[path.name] = (s.read, s.added, len(s.duplicates), bool(s.error))
    assert any_library.count() == sum(c[1] for c in counts.values())
    assert any_library.count() > 20
    ids = any_library.search_ids()
    assert [r.id for r in any_library.records(ids)] == ids


def _two(lib: Library, make_ris) -> list[int]:
    assert import_file(lib, make_ris("two.ris", TWO)).added == 2
    return lib.search_ids()


def test_tag_untag_set_spans_persist(open_any, make_ris):
    lib = open_any()
    rid = _two(lib, make_ris)[0]
    lib.tag(rid, 0, 16, "background")
    spans = lib.tag(rid, 11, 26, "aim")
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 11, "background"), (11, 26, "aim")]
    with pytest.raises(SpanError):
        lib.tag(rid, 5, 2, "aim")
    with pytest.raises(KeyError):
        lib.tag(999, 0, 1, "aim")
    assert [s.label for s in lib.untag(rid, 0, 11)] == ["aim"]
    lib.set_spans(rid, [Span(0, 4, "method"), Span(2, 8, "results")])
    lib.close()
    again = open_any()
    assert [(s.start, s.end, s.label) for s in again.spans(rid)] == [
        (0, 2, "method"), (2, 8, "results")]
    assert again.rows([rid])[0].sections == 2


def test_memos_done_and_coders_apart(open_any, make_ris):
    ann = open_any("ann")
    rid = _two(ann, make_ris)[0]
    ann.set_memo(rid, "Check the sampling")
    ann.set_memo(rid, "Check the sampling and recruitment")
    ann.tag(rid, 0, 5, "aim")
    bob = open_any("bob")
    assert bob.spans(rid) == []
    assert bob.record(rid).memo == ""
    bob.set_spans(rid, [Span(0, 3, "method")])
    bob.set_done(rid, True)
    assert ann.record(rid).memo == "Check the sampling and recruitment"
    assert ann.search_ids("memo:recruitment") == [rid]
    assert bob.search_ids("memo:recruitment") == []
    assert [s.label for s in ann.spans(rid)] == ["aim"]
    assert bob.rows([rid])[0].status == "coded"
    assert ann.rows([rid])[0].status == "partly coded"
    assert coders.coders(ann) == ["ann", "bob"]
    assert coders.status_by_coder(ann, [rid])[rid] == {
        "ann": coders.CoderStatus(1, False), "bob": coders.CoderStatus(1, True)}


def test_consensus_and_agreement(open_any, make_ris):
    ann, bob = open_any("ann"), open_any("bob")
    first, second = _two(ann, make_ris)
    for lib, label in ((ann, "aim"), (bob, "aim")):
        lib.set_spans(first, [Span(0, 10, label)])
        lib.set_done(first, True)
    stored = coders.set_spans_as(ann, first, CONSENSUS_CODER, [Span(0, 10, "aim")])
    assert coders.spans_of(bob, first, CONSENSUS_CODER) == stored
    coders.set_done_as(bob, first, CONSENSUS_CODER)
    assert coders.done_by(ann, CONSENSUS_CODER) == {first}
    result = agreement(coders.agreement_pairs(ann, "ann", "bob"))
    assert result.records == 1
    assert result.overall.agreement == 1.0
    exported = list(coders.export_records(bob, [first, second]))
    assert [s.coder for s in exported[0].spans] == [CONSENSUS_CODER]
    every = list(coders.export_records(bob, [first], all_coders=True))
    assert sorted({s.coder for s in every[0].spans}) == ["ann", "bob", CONSENSUS_CODER]


def test_delete_restore_and_remove_batch(any_library, make_ris):
    ids = _two(any_library, make_ris)
    any_library.tag(ids[0], 0, 5, "aim")
    any_library.set_memo(ids[0], "memo")
    any_library.screening.decide(ids[0], "include", note="why")
    any_library.screening.resolve(ids[0], "include", note="agreed")
    decided = any_library.screening.decisions()
    snap = any_library.delete_records([ids[0]])
    assert any_library.search_ids() == ids[1:]
    assert any_library.screening.decisions() == {}
    with pytest.raises(KeyError):  # a write to the gone record: KeyError, as for spans
        any_library.set_memo(ids[0], "late")
    with pytest.raises(KeyError):
        any_library.set_done(ids[0], True)
    any_library.restore_records(snap)
    assert any_library.search_ids() == ids
    assert [s.label for s in any_library.spans(ids[0])] == ["aim"]
    assert any_library.record(ids[0]).memo == "memo"
    assert any_library.screening.decisions() == decided  # screening comes back too
    assert any_library.screening.consensus(ids[0]).note == "agreed"
    with pytest.raises(LibraryError, match="in use again"):
        any_library.restore_records(snap)
    batch = any_library.batches()[0]
    assert (batch.added, batch.records) == (2, 2)
    snap = any_library.remove_batch(batch.id)
    assert any_library.count() == 0
    assert any_library.batches() == []
    any_library.restore_records(snap)
    assert any_library.search_ids() == ids
    new = import_file(any_library, make_ris("new.ris", [{"TY": "JOUR", "TI": "Third"}]))
    assert new.added == 1
    assert max(any_library.search_ids()) > max(ids)


def _coded_library(lib: Library, seed: Path, make_ris) -> list[int]:
    import_file(lib, seed)
    _two(lib, make_ris)
    ids = lib.search_ids()
    lib.tag(ids[0], 0, 10, "background")
    lib.set_memo(ids[0], "Ein Memo über Gründe")
    coders.set_spans_as(lib, ids[1], CONSENSUS_CODER, [Span(0, 10, "aim")])
    Library(lib.engine, lib.path, "bob").set_spans(ids[2], [Span(0, 3, "method")])
    return ids


@pytest.mark.parametrize("fmt", ["ris", "csv", "json", "segments-csv"])
def test_exports_are_the_same_from_both_engines(fmt, tmp_path, seed, make_ris, request):
    request.getfixturevalue("pg_url")  # skip without a server
    outputs = []
    for kind in ("sqlite", "postgres"):
        location = (str(tmp_path / "lib.sqlite") if kind == "sqlite"
                    else request.getfixturevalue("server_url"))
        with Library.open(location, coder="tester") as lib:
            ids = _coded_library(lib, seed, make_ris)
            out = tmp_path / f"{kind}.{fmt}"
            n = export_to_path(fmt, coders.export_records(lib, ids, all_coders=True), out)
            assert n == 3
            outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    if fmt == "json":
        assert json.loads(outputs[1])[0]["memo"] == "Ein Memo über Gründe"


def test_server_id_sequence_follows_imported_records(server_url, tmp_path):
    """Imports hand out ids themselves; the server's sequence must not fall behind them."""
    from litdesk.store.importer import import_file as _import
    from litdesk.store.library import Library as _Library

    ris = tmp_path / "two.ris"
    ris.write_text("TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\nER  - \n",
                   encoding="utf-8")
    with _Library.open(server_url, coder="tester") as lib:
        assert _import(lib, ris).added == 2
        with lib.engine.connect() as conn:
            nxt = conn.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('record', 'id'))").scalar()
        assert nxt > max(lib.search_ids())
