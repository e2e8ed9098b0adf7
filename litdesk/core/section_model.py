"""Suggest sections of an abstract without headings: a small sentence model shipped as data.

Each sentence (`litdesk.core.sentences`) gets a score per label from a linear model over
hashed features (`litdesk.core.section_features`); a Viterbi decoder with learned start,
transition and end scores picks the best label sequence, so that sections come in the usual
order; runs of a label become spans. Confidence is the mean posterior probability
(forward-backward) of a span's label over its sentences. Pure Python: the weights are read
from ``section_model.bin`` (package data, trained by tests/benchmarks/train_sections.py; see
MODEL_CARD.md) the first time they are needed, not at start-up.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from litdesk.core import section_features
from litdesk.core.model import LABELS
from litdesk.core.sentences import split_sentences

if TYPE_CHECKING:
    from litdesk.core.section_learning import AdaptedModel

MODEL_FILE: Final = "section_model.bin"
#: Spans the model is less sure of than this are not suggested.
MIN_CONFIDENCE: Final = 0.5
MAGIC: Final = b"LITDESK-SECTIONS\n"

Suggestion = tuple[int, int, str, float]  # start, end, label, confidence


class ModelError(ValueError):
    """A model file that cannot be read (truncated, another format, other features)."""


@dataclass(frozen=True, slots=True)
class SectionModel:
    """Weights of the sentence scorer and the decoder's scores; ``labels`` as in LABELS."""

    labels: tuple[str, ...]
    bits: int
    weights: array  # type: ignore[type-arg]  # int8, bucket-major: weights[b * L + k]
    scale: tuple[float, ...]  # a label's weight is scale[k] * weights[b * L + k]
    bias: tuple[float, ...]
    start: tuple[float, ...]
    transitions: tuple[tuple[float, ...], ...]  # [from][to]
    end: tuple[float, ...]
    transition_weight: float

    def emissions(self, sentences: list[str]) -> list[list[float]]:
        """Log-probabilities of each label for each sentence (from it and its neighbours)."""
        n_labels = len(self.labels)
        w = self.weights
        out = []
        labels = range(n_labels)
        for feats in section_features.sentence_features(sentences):
            sums = [0] * n_labels
            for b in section_features.hashed(feats, self.bits):
                base = b * n_labels
                for k in labels:
                    sums[k] += w[base + k]
            scores = [self.bias[k] + self.scale[k] * sums[k] for k in labels]
            top = max(scores)
            norm = top + math.log(sum(math.exp(s - top) for s in scores))
            out.append([s - norm for s in scores])
        return out

    def decode(self, emissions: list[list[float]]) -> tuple[list[int], list[list[float]]]:
        """The best label sequence (Viterbi) and each sentence's label posteriors."""
        return viterbi(emissions, self), posteriors(emissions, self)

    def to_bytes(self) -> bytes:
        """The model as ``section_model.bin`` holds it (int8 weights, zlib-packed)."""
        header = {
            "format": 2, "features": section_features.VERSION, "labels": list(self.labels),
            "bits": self.bits, "scale": list(self.scale), "bias": list(self.bias),
            "start": list(self.start),
            "transitions": [list(r) for r in self.transitions], "end": list(self.end),
            "transition_weight": self.transition_weight,
        }  # fmt: skip
        raw = json.dumps(header).encode()
        return MAGIC + struct.pack("<I", len(raw)) + raw + zlib.compress(self.weights.tobytes(), 9)


def from_bytes(data: bytes) -> SectionModel:
    """Read a model written by :meth:`SectionModel.to_bytes`; :class:`ModelError` if it can't."""
    try:
        if not data.startswith(MAGIC):
            raise ModelError("not a litdesk section model")
        at = len(MAGIC)
        (size,) = struct.unpack_from("<I", data, at)
        header = json.loads(data[at + 4 : at + 4 + size])
        if header.get("format") != 2 or header.get("features") != section_features.VERSION:
            raise ModelError("the model was trained for another version of litdesk")
        labels = tuple(header["labels"])
        bits = int(header["bits"])
        if not 8 <= bits <= 24 or not 2 <= len(labels) <= 16:
            raise ModelError("the model's shape is not one litdesk makes")
        n = (1 << bits) * len(labels)
        # int8 (no byte order); at most one byte more than expected is unpacked
        weights = array("b", zlib.decompressobj().decompress(data[at + 4 + size :], n + 1))
        if len(weights) != n:
            raise ModelError("the model's weights are truncated")
        vectors = [tuple(map(float, header[key])) for key in ("scale", "bias", "start", "end")]
        transitions = tuple(tuple(map(float, row)) for row in header["transitions"])
        if any(len(v) != len(labels) for v in (*vectors, transitions, *transitions)):
            raise ModelError("the model's scores do not match its labels")
        scale, bias, start, end = vectors
        return SectionModel(labels, bits, weights, scale, bias, start, transitions, end,
                            float(header["transition_weight"]))
    except (AttributeError, KeyError, TypeError, ValueError, struct.error, zlib.error) as e:
        if isinstance(e, ModelError):
            raise
        raise ModelError(f"unreadable section model: {e}") from e


