"""Tests for the section model shipped for abstracts without headings, and its sentence splitter."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litdesk.core import section_features, section_model
from litdesk.core.model import LABELS
from litdesk.core.ris_reader import read_ris_text
from litdesk.core.section_model import ModelError, base_model, from_bytes, suggest
from litdesk.core.sections import suggest_sections
from litdesk.core.sentences import split_sentences

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_baa27484dd0224d6.txt"
SHARED = REPO.parent / "shared"

TRAINING = SHARED / "corpus" / "abstracts" / "abstracts.jsonl"
RIS = SHARED / "corpus" / "ris"
HEADING = re.compile(r"[A-Za-z &/]+?(?:\s*[:.\-–—]\s*|\s+(?=[A-Z0-9])|(?=\s*$))")


def seed_without_headings() -> tuple[str, list[tuple[int, int, str]]]:
    """The seed record's structured abstract with its headings removed, and its gold spans."""
    raw = SEED.read_text(encoding="utf-8")
    abstract = re.search(r"N2 - (.*?) ER -", raw, re.DOTALL).group(1)  # type: ignore[union-attr]
    text, gold = "", []
    for start, end, label in suggest_sections(abstract):
        body = re.sub(r"^\w+(?: & \w+)?\s*", "", abstract[start:end])
        text += " " if text else ""
        gold.append((len(text), len(text) + len(body), label))
        text += body
    return text, gold


def char_accuracy(text: str, gold: list, pred: list) -> float:
    """Share of the gold spans' characters that the prediction labels the same."""
    want = {i: label for s, e, label in gold for i in range(s, e)}
    got = {i: label for s, e, label, *_ in pred for i in range(s, e)}
    return sum(got.get(i) == label for i, label in want.items()) / len(want)


def test_shipped_model_loads_and_labels_the_seed_sensibly() -> None:
    text, gold = seed_without_headings()
    assert [label for *_, label in gold] == list(LABELS)  # the seed has all five sections
    spans = suggest(text)
    assert spans[0][2] in ("background", "aim")
    assert spans[-1][2] == "conclusion"
    assert [s[2] for s in spans] == sorted((s[2] for s in spans), key=LABELS.index)
    assert char_accuracy(text, gold, spans) >= 0.7
    assert all(0 < conf <= 1 for *_, conf in spans)


def held_out_abstracts() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Structured abstracts of the RIS corpus that the model was not trained on, headings
    removed, with the heading detector's sections as gold."""
    known = set()
    with TRAINING.open(encoding="utf-8") as f:
        for line in f:
            known.add(json.loads(line)["text"][:100])
    out = []
    for path in sorted(RIS.rglob("*.ris")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for read in read_ris_text(text, path.name):
            abstract = read.record.abstract
            found = suggest_sections(abstract) if abstract[:100] not in known else []
            bare, gold = "", []
            for start, end, label in found:
                body = abstract[start:end]
                body = body[HEADING.match(body).end() :]  # type: ignore[union-attr]
                bare += " " if bare else ""
                gold.append((len(bare), len(bare) + len(body), label))
                bare += body
            if gold:
                out.append((bare, gold))
    return out


@pytest.mark.skipif(not TRAINING.exists(), reason="../shared corpus (abstracts) not present")
def test_held_out_real_abstracts_are_mostly_right() -> None:
    abstracts = held_out_abstracts()
    assert len(abstracts) >= 20
    chars = right = 0
    for text, gold in abstracts:
        n = sum(e - s for s, e, _ in gold)
        right += round(char_accuracy(text, gold, suggest(text)) * n)
        chars += n
    assert right / chars >= 0.7  # 0.84 when the model was shipped


def test_model_is_not_loaded_at_start_up() -> None:
    code = ("import sys, litdesk.cli, litdesk.store.suggestions; "
            "print('litdesk.core.section_model' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _header(header: object, body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return section_model.MAGIC + struct.pack("<I", len(raw)) + raw + body


GOOD = {"format": 2, "features": section_features.VERSION, "labels": list(LABELS), "bits": 8,
        "scale": [1] * 5, "bias": [0] * 5, "start": [0] * 5, "end": [0] * 5,
        "transitions": [[0] * 5] * 5, "transition_weight": 1}  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [b"", b"not a model", section_model.MAGIC + b"\x05\x00\x00\x00{}",
     section_model.MAGIC + b"\xff\xff\xff\x00" + b"x" * 50, _header([1, 2]),
     _header({**GOOD, "bits": 10**9}), _header(GOOD, zlib.compress(b"\0" * 10**7)),
     _header({**GOOD, "bias": [0] * 4}, zlib.compress(b"\0" * 256 * 5)),
     _header({**GOOD, "format": 1}, zlib.compress(b"\0" * 256 * 5))],
    ids=["empty", "other file", "empty header", "truncated", "header a list", "huge",
         "too many weights", "scores short", "older format"],
)
def test_broken_model_file_is_refused(data: bytes) -> None:
    with pytest.raises(ModelError):
        from_bytes(data)


def test_a_minimal_model_file_is_read() -> None:
    model = from_bytes(_header(GOOD, zlib.compress(b"\0" * 256 * 5)))
    assert [label for *_, label, _ in suggest("One. Two. Three.", model)] == ["background"]


def test_model_round_trips_and_a_cut_one_is_refused() -> None:
    data = base_model().to_bytes()
    again = from_bytes(data)
    assert again.transitions == base_model().transitions
    with pytest.raises(ModelError):
        from_bytes(data[: len(data) // 2])


def test_sentences() -> None:
    text = ("We used e.g. the ABC scale (Smith et al. 2020). Scores were 3.5 vs. 4.2 in J. Smith's "
            "group.Next one! mRNA levels rose. (n = 5) were seen.\n\nA new paragraph")
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "We used e.g. the ABC scale (Smith et al. 2020).",
        "Scores were 3.5 vs. 4.2 in J. Smith's group.",
        "Next one!",
        "mRNA levels rose.",
        "(n = 5) were seen.",
        "A new paragraph",
    ]
    assert split_sentences("  \n ") == []
    assert suggest("") == []
    assert suggest(" \n\t") == []


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
       | st.lists(st.sampled_from(["Results were mixed.", " ", "\n", "e.g.", "😀", "We aim to",
                                   "(n = 4).", "?", "Â©", "𝔐", "\r\n", "..."]),
                  max_size=30).map("".join))
def test_spans_are_valid_for_any_text(text: str) -> None:
    spans = suggest(text)
    last = 0
    for start, end, label, confidence in spans:
        assert last <= start < end <= len(text)
        assert label in LABELS
        assert 0 <= confidence <= 1
        assert text[start:end] == text[start:end].strip()
        last = end
    for a, b in split_sentences(text):
        assert 0 <= a < b <= len(text)
