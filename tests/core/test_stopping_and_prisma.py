"""The stopping aid's rule and estimate, and the PRISMA flow counts."""

from __future__ import annotations

from litdesk.core.export.prisma import flow_counts
from litdesk.core.stopping import stopping


def test_the_rule_needs_ten_percent_twice_the_includes_and_fifty_exclusions_in_a_row():
    early = ["include"] * 5 + ["exclude"] * 49
    assert not stopping(early, 500).rule_met  # 49 in a row
    done = [*early, "exclude"]
    aid = stopping(done, 500)
    assert (aid.excluded_in_row, aid.rule_met) == (50, True)
    assert not stopping(done, 1000).rule_met  # 55 is not 10% of 1000
    assert stopping([*done, "maybe"], 500).excluded_in_row == 0
    many = ["include"] * 60 + ["exclude"] * 50  # more includes than half the screened
    assert not stopping(many, 1000).rule_met


def test_the_share_found_is_a_cautious_estimate():
    aid = stopping(["include"] * 10 + ["exclude"] * 100, 2110)
    # no include in the last 100: a rate of 0.5/100 over 2,000 unscreened records: 10
    assert aid.estimated_remaining == 10.0
    assert aid.share_found == 0.5
    assert "at least 50% of the includes found" in aid.text()
    assert stopping(["exclude"] * 5, 100).share_found is None
    assert stopping([], 0).as_json()["share_found"] is None


def test_prisma_flow_counts_in_diagram_order():
    got = flow_counts([("pubmed.nbib", 700), ("embase.ris", 500), ("pubmed.nbib", 3)], 200, 1003,
                      [("include", ""), ("exclude", "Wrong population"), ("exclude", ""),
                       ("exclude", "Wrong population"), ("maybe", ""), (None, "")])
    assert list(got.items()) == [
        ("identified: pubmed.nbib", 703), ("identified: embase.ris", 500),
        ("records identified", 1203), ("duplicates removed", 200), ("records screened", 6),
        ("records excluded", 3), ("excluded: Wrong population", 2),
        ("excluded: no reason given", 1), ("records included", 1), ("records marked maybe", 1),
        ("records in conflict", 1), ("records awaiting screening", 997)]
