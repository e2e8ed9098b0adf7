"""Train the section model for abstracts without headings from ../shared/corpus/abstracts.

Run by hand (needs the ``train`` extra: scikit-learn):
``nice -n 10 python tests/benchmarks/train_sections.py [--out PATH]`` rebuilds
``litdesk/core/section_model.bin`` (the shipped model; deterministic: fixed seeds, sorted input).

Each structured abstract loses its headings; every sentence gets the label of the section
holding most of its characters. A multinomial logistic regression over hashed sentence
features (`litdesk.core.section_features`) scores the sentences; start, transition and end
scores are the weighted log-frequencies of label sequences in the training abstracts.
The prepared sentences are cached in a temporary file keyed by the corpus and feature code. One
source is 57% of the corpus, so each abstract is weighted by ``1 / sqrt(abstracts of its
source)``: large sources count more, but not in proportion.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import pickle
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
import section_corpus  # noqa: E402
from section_corpus import ROOT, Abstract, Score, Span3, csabstruct, load  # noqa: E402

from litdesk.core import section_features, section_learning, sentences  # noqa: E402
from litdesk.core.model import LABELS  # noqa: E402
from litdesk.core.section_model import MODEL_FILE, SectionModel, posteriors, viterbi  # noqa: E402
from litdesk.core.sentences import split_sentences  # noqa: E402

BITS = 18
ALPHA = 1e-4  # L2 strength of the sentence scorer
EPOCHS = 15
TRANSITION_WEIGHT = 1.0
SEED = 20261207
CSABSTRUCT_WEIGHT = 0.0  # CSAbstruct did not help on held-out sources (see MODEL_CARD.md)


@dataclass
class Doc:
    """An abstract without headings, split into sentences with gold labels and features."""

    abstract: Abstract
    bounds: list[tuple[int, int]]
    labels: list[int]
    features: list[list[int]]


def sentence_labels(bounds: Sequence[tuple[int, int]], gold: Sequence[Span3]) -> list[int]:
    """Each sentence's label: the gold label covering most of its characters."""
    out = []
    for a, b in bounds:
        cover = Counter()  # type: ignore[var-annotated]
        for s, e, label in gold:
            if s < b and e > a:
                cover[label] += min(b, e) - max(a, s)
        out.append(LABELS.index(cover.most_common(1)[0][0]) if cover else -1)
    return out


def prepare(abstracts: Sequence[Abstract], bits: int = BITS) -> list[Doc]:
    """Sentences, gold labels and hashed features of each abstract's text without headings."""
    docs = []
    for a in abstracts:
        bounds = split_sentences(a.bare)
        if not bounds:
            continue
        feats = section_features.sentence_features([a.bare[s:e] for s, e in bounds])
        docs.append(Doc(a, bounds, sentence_labels(bounds, a.bare_gold),
                        [section_features.hashed(f, bits) for f in feats]))
    return docs


def prepare_cached(abstracts: Sequence[Abstract], bits: int = BITS) -> list[Doc]:
    """:func:`prepare`, kept in a temporary file while the corpus and the feature code stay."""
    key = hashlib.sha256(repr(bits).encode())
    for a in abstracts:
        key.update(a.id.encode() + a.bare.encode())
    for module in (section_features, sentences, section_corpus):
        key.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
    cache = Path(tempfile.gettempdir()) / f"litdesk-sections-{key.hexdigest()[:16]}.pkl"
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)  # noqa: S301 (our own file, written just below)
    docs = prepare(abstracts, bits)
    with cache.open("wb") as f:
        pickle.dump(docs, f)
    return docs


def source_weights(docs: Sequence[Doc]) -> list[float]:
    """``1 / sqrt(abstracts of the source)``, scaled to a mean of 1 (CSAbstruct's times
    CSABSTRUCT_WEIGHT)."""
    sizes = Counter(d.abstract.source for d in docs)
    raw = [(CSABSTRUCT_WEIGHT if d.abstract.source == "csabstruct" else 1)
           / math.sqrt(sizes[d.abstract.source]) for d in docs]
    mean = sum(raw) / len(raw)
    return [w / mean for w in raw]


def matrix(docs: Sequence[Doc], bits: int = BITS) -> sparse.csr_matrix:
    rows, cols = [], []
    r = 0
    for d in docs:
        for f in d.features:
            rows.extend([r] * len(f))
            cols.extend(f)
            r += 1
    data = np.ones(len(rows), dtype=np.float32)
    m = sparse.csr_matrix((data, (rows, cols)), shape=(r, 1 << bits), dtype=np.float32)
    m.sum_duplicates()
    return m


