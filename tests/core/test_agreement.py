"""Agreement figures against values worked out by hand, and against a per-character oracle."""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litdesk.core.agreement import (
    CATEGORIES,
    NONE,
    RecordAgreement,
    agreement,
    confusion,
    disagreements,
    lowest_kappa_first,
)
from litdesk.core.model import LABELS, Span


def approx(x: float | Fraction) -> object:
    return pytest.approx(float(x), abs=1e-12)


def test_full_agreement():
    # 10 characters: aim 0..4, method 4..10 by both coders.
    spans = [Span(0, 4, "aim"), Span(4, 10, "method")]
    result = agreement([(1, "x" * 10, spans, spans)])
    # p_o = 1; p_e = 0.4^2 + 0.6^2 = 0.52; kappa = (1 - 0.52) / (1 - 0.52) = 1
    assert result.overall.agreement == 1.0
    assert result.overall.kappa == approx(1)
    assert result.labels["aim"].kappa == approx(1)
    # Nobody used "background": both put every character in "anything else": p_e = 1.
    assert result.labels["background"].agreement == 1.0
    assert result.labels["background"].kappa is None
    assert result.per_record == [RecordAgreement(1, 1.0, approx(1), 10)]  # type: ignore[arg-type]


def test_no_overlap_at_all():
    # A: aim on 0..5, B: method on 5..10. Every character differs.
    result = agreement([(7, "y" * 10, [Span(0, 5, "aim")], [Span(5, 10, "method")])])
    # p_o = 0. A: aim .5, none .5; B: method .5, none .5; p_e = .5 * .5 = .25
    # kappa = (0 - .25) / .75 = -1/3
    assert result.overall.agreement == 0.0
    assert result.overall.kappa == approx(Fraction(-1, 3))
    # aim vs else: A .5/.5, B 0/1; p_o = .5 (5..10 both "else"); p_e = .5; kappa = 0
    assert result.labels["aim"].agreement == 0.5
    assert result.labels["aim"].kappa == approx(0)
    assert result.labels["method"].agreement == 0.5
    assert result.labels["method"].kappa == approx(0)
    assert result.labels["results"].kappa is None


@pytest.mark.parametrize(("a", "b"), [([], []), ([Span(0, 6, "results")], [Span(0, 6, "results")])])
def test_chance_agreement_of_one_leaves_kappa_undefined(a, b):
    result = agreement([(1, "abcdef", a, b)])
    assert result.overall.agreement == 1.0
    assert result.overall.kappa is None
    assert result.per_record[0].kappa is None
    assert all(f.agreement == 1.0 and f.kappa is None for f in result.labels.values())


def test_astral_characters_count_once():
    text = "\U0001F600\U0001F600abc"  # two emoji (astral: surrogate pairs in Qt) and 3 letters
    assert len(text) == 5
    result = agreement([(1, text, [Span(0, 2, "aim")], [Span(0, 3, "aim")])])
    # chars 0,1 aim/aim; 2 none/aim; 3,4 none/none -> p_o = 4/5
    # A: aim 2/5, none 3/5; B: aim 3/5, none 2/5; p_e = 6/25 + 6/25 = 12/25
    # kappa = (4/5 - 12/25) / (13/25) = 8/13
    assert result.overall.agreement == approx(Fraction(4, 5))
    assert result.overall.kappa == approx(Fraction(8, 13))
    assert result.overall.characters == 5
    # Only two categories are in use, so the aim-vs-else figures are the same.
    assert result.labels["aim"].kappa == approx(Fraction(8, 13))


def test_figures_are_pooled_over_characters_of_all_records():
    one = (1, "a" * 4, [Span(0, 4, "aim")], [Span(0, 4, "aim")])  # 4 chars agree (aim)
    two = (2, "b" * 6, [Span(0, 6, "method")], [])  # 6 chars: method / none
    result = agreement([one, two])
    # pooled 10 chars: p_o = 4/10. A: aim .4, method .6; B: aim .4, none .6; p_e = .16
    # kappa = (.4 - .16) / .84 = 2/7
    assert result.records == 2
    assert result.overall.agreement == approx(Fraction(2, 5))
    assert result.overall.kappa == approx(Fraction(2, 7))
    assert [r.id for r in result.per_record] == [1, 2]
    assert result.per_record[0].kappa is None  # p_e = 1 within record 1 alone
    assert result.per_record[1].agreement == 0.0
    assert result.per_record[1].kappa == approx(0)  # p_e = 0: (0 - 0) / 1
    assert [r.id for r in lowest_kappa_first(result.per_record)] == [2, 1]


def test_no_records_gives_no_figures():
    result = agreement([])
    assert result.records == 0
    assert result.overall.agreement is None
    assert result.overall.kappa is None
    json = result.to_json(["a", "b"])
    assert json == {
        "coders": ["a", "b"], "records": 0, "overall": {"kappa": None, "agreement": None},
        "labels": {label: {"kappa": None, "agreement": None} for label in LABELS},
        "per_record": [],
    }


def test_disagreements_are_maximal_ranges_with_both_labels():
    a = [Span(0, 4, "aim"), Span(4, 8, "method")]
    b = [Span(0, 2, "aim"), Span(2, 8, "results")]
    assert disagreements(10, a, b) == [(2, 4, "aim", "results"), (4, 8, "method", "results")]
    assert disagreements(10, a, a) == []
    assert disagreements(3, [Span(0, 9, "aim")], []) == [(0, 3, "aim", NONE)]  # clipped


def _naive(text: str, a: list[Span], b: list[Span]) -> tuple[Fraction | None, Fraction | None]:
    def labels(spans: list[Span]) -> list[str]:
        out = [NONE] * len(text)
        for s in spans:
            for i in range(s.start, min(s.end, len(text))):
                out[i] = s.label
        return out

    la, lb = labels(a), labels(b)
    n = len(text)
    if n == 0:
        return None, None
    p_o = Fraction(sum(x == y for x, y in zip(la, lb, strict=True)), n)
    p_e = sum(Fraction(la.count(c), n) * Fraction(lb.count(c), n) for c in CATEGORIES)
    return p_o, None if p_e == 1 else (p_o - p_e) / (1 - p_e)


@st.composite
def coded(draw: st.DrawFn) -> tuple[str, list[Span], list[Span]]:
    text = draw(st.text(alphabet="ab\U0001F600 ", max_size=30))

    def spans() -> list[Span]:
        out = []
        for _ in range(draw(st.integers(0, 4))):
            if len(text) < 1:
                break
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            out.append(Span(start, end, draw(st.sampled_from(LABELS))))
        return out

    return text, spans(), spans()


@given(coded())
def test_interval_counting_matches_per_character_definition(case):
    text, a, b = case
    p_o, kappa = _naive(text, a, b)
    fig = confusion(len(text), a, b).figures()
    assert fig.agreement == (None if p_o is None else approx(p_o))
    assert fig.kappa == (None if kappa is None else approx(kappa))


def test_core_module_does_not_import_qt():
    import subprocess

    code = "import sys, litdesk.core.agreement; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
