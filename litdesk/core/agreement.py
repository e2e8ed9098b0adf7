"""Inter-coder agreement on section coding: percent agreement and Cohen's kappa, per character.

Definition (the README's "Agreement" section is written from this):

* Only records that **both** coders have marked done take part.
* Every character of such a record's abstract gets, from each coder, the label of the span
  covering it, or ``none`` when no span of that coder covers it. A character is one Python
  string index (a code point: an emoji outside the Basic Multilingual Plane counts once).
* **Overall** figures use six categories (the five section labels and ``none``), pooled over
  every character of every such record.
* **Per-label** figures use two categories: "this label" and "anything else" (``none``
  included), pooled the same way.
* **Per-record** figures use the six categories over that record's characters alone.
* Percent agreement ``p_o`` is the share of characters on which the two coders give the same
  category. Chance agreement ``p_e = sum over categories of pA(c) * pB(c)``, where ``pX(c)`` is
  the share of characters coder X put in category c. Cohen's kappa is
  ``(p_o - p_e) / (1 - p_e)``; it is undefined (``None``) when ``p_e = 1`` (both coders put
  every character in one and the same category, so there is nothing for chance to explain).
  With no characters at all, both figures are ``None``.

The counting works on intervals: the breakpoints of both coders' spans cut the abstract into
stretches on which neither coder's label changes, so the cost grows with the number of spans,
not the length of the abstracts. Pure Python, no Qt, no SQL.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from litdesk.core.model import LABELS, Span

NONE: Final[str] = "none"
#: The six categories of the overall figures, in a fixed order.
CATEGORIES: Final[tuple[str, ...]] = (*LABELS, NONE)

#: One record for :func:`agreement`: id, abstract, coder A's spans, coder B's spans.
Pair = tuple[int, str, Sequence[Span], Sequence[Span]]


@dataclass(frozen=True, slots=True)
class Figures:
    """Percent agreement (0..1) and Cohen's kappa over ``characters`` characters."""

    agreement: float | None
    kappa: float | None
    characters: int = 0

    def to_json(self) -> dict[str, float | None]:
        return {"kappa": self.kappa, "agreement": self.agreement}


@dataclass(frozen=True, slots=True)
class RecordAgreement:
    """The overall (six-category) figures of one record."""

    id: int
    agreement: float | None
    kappa: float | None
    characters: int


@dataclass(frozen=True)
class Agreement:
    """Agreement between two coders over the records both marked done."""

    overall: Figures
    labels: dict[str, Figures]
    per_record: list[RecordAgreement] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.per_record)

    def to_json(self, coders: Sequence[str]) -> dict[str, Any]:
        """The CLI's ``agreement --json`` shape."""
        return {
            "coders": list(coders),
            "records": self.records,
            "overall": self.overall.to_json(),
            "labels": {label: self.labels[label].to_json() for label in LABELS},
            "per_record": [
                {"id": r.id, "kappa": r.kappa, "agreement": r.agreement} for r in self.per_record
            ],
        }


