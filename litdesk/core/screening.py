"""Screening titles and abstracts: decisions, exclusion reasons, conflicts, consensus, agreement.

Vocabulary (the window, the CLI, the exports and the user guide take their words from here):

* A screener's **decision** on a record is ``include``, ``exclude`` or ``maybe``; a record
  they have not decided is ``unscreened`` for them. An exclusion may carry a **reason** from
  the team's list (each reason has a name and a one-character key); any decision a note.
* With two or more screeners, a record's decisions **conflict** when they differ. A
  **consensus** decision (anyone may record it) settles a record for everyone.
* A record's **final** decision: its consensus if it has one; else the decision every screener
  who decided it agrees on; else none (a conflict, or nobody screened it). PRISMA counts and
  "included records only" use the final decision.
* **Blind screening**: a screener's reads show their own decisions only (and the consensus);
  the others' decisions appear only through conflicts and agreement, the reconciling view.
* **Agreement** per screener pair: over the records both decided, those both put in include or
  exclude (``maybe`` is left out and counted apart): percent agreement and Cohen's kappa on the
  two categories, computed as in :mod:`litdesk.core.agreement`.

Pure Python, no Qt, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from litdesk.core.agreement import Figures, figures_from_counts
from litdesk.core.words import counted

INCLUDE: Final = "include"
EXCLUDE: Final = "exclude"
MAYBE: Final = "maybe"
#: The decisions a screener can make, in key order (I, E, M).
DECISIONS: Final[tuple[str, ...]] = (INCLUDE, EXCLUDE, MAYBE)
#: The key that makes each decision in the window.
DECISION_KEYS: Final[dict[str, str]] = {INCLUDE: "I", EXCLUDE: "E", MAYBE: "M"}
UNSCREENED: Final = "unscreened"
#: The longest reason name and note kept (a longer one is refused, not cut).
REASON_LIMIT: Final = 200
NOTE_LIMIT: Final = 10_000


class Screened(StrEnum):
    """A record's screening state as the filter and the exports name it."""

    INCLUDED = "included"
    EXCLUDED = "excluded"
    MAYBE = "maybe"
    UNSCREENED = "unscreened"


#: The filter's name for each screening state, in filter order.
FILTER_TITLES: Final[dict[Screened, str]] = {
    Screened.INCLUDED: "Included",
    Screened.EXCLUDED: "Excluded",
    Screened.MAYBE: "Maybe",
    Screened.UNSCREENED: "Unscreened",
}
#: The decision each screening state (other than unscreened) stands for.
STATE_DECISION: Final[dict[Screened, str]] = {
    Screened.INCLUDED: INCLUDE, Screened.EXCLUDED: EXCLUDE, Screened.MAYBE: MAYBE}

class ScreeningError(ValueError):
    """A screening request that cannot be stored, in words the screener can act on."""


@dataclass(frozen=True, slots=True)
class Reason:
    """An exclusion reason of the team's list: its name and its one-character key."""

    name: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """One screener's decision on one record."""

    record_id: int
    coder: str
    decision: str
    reason: str = ""
    note: str = ""
    at: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.record_id, "coder": self.coder, "decision": self.decision,
                "reason": self.reason, "note": self.note, "at": self.at}


@dataclass(frozen=True, slots=True)
class Conflict:
    """A record whose screeners decided differently: ``decisions`` by screener."""

    record_id: int
    decisions: Mapping[str, Decision]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.record_id,
                "decisions": {c: d.decision for c, d in sorted(self.decisions.items())},
                "reasons": {c: d.reason for c, d in sorted(self.decisions.items()) if d.reason}}


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """Agreement of two screeners: over ``records`` decided by both, of which ``compared``
    were include or exclude for both (``maybe`` ones are left out of the figures)."""

    coder_a: str
    coder_b: str
    records: int
    compared: int
    figures: Figures

    @property
    def agreement(self) -> float | None:
        return self.figures.agreement

    @property
    def kappa(self) -> float | None:
        return self.figures.kappa

    def as_json(self) -> dict[str, Any]:
        return {"coders": [self.coder_a, self.coder_b], "records": self.records,
                "compared": self.compared, "agreement": self.agreement, "kappa": self.kappa}


@dataclass(frozen=True, slots=True)
class Stats:
    """Screening progress: of ``total`` records, how many screened and with which result."""

    total: int
    included: int = 0
    excluded: int = 0
    maybe: int = 0
    conflicts: int = 0

    @property
    def screened(self) -> int:
        return self.included + self.excluded + self.maybe

    @property
    def unscreened(self) -> int:
        return self.total - self.screened - self.conflicts

    def text(self) -> str:
        """"412 of 2,235 screened, 31 included" (the window's progress, the CLI's stats)."""
        out = f"{self.screened:,} of {self.total:,} screened, {self.included:,} included"
        if self.conflicts:
            out += f", {self.conflicts:,} in conflict"
        return out

    def as_json(self) -> dict[str, int]:
        return {"total": self.total, "screened": self.screened, "included": self.included,
                "excluded": self.excluded, "maybe": self.maybe, "conflicts": self.conflicts,
                "unscreened": self.unscreened}


