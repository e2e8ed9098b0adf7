"""Double coding in the store: coders, per-coder status, consensus, agreement input, export."""

from __future__ import annotations

import subprocess
import sys

import pytest

from litdesk.core.agreement import agreement
from litdesk.core.model import CONSENSUS_CODER, Span
from litdesk.core.spans import SpanError
from litdesk.store import coders as store
from litdesk.store.importer import import_file
from litdesk.store.library import Library


@pytest.fixture
def two(library, make_ris):
    """A library with two records (abstracts of 10 and 6 characters); their ids."""
    summary = import_file(library, make_ris("two.ris", [
        {"TY": "JOUR", "TI": "First", "AB": "0123456789"},
        {"TY": "JOUR", "TI": "Second", "AB": "abcdef"},
    ]))
    assert summary.added == 2, summary.line()
    return library.search_ids()


def as_coder(library: Library, coder: str) -> Library:
    return Library(library.engine, library.path, coder)


def test_coders_lists_everyone_with_any_coding(library, two):
    assert store.coders(library) == []
    as_coder(library, "bea").set_spans(two[0], [Span(0, 3, "aim")])
    as_coder(library, "al").set_memo(two[1], "a memo only")
    as_coder(library, "cy").set_done(two[1], True)
    as_coder(library, "").set_done(two[1], True)  # nameless rows are not a coder
    assert store.coders(library) == ["al", "bea", "cy"]


def test_status_by_coder_and_done_by(library, two):
    a, b = as_coder(library, "a"), as_coder(library, "b")
    a.set_spans(two[0], [Span(0, 3, "aim"), Span(3, 6, "method")])
    a.set_done(two[0], True)
    b.set_done(two[1], True)
    status = store.status_by_coder(library, two)
    assert status[two[0]] == {"a": store.CoderStatus(2, True)}
    assert status[two[1]] == {"b": store.CoderStatus(0, True)}
    assert store.done_by(library, "a") == {two[0]}
    assert store.done_by(library, "nobody") == set()


def test_spans_of_and_set_spans_as(library, two):
    rid = two[0]
    stored = store.set_spans_as(library, rid, CONSENSUS_CODER,
                                [Span(0, 5, "aim"), Span(3, 8, "method")])  # later wins
    assert [(s.start, s.end, s.label, s.text, s.coder) for s in stored] == [
        (0, 3, "aim", "012", CONSENSUS_CODER), (3, 8, "method", "34567", CONSENSUS_CODER)]
    assert store.spans_of(library, rid, CONSENSUS_CODER) == stored
    assert library.spans(rid) == []  # the current coder's coding is untouched
    assert store.status_by_coder(library, [rid])[rid][CONSENSUS_CODER].sections == 2
    with pytest.raises(KeyError):
        store.spans_of(library, 999, "a")
    with pytest.raises(KeyError):
        store.set_spans_as(library, 999, "a", [])
    with pytest.raises(SpanError):
        store.set_spans_as(library, rid, "a", [Span(0, 11, "aim")])
    with pytest.raises(ValueError, match="empty"):
        store.set_spans_as(library, rid, " ", [])
    assert store.spans_of(library, rid, "a") == []


def test_agreement_pairs_take_records_both_marked_done(library, two):
    a, b = as_coder(library, "a"), as_coder(library, "b")
    a.set_spans(two[0], [Span(0, 5, "aim")])
    b.set_spans(two[0], [Span(5, 10, "method")])
    for rid in two:
        a.set_done(rid, True)
    b.set_done(two[0], True)
    pairs = list(store.agreement_pairs(library, "a", "b"))
    assert [(p[0], p[1]) for p in pairs] == [(two[0], "0123456789")]
    assert agreement(pairs).overall.kappa == pytest.approx(-1 / 3)


def test_export_prefers_consensus_and_can_carry_every_coder(library, two):
    library.set_spans(two[0], [Span(0, 2, "aim")])
    library.set_spans(two[1], [Span(0, 2, "aim")])
    as_coder(library, "other").set_spans(two[0], [Span(0, 4, "results")])
    store.set_spans_as(library, two[0], CONSENSUS_CODER, [Span(0, 3, "method")])
    mine = {r.id: r for r in store.export_records(library, two)}
    assert [(s.label, s.coder) for s in mine[two[0]].spans] == [("method", CONSENSUS_CODER)]
    assert [(s.label, s.coder) for s in mine[two[1]].spans] == [("aim", "tester")]
    every = list(store.export_records(library, list(reversed(two)), all_coders=True))
    assert [r.id for r in every] == list(reversed(two))
    assert sorted(s.coder for s in every[1].spans) == [CONSENSUS_CODER, "other", "tester"]
    # Reconciled to "nothing tagged" is still a consensus: it wins over the coder's spans.
    store.set_spans_as(library, two[1], CONSENSUS_CODER, [])
    assert next(iter(store.export_records(library, [two[1]]))).spans == ()


def test_set_done_as(library, two):
    store.set_done_as(library, two[1], CONSENSUS_CODER)
    assert store.done_by(library, CONSENSUS_CODER) == {two[1]}
    assert store.has_coding(library, two[1], CONSENSUS_CODER)
    assert not store.has_coding(library, two[0], CONSENSUS_CODER)


def test_store_module_does_not_import_qt():
    code = "import sys, litdesk.store.coders; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