class Confusion:
    """Character counts by (coder A's category, coder B's category)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, a: str, b: str, n: int) -> None:
        if n > 0:
            self.counts[a, b] = self.counts.get((a, b), 0) + n

    def update(self, other: Confusion) -> None:
        for (a, b), n in other.counts.items():
            self.add(a, b, n)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def marginals(self) -> tuple[dict[str, int], dict[str, int]]:
        """Characters per category for coder A and for coder B."""
        row: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        col: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        for (a, b), n in self.counts.items():
            row[a] += n
            col[b] += n
        return row, col

    def figures(self) -> Figures:
        """Six-category figures."""
        row, col = self.marginals()
        agreed = sum(n for (a, b), n in self.counts.items() if a == b)
        chance = sum(row[c] * col[c] for c in CATEGORIES)
        return _figures(self.total, agreed, chance)

    def label_figures(self, label: str) -> Figures:
        """Two-category figures: ``label`` against anything else."""
        total = self.total
        row, col = self.marginals()
        a, b = row[label], col[label]
        both = self.counts.get((label, label), 0)
        agreed = both + (total - a - b + both)
        chance = a * b + (total - a) * (total - b)
        return _figures(total, agreed, chance)


def figures_from_counts(total: int, agreed: int, chance: int) -> Figures:
    """Percent agreement and Cohen's kappa from integer counts: ``total`` decisions compared,
    ``agreed`` the same, ``chance`` = ``p_e * total**2`` (sum over categories of the product of
    the two coders' counts: exact, no rounding). Other agreement figures (screening) use it."""
    return _figures(total, agreed, chance)


def _figures(total: int, agreed: int, chance: int) -> Figures:
    """Figures from integer counts: ``chance`` is ``p_e * total**2`` (exact, no rounding)."""
    if total == 0:
        return Figures(None, None, 0)
    square = total * total
    kappa = None if chance == square else (agreed * total - chance) / (square - chance)
    return Figures(agreed / total, kappa, total)


def confusion(length: int, spans_a: Sequence[Span], spans_b: Sequence[Span]) -> Confusion:
    """Count the characters of an abstract of ``length`` by both coders' categories.

    Spans reaching past the abstract are clipped; where one coder's spans overlap (stored
    coding never does), the later span in the list wins, as in :func:`spans.normalise`.
    """
    bounds, labels_a, labels_b = _stretches(length, spans_a, spans_b)
    out = Confusion()
    for i, (a, b) in enumerate(zip(labels_a, labels_b, strict=True)):
        out.add(a, b, bounds[i + 1] - bounds[i])
    return out


def disagreements(
    length: int, spans_a: Sequence[Span], spans_b: Sequence[Span]
) -> list[tuple[int, int, str, str]]:
    """Maximal ranges ``(start, end, label_a, label_b)`` where the coders' categories differ."""
    bounds, labels_a, labels_b = _stretches(length, spans_a, spans_b)
    out: list[tuple[int, int, str, str]] = []
    for i, (a, b) in enumerate(zip(labels_a, labels_b, strict=True)):
        if a == b:
            continue
        start, end = bounds[i], bounds[i + 1]
        if out and out[-1][1] == start and out[-1][2:] == (a, b):
            start = out.pop()[0]
        out.append((start, end, a, b))
    return out


def _stretches(
    length: int, spans_a: Sequence[Span], spans_b: Sequence[Span]
) -> tuple[list[int], list[str], list[str]]:
    """Breakpoints cutting ``[0, length)`` into stretches, and each coder's label on each."""
    cuts = {0, length}
    for s in (*spans_a, *spans_b):
        cuts.add(min(max(s.start, 0), length))
        cuts.add(min(max(s.end, 0), length))
    bounds = sorted(cuts)
    return bounds, _paint(bounds, spans_a, length), _paint(bounds, spans_b, length)


def _paint(bounds: list[int], spans: Sequence[Span], length: int) -> list[str]:
    labels = [NONE] * (len(bounds) - 1)
    for s in spans:
        lo = bisect_left(bounds, min(max(s.start, 0), length))
        hi = bisect_left(bounds, min(max(s.end, 0), length))
        labels[lo:hi] = [s.label] * (hi - lo)
    return labels


def agreement(pairs: Iterable[Pair]) -> Agreement:
    """Agreement over ``pairs`` of (record id, abstract, coder A's spans, coder B's spans).

    The caller passes only records both coders marked done (see the module docstring for the
    definition of every figure).
    """
    pooled = Confusion()
    per_record: list[RecordAgreement] = []
    for record_id, text, spans_a, spans_b in pairs:
        conf = confusion(len(text), spans_a, spans_b)
        pooled.update(conf)
        fig = conf.figures()
        per_record.append(RecordAgreement(record_id, fig.agreement, fig.kappa, fig.characters))
    return Agreement(
        overall=pooled.figures(),
        labels={label: pooled.label_figures(label) for label in LABELS},
        per_record=per_record,
    )


def lowest_kappa_first(rows: Iterable[RecordAgreement]) -> list[RecordAgreement]:
    """Records ordered for review: lowest kappa first, undefined kappa last, then by id."""
    return sorted(rows, key=lambda r: (r.kappa is None, r.kappa or 0.0, r.id))
