"""Exporting from the window: selected rows, a chosen format, errors shown clearly."""

from __future__ import annotations

import csv

import pytest
import rispy
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QRadioButton

from litdesk.core.model import Span
from litdesk.store.importer import import_file


def _select_rows(window, rows):
    sm = window.table.selectionModel()
    for r in rows:
        sm.select(window.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                  | QItemSelectionModel.SelectionFlag.Rows)


def test_export_selected_rows_as_ris_and_csv(qtbot, window, seed, make_ris, tmp_path):
    import_file(window.library, seed)
    import_file(window.library, make_ris("b.ris", [{"TY": "JOUR", "TI": "=HYPERLINK(1)",
                                                     "AB": "Second."},
                                                    {"TY": "JOUR", "TI": "Third"}]))
    window.records_changed()
    rid = window.library.search_ids("author:gill")[0]
    window.library.tag(rid, 317, 452, "aim")
    _select_rows(window, [0, 1])
    ids = window.selected_ids()
    assert len(ids) == 2
    out = tmp_path / "out.ris"
    with qtbot.waitSignal(window.exportFinished, timeout=20_000) as done:
        assert window.exports.export_to(ids, "ris", str(out))
    assert done.args == [2]
    with out.open(encoding="utf-8") as f:
        assert len(rispy.load(f)) == 2
    assert "[litdesk] aim 317-452" in out.read_text(encoding="utf-8")

    table = tmp_path / "table.csv"
    with qtbot.waitSignal(window.exportFinished, timeout=20_000):
        window.exports.export_to(ids, "csv", str(table))
    raw = table.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["aim"].startswith("Aim To explore")
    assert rows[1]["title"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet


def test_export_failure_is_shown_and_leaves_nothing(qtbot, window, seed, tmp_path, monkeypatch):
    import_file(window.library, seed)
    window.records_changed()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    target = tmp_path / "missing folder" / "x.ris"
    window.exports.export_to(window.library.search_ids(), "ris", str(target))
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    assert shown
    assert "missing folder" in shown[0]
    assert not target.parent.exists()


def _answer_export_dialog(qtbot, fmt: str, all_coders: bool) -> None:
    """When File > Export's dialog opens: whole library, ``fmt``, the coders box; press OK."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDialogButtonBox

    from litdesk.ui.views.dialogs import ExportDialog

    def act() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, ExportDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, act)
            return
        dialog.findChild(QRadioButton, "scope_all").click()
        combo = dialog.findChild(QComboBox)
        combo.setCurrentIndex(combo.findData(fmt))
        box = dialog.findChild(QCheckBox, "all_coders")
        if box.isChecked() != all_coders:
            box.click()
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, act)


def test_export_dialog_writes_every_coders_qdpx(qtbot, window, seed, make_ris, tmp_path,
                                                monkeypatch):
    import zipfile

    from lxml import etree

    from litdesk.store import coders
    from litdesk.store.library import Library

    import_file(window.library, seed)
    import_file(window.library, make_ris("none.ris", [{"TY": "JOUR", "TI": "No abstract"}]))
    window.records_changed()
    rid = window.library.search_ids("author:gill")[0]
    bob = Library(window.library.engine, window.library.path, "bob")
    window.library.tag(rid, 317, 452, "aim")
    window.library.set_memo(rid, "mine")
    coders.set_spans_as(window.library, rid, "bob", [Span(453, 600, "method")])
    bob.set_memo(rid, "bob's")
    out = tmp_path / "team.qdpx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    _answer_export_dialog(qtbot, "qdpx", all_coders=True)
    with qtbot.waitSignal(window.exportFinished, timeout=20_000) as done:
        window.actions_by_name["export"].trigger()
    assert done.args == [1]
    assert "1 record left out (no abstract" in window.statusBar().currentMessage()
    archive = zipfile.ZipFile(out)
    root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", ns)}
    codings = {(users[c.get("creatingUser")], c.getparent().get("startPosition"))
               for c in root.iterfind(".//q:Coding", ns)}
    assert codings == {(window.library.coder, "317"), ("bob", "453")}
    notes = [(users[n.get("creatingUser")], n.findtext("q:PlainTextContent", namespaces=ns))
             for n in root.iterfind(".//q:Note", ns)]
    assert sorted(notes) == sorted([(window.library.coder, "mine"), ("bob", "bob's")])


def _answer_export(qtbot, fmt: str, path, titles: list[str]) -> None:
    """Choose the selected records and ``fmt`` in File > Export…, then ``path`` to save to
    (in Qt's own file dialog: the ``answerer`` fixture turns native dialogs off)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import (
        QApplication,
        QComboBox,
        QDialogButtonBox,
        QFileDialog,
        QLineEdit,
        QRadioButton,
    )

    from litdesk.ui.views.dialogs import ExportDialog

    def visible(kind):
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, kind) and w.isVisible()), None)

    def choose() -> None:
        dialog = visible(ExportDialog)
        if dialog is None:
            QTimer.singleShot(20, choose)
            return
        dialog.findChild(QRadioButton, "scope_selected").click()
        combo = dialog.findChild(QComboBox)
        combo.setCurrentIndex(combo.findData(fmt))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        QTimer.singleShot(20, save)

    def save() -> None:
        dialog = visible(QFileDialog)
        if dialog is None:
            QTimer.singleShot(20, save)
            return
        titles.append(dialog.windowTitle())
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))
        dialog.accept()

    QTimer.singleShot(0, choose)


@pytest.mark.parametrize(("fmt", "suffix"), [("ris", ".ris"), ("csv", ".csv"),
                                             ("xlsx", ".xlsx"), ("segments-csv", ".csv"),
                                             ("qdpx", ".qdpx"), ("json", ".json")])
def test_file_export_writes_each_format(qtbot, window, seed, tmp_path, answerer, fmt, suffix):
    """File > Export… (Ctrl+Shift+E): the dialog's format reaches the file (it once crashed)."""
    import json
    import zipfile

    from PySide6.QtCore import Qt

    import_file(window.library, seed)
    window.records_changed()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: len(window.selected_ids()) == 1)
    rid = window.selected_ids()[0]
    window.library.tag(rid, 317, 452, "aim")
    out = tmp_path / f"out{suffix}"
    titles: list[str] = []
    _answer_export(qtbot, fmt, out, titles)
    with qtbot.waitSignal(window.exportFinished, timeout=20_000) as done:
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
    # QTest leaves Shift down after a click with two modifiers: let go of it, as hands do.
    qtbot.keyRelease(window, Qt.Key.Key_Shift)
    assert done.args == [1]
    assert titles == ["Export 1 record"]
    assert window.statusBar().currentMessage() == f"1 record exported to {out}"
    data = out.read_bytes()
    if fmt == "ris":
        assert b"TY  - " in data
        assert b"[litdesk] aim 317-452" in data
    elif fmt in ("csv", "segments-csv"):
        rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
        assert len(rows) == 1
        assert any("Aim To explore" in v for v in rows[0].values())
    elif fmt == "json":
        assert "Aim To explore" in json.dumps(json.loads(data))
    elif fmt == "xlsx":
        assert any(n.startswith("xl/") for n in zipfile.ZipFile(out).namelist())
    else:
        assert "project.qde" in zipfile.ZipFile(out).namelist()
