"""Edit > Possible Duplicates… and Edit > Duplicate Counts…, driven through the menu and buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from litdesk.store import merging
from litdesk.store.importer import import_file
from litdesk.ui.views.duplicates_dialog import DIFFERENT

TITLE = "<b>Burnout</b> on night shifts &amp; sleep"
JOURNAL = {"TY": "JOUR", "TI": TITLE, "AU": ["Smith, Jane", "Doe, Ann"], "PY": "2019",
           "JO": "J Adv Nurs", "DO": "10.1111/jan.14000",
           "AB": "Nurses on night shifts reported more burnout than day staff."}
CONFERENCE = {"TY": "CPAPER", "TI": TITLE, "AU": "Smith, Jane", "PY": "2019",
              "T2": "European Nursing Congress", "AB": "Poster abstract <script>x</script>."}


def _flagged(library, make_ris, window) -> None:
    import_file(library, make_ris("journal.ris", [JOURNAL]))
    summary = import_file(library, make_ris("conference.ris", [CONFERENCE]))
    assert len(summary.possible) == 1, summary.line()
    window.model.refresh()


def _dialog(qtbot, window) -> QDialog:
    window.actions_by_name["possible_duplicates"].trigger()
    dialog = window.findChild(QDialog, "duplicatesDialog")
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    return dialog


def _row(dialog, label: str) -> int:
    table = dialog.table
    return next(i for i in range(table.rowCount())
                if table.item(i, 0).text().endswith(label))


def test_pair_shown_side_by_side_as_plain_text_with_differences_marked(
        qtbot, window, library, make_ris):
    _flagged(library, make_ris, window)
    dialog = _dialog(qtbot, window)
    assert dialog.list.count() == 1
    table = dialog.table
    title, kind = _row(dialog, "Title"), _row(dialog, "Type")
    assert [table.item(title, c).text() for c in (1, 2)] == [TITLE, TITLE]  # no HTML read
    assert table.item(title, 0).text() == "Title"
    assert table.item(kind, 0).text() == "≠ Type"
    assert table.item(kind, 1).background().color() == DIFFERENT
    assert "<script>" in table.item(_row(dialog, "Abstract"), 2).text()
    assert dialog.evidence.textFormat() == Qt.TextFormat.PlainText
    assert "type conflicts (article / conference)" in dialog.evidence.text()


def test_merge_undo_and_keep_both_buttons(qtbot, window, library, make_ris):
    _flagged(library, make_ris, window)
    first, second = sorted(library.search_ids())
    library.tag(second, 0, 6, "aim")
    dialog = _dialog(qtbot, window)
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.list.count() == 0, timeout=10_000)
    assert library.search_ids() == [first]
    assert window.model.rowCount() == 1
    # "Poster" is not in the kept abstract: the section is kept in the coder's memo
    assert library.record(first).memo == "[merged record: sections not placed] aim: Poster"
    assert dialog.undo_button.isEnabled()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.list.count() == 1, timeout=10_000)
    assert sorted(library.search_ids()) == [first, second]
    assert window.model.rowCount() == 2
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.list.count() == 0, timeout=10_000)
    assert merging.pairs(library) == []
    assert "No possible duplicates" in dialog.status.text()
    assert not dialog.merge_button.isEnabled()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)  # keep both, undone
    qtbot.waitUntil(lambda: not dialog.loading and dialog.list.count() == 1, timeout=10_000)
    dialog.reject()


def test_dialogs_survive_accept_and_dismiss_at_once(qtbot, window, library, make_ris):
    _flagged(library, make_ris, window)
    for close in ("accept", "reject"):
        window.actions_by_name["possible_duplicates"].trigger()
        dialog = window.findChild(QDialog, "duplicatesDialog")
        getattr(dialog, close)()  # before its pairs have been read
        qtbot.wait(200)
    window.actions_by_name["duplicate_counts"].trigger()
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.objectName() == "countsDialog")
    assert "Records flagged as possible duplicates: 1" in box.text()
    assert "Records read from 2 imported files: 2" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())


def test_empty_library_shows_no_pairs(qtbot, window):
    dialog = _dialog(qtbot, window)
    assert dialog.list.count() == 0
    assert not dialog.merge_button.isEnabled()
    assert not dialog.undo_button.isEnabled()
    dialog.accept()
