"""The agreement and reconciliation dialogs, driven like a user: combos, double-clicks, keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from litdesk.core.model import CONSENSUS_CODER, Span
from litdesk.store import coders as store
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.views.agreement_dialog import AgreementDialog, RecordAgreementModel
from litdesk.ui.views.reconcile_dialog import ReconcileDialog

TITLE = "<b>First</b> & <i>more</i>"


@pytest.fixture
def coded(library, make_ris):
    """Three records coded by ann and ben, all marked done by both; their ids."""
    summary = import_file(library, make_ris("three.ris", [
        {"TY": "JOUR", "TI": TITLE, "AB": "0123456789"},
        {"TY": "JOUR", "TI": "Second", "AB": "abcdef"},
        {"TY": "JOUR", "TI": "Third", "AB": "\U0001F600123456789"},
    ]))
    assert summary.added == 3, summary.line()
    r1, r2, r3 = library.search_ids()
    ann = Library(library.engine, library.path, "ann")
    ben = Library(library.engine, library.path, "ben")
    ann.set_spans(r1, [Span(0, 5, "aim")])  # r1 differs everywhere: kappa -1/3
    ben.set_spans(r1, [Span(5, 10, "method")])
    ann.set_spans(r2, [Span(0, 6, "results")])  # r2 agrees: kappa undefined
    ben.set_spans(r2, [Span(0, 6, "results")])
    ann.set_spans(r3, [Span(0, 10, "aim")])  # r3 half: kappa 0
    ben.set_spans(r3, [Span(0, 5, "aim")])
    for coder in (ann, ben):
        for rid in (r1, r2, r3):
            coder.set_done(rid, True)
    return r1, r2, r3


@pytest.fixture
def agreement_dialog(qtbot, library, coded):
    store.set_done_as(library, coded[1], CONSENSUS_CODER)  # a third "coder", listed last
    dialog = AgreementDialog(library)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def cell(model, row: int, col: int) -> str:
    return model.data(model.index(row, col))


def test_agreement_dialog_shows_figures_for_the_first_two_coders(agreement_dialog, coded,
                                                                 qtmodeltester):
    dialog = agreement_dialog
    assert dialog.coder_a.currentText() == "ann"
    assert dialog.coder_b.currentText() == "ben"
    assert dialog.coder_a.count() == 3
    assert "3 records" in dialog.summary.text()
    figures = dialog.figures_model
    assert [cell(figures, r, 0) for r in range(figures.rowCount())] == [
        "Overall", "Background", "Aim", "Method", "Results", "Conclusion"]
    # 26 characters pooled: agree on r2 (6) and r3 0..5 (5): p_o = 11/26.
    assert cell(figures, 0, figures.AGREEMENT) == f"{11 / 26:.1%}"
    assert cell(figures, 1, figures.KAPPA) == "n/a"
    assert set(dialog.chart.values) == {"background", "aim", "method", "results", "conclusion"}
    assert not dialog.chart.grab().isNull()  # paints without error

    records = dialog.records_model
    ids = [records.record_id(r) for r in range(records.rowCount())]
    assert ids == [coded[0], coded[2], coded[1]]  # lowest kappa first, undefined last
    assert cell(records, 0, RecordAgreementModel.KAPPA) == "-0.333"
    assert cell(records, 0, RecordAgreementModel.TITLE) == TITLE  # plain text, verbatim
    assert cell(records, 2, RecordAgreementModel.KAPPA) == "n/a"
    qtmodeltester.check(figures)
    qtmodeltester.check(records)

    dialog.records.sortByColumn(RecordAgreementModel.ID, Qt.SortOrder.DescendingOrder)
    assert [records.record_id(r) for r in range(3)] == sorted(coded, reverse=True)


def test_choosing_the_same_coder_twice_clears_the_figures(agreement_dialog):
    dialog = agreement_dialog
    dialog.coder_b.setCurrentText("ann")
    assert dialog.measured is None
    assert dialog.records_model.rowCount() == 0
    assert "two different coders" in dialog.summary.text()
    dialog.coder_b.setCurrentText(CONSENSUS_CODER)
    assert dialog.measured is not None
    assert dialog.measured.records == 1


def test_double_click_opens_reconciliation_of_that_record(agreement_dialog, coded, qtbot):
    dialog = agreement_dialog
    view = dialog.records
    rect = view.visualRect(dialog.records_model.index(0, RecordAgreementModel.TITLE))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    reconcile = dialog.reconcile_dialog
    assert isinstance(reconcile, ReconcileDialog)
    qtbot.waitExposed(reconcile)
    assert reconcile.record_id == coded[0]
    assert (reconcile.coder_a, reconcile.coder_b) == ("ann", "ben")
    with qtbot.waitSignal(reconcile.finished):
        qtbot.mouseClick(reconcile.accept_b, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(reconcile.save_button, Qt.MouseButton.LeftButton)
    assert dialog.reconcile_dialog is None
    assert store.spans_of(dialog.library, coded[0], CONSENSUS_CODER) == [
        Span(5, 10, "method", "56789", CONSENSUS_CODER)]


@pytest.fixture
def reconcile(qtbot, library, coded):
    dialog = ReconcileDialog(library, coded[2], "ann", "ben")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_reconcile_shows_both_codings_and_their_differences(reconcile):
    assert reconcile.view_a.text == reconcile.view_b.text == "\U0001F600123456789"
    assert reconcile.difference_ranges() == [(5, 10, "aim", "none")]
    assert reconcile.differences.count() == 1
    assert reconcile.differences.item(0).text().startswith("5-10: A Aim, B nothing")
    # The differing characters are underlined in both views, on top of the span highlights.
    underlined = [s for s in reconcile.view_a.extraSelections()
                  if s.format.underlineStyle() == s.format.UnderlineStyle.WaveUnderline]
    assert len(underlined) == 1
    assert (underlined[0].cursor.selectionStart(), underlined[0].cursor.selectionEnd()) == (6, 11)
    assert reconcile.merged == [Span(0, 10, "aim", "\U0001F600123456789", CONSENSUS_CODER)]


def test_accept_buttons_then_keys_then_save(reconcile, library, coded, qtbot):
    qtbot.mouseClick(reconcile.accept_b, Qt.MouseButton.LeftButton)
    assert [(s.start, s.end, s.label) for s in reconcile.merged] == [(0, 5, "aim")]
    # Clicking the difference selects it in the consensus view; 3 tags it as Method.
    reconcile.differences.setCurrentRow(0)
    assert reconcile.merged_view.selected_range() == (5, 10)
    assert reconcile.merged_view.hasFocus() or reconcile.focusWidget() is reconcile.merged_view
    qtbot.keyClick(reconcile.merged_view, Qt.Key.Key_3)
    assert [(s.start, s.end, s.label) for s in reconcile.merged] == [
        (0, 5, "aim"), (5, 10, "method")]
    reconcile.merged_view.select_range(0, 2)  # the emoji and "1"
    qtbot.keyClick(reconcile.merged_view, Qt.Key.Key_Delete)
    assert [(s.start, s.end, s.label) for s in reconcile.merged] == [
        (2, 5, "aim"), (5, 10, "method")]
    assert "differs from A on 7" in reconcile.merged_summary.text()
    assert library.spans(coded[2]) == []  # nothing stored before Save
    with qtbot.waitSignal(reconcile.saved) as saved:
        qtbot.mouseClick(reconcile.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [coded[2]]
    stored = store.spans_of(library, coded[2], CONSENSUS_CODER)
    assert [(s.start, s.end, s.label, s.text) for s in stored] == [
        (2, 5, "aim", "234"), (5, 10, "method", "56789")]
    assert coded[2] in store.done_by(library, CONSENSUS_CODER)
    assert store.spans_of(library, coded[2], "ann")[0].end == 10  # the coders are untouched


def test_reconcile_starts_from_saved_consensus_and_cancel_keeps_it(qtbot, library, coded):
    store.set_spans_as(library, coded[0], CONSENSUS_CODER, [Span(0, 2, "background")])
    dialog = ReconcileDialog(library, coded[0], "ann", "ben")
    qtbot.addWidget(dialog)
    dialog.show()
    assert [(s.start, s.end, s.label) for s in dialog.merged] == [(0, 2, "background")]
    assert dialog.findChild(type(dialog.view_a), "mergedView") is dialog.merged_view
    title = dialog.findChild(QLabel, "recordTitle")
    assert title.textFormat() == Qt.TextFormat.PlainText
    assert TITLE in title.text()
    qtbot.mouseClick(dialog.accept_a, Qt.MouseButton.LeftButton)
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    assert [(s.start, s.end) for s in store.spans_of(library, coded[0], CONSENSUS_CODER)] == [
        (0, 2)]


def test_label_key_without_selection_tags_the_sentence(reconcile, library, coded, qtbot):
    qtbot.mouseClick(reconcile.accept_b, Qt.MouseButton.LeftButton)
    reconcile.merged_view.select_range(3, 3)  # a cursor, no selection
    qtbot.keyClick(reconcile.merged_view, Qt.Key.Key_5)
    assert [(s.start, s.end, s.label) for s in reconcile.merged] == [(0, 10, "conclusion")]
