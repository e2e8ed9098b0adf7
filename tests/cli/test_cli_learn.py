"""`litdesk learn`: the library's own section model, learned from real coded abstracts."""

from __future__ import annotations

import json
import sqlite3

import pytest

from litdesk.core.section_model import suggest_confident
from litdesk.store.library import Library
from tests.conftest import bare_abstracts

REVIEW = "hmezav/Aplicativo-web"


@pytest.fixture(scope="module")
def abstracts():
    return bare_abstracts(REVIEW, 26)


def _library(cli, tmp_path, make_ris, abstracts, coded: int) -> str:
    """A library of the review's abstracts, the first ``coded`` tagged as the corpus has them
    and marked done (as a coder would, through the CLI)."""
    lib = str(tmp_path / "lib.sqlite")
    ris = make_ris("review.ris", [{"TY": "JOUR", "TI": f"Paper {i}", "AB": text}
                                  for i, (text, _) in enumerate(abstracts, 1)])
    assert cli("-l", lib, "import", str(ris)).returncode == 0
    listed = json.loads(cli("-l", lib, "list", "--json").stdout)
    assert [r["abstract"] for r in listed] == [text for text, _ in abstracts]
    lines = [json.dumps({"id": i, "start": s, "end": e, "label": lab})
             for i, (_, spans) in enumerate(abstracts[:coded], 1) for s, e, lab in spans]
    jsonl = tmp_path / "coding.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("-l", lib, "tag", "--jsonl", str(jsonl)).returncode == 0
    done = cli("-l", lib, "done", "--ids", ",".join(str(i) for i in range(1, coded + 1)))
    assert done.returncode == 0, done.stderr
    return lib


def _model_suggestions(cli, lib: str) -> dict[int, list[list]]:
    out = cli("-l", lib, "suggest", "--all", "--model", "--json")
    assert out.returncode == 0, out.stderr
    return {r["id"]: r["spans"] for r in json.loads(out.stdout)}


def test_learn_prints_scores_stores_the_model_and_suggest_uses_it(
        cli, tmp_path, make_ris, abstracts) -> None:
    lib = _library(cli, tmp_path, make_ris, abstracts, coded=20)
    before = _model_suggestions(cli, lib)
    assert set(before) == set(range(21, 27))  # coded and done records are not offered any

    out = cli("-l", lib, "learn")
    assert out.returncode == 0, out.stderr
    assert "20 coded abstracts without headings" in out.stdout
    assert "built-in model 0." in out.stdout
    assert "library's model 0." in out.stdout
    with Library.open(lib) as opened:
        model = opened.learning.model()
        state = opened.learning.state()
        assert state.done_seen == 20
        assert state.scores["abstracts"] == 20
        used = state.scores["adapted"] >= state.scores["base"] and (
            state.scores["folds_as_good"] >= 3)
        assert (model is not None) == state.in_use == used
        assert f"built-in model {state.scores['base']:.3f}" in out.stdout
    after = _model_suggestions(cli, lib)
    for rid in after:  # the library's model (or the built-in one, if it is not better)
        text = abstracts[rid - 1][0]
        assert after[rid] == [list(s) for s in suggest_confident(text, model=model)]

    reset = cli("-l", lib, "learn", "--reset")
    assert reset.returncode == 0
    assert "reset" in reset.stdout
    assert _model_suggestions(cli, lib) == before
    again = cli("-l", lib, "learn", "--reset")
    assert again.returncode == 0
    assert "had no learned section model" in again.stdout


def test_learn_with_too_little_coding_says_so(cli, tmp_path, make_ris, abstracts) -> None:
    lib = _library(cli, tmp_path, make_ris, abstracts[:12], coded=4)
    out = cli("-l", lib, "learn")
    assert out.returncode == 1
    assert lib in out.stderr
    assert "at least 10 coded abstracts" in out.stderr
    assert "Traceback" not in out.stderr
    with Library.open(lib) as opened:
        assert opened.learning.state() is None  # nothing stored


def test_damaged_stored_model_falls_back_to_the_built_in(
        cli, tmp_path, make_ris, abstracts) -> None:
    lib = _library(cli, tmp_path, make_ris, abstracts, coded=20)
    before = _model_suggestions(cli, lib)
    scores = json.loads(cli("-l", lib, "learn", "--json").stdout)
    assert scores["abstracts"] == 20
    assert len(scores["fold_gains"]) == 5
    assert scores["used"] == (scores["adapted"] >= scores["base"] and scores["folds_as_good"] >= 3)
    with sqlite3.connect(lib) as conn:  # another program scribbles over the stored model
        conn.execute("UPDATE learned_model SET model = ?, in_use = 1", (b"LITDESK\x00junk",))
    out = cli("-l", lib, "suggest", "--all", "--model", "--json")
    assert out.returncode == 0
    assert "Traceback" not in out.stderr
    assert _model_suggestions(cli, lib) == before
    assert cli("-l", lib, "learn", "--reset").returncode == 0
