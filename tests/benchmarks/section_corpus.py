"""The real structured abstracts of ../shared/corpus/abstracts, with and without their headings.

Shared by eval_sections.py and train_sections.py. Each abstract of ``abstracts.jsonl`` has its
sections marked (heading as written, NLM category, start, end). Removing the headings and
joining the bodies with a space gives an abstract without headings whose gold spans are the
bodies: the way the PubMed RCT data sets were built. Sections of no category are dropped.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from litdesk.core.section_score import Score, Span3, char_labels  # noqa: E402, F401

ABSTRACTS = ROOT.parent / "shared" / "corpus" / "abstracts"
CSABSTRUCT = ABSTRACTS / "csabstruct"

NLM: dict[str | None, str] = {
    "BACKGROUND": "background", "OBJECTIVE": "aim", "METHODS": "method",
    "RESULTS": "results", "CONCLUSIONS": "conclusion", None: "-",
}  # fmt: skip
CSABSTRUCT_LABELS = {
    "background": "background", "objective": "aim", "method": "method", "result": "results",
    "other": "conclusion",
}  # fmt: skip
# What follows a heading before its body: a delimiter and white space.
_AFTER_HEADING = re.compile(r"[ \t]*[:.\-–—]*\s*")
# litdesk codes no section for these (NLM files most under BACKGROUND): they end the section
# before them, as in suggest_sections' heading list.
_NOT_CODED = re.compile(
    r"registration|keywords?\b|key words|funding|ethics|dissemination|abbreviations|conflicts?"
    r" of interest|competing interests?|disclosure|availability|contacts?\b|supplementary",
    re.IGNORECASE,
)
# Vendor trailers inside the last section, which belong to no section.
_TRAILER = re.compile(
    r"\s*(?:\(PsycINFO Database Record|\[ABSTRACT FROM AUTHOR\]|\[Author Abstract\]|Copyright\b|Â?©"
    r"|\([Cc]\)\s*\d{4}).*$",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Abstract:
    """One structured abstract: its text, gold heading spans, and the text without headings."""

    id: str
    source: str
    text: str
    gold: list[Span3]  # sections of the text with headings, as suggest_sections would give them
    bare: str  # the bodies joined by a space: the abstract without headings
    bare_gold: list[Span3]  # the bodies' spans in ``bare``


def load(path: Path = ABSTRACTS / "abstracts.jsonl") -> list[Abstract]:
    """Every abstract of the corpus file, in file order."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out.append(_abstract(row))
    return out


def _abstract(row: dict) -> Abstract:  # type: ignore[type-arg]
    text = row["text"]
    gold: list[Span3] = []
    bodies: list[tuple[str, str]] = []
    for heading, category, start, end in row["sections"]:
        label = "-" if _NOT_CODED.search(heading) else NLM[category]
        section = text[start:end]
        if trailer := _TRAILER.search(section, len(heading)):
            section = section[: trailer.start()]
        section = section.rstrip()
        if label != "-":
            end = start + len(section)
            if gold and gold[-1][2] == label and not text[gold[-1][1] : start].strip():
                gold[-1] = (gold[-1][0], end, label)
            else:
                gold.append((start, end, label))
        body_at = len(heading) if section.startswith(heading) else 0
        body = section[body_at:]
        body = body[_AFTER_HEADING.match(body).end() :]  # type: ignore[union-attr]
        if label != "-" and body.strip():
            bodies.append((body.strip(), label))
    bare = ""
    bare_gold: list[Span3] = []
    for body, label in bodies:
        if bare:
            bare += " "
        start = len(bare)
        bare += body
        if bare_gold and bare_gold[-1][2] == label:
            bare_gold[-1] = (bare_gold[-1][0], len(bare), label)
        else:
            bare_gold.append((start, len(bare), label))
    return Abstract(row["id"], row["source_repo"], text, gold, bare, bare_gold)


def csabstruct(split: str = "train") -> Iterator[Abstract]:
    """CSAbstruct abstracts (computer science; "other" read as conclusion), sentences joined."""
    with (CSABSTRUCT / f"{split}.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            bare, spans = "", []
            for sentence, label in zip(row["sentences"], row["labels"], strict=True):
                bare += " " if bare else ""
                start = len(bare)
                bare += sentence.strip()
                lab = CSABSTRUCT_LABELS[label.lower()]
                if spans and spans[-1][2] == lab:
                    spans[-1] = (spans[-1][0], len(bare), lab)
                else:
                    spans.append((start, len(bare), lab))
            yield Abstract(f"csabstruct/{split}#{row['abstract_id']}", "csabstruct", bare, [],
                           bare, spans)


def source_folds(abstracts: list[Abstract], k: int = 5) -> list[set[str]]:
    """``k`` groups of sources, each as near ``len/k`` abstracts as greedy packing gets.

    The largest source fills a fold of its own; every source is held out exactly once.
    """
    sizes = Counter(a.source for a in abstracts)
    folds: list[set[str]] = [set() for _ in range(k)]
    load_: list[int] = [0] * k
    for source, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        i = load_.index(min(load_))
        folds[i].add(source)
        load_[i] += n
    return folds
