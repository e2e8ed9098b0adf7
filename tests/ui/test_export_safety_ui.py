"""The app's exports go through the same guard as the CLI: started from the File menu, with the
file dialog answered with a hostile destination, nothing is destroyed and the user is told."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox

from litdesk.core.export import FORMATS
from litdesk.store.engines import sqlite_backup as backup
from litdesk.store.importer import import_file
from litdesk.store.library import Library

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX links and devices")


@pytest.fixture
def ready(window, seed, make_ris, monkeypatch):
    """The window on a library of three records, the first selected; the error boxes shown."""
    import_file(window.library, seed)
    import_file(window.library, make_ris("two.ris", [{"TY": "JOUR", "TI": "Two"},
                                                     {"TY": "JOUR", "TI": "Three"}]))
    window.records_changed()
    window.table.selectionModel().select(
        window.model.index(0, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    with window.library.engine.connect() as conn:
        backup.make_backup(conn, window.library.path)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    return window, shown


def _answer_file_dialog(monkeypatch, destination: str) -> list[str]:
    asked: list[str] = []

    def save_name(_parent, title, *_rest, **_kw):
        asked.append(title)
        return destination, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    return asked


def _destinations(lib: Library, tmp_path: Path) -> dict[str, str]:
    path = Path(lib.path)
    (tmp_path / "link.ris").symlink_to(path)
    found = backup.latest_backup(path)
    assert found is not None
    return {"library": str(path), "dotted": f"{path.parent}/./{path.name}",
            "wal": f"{path}-wal", "link": str(tmp_path / "link.ris"), "backup": str(found)}


def _whole(lib: Library) -> None:
    assert lib.integrity_ok()
    assert lib.count() == 3
    with Library.open(lib.path, coder="tester", read_only=True) as again:
        assert again.count() == 3


@POSIX
@pytest.mark.parametrize("which", ["library", "dotted", "wal", "link", "backup"])
def test_export_selected_into_the_library_is_refused(qtbot, ready, monkeypatch, tmp_path,
                                                     which: str) -> None:
    window, shown = ready
    destination = _destinations(window.library, tmp_path)[which]
    asked = _answer_file_dialog(monkeypatch, destination)
    window.actions_by_name["export_selected"].trigger()
    qtbot.waitUntil(lambda: bool(shown) and not window.busy, timeout=20_000)
    assert asked
    assert f"Refusing to write to {destination}: it is " in shown[0]
    assert str(window.library.path) in shown[0]
    _whole(window.library)


def _run_export_dialog(qtbot, window, fmt: str) -> None:
    """File > Export…: choose ``fmt`` in the real dialog and press OK."""
    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        assert dialog.windowTitle() == "Export records"
        dialog.format.setCurrentIndex(dialog.format.findData(fmt))
        dialog.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, choose)
    window.actions_by_name["export"].trigger()


@POSIX
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_from_the_export_dialog_spares_the_library(qtbot, ready, monkeypatch,
                                                                tmp_path, fmt: str) -> None:
    window, shown = ready
    destination = _destinations(window.library, tmp_path)["library"]
    _answer_file_dialog(monkeypatch, destination)
    _run_export_dialog(qtbot, window, fmt)
    qtbot.waitUntil(lambda: bool(shown) and not window.busy, timeout=20_000)
    assert f"Refusing to write to {destination}: it is the library" in shown[0]
    _whole(window.library)


def test_a_full_device_from_the_export_dialog_is_an_error_not_a_success(qtbot, ready, device,
                                                                         monkeypatch) -> None:
    window, shown = ready
    full = device("full")
    _answer_file_dialog(monkeypatch, str(full))
    finished: list[object] = []
    window.exportFinished.connect(finished.append)
    _run_export_dialog(qtbot, window, "csv")
    qtbot.waitUntil(lambda: bool(shown) and not window.busy, timeout=20_000)
    assert f"Could not export to {full}: no space left" in shown[0]
    assert "exported to" not in window.statusBar().currentMessage()
    assert stat.S_ISCHR(os.stat(full).st_mode)


@POSIX
def test_a_link_chosen_in_the_dialog_stays_a_link(qtbot, ready, monkeypatch, tmp_path) -> None:
    window, shown = ready
    target = tmp_path / "kept" / "real.xlsx"
    target.parent.mkdir()
    link = tmp_path / "out.xlsx"
    link.symlink_to(target)
    _answer_file_dialog(monkeypatch, str(link))
    with qtbot.waitSignal(window.exportFinished, timeout=20_000) as done:
        _run_export_dialog(qtbot, window, "xlsx")
    assert done.args == [1]  # the selected record
    assert not shown
    assert link.is_symlink()
    import zipfile

    assert zipfile.is_zipfile(target)
    assert os.listdir(target.parent) == ["real.xlsx"]
