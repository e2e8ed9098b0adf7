"""Character-level scores of section spans against gold spans: F1 per label and macro-F1."""

from __future__ import annotations

from litdesk.core.model import LABELS

Span3 = tuple[int, int, str]


def char_labels(spans: list[Span3]) -> dict[str, set[int]]:
    """The characters each of the five labels covers."""
    chars: dict[str, set[int]] = {label: set() for label in LABELS}
    for start, end, label in spans:
        if label in chars:
            chars[label].update(range(start, end))
    return chars


class Score:
    """Character counts per label, summed over abstracts; macro-F1 over the five labels."""

    def __init__(self) -> None:
        self.tp = dict.fromkeys(LABELS, 0)
        self.fp = dict.fromkeys(LABELS, 0)
        self.fn = dict.fromkeys(LABELS, 0)
        self.exact = 0
        self.n = 0

    def add(self, gold: list[Span3], pred: list[Span3]) -> None:
        """Count one abstract's characters (and whether its spans are exactly the gold ones)."""
        g, p = char_labels(gold), char_labels(pred)
        for label in LABELS:
            self.tp[label] += len(g[label] & p[label])
            self.fp[label] += len(p[label] - g[label])
            self.fn[label] += len(g[label] - p[label])
        self.exact += gold == pred
        self.n += 1

    def merge(self, other: Score) -> None:
        """Add another score's counts to this one (pooling folds)."""
        for label in LABELS:
            self.tp[label] += other.tp[label]
            self.fp[label] += other.fp[label]
            self.fn[label] += other.fn[label]
        self.n += other.n
        self.exact += other.exact

    def f1(self, label: str) -> float:
        """Character-level F1 of one label (1.0 where neither gold nor guess has it)."""
        denom = 2 * self.tp[label] + self.fp[label] + self.fn[label]
        return 2 * self.tp[label] / denom if denom else 1.0

    def macro_f1(self) -> float:
        """The mean of the five labels' F1."""
        return sum(self.f1(label) for label in LABELS) / len(LABELS)

    def accuracy(self) -> float:
        """The share of gold-labelled characters given their gold label."""
        gold = sum(self.tp[label] + self.fn[label] for label in LABELS)
        return sum(self.tp.values()) / gold if gold else 1.0

    def per_label(self) -> str:
        """"background 0.812  aim 0.771 ..." for a report line."""
        return "  ".join(f"{label} {self.f1(label):.3f}" for label in LABELS)
