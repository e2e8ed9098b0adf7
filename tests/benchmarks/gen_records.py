"""Realistic synthetic bibliographic records, deterministic from a seed, and a RIS writer.

Used by ``bench_scale.py`` and the table-model tests; reusable by any benchmark that needs a
large library. Records look like database exports: titles of about 12 words, abstracts of
about 250 words (half of them structured with headings, so section suggestions fire), 1–8
authors (some with diacritics), 2–6 keywords, years 1990–2025 (a few missing) and journals
from a fixed pool. Two marker words make search costs measurable: :data:`COMMON` (or its
plural) is in about 30% of abstracts, :data:`RARE` in about 0.1%. No other generated word
starts with ``opio`` or contains ``nalox``, so tests can compute expected hits in plain Python.

    python tests/benchmarks/gen_records.py 10000 out.ris [--seed 7]
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COMMON = "opioid"
COMMON_FORMS = ("opioid", "opioids")
RARE = "naloxegol"
COMMON_SHARE = 0.30
RARE_SHARE = 0.001


def _split(words: str) -> list[str]:
    return words.split()


_ONSETS = ("b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "br", "ch",
           "cl", "dr", "pr", "st", "tr", "sp", "gr", "ph", "th")
_VOWELS = ("a", "e", "i", "o", "u", "ia", "ea", "ou", "y")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "x", "nd", "st", "ct")
_REAL = _split(
    "the of and in to a with for was were patients study care health participants we "
    "qualitative interviews experiences themes analysis data clinical practice primary "
    "chronic pain treatment support services staff nurses doctors family carers community "
    "outcomes findings results methods background aim objective conclusion evidence "
    "intervention randomised trial cohort survey thematic framework barriers facilitators "
    "management medication prescribing risk quality life older adults children women men "
    "mental illness dementia cancer diabetes stroke hospital general practitioners focus "
    "groups semi structured reported identified perceived needs access decision making"
)
_SURNAMES = _split(
    "Smith Jones Williams Brown Taylor Davies Evans Wilson Thomas Roberts Johnson Lewis "
    "Walker Robinson Wood Thompson White Watson Jackson Wright Green Harris Cooper King Lee "
    "Martin Clarke James Morgan Hughes Edwards Hill Moore Clark Harrison Scott Young Morris "
    "Hall Ward Turner Carter Phillips Mitchell Patel Adams Campbell Anderson Allen Cook Gill "
    "Ahmed Khan Singh Chen Wang Zhang Li Liu Yang Huang Zhao Wu Zhou Kim Park Nguyen Tanaka "
    "Suzuki Sato Garcia Rodriguez Martinez Lopez Gonzalez Perez Sanchez Ramirez Silva Santos "
    "Oliveira Costa Rossi Russo Ferrari Esposito Bianchi Romano Muller Schmidt Schneider "
    "Fischer Weber Meyer Wagner Becker Hoffmann Jansen Visser Smit Bakker Johansson Andersson "
    "Nilsen Hansen Larsen Kowalski Nowak Novak Horvat Ivanova Petrov Murphy Kelly Byrne Ryan"
) + ["Müller", "Søndergaard", "García-López", "O'Brien", "van der Berg", "Ødegaard",
             "Çelik", "Nuñez", "Dubois", "Lefèvre", "Ó Súilleabháin", "de la Cruz"]
_GIVEN = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T")
_HEADINGS = (("Background", "aim"), ("Aim", "method"), ("Methods", "results"),
             ("Results", "conclusion"), ("Conclusions", None))


@dataclass(frozen=True)
class GenRecord:
    """One generated record, as plain data (what the RIS file says)."""

    position: int
    title: str
    authors: tuple[str, ...]  # "Family, G." form
    year: int | None
    journal: str
    abstract: str
    keywords: tuple[str, ...]
    doi: str


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        w = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS)
                    for _ in range(rng.randint(1, 3))) + rng.choice(_CODAS)
        if len(w) >= 3 and "opio" not in w and "nalox" not in w:
            words.add(w)
    return sorted(words)


class Generator:
    """Deterministic source of :class:`GenRecord` (same seed, same records, any platform)."""

    def __init__(self, seed: int = 7, vocabulary: int = 4000, abstract_words: int = 250):
        self.seed = seed
        self.abstract_words = abstract_words  # mean length; tests use short ones for speed
        rng = random.Random(seed)
        self.vocab = _REAL + _pseudo_words(rng, vocabulary)
        # Zipf-like weights: a few very frequent words, a long tail
        self._cum = list(itertools.accumulate(1.0 / (r + 1) ** 1.07
                                              for r in range(len(self.vocab))))
        self.journals = [self._journal(rng) for _ in range(300)]
        self.keywords = rng.sample(self.vocab[len(_REAL):], 600) + _REAL[20:60]

    def _journal(self, rng: random.Random) -> str:
        a, b = (w.capitalize() for w in rng.sample(self.vocab[len(_REAL):], 2))
        return rng.choice((f"Journal of {a} {b}", f"{a} {b} Review", f"International {a} "
                           f"Journal", f"BMC {a}", f"{a} & {b}", f"Annals of {a}"))

    def _words(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.vocab, cum_weights=self._cum, k=k)

    def _sentences(self, rng: random.Random, n_words: int) -> str:
        words = self._words(rng, n_words)
        out, i = [], 0
        while i < len(words):
            n = rng.randint(8, 24)
            chunk = words[i:i + n]
            out.append(" ".join(chunk).capitalize() + ".")
            i += n
        return " ".join(out)

    def record(self, position: int) -> GenRecord:
        """The record at ``position`` (independent of the others: generation can start anywhere)."""
        rng = random.Random(self.seed * 1_000_003 + position)
        title = " ".join(self._words(rng, rng.randint(8, 16))).capitalize()
        if rng.random() < 0.05:
            title = f"{title}: a qualitative study"
        authors = tuple(f"{rng.choice(_SURNAMES)}, {rng.choice(_GIVEN)}.{rng.choice(_GIVEN)}."
                        for _ in range(rng.randint(1, 8)))
        year = None if rng.random() < 0.005 else rng.randint(1990, 2025)
        mean = self.abstract_words
        n_words = max(mean // 4, int(rng.gauss(mean, mean / 5)))
        if rng.random() < 0.5:
            parts = [f"{h}: {self._sentences(rng, n_words // 5)}" for h, _ in _HEADINGS]
            abstract = " ".join(parts)
        else:
            abstract = self._sentences(rng, n_words)
        if rng.random() < COMMON_SHARE:
            abstract = _insert(rng, abstract, rng.choice(COMMON_FORMS))
        if rng.random() < RARE_SHARE:
            abstract = _insert(rng, abstract, RARE)
        keywords = tuple(rng.sample(self.keywords, rng.randint(2, 6)))
        return GenRecord(position, title, authors, year, rng.choice(self.journals), abstract,
                         keywords, f"10.5555/litdesk.{self.seed}.{position}")

    def records(self, n: int, start: int = 0) -> Iterator[GenRecord]:
        for i in range(start, start + n):
            yield self.record(i)


def _insert(rng: random.Random, text: str, word: str) -> str:
    words = text.split(" ")
    at = rng.randrange(1, len(words))
    words.insert(at, word)
    return " ".join(words)


def ris_lines(rec: GenRecord) -> list[str]:
    lines = ["TY  - JOUR", f"TI  - {rec.title}"]
    lines += [f"AU  - {a}" for a in rec.authors]
    if rec.year is not None:
        lines.append(f"PY  - {rec.year}")
    lines += [f"JO  - {rec.journal}", f"AB  - {rec.abstract}"]
    lines += [f"KW  - {k}" for k in rec.keywords]
    lines += [f"DO  - {rec.doi}", "ER  - ", ""]
    return lines


def write_ris(path: str | Path, records: Iterator[GenRecord] | list[GenRecord]) -> Path:
    """Write ``records`` as a UTF-8 RIS file (streamed: any number of records)."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write("\n".join(ris_lines(rec)))
            f.write("\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    write_ris(args.out, Generator(args.seed).records(args.count))


if __name__ == "__main__":
    main()