@cache
def base_model() -> SectionModel:
    """The model shipped with litdesk, read on first use."""
    data = files("litdesk.core").joinpath(MODEL_FILE).read_bytes()
    model = from_bytes(data)
    if model.labels != LABELS:
        raise ModelError("the shipped model has other labels")
    return model


def viterbi(emissions: list[list[float]], m: SectionModel) -> list[int]:
    """The label sequence of highest emission + weighted transition score."""
    if not emissions:
        return []
    k = range(len(m.labels))
    tw = m.transition_weight
    score = [tw * m.start[j] + emissions[0][j] for j in k]
    back: list[list[int]] = []
    for e in emissions[1:]:
        prev = score
        ptr = [max(k, key=[prev[i] + tw * m.transitions[i][j] for i in k].__getitem__)
               for j in k]
        score = [prev[ptr[j]] + tw * m.transitions[ptr[j]][j] + e[j] for j in k]
        back.append(ptr)
    last = max(k, key=lambda j: score[j] + tw * m.end[j])
    path = [last]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    return path[::-1]


def _logsumexp(xs: list[float]) -> float:
    top = max(xs)
    return top + math.log(sum(math.exp(x - top) for x in xs))


def posteriors(emissions: list[list[float]], m: SectionModel) -> list[list[float]]:
    """P(label | whole abstract) for each sentence, by forward-backward in log space."""
    if not emissions:
        return []
    k = range(len(m.labels))
    tw = m.transition_weight
    fwd = [[tw * m.start[j] + emissions[0][j] for j in k]]
    for e in emissions[1:]:
        p = fwd[-1]
        fwd.append([_logsumexp([p[i] + tw * m.transitions[i][j] for i in k]) + e[j] for j in k])
    bwd = [[tw * m.end[j] for j in k]]
    for e in reversed(emissions[1:]):
        n = bwd[0]
        bwd.insert(0, [_logsumexp([tw * m.transitions[i][j] + e[j] + n[j] for j in k])
                       for i in k])
    out = []
    for f, b in zip(fwd, bwd, strict=True):
        joint = [x + y for x, y in zip(f, b, strict=True)]
        z = _logsumexp(joint)
        out.append([math.exp(x - z) for x in joint])
    return out


def suggest(text: str, model: SectionModel | AdaptedModel | None = None) -> list[Suggestion]:
    """Section spans ``(start, end, label, confidence)`` of an abstract without headings.

    Every sentence gets a label; runs of one label make a span from the start of its first
    sentence to the end of its last. Offsets are Python string indices, end exclusive; spans
    are sorted, do not overlap and are never empty. Text without sentences gives ``[]``.
    """
    m = model or base_model()
    bounds = split_sentences(text)
    if not bounds:
        return []
    path, post = m.decode(m.emissions([text[a:b] for a, b in bounds]))
    spans: list[Suggestion] = []
    run: list[float] = []
    for i, ((a, b), k) in enumerate(zip(bounds, path, strict=True)):
        if i and path[i - 1] == k:
            spans[-1] = (spans[-1][0], b, m.labels[k], 0.0)
        else:
            run = []
            spans.append((a, b, m.labels[k], 0.0))
        run.append(post[i][k])
        spans[-1] = (*spans[-1][:3], round(sum(run) / len(run), 3))
    return spans


def suggest_confident(text: str, threshold: float = MIN_CONFIDENCE,
                      model: SectionModel | AdaptedModel | None = None) -> list[Suggestion]:
    """:func:`suggest` (by ``model``, else the shipped one) without the spans whose
    confidence is below ``threshold``."""
    return [s for s in suggest(text, model) if s[3] >= threshold]
