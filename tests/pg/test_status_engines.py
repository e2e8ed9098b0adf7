"""The coding status on both engines: the status filter (SQL), the table's rows and the
records an export reads all follow the one rule of litdesk.core.status; many tags at once."""

from __future__ import annotations

import itertools

import pytest

from litdesk.core.model import LABELS
from litdesk.core.status import ACCEPTED, ANSWERS, REJECTED, Status, status_of
from litdesk.store.coders import TagRefused, tag_many
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.store.query import NOT_CODED
from litdesk.store.suggestions import apply_suggestions, check_pending

STRUCTURED = ("Background: Opioids are prescribed often. Aim: To explore GPs' views. "
              "Methods: Interviews with 20 GPs. Results: Three themes. Conclusion: Support.")
PLAIN = "An unstructured abstract about results that were mixed."

#: Every combination of what decides a status: sections tagged, done, headings, answer.
CASES = list(itertools.product((0, 2, len(LABELS)), (False, True), (False, True), ANSWERS))


def test_filter_rows_and_records_follow_the_core_rule(any_library: Library, make_ris):
    lib = any_library
    import_file(lib, make_ris("cases.ris", [
        {"TY": "JOUR", "TI": f"case {n}", "AB": STRUCTURED if headings else PLAIN}
        for n, (_, _, headings, _) in enumerate(CASES)]))
    check_pending(lib)
    ids = lib.search_ids()
    expected: dict[int, Status] = {}
    for rid, (sections, done, headings, answer) in zip(ids, CASES, strict=True):
        for n, label in enumerate(LABELS[:sections]):
            lib.tag(rid, n, n + 1, label)
        lib.set_done(rid, done)
        lib.set_suggestion_state(rid, answer)
        expected[rid] = status_of(sections, done, headings, answer)
    assert set(expected.values()) == set(Status)
    assert {r.id: r.status for r in lib.rows(ids)} == expected
    assert {r.id: r.status for r in lib.records(ids)} == expected
    for status in Status:
        assert set(lib.search_ids(status=status)) == {
            rid for rid, st in expected.items() if st == status}, status
    assert set(lib.search_ids(status=NOT_CODED)) == {
        rid for rid, st in expected.items() if st in (Status.UNCODED, Status.SUGGESTED)}


def test_applying_suggestions_respects_a_rejection(any_library: Library, make_ris):
    lib = any_library
    import_file(lib, make_ris("three.ris", [{"TY": "JOUR", "TI": t, "AB": STRUCTURED}
                                            for t in ("open", "rejected", "done")]))
    check_pending(lib)
    first, rejected, done = lib.search_ids()
    lib.set_suggestion_state(rejected, REJECTED)
    lib.set_done(done, True)
    assert apply_suggestions(lib, [first, rejected, done]) == 1
    assert lib.suggestion_state(first) == ACCEPTED
    assert [bool(lib.spans(i)) for i in (first, rejected, done)] == [True, False, False]


def test_many_tags_are_stored_together_or_not_at_all(any_library: Library, make_ris):
    lib = any_library
    import_file(lib, make_ris("two.ris", [{"TY": "JOUR", "TI": t, "AB": PLAIN}
                                          for t in ("one", "two")]))
    one, two = lib.search_ids()
    with pytest.raises(TagRefused) as refused:
        tag_many(lib, lib.coder, [(one, 0, 2, "aim"), (two, 0, 5, "method"),
                                  (two, 3, 999, "results")])
    assert refused.value.index == 2
    with pytest.raises(TagRefused) as refused:
        tag_many(lib, lib.coder, [(one, 0, 2, "aim"), (two + 100, 0, 5, "method")])
    assert refused.value.index == 1
    assert lib.spans(one) == lib.spans(two) == []
    tagged = tag_many(lib, lib.coder, [(one, 0, 2, "aim"), (two, 0, 5, "method"),
                                       (two, 3, 10, "results"), (one, 3, 6, "aim")])
    assert [(s.start, s.end, s.label) for s in tagged[two]] == [(0, 3, "method"),
                                                                (3, 10, "results")]
    assert [(s.start, s.end, s.label) for s in lib.spans(one)] == [(0, 2, "aim"),
                                                                   (3, 6, "aim")]
    assert [r.status for r in lib.rows([one, two])] == [Status.PARTLY_CODED] * 2
    assert [r.sections for r in lib.rows([one, two])] == [1, 2]
