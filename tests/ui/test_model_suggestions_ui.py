"""Model suggestions in the pane (abstracts without headings), and learning from the coding."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat
from PySide6.QtWidgets import QApplication, QToolTip

from litdesk.core.model import LABEL_COLOURS, LABELS, Span
from litdesk.core.section_model import suggest_confident
from litdesk.core.status import ACCEPTED, REJECTED
from litdesk.store import learning
from tests.conftest import bare_abstracts

REVIEW = "hmezav/Aplicativo-web"
DOTTED = QTextCharFormat.UnderlineStyle.DotLine


class Style(NamedTuple):
    underline: QTextCharFormat.UnderlineStyle
    colour: QColor


def _import(window, make_ris, n: int) -> list[tuple[str, list]]:
    abstracts = bare_abstracts(REVIEW, n)
    window.library.files.import_file(make_ris("review.ris", [
        {"TY": "JOUR", "TI": f"Paper {i}", "AB": text} for i, (text, _) in enumerate(abstracts)]))
    window.model.refresh()
    return abstracts


def _open(qtbot, window, row: int):
    window.table.setFocus()
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.pane.record is not None
                    and window.pane.record.id == window.model.ids[row])
    view = window.pane.abstract
    view.setFocus()
    return view


def _drawn(view) -> list[tuple[int, int, Style]]:
    """What the pane draws: where, and each span's underline (style, colour)."""
    out = []
    for sel in view.extraSelections():
        fmt = QTextCharFormat(sel.format)
        out.append((sel.cursor.selectionStart(), sel.cursor.selectionEnd(),
                    Style(fmt.underlineStyle(), QColor(fmt.underlineColor()))))
    return out


def test_model_suggestions_are_dotted_and_stored_only_when_enter_accepts(
        qtbot, window, make_ris) -> None:
    abstracts = _import(window, make_ris, 2)
    view = _open(qtbot, window, 0)
    rid = window.pane.record.id
    expected = suggest_confident(abstracts[0][0])
    assert len(expected) >= 2
    drawn = _drawn(view)
    assert len(drawn) == len(expected)
    for (_, _, fmt), (_, _, label, _) in zip(drawn, expected, strict=True):
        assert fmt.underline == DOTTED  # not the headings' hatch and dashes
        assert fmt.colour == QColor(LABEL_COLOURS[label])
    assert window.library.spans(rid) == []  # shown, not stored

    qtbot.keyClick(view, Qt.Key.Key_Return)
    stored = [(s.start, s.end, s.label) for s in window.library.spans(rid)]
    assert stored == [s[:3] for s in expected]
    assert window.library.suggestion_state(rid) == ACCEPTED
    assert all(f.underline != DOTTED for *_, f in _drawn(view))  # now coding


def test_esc_rejects_every_model_suggestion(qtbot, window, make_ris) -> None:
    _import(window, make_ris, 1)
    view = _open(qtbot, window, 0)
    rid = window.pane.record.id
    assert view.extraSelections()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.extraSelections() == []
    assert window.library.spans(rid) == []
    assert window.library.suggestion_state(rid) == REJECTED
    window.coding.show(rid)  # shown again: still none offered
    assert view.extraSelections() == []


def test_one_suggestion_is_changed_by_its_key_and_the_rest_stay_offered(
        qtbot, window, make_ris) -> None:
    abstracts = _import(window, make_ris, 1)
    view = _open(qtbot, window, 0)
    rid = window.pane.record.id
    expected = suggest_confident(abstracts[0][0])
    first = expected[0]
    other = LABELS[(LABELS.index(first[2]) + 1) % len(LABELS)]
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_1 + LABELS.index(other))  # this one, as another section
    assert [(s.start, s.end, s.label) for s in window.library.spans(rid)] == [
        (first[0], first[1], other)]
    assert view.cursor_index() == expected[1][0]  # on to the next suggestion
    dotted = [(a, b) for a, b, f in _drawn(view) if f.underline == DOTTED]
    assert len(dotted) == len(expected) - 1  # the others are still suggested
    qtbot.keyClick(view, Qt.Key.Key_1 + LABELS.index(expected[1][2]))  # accept the next as is
    assert [s.label for s in window.library.spans(rid)] == [other, expected[1][2]]
    qtbot.keyClick(view, Qt.Key.Key_Return)  # and the rest at once
    assert [(s.start, s.end, s.label) for s in window.library.spans(rid)] == [
        (first[0], first[1], other), *(s[:3] for s in expected[1:])]
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.label for s in window.library.spans(rid)] == [other, expected[1][2]]


