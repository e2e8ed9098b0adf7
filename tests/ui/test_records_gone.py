"""Records that go while the researcher works on them: deleted with a memo still being typed,
deleted by another program, deleted and brought back, merged. Nothing typed or decided is lost
and no gesture raises (a hostile pass found each of these)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from litdesk.store.importer import import_file
from litdesk.store.library import Library

GONE = "Not saved: the record is no longer in the library."


@pytest.fixture
def three(qtbot, window, make_ris):
    import_file(window.library, make_ris("few.ris", [
        {"TY": "JOUR", "TI": f"Paper {i}", "AB": "First sentence here. Second sentence there."}
        for i in range(3)]))
    window.records_changed()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    return window


def test_a_memo_typed_just_before_a_deletion_comes_back_with_undo(qtbot, three):
    window = three
    rid = window.pane.record.id
    window.pane.memo.setFocus()
    QTest.keyClicks(window.pane.memo, "check the sample")  # saved 400 ms after the last key
    window.table.setFocus()
    QTest.keySequence(window, QKeySequence("Ctrl+Del"))  # at once: Edit > Delete Selected
    assert window.library.count() == 2
    assert not window.coding.unsaved_memos  # never offered to the deleted record
    QTest.keySequence(window, QKeySequence.StandardKey.Undo)
    assert window.library.count() == 3
    assert window.library.record(rid).memo == "check the sample"
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: window.pane.record is not None and window.pane.record.id != rid)
    other = window.pane.record.id
    window.pane.memo.setFocus()
    QTest.keyClicks(window.pane.memo, "later memo")  # memos go on being saved
    qtbot.waitUntil(lambda: window.library.record(other).memo == "later memo", timeout=3000)


def test_keys_on_a_record_another_program_deleted_say_so(qtbot, three, lib_path, answerer):
    window = three
    rid = window.pane.record.id
    with Library.open(lib_path, coder="cli") as other:  # before the window's watch notices
        other.delete_records([rid])
    window.pane.abstract.setFocus()
    for key in (Qt.Key.Key_D, Qt.Key.Key_Escape):  # mark done; reject suggestions
        window.statusBar().clearMessage()
        qtbot.keyClick(window.pane.abstract, key)
        assert window.statusBar().currentMessage() == GONE
    window.coding.save_memo(rid, "a memo for a record gone")  # the pane's memo, typed late
    assert not window.coding.unsaved_memos  # dropped, not retried for ever
    window.statusBar().clearMessage()
    window.actions_by_name["accept_selected_suggestions"].trigger()
    assert window.statusBar().currentMessage() in (GONE, "Suggestions accepted in 0 records.")


def test_undoing_a_deletion_brings_back_the_screening_decision(qtbot, three):
    window = three
    rid = window.pane.record.id
    window.actions_by_name["screening_mode"].trigger()
    window.select_record(rid)
    window.screening.bar.note.setText("adult sample, qualitative")
    QTest.keyClick(window.pane.abstract, "I")
    before = window.library.screening.decision(rid)
    assert before is not None
    assert before.decision == "include"
    window.select_record(rid)
    window.table.setFocus()
    QTest.keySequence(window, QKeySequence("Ctrl+Del"))
    assert window.library.screening.decision(rid) is None
    QTest.keySequence(window, QKeySequence.StandardKey.Undo)
    assert window.library.screening.decision(rid) == before


def test_a_merge_keeps_the_screening_decision_and_undo_puts_it_back(qtbot, window, drop,
                                                                    make_ris):
    title = "Burnout on night shifts and sleep"
    drop(window, [make_ris("journal.ris", [{
        "TY": "JOUR", "TI": title, "AU": ["Smith, Jane"], "PY": "2019", "JO": "J Adv Nurs",
        "DO": "10.1111/jan.14000", "AB": "Nurses on night shifts reported more burnout."}])])
    drop(window, [make_ris("conf.ris", [{
        "TY": "CPAPER", "TI": title, "AU": "Smith, Jane", "PY": "2019",
        "T2": "European Nursing Congress", "AB": "Poster abstract. Burnout."}])])
    lib = window.library
    [pair] = lib.duplicates.pairs()
    lib.screening.decide(pair.b.id, "include", note="the full paper")
    window.actions_by_name["possible_duplicates"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "duplicatesDialog")
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled())
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)  # Merge into Left
    qtbot.waitUntil(lambda: not dialog.loading)
    after = lib.screening.decisions()
    assert set(after) == {pair.a.id}  # the kept record took the decision
    assert (after[pair.a.id].decision, after[pair.a.id].note) == ("include", "the full paper")
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.loading)
    assert set(lib.screening.decisions()) == {pair.b.id}
    dialog.reject()


def _ris(path: Path, n: int) -> Path:
    path.write_text("".join(
        f"TY  - JOUR\nAU  - Author{i}, A.\nTI  - Generated paper number {i}\nPY  - 2001\n"
        f"DO  - 10.9999/gen.{i}\nAB  - Nurses on night shifts reported more burnout.\nER  - \n\n"
        for i in range(n)), encoding="utf-8")
    return path


@pytest.fixture
def big_ris(tmp_path):
    return _ris(tmp_path / "big.ris", 20_000)  # seconds to import: stopped long before its end


def _summaries_shown() -> list:
    return [w for w in QApplication.topLevelWidgets()
            if w.objectName() == "importSummary" and w.isVisible()]


def test_closing_the_window_during_an_import_shows_no_summary_after_it(qtbot, window, big_ris,
                                                                       lib_path):
    assert window.import_paths([str(big_ris)])
    window.close()  # the import is cancelled and rolled back; its result is queued meanwhile
    qtbot.wait(300)  # ... and delivered now, to nowhere
    assert not _summaries_shown()
    with Library.open(lib_path, coder="x") as lib:
        assert lib.count() == 0


def test_opening_another_library_during_an_import_cancels_it_and_says_so(qtbot, window,
                                                                        big_ris, lib_path,
                                                                        tmp_path):
    assert window.import_paths([str(big_ris)])
    other = tmp_path / "other.litdesk.sqlite"
    assert window.libraries.open_path(str(other), create=True)  # File > New Library
    qtbot.wait(300)
    assert window.library.path == other
    assert not _summaries_shown()
    assert "was stopped: another library was opened" in window.statusBar().currentMessage()
    assert window.library.count() == 0
    assert not window.jobs.busy
    with Library.open(lib_path, coder="x") as lib:  # the import did not go on into it
        assert lib.count() == 0
    assert window.import_paths([str(_ris(tmp_path / "small.ris", 30))])  # the new one takes
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=60_000)  # an import as usual
    assert window.library.count() == 30


def _move(src, dst) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            os.replace(f"{src}{suffix}", f"{dst}{suffix}")


def test_a_library_file_moved_away_on_disk_takes_no_more_changes_until_it_is_back(
        qtbot, three, lib_path, tmp_path):
    window = three
    rid = window.pane.record.id
    _move(lib_path, tmp_path / "moved.litdesk.sqlite")  # a file manager, a sync client
    window.pane.abstract.setFocus()
    window.pane.abstract.select_range(0, 5)
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_1)  # tag Background
    assert "was moved or deleted on disk after litdesk opened it" in (
        window.statusBar().currentMessage())
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)  # the window's watch noticed
    assert "nothing more is saved to it" in window.banner.text()
    assert not lib_path.exists()  # no new, empty library made where it was
    _move(tmp_path / "moved.litdesk.sqlite", lib_path)  # put back
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)
    window.pane.abstract.select_range(0, 5)
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_1)
    assert [s.label for s in window.library.spans(rid)] == ["background"]


@pytest.mark.parametrize("action", ["export_selected", "export"])
def test_export_during_an_import_says_so_before_asking_for_a_file(qtbot, three, big_ris,
                                                                  answerer, action):
    window = three
    assert window.import_paths([str(big_ris)])
    answerer.start(accept_first=2)  # were a dialog to open, it would be answered
    window.actions_by_name[action].trigger()
    answerer.stop()
    assert answerer.seen == []  # neither the export dialog nor the file dialog opened
    assert window.statusBar().currentMessage() == "An import or export is already running."
    window.jobs.stop()


def test_screening_an_empty_library_says_to_import_first(qtbot, window):
    window.actions_by_name["screening_mode"].trigger()
    window.actions_by_name["next_to_screen"].trigger()
    assert window.statusBar().currentMessage() == "No records yet: import some first."
