"""Evaluate the section model for abstracts without headings, leaving sources out.

Run by hand (needs the ``train`` extra):
``nice -n 10 python tests/benchmarks/eval_section_model.py`` (or ``eval_sections.py --only
model``). The corpus's sources (repositories) are packed into 5 folds, the largest (57% of the
abstracts) alone in one; each fold is scored by a model trained on the other four, so every
figure is on exports no model saw. Character-level F1 per label and
their mean (macro-F1), pooled over all held-out abstracts, also without the dominant source;
beside it the sentence-position baseline (each tenth of an abstract gets the label most common
there in the training folds), the sentence scorer without the decoder, the same model on random
folds with sources mixed (in-domain: what it reaches without meeting a new source), and the
shipped model's size, load time and speed.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_sections as train  # noqa: E402
from section_corpus import ROOT, Score, load, source_folds  # noqa: E402

from litdesk.core.section_model import MODEL_FILE, base_model, suggest  # noqa: E402

BINS = 10


def _bin(i: int, n: int) -> int:
    return min(int(i / n * BINS), BINS - 1)


def position_baseline(docs: Sequence[train.Doc]) -> list[int]:
    """The most common label (source-weighted) in each tenth of the training abstracts."""
    counts = [Counter() for _ in range(BINS)]  # type: ignore[var-annotated]
    for d, w in zip(docs, train.source_weights(docs), strict=True):
        for i, lab in enumerate(d.labels):
            if lab >= 0:
                counts[_bin(i, len(d.labels))][lab] += w
    return [c.most_common(1)[0][0] for c in counts]


def cross_validate(docs: Sequence[train.Doc], folds: list[set[str]]) -> dict[str, Score]:
    """Pooled held-out scores of the model, the undecoded scorer and the position baseline."""
    scores = {name: Score() for name in ("model", "model, dominant source out", "no decoder",
                                         "position baseline")}
    for i, fold in enumerate(folds):
        t0 = time.perf_counter()
        training = [d for d in docs if d.abstract.source not in fold]
        held = [d for d in docs if d.abstract.source in fold]
        model = train.fit(training)
        part = train.score(model, held)
        scores["model"].merge(part)
        if len(fold) > 1:
            scores["model, dominant source out"].merge(part)
        scores["no decoder"].merge(train.score(model, held, decoder="none"))
        by_bin = position_baseline(training)
        for d in held:
            path = [by_bin[_bin(j, len(d.bounds))] for j in range(len(d.bounds))]
            scores["position baseline"].add(d.abstract.bare_gold, train.spans(d.bounds, path))
        print(f"  fold {i + 1}: {len(held)} abstracts from {len(fold)} sources held out, "
              f"macro-F1 {part.macro_f1():.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return scores


def in_domain(docs: Sequence[train.Doc], k: int = 5) -> Score:
    """Pooled held-out score of random folds of abstracts, sources mixed: how far the model
    gets without meeting new sources (the ceiling of leave-source-out for this model)."""
    order = list(range(len(docs)))
    random.Random(train.SEED).shuffle(order)
    pooled = Score()
    for i in range(k):
        held = set(order[i::k])
        model = train.fit([d for j, d in enumerate(docs) if j not in held])
        pooled.merge(train.score(model, [docs[j] for j in sorted(held)]))
    return pooled


def speed(texts: Sequence[str]) -> tuple[float, float]:
    """Seconds to load the shipped model in a fresh interpreter that has imported litdesk (as
    the app has when a suggestion is first asked for), and ms per abstract."""
    code = ("import time, litdesk.core.model; t = time.perf_counter(); "
            "from litdesk.core.section_model import base_model; base_model(); "
            "print(time.perf_counter() - t)")
    loads = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True, cwd=ROOT).stdout) for _ in range(3)]
    base_model()
    t0 = time.perf_counter()
    for text in texts:
        suggest(text)
    return min(loads), (time.perf_counter() - t0) / len(texts) * 1e3


def main() -> None:
    abstracts = sorted(load(), key=lambda a: a.id)
    docs = train.prepare_cached(abstracts)
    folds = source_folds(abstracts)
    print(f"{len(docs)} abstracts from {len({a.source for a in abstracts})} sources, "
          f"{sum(len(d.bounds) for d in docs)} sentences; leave-source-out, {len(folds)} folds")
    for name, s in cross_validate(docs, folds).items():
        print(f"{name:28} macro-F1 {s.macro_f1():.4f}  {s.per_label()}")
    mixed = in_domain(docs)
    print(f"{'random folds, sources mixed':28} macro-F1 {mixed.macro_f1():.4f}  "
          f"{mixed.per_label()}")
    path = ROOT / "litdesk" / "core" / MODEL_FILE
    if not path.exists():
        print(f"no {path}: run train_sections.py to measure the shipped model")
        return
    load_s, ms = speed([a.bare for a in abstracts[::10]])
    print(f"shipped model: {path.stat().st_size / 1e6:.2f} MB, loads in {load_s * 1e3:.0f} ms, "
          f"{ms:.2f} ms per abstract")


if __name__ == "__main__":
    main()
