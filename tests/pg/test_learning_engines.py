"""The library's own section model on both engines: learned, stored, shared, reset."""

from __future__ import annotations

import pytest

from litdesk.core.model import Span
from litdesk.core.section_model import suggest_confident
from litdesk.store import learning
from litdesk.store.library import Library
from tests.conftest import bare_abstracts
from tests.pg.test_team import admin, team_library, with_login  # noqa: F401

REVIEW = "hmezav/Aplicativo-web"


def _code(lib: Library, make_ris, n_done: int, total: int = 14) -> list[str]:
    """Import ``total`` real abstracts without headings; code and mark done the first
    ``n_done`` (through the facade, as the app does); their texts."""
    abstracts = bare_abstracts(REVIEW, total)
    lib.files.import_file(make_ris("review.ris", [
        {"TY": "JOUR", "TI": f"Paper {i}", "AB": text} for i, (text, _) in enumerate(abstracts)]))
    ids = lib.search_ids(sort="id")[-total:]  # after any records already there
    for rid, (text, spans) in zip(ids[:n_done], abstracts, strict=False):
        assert lib.record(rid).abstract == text
        lib.set_spans(rid, [Span(s, e, lab, text[s:e]) for s, e, lab in spans])
        lib.set_done(rid, True)
    return [text for text, _ in abstracts]


def test_learn_store_use_and_reset_on_both_engines(any_library, make_ris, monkeypatch) -> None:
    monkeypatch.setattr(learning, "LEARN_EVERY", 10)
    lib = any_library
    texts = _code(lib, make_ris, n_done=12)
    assert lib.learning.state() is None
    assert lib.learning.due()
    assert len(learning.examples(lib)) == 12

    steps = []
    report = lib.learning.learn(progress=lambda d, t: steps.append((d, t)))
    assert steps[-1] == (6, 6)
    assert report.abstracts == 12
    state = lib.learning.state()
    assert state.has_model
    assert state.in_use == report.better
    assert state.done_seen == 12
    assert state.scores["adapted"] == round(report.adapted.macro_f1(), 4)
    assert not lib.learning.due()
    model = lib.learning.model()
    assert (model is not None) == report.better
    if model is not None:
        assert suggest_confident(texts[-1], model=model) == suggest_confident(
            texts[-1], model=report.model)

    assert lib.learning.reset()
    state = lib.learning.state()
    assert not state.has_model
    assert not state.in_use
    assert state.done_seen == 12
    assert lib.learning.model() is None
    assert not lib.learning.due()


def test_a_team_shares_the_model_a_member_learned(team_library, logins, with_login,  # noqa: F811
                                                   make_ris) -> None:
    url, _ = team_library
    with Library.open(with_login(url, logins[0])) as ann:
        _code(ann, make_ris, n_done=12)
        report = ann.learning.learn()  # a member may write the library's model
    with Library.open(with_login(url, logins[1])) as bob:
        state = bob.learning.state()
        assert state is not None
        assert state.coder == logins[0]
        assert state.in_use == report.better
        assert (bob.learning.model() is not None) == report.better
        assert bob.learning.reset() is True


def test_learning_a_read_only_library_is_refused_before_any_work(tmp_path, make_ris) -> None:
    path = tmp_path / "lib.sqlite"
    with Library.open(path) as lib:
        _code(lib, make_ris, n_done=12)
    with Library.open(path, read_only=True) as lib, pytest.raises(Exception, match="read-only"):
        lib.learning.learn()
