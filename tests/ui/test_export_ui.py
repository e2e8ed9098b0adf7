"""Exporting from the window: selected rows, a chosen format, errors shown clearly."""

from __future__ import annotations

import csv

import rispy
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

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