def fit(docs: Sequence[Doc], *, bits: int = BITS, alpha: float | None = None,
        transition_weight: float | None = None) -> SectionModel:
    """The sentence scorer and the decoder's scores, fitted on ``docs``."""
    weights = source_weights(docs)
    x = matrix(docs, bits)
    y = np.array([lab for d in docs for lab in d.labels])
    w = np.array([wt for d, wt in zip(docs, weights, strict=True) for _ in d.labels])
    keep = y >= 0
    # Logistic loss by averaged SGD: minutes faster than L-BFGS on this shared machine, and
    # the same held-out scores to two decimals. Module settings are read at call time, so that
    # eval_section_model.py can try others.
    clf = SGDClassifier(loss="log_loss", alpha=ALPHA if alpha is None else alpha,
                        max_iter=EPOCHS, tol=None, average=True, random_state=SEED)
    clf.fit(x[keep], y[keep], sample_weight=w[keep])
    k = len(LABELS)
    start, end = np.ones(k), np.ones(k)  # add-one smoothing
    trans = np.ones((k, k))
    for d, wt in zip(docs, weights, strict=True):
        labs = [lab for lab in d.labels if lab >= 0]
        if not labs:
            continue
        start[labs[0]] += wt
        end[labs[-1]] += wt
        for a, b in zip(labs, labs[1:], strict=False):
            trans[a, b] += wt
    coef = np.zeros((1 << bits, k))
    coef[:, clf.classes_] = clf.coef_.T
    bias = np.zeros(k)
    bias[clf.classes_] = clf.intercept_
    # int8 per label: a quarter of float32, read with array.frombytes (fast, no numpy).
    scale = np.abs(coef).max(0) / 127
    scale[scale == 0] = 1
    quantised = np.rint(coef / scale).astype(np.int8)
    return SectionModel(
        LABELS, bits, array("b", quantised.ravel().tobytes()), tuple(scale.tolist()),
        tuple(bias.tolist()), tuple(np.log(start / start.sum()).tolist()),
        tuple(tuple(r) for r in np.log(trans / trans.sum(1, keepdims=True)).tolist()),
        tuple(np.log(end / end.sum()).tolist()),
        TRANSITION_WEIGHT if transition_weight is None else transition_weight,
    )  # fmt: skip


def emissions(model: SectionModel, docs: Sequence[Doc]) -> list[list[list[float]]]:
    """Each doc's sentence log-probabilities (as SectionModel.emissions, from the matrix)."""
    coef = np.frombuffer(model.weights.tobytes(), dtype=np.int8).reshape(-1, len(model.labels))
    coef = coef * np.asarray(model.scale)
    scores = matrix(docs, model.bits) @ coef + np.asarray(model.bias)
    scores -= scores.max(1, keepdims=True)
    logp = scores - np.log(np.exp(scores).sum(1, keepdims=True))
    out, r = [], 0
    for d in docs:
        out.append(logp[r : r + len(d.bounds)].tolist())
        r += len(d.bounds)
    return out


def spans(bounds: Sequence[tuple[int, int]], path: Sequence[int]) -> list[Span3]:
    """Runs of one label as spans over the sentences."""
    return section_learning.spans(bounds, path, LABELS)


def score(model: SectionModel, docs: Sequence[Doc], *, decoder: str = "viterbi") -> Score:
    """Character-level scores of the model's spans on ``docs`` (viterbi, posterior or none)."""
    s = Score()
    for d, e in zip(docs, emissions(model, docs), strict=True):
        if decoder == "viterbi":
            path = viterbi(e, model)
        elif decoder == "posterior":
            path = [max(range(len(p)), key=p.__getitem__) for p in posteriors(e, model)]
        else:
            path = [max(range(len(p)), key=p.__getitem__) for p in e]
        s.add(d.abstract.bare_gold, spans(d.bounds, path))
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "litdesk" / "core" / MODEL_FILE)
    args = parser.parse_args()
    abstracts = sorted(load(), key=lambda a: a.id)
    if CSABSTRUCT_WEIGHT:
        abstracts += list(csabstruct("train"))
    docs = prepare_cached(abstracts)
    model = fit(docs)
    args.out.write_bytes(model.to_bytes())
    print(f"{len(docs)} abstracts, {sum(len(d.bounds) for d in docs)} sentences -> {args.out} "
          f"({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
