"""Ranking for screening by active learning: TF-IDF features and a naive Bayes model, pure Python.

The records' titles and abstracts become TF-IDF vectors once (:class:`Corpus`, words and word
pairs, sublinear term frequency, L2-normalised); each time decisions change, a multinomial naive
Bayes model is fitted on the decided records (include against exclude, the two classes weighed
equally) and scores every record: the next record proposed is the undecided one with the
highest score. Fitting and scoring a 2,500-record review takes about 50-150 ms in pure Python,
so the caller refits after every decision on a thread of its own.

Why naive Bayes on TF-IDF: it is the model that did best in Ferdinands et al. (2023) and
ASReview's default until 2.0. On the eight labelled reviews of ``../shared/corpus/screening``
(``tests/benchmarks/bench_screening.py``, seed 0) the class-balanced fit reaches a mean WSS@95
of 0.52 (ASReview 3.0.8's default: 0.55); without the balance it was 0.15.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import mul
from typing import Final

_WORD = re.compile(r"[^\W\d_]{2,}")
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
#: Naive Bayes smoothing: ASReview's tuned value for TF-IDF features (Ferdinands et al. 2023).
ALPHA: Final = 3.822


def tokens(text: str) -> list[str]:
    """The words of ``text`` (letters only, lower case, no stop words) and adjacent pairs."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class Corpus:
    """The TF-IDF vectors of a set of records (``docs``: id and text), built once."""

    def __init__(self, docs: Iterable[tuple[int, str]]) -> None:
        counted: list[dict[str, int]] = []
        self.ids: list[int] = []
        df: dict[str, int] = {}
        for rid, text in docs:
            counts: dict[str, int] = {}
            for t in tokens(text):
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


class NaiveBayes:
    """Multinomial naive Bayes on a corpus's TF-IDF vectors: fit on labels, score all.

    Refitting the same model on labels that only grew adds just the new records' vectors (a
    screener's next decision): most of a fit's time was summing every decided record again.
    Labels changed or taken back (an undo, a consensus) are summed again from the start.
    """

    def __init__(self, corpus: Corpus, alpha: float = ALPHA) -> None:
        self.corpus = corpus
        self.alpha = alpha
        self.log_odds: list[float] = []
        self._inc = [0.0] * corpus.size  # summed vectors of the included records
        self._exc = [0.0] * corpus.size
        self._summed: dict[int, bool] = {}  # corpus row -> included, as summed

    def fit(self, labels: Mapping[int, bool]) -> None:
        """Fit on ``labels`` (record id -> included); ids not in the corpus are ignored."""
        c = self.corpus
        rows = {c.index[rid]: bool(y) for rid, y in labels.items() if rid in c.index}
        if any(rows.get(i) is not y for i, y in self._summed.items()):
            self._inc, self._exc, self._summed = [0.0] * c.size, [0.0] * c.size, {}
        inc, exc = self._inc, self._exc
        for i, included in rows.items():
            if i in self._summed:
                continue
            target = inc if included else exc
            for f, w in zip(c.features[i], c.weights[i], strict=True):
                target[f] += w
        self._summed = rows
        # Class balance: the includes weigh as much as the excludes together. Unbalanced, the
        # excludes (nearly every decision) made every word they share count against a record,
        # so the records least like anything decided rose to the top and the ranking was
        # close to random order on five of the eight reviews of the benchmark.
        n_inc = sum(rows.values())
        s_inc, s_exc = (sum(inc) if n_inc else 0.0), (sum(exc) if len(rows) > n_inc else 0.0)
        scale = s_exc / s_inc if s_inc and s_exc else 1.0
        a = self.alpha
        total_inc = math.log(s_inc * scale + a * c.size)
        total_exc = math.log(s_exc + a * c.size)
        shift = total_exc - total_inc
        log = math.log
        self.log_odds = [log(x * scale + a) - log(y + a) + shift
                         for x, y in zip(inc, exc, strict=True)]

    def scores(self) -> list[float]:
        """Every record's score (higher: more likely included), in corpus order."""
        w = self.log_odds
        get = w.__getitem__
        return [sum(map(mul, ws, map(get, fs)))
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
         model: NaiveBayes | None = None) -> Ranked | None:
    """Fit on ``labels`` and score every record of ``corpus``; None without both classes, or
    without a word that two records share (nothing to learn from). ``model``: the one fitted
    last on this corpus, refitted (faster when the labels only grew)."""
    if not can_rank(labels) or not corpus.size:
        return None
    if model is None or model.corpus is not corpus:
        model = NaiveBayes(corpus)
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
