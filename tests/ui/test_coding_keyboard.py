"""Coding at the speed of reading: the keyboard flow, suggestions, memos, done marks, state."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.store.suggestions import check_pending
from litdesk.ui.window.main_window import MainWindow

SEED_SECTIONS = [(0, 317, "background"), (317, 452, "aim"), (452, 690, "method"),
                 (690, 1458, "results"), (1458, 1673, "conclusion")]


def key(qtbot, widget, k, mod=Qt.KeyboardModifier.NoModifier, times=1):
    for _ in range(times):
        qtbot.keyClick(widget, k, mod)


def focused(window):
    return window.focusWidget() or window


def test_seed_coded_without_the_mouse(qtbot, window, seed):
    assert import_file(window.library, seed).added == 1
    window.model.refresh()
    window.table.setFocus()
    key(qtbot, window.table, Qt.Key.Key_N)  # next uncoded record, focus goes to the abstract
    qtbot.waitUntil(lambda: window.pane.record is not None)
    assert window.focusWidget() is window.pane.abstract
    # The headings of the seed's abstract are suggested, drawn provisional.
    assert len(window.pane.abstract.extraSelections()) == 5
    assert window.library.spans(window.pane.record.id) == []
    key(qtbot, focused(window), Qt.Key.Key_Return)  # accept them
    rid = window.pane.record.id
    assert [(s.start, s.end, s.label) for s in window.library.spans(rid)] == SEED_SECTIONS
    assert window.model.index(0, 4).data() == "coded"
    key(qtbot, focused(window), Qt.Key.Key_D)  # mark it done
    assert window.library.rows([rid])[0].done
    key(qtbot, focused(window), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.spans(rid) == []


def test_manual_keyboard_coding_of_sentences(qtbot, window, seed):
    import_file(window.library, seed)
    window.model.refresh()
    window.table.setFocus()
    key(qtbot, window.table, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    view = window.pane.abstract
    key(qtbot, view, Qt.Key.Key_Escape)  # reject the suggestions: code by hand
    assert len(view.extraSelections()) == 0
    key(qtbot, view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, view, Qt.Key.Key_1)  # no selection: the sentence under the cursor
    rid = window.pane.record.id
    text = window.pane.record.abstract
    first = text.index("Prescribing of opioid medication has increased over the past 20 years.")
    spans = window.library.spans(rid)
    assert [(s.start, s.label) for s in spans] == [(0, "background")]
    assert spans[0].text.endswith("over the past 20 years.")
    assert first > 0
    # Move word by word into the Aim sentence, select it with S, tag it 2.
    aim = text.index("Aim To explore")
    while view.cursor_index() <= aim:
        key(qtbot, view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, window, Qt.Key.Key_S)
    key(qtbot, view, Qt.Key.Key_2)
    labels = [(s.label, s.text[:14]) for s in window.library.spans(rid)]
    assert ("aim", "Aim To explore") in labels


def test_selection_snaps_to_whole_words(qtbot, window, make_ris):
    import_file(window.library, make_ris("w.ris", [{"TY": "JOUR", "TI": "T",
                                                     "AB": "Qualitative interviews were used."}]))
    window.model.refresh()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    view = window.pane.abstract
    view.setFocus()
    key(qtbot, view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, view, Qt.Key.Key_Right, times=3)  # inside "Qualitative"
    key(qtbot, view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, times=12)  # into "int…"
    key(qtbot, view, Qt.Key.Key_3)
    [span] = window.library.spans(window.pane.record.id)
    assert span.text == "Qualitative interviews"


def test_memo_is_saved_as_typed_and_survives_a_restart(qtbot, window, seed, lib_path, settings):
    import_file(window.library, seed)
    window.model.refresh()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    rid = window.pane.record.id
    qtbot.keyClicks(window.pane.memo, "Check sampling: 20 GPs (Mueller)")
    qtbot.waitUntil(lambda: window.library.record(rid).memo == "Check sampling: 20 GPs (Mueller)")
    assert window.library.search_ids("memo:sampling") == [rid]
    window.close()
    window.library.close()
    with Library.open(lib_path, coder="tester") as lib:
        again = MainWindow(lib, settings)
        qtbot.addWidget(again)
        again.show()
        qtbot.waitUntil(lambda: again.pane.record is not None)  # last record reselected
        assert again.pane.memo.toPlainText() == "Check sampling: 20 GPs (Mueller)"
        again.close()


def test_column_choice_and_sort_come_back(qtbot, window, make_ris, lib_path, settings):
    recs = [{"TY": "JOUR", "TI": f"Title {n}", "PY": str(2000 + n)} for n in range(5)]
    import_file(window.library, make_ris("five.ris", recs))
    window.model.refresh()
    header = window.table.horizontalHeader()
    header.setSectionHidden(3, True)  # what the header's context menu does
    window.model.sort(1, Qt.SortOrder.DescendingOrder)
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    window.close()
    fresh = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    again = MainWindow(window.library, fresh)
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().isSectionHidden(3)
    assert again.model.index(0, 1).data() == "2004"


def test_coder_switch_keeps_codings_apart(qtbot, window, seed):
    import_file(window.library, seed)
    check_pending(window.library)  # what the window does after its own imports
    window.model.refresh()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    key(qtbot, window.pane.abstract, Qt.Key.Key_Return)
    rid = window.pane.record.id
    window.set_coder("second coder")
    assert "second coder" in window.coder_label.text()
    assert window.pane.record.spans == ()
    assert window.model.index(0, 4).data() == "suggested"
    window.set_coder("tester")
    assert len(window.library.spans(rid)) == 5


def test_preference_applies_suggestions_on_import(qtbot, window, seed, settings):
    window.actions_by_name["apply_on_import"].trigger()
    assert settings.value("coding/apply_on_import", type=bool)
    with qtbot.waitSignal(window.importFinished, timeout=30_000):
        window.import_paths([str(seed)])
    rid = window.library.search_ids()[0]
    assert [(s.start, s.end, s.label) for s in window.library.spans(rid)] == SEED_SECTIONS
