"""Mistakes are undoable from the window: delete records, remove an import, restore a backup."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTreeWidget

from litdesk.store.importer import import_file


def _answer_dialog(qtbot, name: str, accept: bool = True) -> None:
    """When the chooser dialog opens, pick its first row and press its main button."""

    def act() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QDialog) and w.objectName() == name and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(20, act)
            return
        dialog = dialogs[0]
        assert dialog.findChild(QTreeWidget).topLevelItemCount() >= 1
        dialog.accept() if accept else dialog.reject()

    QTimer.singleShot(0, act)


def test_delete_records_and_undo(qtbot, window, seed, make_ris):
    import_file(window.library, seed)
    import_file(window.library, make_ris("x.ris", [{"TY": "JOUR", "TI": "Other", "AB": "A."}]))
    window.model.refresh()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    rid = window.pane.record.id
    window.library.tag(rid, 0, 10, "aim")
    window.library.set_memo(rid, "keep me")
    window.actions_by_name["delete_records"].trigger()
    assert window.library.count() == 1
    assert window.model.rowCount() == 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.count() == 2
    back = window.library.record(rid)
    assert [s.label for s in back.spans] == ["aim"]
    assert back.memo == "keep me"


def test_undo_an_import_after_confirmation(qtbot, window, seed, make_ris, monkeypatch):
    import_file(window.library, seed)
    two = [{"TY": "JOUR", "TI": f"R{n}", "AB": "Text."} for n in range(2)]
    import_file(window.library, make_ris("two.ris", two))
    window.model.refresh()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    _answer_dialog(qtbot, "undo_import")  # the newest import is listed first
    window.actions_by_name["undo_import"].trigger()
    assert window.library.count() == 1
    assert window.model.rowCount() == 1
    window.actions_by_name["undo"].trigger()
    assert window.library.count() == 3


def test_restore_backup_from_the_menu(qtbot, window, seed):
    from litdesk.store.engines import sqlite_backup as backup

    import_file(window.library, seed)
    with window.library.engine.connect() as conn:
        backup.make_backup(conn, window.library.path)
    window.library.delete_records(window.library.search_ids())
    window.model.refresh()
    assert window.library.count() == 0
    _answer_dialog(qtbot, "restore_backup")
    window.actions_by_name["restore_backup"].trigger()
    assert window.library.count() == 1
    assert window.model.rowCount() == 1


def test_restore_backup_lists_the_newest_first(qtbot, window, seed, make_ris):
    import time

    from litdesk.store.engines import sqlite_backup as backup

    import_file(window.library, seed)
    with window.library.engine.connect() as conn:
        backup.make_backup(conn, window.library.path)
    time.sleep(1.1)  # backups are named by the second they were made
    import_file(window.library, make_ris("two.ris", [{"TY": "JOUR", "TI": "Second paper"}]))
    with window.library.engine.connect() as conn:
        backup.make_backup(conn, window.library.path)
    assert [b.records for b in backup.list_backups(window.library.path)] == [2, 1]
    rows: list[str] = []

    def read_and_close() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QDialog) and w.objectName() == "restore_backup"
                   and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(20, read_and_close)
            return
        tree = dialogs[0].findChild(QTreeWidget)
        rows.extend(tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount()))
        dialogs[0].reject()

    QTimer.singleShot(0, read_and_close)
    window.actions_by_name["restore_backup"].trigger()
    assert rows == ["2", "1"]
    assert window.library.count() == 2  # dismissed: nothing restored
