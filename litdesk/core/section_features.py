"""What the section model sees of each sentence of an abstract: hashed feature indices.

Shared by inference (`litdesk.core.section_model`) and training (tests/benchmarks/
train_sections.py), so both read sentences the same way. Pure Python: each feature is a short
string hashed with CRC-32 into ``2**bits`` buckets.
"""

from __future__ import annotations

import re
import zlib
from typing import Final

_TOKEN: Final = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*|[%=<>±≤≥]")
_NUMBER: Final = re.compile(r"\d")
_STATS: Final = re.compile(
    r"\b[pP]\s*[<=>≤]|\b(?:CI|OR|HR|RR|SD|IQR|AUC)\b|95\s*%|±|\(\s*n\s*=", re.IGNORECASE
)
_FIRST_WORDS: Final = 3  # sentence openers ("To assess", "In conclusion", "We found that")
VERSION: Final = 1  # bump when the features change: a model trained on others is refused


def _tokens(sentence: str) -> list[str]:
    return ["0" if _NUMBER.match(t) else t for t in _TOKEN.findall(sentence.lower())]


def _bin(x: float, edges: tuple[float, ...]) -> int:
    return sum(x >= e for e in edges)


def sentence_features(sentences: list[str]) -> list[list[str]]:
    """The feature strings of each sentence: its own words, position, shape, and neighbours'."""
    words = [_tokens(s) for s in sentences]
    n = len(sentences)
    own: list[list[str]] = []
    for i, (sentence, toks) in enumerate(zip(sentences, words, strict=True)):
        pos = i / max(n - 1, 1)
        pbin = min(int(pos * 10), 9)
        zone = "b" if i == 0 else "e" if i == n - 1 else "m" + str(min(int(pos * 3), 2))
        f = ["bias", f"pos{pbin}", f"zone{zone}", f"idx{min(i, 4)}", f"ridx{min(n - 1 - i, 4)}",
             f"len{_bin(len(toks), (6, 12, 20, 30, 45))}", f"n{_bin(n, (4, 7, 10, 14))}"]
        f += [f"w:{t}" for t in toks]
        f += [f"b:{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)]
        head = toks[:_FIRST_WORDS]
        f += [f"f{j}:{'_'.join(head[: j + 1])}" for j in range(len(head))]
        f += [f"zf:{zone[0]}:{'_'.join(head[:2])}"]
        digits = sum(t == "0" for t in toks)
        f.append(f"dig{_bin(digits / max(len(toks), 1), (0.01, 0.05, 0.12, 0.25))}")
        if _STATS.search(sentence):
            f.append("stats")
            f.append(f"zstats:{zone[0]}")
        if sentence.rstrip().endswith("?"):
            f.append("question")
        own.append(f)
    out = []
    for i in range(n):
        f = list(own[i])
        for tag, j in (("p", i - 1), ("n", i + 1)):
            if 0 <= j < n:
                f += [f"{tag}w:{t}" for t in set(words[j])]
                f += [f"{tag}f:{'_'.join(words[j][:2])}"]
            else:
                f.append(f"{tag}none")
        out.append(f)
    return out


def hashed(features: list[str], bits: int) -> list[int]:
    """Bucket indices of ``features`` (duplicates kept: a word twice counts twice)."""
    mask = (1 << bits) - 1
    return [zlib.crc32(f.encode("utf-8")) & mask for f in features]