def check_decision(decision: object, reason: object = "", note: object = "",
                   reasons: Sequence[Reason] = ()) -> tuple[str, str, str]:
    """``(decision, reason name, note)`` checked; ScreeningError says what is wrong.

    ``reason`` may be a reason's name (any case) or its key; only an exclusion takes one.
    """
    if not isinstance(decision, str) or decision.strip().lower() not in DECISIONS:
        raise ScreeningError(f"unknown decision {decision!r}: give one of "
                             f"{', '.join(DECISIONS)}")
    decision = decision.strip().lower()
    if reason is None:
        reason = ""
    if note is None:
        note = ""
    if not isinstance(reason, str):
        raise ScreeningError(f"a reason is a name from the list, not {reason!r}")
    if not isinstance(note, str):
        raise ScreeningError(f"a note is text, not {note!r}")
    if len(note) > NOTE_LIMIT:
        raise ScreeningError(f"the note is longer than {NOTE_LIMIT:,} characters")  # always plural
    name = ""
    if reason.strip():
        if decision != EXCLUDE:
            raise ScreeningError(f"a reason goes with an exclusion, not with {decision!r}")
        found = find_reason(reason, reasons)
        if found is None:
            listed = ", ".join(f"{r.name} ({r.key})" if r.key else r.name for r in reasons)
            raise ScreeningError(f"{reason!r} is not in the list of exclusion reasons"
                                 + (f" ({listed})" if listed else " (the list is empty)"))
        name = found.name
    return decision, name, note


def find_reason(text: str, reasons: Sequence[Reason]) -> Reason | None:
    """The reason named ``text`` (any case, outer spaces ignored), else the one whose key it
    is; None when neither."""
    wanted = text.strip().casefold()
    for r in reasons:
        if r.name.casefold() == wanted:
            return r
    for r in reasons:
        if r.key and r.key.casefold() == wanted:
            return r
    return None


def check_reason(name: object, key: object, reasons: Sequence[Reason],
                 replacing: str | None = None) -> Reason:
    """A new (or renamed: ``replacing``) reason checked against the list; ScreeningError."""
    if not isinstance(name, str) or not name.strip():
        raise ScreeningError("a reason needs a name")
    if not isinstance(key, str):
        raise ScreeningError(f"a reason's key is one character, not {key!r}")
    name, key = " ".join(name.split()), key.strip()
    if len(name) > REASON_LIMIT:
        raise ScreeningError(f"a reason's name is at most {counted(REASON_LIMIT, 'character')}")
    if len(key) > 1 or (key and not key.isprintable()):
        raise ScreeningError(f"a reason's key is one character, not {key!r}")
    if key.upper() in DECISION_KEYS.values():
        raise ScreeningError(f"the key {key!r} already makes a decision (I, E, M)")
    for r in reasons:
        if replacing is not None and r.name == replacing:
            continue
        if r.name.casefold() == name.casefold():
            raise ScreeningError(f"there is already a reason {r.name!r}")
        if key and r.key.casefold() == key.casefold():
            raise ScreeningError(f"the key {key!r} is already the key of {r.name!r}")
    return Reason(name, key)


def final_decision(decisions: Iterable[Decision], consensus: Decision | None) -> str | None:
    """The record's final decision (see the module docstring); None when there is none."""
    if consensus is not None:
        return consensus.decision
    found = {d.decision for d in decisions}
    return found.pop() if len(found) == 1 else None


def conflicts(by_record: Mapping[int, Sequence[Decision]],
              consensus: Mapping[int, Decision]) -> list[Conflict]:
    """The records whose screeners decided differently and that have no consensus, by id."""
    out = []
    for rid in sorted(by_record):
        ds = by_record[rid]
        if rid not in consensus and len({d.decision for d in ds}) > 1:
            out.append(Conflict(rid, {d.coder: d for d in ds}))
    return out


def pair_agreement(coder_a: str, coder_b: str,
                   decisions: Iterable[tuple[str, str]]) -> PairAgreement:
    """Agreement of two screeners from their decisions ``(a's, b's)`` on the records both
    decided: percent and Cohen's kappa on include/exclude, ``maybe`` left out."""
    records = agreed = 0
    counts = {(a, b): 0 for a in (INCLUDE, EXCLUDE) for b in (INCLUDE, EXCLUDE)}
    for a, b in decisions:
        records += 1
        if (a, b) in counts:
            counts[a, b] += 1
    total = sum(counts.values())
    agreed = counts[INCLUDE, INCLUDE] + counts[EXCLUDE, EXCLUDE]
    a_inc = counts[INCLUDE, INCLUDE] + counts[INCLUDE, EXCLUDE]
    b_inc = counts[INCLUDE, INCLUDE] + counts[EXCLUDE, INCLUDE]
    chance = a_inc * b_inc + (total - a_inc) * (total - b_inc)
    return PairAgreement(coder_a, coder_b, records, total,
                         figures_from_counts(total, agreed, chance))


def stats(total: int, finals: Iterable[str | None]) -> Stats:
    """Progress over ``total`` records from the decided records' final decisions (None: in
    conflict)."""
    n = {INCLUDE: 0, EXCLUDE: 0, MAYBE: 0, None: 0}
    for f in finals:
        n[f] += 1
    return Stats(total, n[INCLUDE], n[EXCLUDE], n[MAYBE], n[None])


def excluded_by_reason(finals: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Final exclusions counted by reason (``(decision, reason)`` pairs; no reason: "")."""
    out: dict[str, int] = {}
    for decision, reason in finals:
        if decision == EXCLUDE:
            out[reason] = out.get(reason, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "", -kv[1], kv[0])))
