"""Every export format through the app's own doors: a drop on the window and File > Import."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from tests.ui.conftest import drop_and_wait, summary_dialog

FORMATS = Path(__file__).parents[2].parent / "shared" / "corpus" / "formats"


def one_file_per_format() -> list[dict[str, str]]:
    if not (FORMATS / "MANIFEST.tsv").is_file():
        return []
    with open(FORMATS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    chosen: dict[str, dict[str, str]] = {}
    for row in rows:
        chosen.setdefault(row["format"], row)
    return list(chosen.values())


needs_corpus = pytest.mark.skipif(not one_file_per_format(),
                                  reason=f"format corpus not at {FORMATS}")


@needs_corpus
def test_dropping_one_export_of_each_format_imports_them_all(qtbot, window):
    rows = one_file_per_format()
    summaries = drop_and_wait(qtbot, window, [FORMATS / r["file"] for r in rows])
    assert [s.error for s in summaries] == [None] * len(rows)
    assert [s.read for s in summaries] == [int(r["records_expected"]) for r in rows]
    assert {s.format for s in summaries} == {
        "MEDLINE", "BibTeX", "EndNote XML", "Scopus CSV", "Web of Science tab-delimited",
        "Web of Science", "PubMed XML"}
    assert window.library.count() == sum(s.added for s in summaries) > 0
    assert "EndNote XML" in window.last_summary_text


@needs_corpus
def test_file_import_offers_every_format_and_imports_the_chosen_files(qtbot, window,
                                                                      tmp_path):
    rows = one_file_per_format()
    names = []
    for row in rows:  # one folder, as a researcher's downloads are
        name = f"{row['format']}-{Path(row['file']).name}"
        shutil.copy(FORMATS / row["file"], tmp_path / name)
        names.append(name)
    window.settings.setValue("import/folder", str(tmp_path))
    seen: dict[str, object] = {}

    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, choose)
            return
        seen["filters"] = dialog.nameFilters()
        dialog.setDirectory(str(tmp_path))
        # Typed into the file name box, as a user would: selectFile() only selects what the
        # dialog's file list has loaded (in the background), so it may select nothing yet.
        dialog.findChild(QLineEdit, "fileNameEdit").setText(" ".join(f'"{n}"' for n in names))
        dialog.accept()
        if dialog.isVisible():  # the files were not taken: fail, never hang
            seen["refused"] = True
            dialog.reject()

    QTimer.singleShot(50, choose)
    with qtbot.waitSignal(window.importFinished, timeout=60_000) as blocker:
        window.actions_by_name["import"].trigger()
        assert "refused" not in seen
    first = str(seen["filters"][0])  # type: ignore[index]
    for pattern in ("*.ris", "*.nbib", "*.txt", "*.bib", "*.xml", "*.csv", "*.tsv"):
        assert pattern in first
    summaries = blocker.args[0]
    assert sorted(Path(s.path).name for s in summaries) == sorted(names)
    assert all(s.ok and s.read > 0 for s in summaries)
    summary_dialog().close()


def test_a_refused_file_is_named_with_the_formats_litdesk_reads(qtbot, window, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Some notes about my search\nnothing else\n", encoding="utf-8")
    summaries = drop_and_wait(qtbot, window, [path])
    assert summaries[0].error is not None
    assert "BibTeX" in window.last_summary_text
    assert "notes.txt" in window.last_summary_text
    assert window.library.count() == 0
