"""Does learning from a review's coding help the rest of that review? A held-out measure.

Run by hand (needs the ``train`` extra, to train a base model without the review):
``nice -n 10 python tests/benchmarks/eval_learning.py [--sources N] [--coded 100]``.

For each of the largest sources of ../shared/corpus/abstracts in turn, that source is "the
review": a base model is trained on every other source (so the review is as new to it as a
researcher's own search is to the shipped model), the review's abstracts are shuffled (fixed
seed), the first ``--coded`` are taken as coded and marked done (their headings removed, the
gold sections as the coding) and `litdesk.core.section_learning.learn` adapts the base model to
them. Both models then suggest sections on the rest of the review; the script prints their
character-level macro-F1 and per-label F1 there, the difference, the cross-validated figures
`litdesk learn` would print, the CPU seconds learning took, and what the library would use:
the adapted model only where its cross-validated score is at least the built-in one's, so
"used" is the change a researcher would see.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_sections as train  # noqa: E402
from section_corpus import load  # noqa: E402

from litdesk.core import section_learning  # noqa: E402
from litdesk.core.section_learning import Example  # noqa: E402
from litdesk.core.section_model import suggest  # noqa: E402
from litdesk.core.section_score import Score  # noqa: E402

SEED = 20261207


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=4, help="how many reviews (largest)")
    parser.add_argument("--coded", type=int, default=100, help="abstracts coded first")
    parser.add_argument("--skip", type=int, default=0, help="skip the largest N sources")
    args = parser.parse_args()
    abstracts = sorted(load(), key=lambda a: a.id)
    docs = train.prepare_cached(abstracts)
    sizes = Counter(a.source for a in abstracts)
    reviews = [s for s, n in sizes.most_common() if n > args.coded + 20]
    reviews = reviews[args.skip: args.skip + args.sources]
    total_base, total_adapted, total_used = Score(), Score(), Score()
    for source in reviews:
        base = train.fit([d for d in docs if d.abstract.source != source])
        review = [a for a in abstracts if a.source == source and a.bare_gold]
        random.Random(SEED).shuffle(review)
        coded, rest = review[: args.coded], review[args.coded:]
        t0 = time.process_time()
        report = section_learning.learn(
            [Example(a.bare, tuple(a.bare_gold)) for a in coded], base)
        seconds = time.process_time() - t0
        assert report.model is not None
        before, after = Score(), Score()
        for a in rest:
            before.add(a.bare_gold, [s[:3] for s in suggest(a.bare, base)])
            after.add(a.bare_gold, [s[:3] for s in suggest(a.bare, report.model)])
        total_base.merge(before)
        total_adapted.merge(after)
        total_used.merge(after if report.better else before)
        b, a = before.macro_f1(), after.macro_f1()
        print(f"{source}: {len(coded)} coded, {len(rest)} held out; macro-F1 on the rest "
              f"{b:.3f} -> {a:.3f} ({a - b:+.3f}); accuracy {before.accuracy():.3f} -> "
              f"{after.accuracy():.3f}; learning {seconds:.1f} s CPU; the library would use "
              f"{'its own' if report.better else 'the built-in'} model", flush=True)
        print(f"    built-in: {before.per_label()}")
        print(f"    library:  {after.per_label()}")
        print(f"    learn's own {section_learning.FOLDS}-fold CV on the coded: "
              f"{report.summary()}")
    b, a, u = total_base.macro_f1(), total_adapted.macro_f1(), total_used.macro_f1()
    print(f"pooled over {len(reviews)} reviews: macro-F1 {b:.3f} -> {a:.3f} ({a - b:+.3f}) "
          f"adapted, {u:.3f} ({u - b:+.3f}) as used; accuracy {total_base.accuracy():.3f} -> "
          f"{total_adapted.accuracy():.3f} adapted, {total_used.accuracy():.3f} as used")


if __name__ == "__main__":
    main()
