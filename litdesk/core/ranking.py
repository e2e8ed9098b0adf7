"""Ranking for screening by active learning: TF-IDF features and a linear SVM, pure Python.

The records' titles and abstracts become TF-IDF vectors once (:class:`Corpus`: words, numbers
and word pairs, the title counted twice, sublinear term frequency, L2-normalised); each time
decisions change, a class-balanced linear SVM (:class:`LinearSVM`) is refitted on the decided
records and scores every record: the next record proposed is the undecided one with the
highest score. A refit and the scoring of a 2,500-record review take about 50-70 ms in pure
Python, so the caller refits after every decision on a thread of its own.

Why this model: it is ASReview's default (a linear SVM on TF-IDF with "balanced" weights).
Measured on the eight labelled reviews of ``../shared/corpus/screening`` (the protocol of
``tests/benchmarks/bench_screening.py``, priors of seeds 0-2), mean WSS@95: this ranking 0.557,
ASReview 3.0.8's default 0.554; the class-balanced naive Bayes litdesk had before 0.516
(unbalanced: 0.15). Keeping numbers as words ("il 6", "covid 19") and counting the title twice
gave about half of the gain, the model the other half.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import mul
from typing import Final

_WORD = re.compile(r"[^\W_]{2,}")  # letters and digits: "il6", "covid 19", "5ht"
_STOPWORD_TEXT: Final = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves may might must shall upon via
whether within without among amongst per however therefore thus hence yet
"""
#: Frequent English words that say nothing about a paper's topic.
STOPWORDS: Final[frozenset[str]] = frozenset(_STOPWORD_TEXT.split())


def tokens(text: str) -> list[str]:
    """The words of ``text`` (two or more letters or digits, lower case, no stop words) and
    adjacent pairs."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


#: A word of the title counts as this many words of the abstract.
TITLE_WEIGHT: Final = 2


class Corpus:
    """The TF-IDF vectors of a set of records (``docs``: id and text, the title its first
    line, then the abstract), built once."""

    def __init__(self, docs: Iterable[tuple[int, str]]) -> None:
        counted: list[dict[str, int]] = []
        self.ids: list[int] = []
        df: dict[str, int] = {}
        for rid, text in docs:
            title, _, abstract = text.partition("\n")  # the title: the text's first line
            counts: dict[str, int] = {}
            for t in tokens(title):
                counts[t] = counts.get(t, 0) + TITLE_WEIGHT
            for t in tokens(abstract):
                counts[t] = counts.get(t, 0) + 1
            for t in counts:
                df[t] = df.get(t, 0) + 1
            counted.append(counts)
            self.ids.append(rid)
        n = len(self.ids)
        # A term in one record only cannot generalise from one record to another: left out.
        vocab = {t: i for i, t in enumerate(sorted(t for t, k in df.items() if k > 1))}
        idf = {t: math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab}
        self.size = len(vocab)
        self.index = {rid: i for i, rid in enumerate(self.ids)}
        self.features: list[tuple[int, ...]] = []
        self.weights: list[tuple[float, ...]] = []
        for counts in counted:
            kept = sorted((vocab[t], (1.0 + math.log(c)) * idf[t])
                          for t, c in counts.items() if t in vocab)
            norm = math.sqrt(sum(w * w for _, w in kept)) or 1.0
            self.features.append(tuple(i for i, _ in kept))
            self.weights.append(tuple(w / norm for _, w in kept))

    def __len__(self) -> int:
        return len(self.ids)


class LinearSVM:
    """A class-balanced linear SVM (squared hinge loss, L2) fitted on the decided records, by
    dual coordinate descent (Hsieh et al. 2008: liblinear's solver for this loss), in pure
    Python; `scores` gives every record's margin (higher: more likely included).

    The settings are ASReview's default model's (its ``svm`` classifier with ``balanced``
    weights): C 0.11, the includes weighing `RATIO` times as much as all the excludes together.
    A refit is warm-started from the previous fit's dual variables: it visits the newly decided
    records, then at most `BUDGET` of the older ones (cyclically, up to `PASSES` sweeps), which
    bounds a refit's time on a large review (a screener's next decision). Labels changed or
    taken back (an undo, a consensus) drop those records' variables and rebuild the weights.
    """

    C: Final = 0.11
    RATIO: Final = 9.8
    PASSES: Final = 2
    BUDGET: Final = 600
    TOLERANCE: Final = 0.1

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.weights = [0.0] * corpus.size
        self.bias = 0.0
        self._alpha: dict[int, float] = {}  # corpus row -> dual variable (>= 0)
        self._y: dict[int, float] = {}  # corpus row -> +1 (include) / -1, as in the weights
        self._order: list[int] = []  # rows in the order first decided
        self._cursor = 0
        # |x|^2 + 1 (the bias is a feature of constant 1)
        self._sq = [math.fsum(v * v for v in ws) + 1.0 for ws in corpus.weights]

    def fit(self, labels: Mapping[int, bool]) -> None:
        """Fit on ``labels`` (record id -> included); ids not in the corpus are ignored."""
        c = self.corpus
        rows = {c.index[rid]: (1.0 if y else -1.0) for rid, y in labels.items() if rid in c.index}
        if any(rows.get(i) != y for i, y in self._y.items()):
            self._rebuild(rows)
        self._y = rows
        n = len(rows)
        n_inc = sum(1 for v in rows.values() if v > 0)
        n_exc = n - n_inc
        if not n_inc or not n_exc:
            return
        # ASReview's balance: each record's C is C times its class weight (the weights' mean
        # is 1); D_i = 1 / (2 C_i) is the squared hinge's diagonal term.
        r = self.RATIO
        d_inc = n_inc * (1.0 + 1.0 / r) / (2.0 * self.C * n)
        d_exc = n_exc * (r + 1.0) / (2.0 * self.C * n)
        alpha, feats, wts, sq, w = self._alpha, c.features, c.weights, self._sq, self.weights
        get = w.__getitem__
        new = [i for i in rows if i not in alpha]
        for i in new:
            alpha[i] = 0.0
        old = self._order
        self._order = old + new
        m = len(old)
        extra = min(self.PASSES * n - len(new), self.BUDGET)
        visits = list(new)
        if m:
            visits += [old[(self._cursor + k) % m] for k in range(min(extra, m))]
            if extra > m:  # more than a sweep of the old rows: further sweeps over all
                visits += [self._order[k % n] for k in range(extra - m)]
            self._cursor = (self._cursor + min(extra, m)) % m
        b = self.bias
        high, low = -math.inf, math.inf
        for k, i in enumerate(visits):
            yi, a = rows[i], alpha[i]
            dii = d_inc if yi > 0 else d_exc
            fs, ws = feats[i], wts[i]
            g = yi * (sum(map(mul, ws, map(get, fs))) + b) - 1.0 + dii * a
            pg = g if a > 0.0 else min(g, 0.0)  # the projected gradient
            high, low = max(high, pg), min(low, pg)
            if pg != 0.0:
                now = max(a - g / (sq[i] + dii), 0.0)
                step = (now - a) * yi
                if step:
                    alpha[i] = now
                    for f, v in zip(fs, ws, strict=True):
                        w[f] += step * v
                    b += step
            if (k + 1) % n == 0:  # a sweep's worth done: converged enough?
                if high - low <= self.TOLERANCE:
                    break
                high, low = -math.inf, math.inf
        self.bias = b

    def _rebuild(self, rows: Mapping[int, float]) -> None:
        """Labels changed or taken back: keep the dual variables still valid, rebuild w."""
        feats, wts = self.corpus.features, self.corpus.weights
        self._alpha = {i: a for i, a in self._alpha.items() if rows.get(i) == self._y[i]}
        self._order = [i for i in self._order if i in self._alpha]
        self._cursor = 0
        w = self.weights = [0.0] * self.corpus.size
        self.bias = 0.0
        for i, a in self._alpha.items():
            d = a * rows[i]
            for f, v in zip(feats[i], wts[i], strict=True):
                w[f] += d * v
            self.bias += d

    def scores(self) -> list[float]:
        """Every record's score (higher: more likely included), in corpus order."""
        b = self.bias
        get = self.weights.__getitem__
        return [sum(map(mul, ws, map(get, fs))) + b
                for fs, ws in zip(self.corpus.features, self.corpus.weights, strict=True)]


