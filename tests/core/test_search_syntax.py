"""The search-box grammar: OR and parentheses, and what it tells the user it did not
understand (issue 15: "foo:bar" and "OR" found nothing, silently)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litdesk.core.query import MAX_DEPTH, Group, Term, Years, parse


def words(node) -> object:
    """A node as nested lists of words: ["a", "b"] AND, ("a", "b") OR, "-a" negated."""
    if isinstance(node, Term):
        return ("-" if node.negated else "") + " ".join(node.words)
    if isinstance(node, Years):
        return f"{'-' if node.negated else ''}year:{node.year_from}-{node.year_to}"
    inner = [words(p) for p in node.parts]
    shape = tuple(inner) if node.any else inner
    return ("-", shape) if node.negated else shape


@pytest.mark.parametrize(("text", "tree"), [
    ("a b", ["a", "b"]),
    ("a OR b", [("a", "b")]),
    ("a OR b c", [("a", ["b", "c"])]),  # AND binds tighter than OR
    ("a b OR c", [(["a", "b"], "c")]),
    ("(a OR b) c", [("a", "b"), "c"]),
    ("a AND b", ["a", "b"]),
    ("a OR b OR c", [("a", "b", "c")]),
    ("-(a OR b) c", [("-", ("a", "b")), "c"]),
    ("a OR -b", [("a", "-b")]),
    ("((a))", ["a"]),
    ("a (b (c OR d))", ["a", ["b", ("c", "d")]]),
    ("au:gill OR year:2020", [("gill", "year:2020-2020")]),
    ("a or b", ["a", "or", "b"]),  # lower case: a word, as in PubMed
])
def test_or_and_parentheses(text, tree):
    query = parse(text)
    assert words(query.root) == tree
    assert query.problems == []


def test_top_level_years_and_terms_as_before():
    q = parse("opioid year:2015-2020 OR x")
    assert q.year_from is None  # inside an OR: not a filter of the whole search
    q = parse("(opioid OR x) year:2015-2020")
    assert (q.year_from, q.year_to) == (2015, 2020)
    assert q.terms == []


@pytest.mark.parametrize(("text", "searched", "said"), [
    ("foo:bar", ["foo bar"], "unknown field “foo:”"),
    ("autor:gill pain", ["autor gill", "pain"], "unknown field “autor:”"),
    ("year:abc", ["year abc"], "is not a year"),
    ("title:", [], "nothing after “title:”"),
    ("rock OR", ["rock", "or"], "OR with nothing on one side"),
    ("OR rock", ["or", "rock"], "OR with nothing on one side"),
    ("AND", ["and"], "AND with nothing on one side"),
    ('"chronic pain', ["chronic pain"], "no closing quote"),
    ("(a OR b", [("a", "b")], "a “(” without its “)”"),
    ("a) b", ["a", "b"], "a “)” without its “(”"),
])
def test_what_is_not_understood_is_said_and_searched_plainly(text, searched, said):
    query = parse(text)
    assert words(query.root) == searched
    assert any(said in p for p in query.problems), query.problems


def test_deep_nesting_and_many_terms_are_bounded():
    query = parse("(" * 5000 + "a" + ")" * 5000)
    assert any(str(MAX_DEPTH) in p for p in query.problems)
    query = parse(" OR ".join(f"w{i}" for i in range(500)))
    assert any("more than 64 terms" in p for p in query.problems)
    assert len(query.root.parts[0].parts) == 64


@given(st.text(alphabet=st.sampled_from('ab "*-:()OR AND year au 2020'), max_size=40))
def test_any_text_parses(text):
    query = parse(text)
    assert isinstance(query.root, Group)
    assert all(isinstance(p, str) for p in query.problems)