def test_hovering_a_model_suggestion_shows_its_confidence(qtbot, window, make_ris) -> None:
    abstracts = _import(window, make_ris, 1)
    view = _open(qtbot, window, 0)
    start, end, label, confidence = suggest_confident(abstracts[0][0])[0]
    cursor = view.textCursor()
    cursor.setPosition(start + 2)
    point = view.cursorRect(cursor).center()
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.isVisible()
    assert f"the model is {round(100 * confidence)}% sure" in QToolTip.text()
    assert label.capitalize()[:4] in QToolTip.text()
    QToolTip.hideText()
    assert view.span_at_point(QPoint(-50, -50)) is None


def _code_and_mark_done(lib, abstracts, n: int) -> list[int]:
    ids = lib.search_ids(sort="id")
    for rid, (text, spans) in zip(ids[:n], abstracts, strict=False):
        lib.set_spans(rid, [Span(s, e, lab, text[s:e]) for s, e, lab in spans])
        lib.set_done(rid, True)
    return ids


def test_marking_the_tenth_done_learns_in_the_background(qtbot, window, make_ris,
                                                         monkeypatch) -> None:
    monkeypatch.setattr(learning, "LEARN_EVERY", 10)  # 20 in the app; fewer, to be quick
    abstracts = _import(window, make_ris, 12)
    ids = _code_and_mark_done(window.library, abstracts, 9)
    text, spans = abstracts[9]
    window.library.set_spans(ids[9], [Span(s, e, lab, text[s:e]) for s, e, lab in spans])
    window.model.refresh()
    _open(qtbot, window, 9)
    with qtbot.waitSignal(window.learning.learner.learned, timeout=300_000) as got:
        qtbot.keyClick(window.pane.abstract, Qt.Key.Key_D)  # the tenth done abstract
        assert window.library.rows([ids[9]])[0].done
        qtbot.keyClick(window.pane.abstract, Qt.Key.Key_J)  # coding goes on meanwhile
    report = got.args[0]
    assert report.abstracts == 10
    state = window.library.learning.state()
    assert state.has_model
    assert state.in_use == report.better
    assert "cross-validated macro-F1" in window.statusBar().currentMessage()


def test_menu_learns_now_and_resets(qtbot, window, make_ris) -> None:
    abstracts = _import(window, make_ris, 12)
    _code_and_mark_done(window.library, abstracts, 4)
    acts = window.actions_by_name
    with qtbot.waitSignal(window.learning.learner.failed, timeout=60_000):
        acts["learn_sections"].trigger()  # too little coding: said, nothing stored
    assert "at least 10 coded abstracts" in window.statusBar().currentMessage()
    assert window.library.learning.state() is None

    _code_and_mark_done(window.library, abstracts, 11)
    with qtbot.waitSignal(window.learning.learner.learned, timeout=300_000):
        acts["learn_sections"].trigger()
    assert window.library.learning.state().has_model
    acts["reset_learned_sections"].trigger()
    assert not window.library.learning.state().has_model
    assert window.library.learning.model() is None
    assert "built-in section model again" in window.statusBar().currentMessage()


def test_accepting_many_records_at_once_takes_headings_only(qtbot, window, make_ris,
                                                            seed) -> None:
    _import(window, make_ris, 2)
    window.library.files.import_file(seed)  # a structured abstract: suggestions from headings
    window.model.refresh()
    window.table.setFocus()
    window.table.selectAll()
    window.actions_by_name["accept_selected_suggestions"].trigger()
    ids = window.model.ids
    coded = {rid for rid in ids if window.library.spans(rid)}
    assert len(coded) == 1  # the seed; the model's guesses wait to be seen
    assert "accepted in 1 record" in window.statusBar().currentMessage()
