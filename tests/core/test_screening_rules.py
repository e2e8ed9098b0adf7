"""The screening rules: decisions and reasons checked, conflicts, final decisions, kappa."""

from __future__ import annotations

import pytest

from litdesk.core.screening import (
    Decision,
    Reason,
    ScreeningError,
    check_decision,
    check_reason,
    conflicts,
    excluded_by_reason,
    final_decision,
    pair_agreement,
    stats,
)

REASONS = [Reason("Wrong population", "1"), Reason("Wrong study design", "4")]


def test_a_reason_is_found_by_name_in_any_case_or_by_key():
    assert check_decision("exclude", "wrong POPULATION ", "", REASONS) == (
        "exclude", "Wrong population", "")
    assert check_decision(" Exclude", "4", "why", REASONS) == (
        "exclude", "Wrong study design", "why")
    assert check_decision("include", "", None, REASONS) == ("include", "", "")


@pytest.mark.parametrize(("decision", "reason", "words"), [
    ("in", "", "unknown decision 'in'"),
    (None, "", "unknown decision None"),
    (3, "", "unknown decision 3"),
    ("exclude", "Off topic", "'Off topic' is not in the list of exclusion reasons"),
    ("exclude", ["1"], "a reason is a name from the list"),
    ("include", "1", "a reason goes with an exclusion"),
])
def test_bad_decisions_are_refused_in_words(decision, reason, words):
    with pytest.raises(ScreeningError, match=words):
        check_decision(decision, reason, "", REASONS)


def test_reasons_must_differ_in_name_and_key_and_leave_the_decision_keys_alone():
    assert check_reason("  Wrong   outcome ", "3", REASONS) == Reason("Wrong outcome", "3")
    for name, key, words in [("wrong population", "9", "already a reason"),
                             ("New", "1", "already the key"), ("New", "i", "makes a decision"),
                             ("", "7", "needs a name"), ("New", "12", "one character")]:
        with pytest.raises(ScreeningError, match=words):
            check_reason(name, key, REASONS)
    # renaming a reason keeps its own key
    assert check_reason("Population", "1", REASONS, replacing="Wrong population").key == "1"


def _d(rid: int, coder: str, decision: str, reason: str = "") -> Decision:
    return Decision(rid, coder, decision, reason)


def test_conflicts_are_differing_decisions_without_a_consensus():
    by_record = {1: [_d(1, "ann", "include"), _d(1, "bo", "exclude")],
                 2: [_d(2, "ann", "exclude"), _d(2, "bo", "exclude")],
                 3: [_d(3, "ann", "maybe"), _d(3, "bo", "include")],
                 4: [_d(4, "ann", "include")]}
    found = conflicts(by_record, {3: _d(3, "ann", "include")})
    assert [c.record_id for c in found] == [1]
    assert found[0].as_json()["decisions"] == {"ann": "include", "bo": "exclude"}
    assert final_decision(by_record[1], None) is None
    assert final_decision(by_record[2], None) == "exclude"
    assert final_decision(by_record[1], _d(1, "bo", "maybe")) == "maybe"


def test_kappa_on_include_exclude_leaves_maybe_out():
    # 10 records: 3 both include, 5 both exclude, 1 disagreement, 1 with a maybe
    pairs = ([("include", "include")] * 3 + [("exclude", "exclude")] * 5
             + [("include", "exclude"), ("maybe", "exclude")])
    got = pair_agreement("ann", "bo", pairs)
    assert (got.records, got.compared) == (10, 9)
    assert got.agreement == pytest.approx(8 / 9)
    # p_e = (4/9)(3/9) + (5/9)(6/9) = 42/81; kappa = (8/9 - 42/81) / (1 - 42/81)
    assert got.kappa == pytest.approx((72 / 81 - 42 / 81) / (39 / 81))
    assert pair_agreement("a", "b", [("include", "include")]).kappa is None
    assert pair_agreement("a", "b", []).agreement is None


def test_progress_in_words_and_exclusions_by_reason():
    s = stats(2235, ["include"] * 31 + ["exclude"] * 380 + ["maybe"] + [None])
    assert s.text() == "412 of 2,235 screened, 31 included, 1 in conflict"
    assert s.as_json()["unscreened"] == 2235 - 413
    assert excluded_by_reason([("exclude", ""), ("exclude", "B"), ("exclude", "A"),
                               ("exclude", "B"), ("include", "")]) == {"B": 2, "A": 1, "": 1}
