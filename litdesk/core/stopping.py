"""When to stop screening by ranking: excluded in a row, the share of includes found, a rule.

The rule the team can cite is adapted from phase 2 of the SAFE procedure (Boetje J, van de
Schoot R. The SAFE procedure: a practical stopping heuristic for active learning-based
screening in systematic reviews and meta-analyses. Syst Rev 2024;13:81): stop screening by
ranking when **all three** hold:

1. at least 10% of the records have been screened;
2. at least twice as many records screened as included so far;
3. the last 50 decisions were all exclusions (``maybe`` breaks the run, as an include does).

SAFE then asks for a check with a different model (phase 3) and of the excluded records
with the highest relevance (phase 4); litdesk's rule covers phase 2 only, and says so.

The **estimated share of includes found** is deliberately cautious: the records still
unscreened are assumed to hold includes at the rate of the last 100 decisions (plus one half,
so a run of exclusions never claims certainty). A ranking puts likely includes first, so the
true rate among the rest is lower: the share found is at least the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from litdesk.core.screening import EXCLUDE, INCLUDE

MIN_SHARE_SCREENED: Final = 0.10
MIN_EXCLUDED_IN_ROW: Final = 50
#: How many of the latest decisions the estimate takes its rate from.
RECENT: Final = 100
RULE: Final = ("Stop screening by ranking once at least 10% of the records are screened, at "
               "least twice as many as are included, and the last 50 decisions were "
               "exclusions (adapted from SAFE phase 2: Boetje & van de Schoot, Syst Rev "
               "2024;13:81).")


@dataclass(frozen=True, slots=True)
class Stopping:
    """The stopping aid for one screener's decisions."""

    total: int
    screened: int
    included: int
    excluded_in_row: int
    estimated_remaining: float
    rule_met: bool

    @property
    def share_found(self) -> float | None:
        """The estimated share of the includes found (a floor; None before any include)."""
        if self.included == 0:
            return None
        return self.included / (self.included + self.estimated_remaining)

    def text(self) -> str:
        """The aid in words, for the window's status and ``screen --stats``."""
        share = self.share_found
        found = "no includes yet" if share is None else (
            f"at least {share:.0%} of the includes found (estimate)")
        verdict = "the stopping rule is met" if self.rule_met else "keep screening"
        return f"{self.excluded_in_row} excluded in a row; {found}; {verdict}"

    def as_json(self) -> dict[str, Any]:
        return {"screened": self.screened, "total": self.total, "included": self.included,
                "excluded_in_row": self.excluded_in_row,
                "estimated_remaining": round(self.estimated_remaining, 2),
                "share_found": None if self.share_found is None else round(self.share_found, 4),
                "rule_met": self.rule_met, "rule": RULE}


def stopping(decisions: Sequence[str], total: int) -> Stopping:
    """The aid from a screener's decisions in the order they were made, of ``total`` records."""
    screened = len(decisions)
    included = sum(1 for d in decisions if d == INCLUDE)
    in_row = 0
    for d in reversed(decisions):
        if d != EXCLUDE:
            break
        in_row += 1
    recent = decisions[-RECENT:]
    rate = (sum(1 for d in recent if d == INCLUDE) + 0.5) / max(len(recent), 1)
    remaining = max(total - screened, 0) * min(rate, 1.0)
    met = (screened >= MIN_SHARE_SCREENED * total and screened >= 2 * included
           and in_row >= MIN_EXCLUDED_IN_ROW)
    return Stopping(total, screened, included, in_row, remaining, met)
