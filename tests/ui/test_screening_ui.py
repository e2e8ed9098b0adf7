"""Screening mode as a screener uses it: the mode's shortcut, I / E / M and reason keys, undo,
the progress, the ranking's next record, relevance, terms, the filter, bad input."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from litdesk.store.importer import import_file

TOPICS = ("nurses night shift burnout", "rats fed a high fat diet", "midwives rotating rosters",
          "mice knockout liver", "nurses sleep quality shift work", "zebrafish larvae toxicity")


@pytest.fixture
def screening(qtbot, window, make_ris):
    """A window on six records, the first one current, screening mode turned on by its key."""
    path = make_ris("search.ris", [
        {"TY": "JOUR", "TI": f"Study {n}: {topic}",
         "AB": f"We studied {topic}. <b>Not bold</b> & plain, {n}."}
        for n, topic in enumerate(TOPICS, start=1)])
    import_file(window.library, path)
    window.records_changed()
    window.table.selectRow(0)
    QTest.keyClick(window, Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.screening.active
    return window


def _press(window, key: str) -> None:
    QTest.keyClick(window.pane.abstract, key)


def _mine(window) -> dict[int, str]:
    return {rid: d.decision for rid, d in window.library.screening.decisions().items()}


def test_the_mode_switch_swaps_the_keys_bar_and_columns(screening):
    win = screening
    assert win.screening.bar.isVisible()
    assert win.actions_by_name["tag_aim"].isEnabled() is False
    assert win.actions_by_name["screen_include"].shortcut() == QKeySequence("I")
    assert not win.table.isColumnHidden(win.model.RELEVANCE)
    assert win.table.isColumnHidden(win.model.PROGRESS)
    assert win.screening.progress.text() == "0 of 6 screened, 0 included"
    win.actions_by_name["screening_mode"].trigger()  # the menu, as well as the key
    assert not win.screening.active
    assert not win.screening.bar.isVisible()
    assert win.actions_by_name["tag_aim"].isEnabled()
    assert win.actions_by_name["screen_include"].shortcut().isEmpty()
    assert win.table.isColumnHidden(win.model.RELEVANCE)


def test_keys_decide_the_current_record_and_move_on_undoably(qtbot, screening):
    win = screening
    first = win.current_record_id()
    _press(win, "I")
    assert _mine(win) == {first: "include"}
    second = win.current_record_id()
    assert second != first  # the next record to screen is shown at once
    assert win.screening.progress.text() == "1 of 6 screened, 1 included"
    win.screening.bar.note.setText("animal model")  # a note goes with the next decision
    _press(win, "1")  # the first reason's key: exclude, wrong population
    decision = win.library.screening.decision(second)
    assert (decision.decision, decision.reason, decision.note) == (
        "exclude", "Wrong population", "animal model")
    third = win.current_record_id()
    _press(win, "M")
    assert _mine(win)[third] == "maybe"
    assert win.screening.progress.text() == "3 of 6 screened, 1 included"
    # The window's one undo stack: Ctrl+Z takes back the last decision, then the one before.
    QTest.keySequence(win, QKeySequence.StandardKey.Undo)
    assert third not in _mine(win)
    QTest.keySequence(win, QKeySequence.StandardKey.Undo)
    assert win.library.screening.decision(second) is None
    QTest.keySequence(win, QKeySequence("Ctrl+Shift+Z"))
    assert win.library.screening.decision(second).reason == "Wrong population"
    assert win.screening.progress.text() == "2 of 6 screened, 1 included"
    assert win.coding.undo_stack.undoText() == "Screen as exclude (Wrong population)"


def test_coding_keys_are_off_while_screening(screening):
    win = screening
    rid = win.current_record_id()
    win.pane.abstract.select_range(0, 10)
    _press(win, "2")  # a reason here, never a tag
    assert not win.library.record(rid).spans
    assert win.library.screening.decision(rid).reason == "Wrong intervention or exposure"


def test_a_key_with_no_record_selected_stores_nothing(screening):
    win = screening
    win.table.selectionModel().clearCurrentIndex()
    win.table.clearSelection()
    assert win.current_record_id() is None
    QTest.keyClick(win.table, "E")
    assert _mine(win) == {}
    assert win.statusBar().currentMessage() == "Select a record to screen first."


def test_a_decision_on_a_record_deleted_meanwhile_is_refused(screening):
    win = screening
    rid = win.current_record_id()
    win.library.delete_records([rid])  # another window or a teammate removed it
    _press(win, "1")
    assert _mine(win) == {}
    assert win.statusBar().currentMessage().startswith("Not saved:")
    assert str(rid) in win.statusBar().currentMessage()
    assert win.coding.undo_stack.count() == 0


def test_the_filter_grows_the_screening_states(qtbot, screening):
    win = screening
    _press(win, "I")
    _press(win, "E")
    combo = win.status_filter
    for title, n in (("Included", 1), ("Excluded", 1), ("Maybe", 0), ("Unscreened", 4)):
        combo.setCurrentIndex(combo.findText(title))
        qtbot.waitUntil(lambda n=n: win.model.rowCount() == n)
    combo.setCurrentIndex(combo.findText("Included"))
    qtbot.waitUntil(lambda: win.model.rowCount() == 1)
    assert win.model.index(0, win.model.SCREENING).data() == "include"


def test_relevance_appears_once_there_is_an_include_and_an_exclude(qtbot, screening):
    win = screening
    column = win.model.RELEVANCE
    assert win.model.index(0, column).data() is None
    _press(win, "I")
    _press(win, "E")
    qtbot.waitUntil(lambda: all(win.model.index(r, column).data() for r in range(6)),
                    timeout=90_000)  # the refit runs on a busy machine too
    assert all(win.model.index(r, column).data().endswith("%") for r in range(6))
    assert win.screening.bar.relevance.text().startswith("Estimated relevance: ")


def test_terms_from_the_dialog_are_highlighted_and_the_text_stays_plain(qtbot, screening,
                                                                       answerer):
    win = screening
    from PySide6.QtWidgets import QApplication

    from litdesk.ui.views.screening_dialogs import TermsDialog

    win.actions_by_name["screening_terms"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, TermsDialog) and w.isVisible())
    dialog.edits["include"].setPlainText("nurse*\nshift work")
    dialog.edits["exclude"].setPlainText("rats\n<b>")
    dialog.accept()
    assert win.library.screening.terms() == {"nurse*": "include", "shift work": "include",
                                             "rats": "exclude", "<b>": "exclude"}
    win.select_record(win.library.search_ids("sleep")[0])
    view = win.pane.abstract
    assert [view.text[a:b] for a, b, _k in view.term_spans()] == ["nurses", "shift work"]
    assert "<b>Not bold</b>" in view.toPlainText()  # shown as the characters it is
    win.select_record(win.library.search_ids("rats")[0])
    assert [(view.text[a:b], k) for a, b, k in view.term_spans()] == [("rats", "exclude")]


def test_the_reasons_dialog_edits_the_list_and_refuses_a_taken_key(qtbot, screening,
                                                                   monkeypatch):
    win = screening
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    from litdesk.ui.views.screening_dialogs import ReasonsDialog

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    win.actions_by_name["screening_reasons"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ReasonsDialog) and w.isVisible())
    dialog.findChild(QPushButton, "addReason").click()
    row = dialog.table.rowCount() - 1
    dialog.table.item(row, 0).setText("Animal study")
    dialog.table.item(row, 1).setText("J")  # J moves to the next record: refused
    dialog.accept()
    assert dialog.isVisible()
    assert "decides or moves" in warned[0]
    assert "Animal study" not in [r.name for r in win.library.screening.reasons()]
    dialog.table.item(row, 1).setText("7")
    dialog.accept()
    assert not dialog.isVisible()
    assert win.library.screening.reasons()[-1].name == "Animal study"
    rid = win.current_record_id()
    _press(win, "7")
    assert win.library.screening.decision(rid).reason == "Animal study"
    assert [a.text() for a in win.exclude_menu.actions()][-1] == "Exclude: Animal study"


def test_double_screening_conflicts_resolve_into_a_consensus_beside_kappa(qtbot, screening):
    win = screening
    from PySide6.QtWidgets import QApplication

    from litdesk.ui.views.screening_conflicts import ConflictsDialog

    ids = win.library.search_ids("")
    for rid in ids[:4]:  # the teammate, blind: through the same facade, as "bea"
        win.library.screening.decide(rid, "include" if rid == ids[0] else "exclude",
                                     coder="bea")
    for rid, key in zip(ids[:4], "IIEE", strict=True):
        win.select_record(rid)
        _press(win, key)
    win.actions_by_name["screening_conflicts"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ConflictsDialog) and w.isVisible())
    pair = [dialog.pairs.item(0, c).text() for c in range(5)]
    # 4 records both screened: agree on 3 (1 include, 2 exclude), differ on 1.
    assert pair == ["bea · tester", "4", "4", "75%", "0.50"]
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == str(ids[1])
    assert dialog.table.item(0, 1).text().startswith("Study 2")  # plain text, as stored
    dialog.reason.setCurrentIndex(dialog.reason.findText("Wrong outcome"))
    dialog.buttons["exclude"].click()
    consensus = win.library.screening.consensus(ids[1])
    assert (consensus.decision, consensus.reason) == ("exclude", "Wrong outcome")
    assert dialog.table.rowCount() == 0
    assert dialog.summary.text() == "0 records in conflict."
    assert not dialog.buttons["include"].isEnabled()
    dialog.reject()


def test_a_conflict_whose_record_went_is_refused_in_the_dialog(qtbot, screening):
    win = screening
    from PySide6.QtWidgets import QApplication

    from litdesk.ui.views.screening_conflicts import ConflictsDialog

    rid = win.current_record_id()
    win.library.screening.decide(rid, "exclude", coder="bea")
    _press(win, "I")
    win.actions_by_name["screening_conflicts"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ConflictsDialog) and w.isVisible())
    assert dialog.table.rowCount() == 1
    win.library.delete_records([rid])
    dialog.buttons["include"].click()
    assert dialog.error.text().startswith("Not saved:")
    assert win.library.screening.consensus(rid) is None
    dialog.reject()


def test_export_takes_included_records_only(qtbot, screening, tmp_path, answerer):
    win = screening
    import rispy
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import (
        QApplication,
        QCheckBox,
        QDialogButtonBox,
        QFileDialog,
        QLineEdit,
        QRadioButton,
    )

    from litdesk.ui.views.dialogs import ExportDialog

    included = win.current_record_id()
    _press(win, "I")
    _press(win, "E")
    out = tmp_path / "included.ris"

    def answer() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, ExportDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        dialog.findChild(QRadioButton, "scope_all").click()
        dialog.findChild(QCheckBox, "included_only").setChecked(True)
        QTimer.singleShot(0, save)
        dialog.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Ok).click()

    def save() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, save)
            return
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(out))
        dialog.accept()

    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(win.exportFinished, timeout=20_000) as done:
        win.actions_by_name["export"].trigger()
    assert done.args == [1]
    with out.open(encoding="utf-8") as f:
        [record] = rispy.load(f)
    assert record["title"] == win.library.record(included).title


def test_the_relevance_column_sorts_the_table_by_the_ranking(qtbot, screening):
    win = screening
    _press(win, "I")  # "nurses night shift burnout"
    _press(win, "E")
    column = win.model.RELEVANCE
    qtbot.waitUntil(lambda: all(win.model.index(r, column).data() for r in range(6)),
                    timeout=90_000)  # the refit runs on a busy machine too
    win.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    shown = [float(win.model.index(r, column).data().rstrip("%")) for r in range(6)]
    assert shown == sorted(shown, reverse=True)
    assert "nurses" in win.library.record(win.model.record_id(0)).title


def test_a_note_typed_after_the_decision_is_saved_with_it(qtbot, screening):
    win = screening
    rid = win.current_record_id()
    _press(win, "E")
    win.select_record(rid)  # back to it
    note = win.screening.bar.note
    note.setFocus()
    QTest.keyClicks(note, "<i>check</i> full text")
    QTest.keyClick(note, Qt.Key.Key_Return)
    assert win.library.screening.decision(rid).note == "<i>check</i> full text"
    assert win.library.screening.decision(rid).decision == "exclude"


def test_a_reason_that_looks_like_html_is_shown_as_typed(qtbot, screening):
    win = screening
    win.library.screening.add_reason("<b>Animal</b> & cell studies", "7")
    win.screening.fill_reasons()
    button = win.screening.bar.reason_buttons[-1]
    assert button.text() == "7  <b>Animal</b> && cell studies"  # && shows one &
    rid = win.current_record_id()
    win.screening.bar.note.setText("<img src=x> see <i>methods</i>")
    _press(win, "7")
    win.select_record(rid)
    assert win.screening.bar.badge.text() == "Excluded: <b>Animal</b> & cell studies"
    assert win.screening.bar.badge.textFormat() == Qt.TextFormat.PlainText
    tip = win.model.index(win.model.row_of(rid), win.model.SCREENING).data(
        Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img src=x&gt;" in tip
    assert "<img" not in tip


def test_a_right_click_marks_the_word_as_a_term(qtbot, screening, answerer):
    win = screening
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    view = win.pane.abstract
    start = view.text.index("nurses")
    view.select_range(start, start + len("nurses"))
    point = view.cursorRect().center()
    answerer.start(pick="Highlight “nurses” as an Exclusion Term")
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)))
    qtbot.waitUntil(answerer.idle)
    answerer.stop()
    assert not answerer.problems
    assert win.library.screening.terms() == {"nurses": "exclude"}
    assert [(view.text[a:b], k) for a, b, k in view.term_spans()] == [("nurses", "exclude")]
    # Out of screening mode the abstract's menu is coding's again: no term commands.
    win.actions_by_name["screening_mode"].trigger()
    answerer.start()
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)))
    qtbot.waitUntil(answerer.idle)
    answerer.stop()
    assert not any("Term" in text for text, _on, _name in answerer.menus[-1])
    assert view.term_spans() == []


def test_the_stopping_aid_stands_beside_the_progress_with_its_rule(screening):
    win = screening
    aid = win.screening.stopping
    assert aid.isVisible()
    assert aid.text() == "0 excluded in a row; no includes yet; keep screening"
    assert "SAFE" in aid.toolTip()  # the rule the team can cite, on hover
    _press(win, "I")
    _press(win, "E")
    _press(win, "E")
    assert aid.text().startswith("2 excluded in a row; at least ")
    assert aid.text().endswith("of the includes found (estimate); keep screening")
    QTest.keySequence(win, QKeySequence.StandardKey.Undo)  # the aid follows an undo too
    assert aid.text().startswith("1 excluded in a row; ")
    win.actions_by_name["screening_mode"].trigger()
    assert not aid.isVisible()


def test_screening_shows_the_text_without_section_tints_and_enter_codes_nothing(
        qtbot, window, make_ris):
    """Screening judges relevance: the section suggestions (and coding) drawn on the abstract
    while coding are not drawn, only the team's terms; Enter, which accepts suggestions when
    coding, stores no coding. Back in coding they are drawn again."""
    path = make_ris("structured.ris", [{
        "TY": "JOUR", "TI": "Night shifts",
        "AB": "Background: Nurses work nights. Methods: We interviewed 12 nurses. "
              "Results: Three themes. Conclusions: Rosters matter."}])
    import_file(window.library, path)
    window.records_changed()
    window.table.selectRow(0)
    view = window.pane.abstract
    qtbot.waitUntil(lambda: len(view.suggestions) == 4)
    assert len(view.extraSelections()) == 4
    QTest.keyClick(window, Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.screening.active
    assert view.extraSelections() == []
    rid = window.current_record_id()
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert window.library.spans(rid) == []
    window.actions_by_name["screening_mode"].trigger()
    assert len(view.extraSelections()) == 4
