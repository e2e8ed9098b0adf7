"""The screening terms found in an abstract: whole words, stems with *, phrases, no overlaps."""

from __future__ import annotations

from litdesk.core.term_matches import term_spans

TEXT = "Children and child care; RANDOMISED  controlled trial in adults. Rat study (n=3)."


def _found(terms: dict[str, str], text: str = TEXT) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for a, b, kind in term_spans(text, terms)]


def test_whole_words_ignoring_case_and_runs_of_spaces() -> None:
    assert _found({"child": "include", "randomised controlled": "include", "adult": "exclude",
                   "rat": "exclude"}) == [("child", "include"),
                                          ("RANDOMISED  controlled", "include"),
                                          ("Rat", "exclude")]


def test_a_star_matches_the_longer_forms_of_a_word() -> None:
    assert _found({"child*": "include", "adult*": "exclude"}) == [
        ("Children", "include"), ("child", "include"), ("adults", "exclude")]


def test_the_longer_of_two_terms_starting_together_wins_and_none_overlap() -> None:
    assert _found({"randomised": "exclude", "randomised controlled trial": "include",
                   "controlled": "exclude"}) == [("RANDOMISED  controlled trial", "include")]


def test_terms_are_text_never_patterns() -> None:
    assert _found({"(n=3)": "exclude", "\\w+": "include", "[a-z]+": "include", "a|b": "include",
                   "": "include", "*": "include"}) == [("(n=3)", "exclude")]


def test_offsets_are_python_indices_past_astral_characters() -> None:
    text = "😀 burnout in nurses"
    [(start, end, _k)] = term_spans(text, {"nurses": "include"})
    assert text[start:end] == "nurses"
    assert start == 13  # one code point for the emoji (Qt would count two)
