"""Span arithmetic, citations and the search-box grammar (plain Python, hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litdesk.core import query
from litdesk.core.model import LABELS, Record, Span, surname
from litdesk.core.spans import SpanError, apply_tag, label_at, remove_range


@pytest.mark.parametrize(("author", "expected"), [
    ("Gill, Simon", "Gill"), ("Simon Gill", "Gill"), ("Zhang X.", "Zhang"), ("Li JM", "Li"),
    ("Van der Berg A.B.", "Van der Berg"), ("T. Uno", "Uno"), ("", ""),
])
def test_surname(author, expected):
    assert surname(author) == expected


def test_citation():
    assert Record(authors=("Gill, S",), year=2022).citation == "Gill, 2022"
    assert Record(authors=("Ann Bell", "Carl Dunn")).citation == "Bell & Dunn"
    assert Record(authors=("Ann Bell", "C D", "E F"), year=1999).citation == "Bell et al., 1999"
    assert Record().citation == "Anonymous"


def test_tag_over_a_span_replaces_the_overlap_and_merges_neighbours():
    text = "0123456789"
    spans = apply_tag([], text, 0, 4, "aim")
    spans = apply_tag(spans, text, 2, 6, "method")
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 2, "aim"), (2, 6, "method")]
    spans = apply_tag(spans, text, 6, 8, "method")
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 2, "aim"), (2, 8, "method")]
    spans = remove_range(spans, text, 3, 5)
    assert [(s.start, s.end, s.text) for s in spans] == [(0, 2, "01"), (2, 3, "2"), (5, 8, "567")]
    assert label_at(spans, 6).label == "method"
    assert label_at(spans, 4) is None


@pytest.mark.parametrize(("start", "end", "label"), [(3, 3, "aim"), (5, 2, "aim"),
                                                     (-1, 2, "aim"), (0, 99, "aim"),
                                                     (0, 2, "Aim"), (0, 2, "none")])
def test_bad_tag_requests_raise(start, end, label):
    with pytest.raises(SpanError):
        apply_tag([], "0123456789", start, end, label)


ops = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from(LABELS),
                         st.booleans()), max_size=25)


@given(st.text(min_size=1, max_size=30), ops)
def test_any_sequence_of_tags_keeps_one_label_per_character(text, steps):
    spans: list[Span] = []
    expected: list[str | None] = [None] * len(text)
    for a, b, label, remove in steps:
        start, end = sorted((a % (len(text) + 1), b % (len(text) + 1)))
        if start == end:
            continue
        if remove:
            spans = remove_range(spans, text, start, end)
            expected[start:end] = [None] * (end - start)
        else:
            spans = apply_tag(spans, text, start, end, label)
            expected[start:end] = [label] * (end - start)
    got: list[str | None] = [None] * len(text)
    for s in spans:
        assert s.text == text[s.start:s.end]
        assert all(g is None for g in got[s.start:s.end]), "overlap"
        got[s.start:s.end] = [s.label] * (s.end - s.start)
    assert got == expected
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end <= b.start
        assert not (a.end == b.start and a.label == b.label), "touching spans not merged"


def test_query_grammar():
    q = query.parse('opio* "chronic pain" author:gill year:2015-2020 -cancer ratio:3')
    assert [(t.words, t.column, t.prefix, t.negated) for t in q.terms] == [
        (("opio",), None, True, False), (("chronic", "pain"), None, False, False),
        (("gill",), "authors", False, False), (("cancer",), None, False, True),
        (("ratio", "3"), None, False, False),
    ]
    assert (q.year_from, q.year_to) == (2015, 2020)
    assert query.parse("year:2022").year_to == 2022
    # FTS5 operators and stray syntax are searched as plain words, never a syntax error
    assert [t.words for t in query.parse('" ( AND * - : NEAR(').terms] == [("and", "near")]
