"""File > Export PRISMA Diagram: the flow drawn to the SVG or PNG file the user names."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit, QMessageBox

from litdesk.store.importer import import_file


# ``answerer`` (tests/ui/conftest.py), never started here, makes the file dialogs Qt's own
# widgets for the test (and puts the setting back after it).
def _answer_save(qtbot, name: str, kind: str | None = None) -> list[str]:
    """When the save dialog opens: pick the file type ``kind``, type ``name``, press Save."""
    seen: list[str] = []

    def act() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, act)
            return
        seen.append(dialog.windowTitle())
        if kind is not None:
            types = dialog.findChild(QComboBox, "fileTypeCombo")
            types.setCurrentIndex(next(i for i in range(types.count())
                                       if kind in types.itemText(i)))
            types.activated.emit(types.currentIndex())
        dialog.findChild(QLineEdit, "fileNameEdit").setText(name)
        dialog.accept()

    QTimer.singleShot(0, act)
    return seen


def _messages(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    return shown


def test_the_menu_draws_the_library_flow_as_svg(qtbot, answerer, window, seed, make_ris,
                                                tmp_path):
    import_file(window.library, seed)
    import_file(window.library, make_ris("scopus <1>.ris", [{"TY": "JOUR", "TI": "Other"}]))
    window.records_changed()
    out = tmp_path / "flow.svg"
    seen = _answer_save(qtbot, str(out))
    window.actions_by_name["export_diagram"].trigger()
    assert seen == ["Export PRISMA flow diagram"]
    root = ET.fromstring(out.read_bytes())
    text = " ".join(" ".join("".join(t.itertext()).replace("\u00a0", " ").split())
                    for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Records identified from 2 search result files (n = 2)" in text
    assert "scopus <1>.ris (n = 1)" in text
    assert f"PRISMA flow diagram exported to {out}" in window.statusBar().currentMessage()


def test_choosing_png_without_a_suffix_writes_a_png(qtbot, answerer, window, seed, tmp_path):
    import_file(window.library, seed)
    _answer_save(qtbot, str(tmp_path / "flow"), kind="PNG")
    window.actions_by_name["export_diagram"].trigger()
    data = (tmp_path / "flow.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24])[0] == 2200


def test_the_library_itself_or_a_missing_folder_is_refused_with_a_message(
        qtbot, window, seed, tmp_path, monkeypatch):
    import_file(window.library, seed)
    shown = _messages(monkeypatch)
    own = Path(window.library.path)
    before = own.read_bytes()
    window.exports.diagram_to(str(own))
    missing = tmp_path / "gone" / "flow.png"
    window.exports.diagram_to(str(missing))
    assert len(shown) == 2
    assert "Refusing to write" in shown[0]
    assert str(own) in shown[0]
    assert "gone" in shown[1]
    assert own.read_bytes() == before
    assert not missing.parent.exists()