def relevance(scores: Sequence[float]) -> list[float]:
    """Scores as relevance between 0 and 1 (the logistic function; an order, not a chance)."""
    out = []
    for s in scores:
        s = max(-60.0, min(60.0, s * 10.0))
        out.append(1.0 / (1.0 + math.exp(-s)))
    return out


def can_rank(labels: Mapping[int, bool]) -> bool:
    """Whether there is at least one include and one exclude to learn from."""
    values = set(labels.values())
    return True in values and False in values


@dataclass(frozen=True, slots=True)
class Ranked:
    """One fit's result: the records' scores by id, and the labels it learnt from."""

    scores: Mapping[int, float]
    trained_on: int


def rank(corpus: Corpus, labels: Mapping[int, bool],
         model: LinearSVM | None = None) -> Ranked | None:
    """Fit on ``labels`` and score every record of ``corpus``; None without both classes, or
    without a word that two records share (nothing to learn from). ``model``: the one fitted
    last on this corpus, refitted (faster when the labels only grew)."""
    if not can_rank(labels) or not corpus.size:
        return None
    if model is None or model.corpus is not corpus:
        model = LinearSVM(corpus)
    model.fit(labels)
    return Ranked(dict(zip(corpus.ids, model.scores(), strict=True)), len(labels))


def best(scores: Mapping[int, float], candidates: Iterable[int]) -> int | None:
    """The candidate with the highest score (ties: the lowest id); None if there is none.
    Candidates without a score (records added after the fit) come after scored ones."""
    found: tuple[bool, float, int] | None = None
    for rid in candidates:
        s = scores.get(rid)
        key = (s is not None, s if s is not None else 0.0, -rid)
        if found is None or key > found:
            found = key
    return None if found is None else -found[2]
