"""The working app end to end, as a researcher uses it: drop, select, tag, undo, reopen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from litdesk.store.library import Library
from litdesk.ui.window.main_window import MainWindow

SEED_AIM = (
    "Aim To explore GPs’ experiences of prescribing opioids, problems encountered, and factors "
    "militating against good prescribing practice."
)


def select_with_keyboard(qtbot, window: MainWindow, start: int, length: int) -> None:
    """Click into the abstract, move the cursor with arrow keys, extend with Shift+Right."""
    view = window.pane.abstract
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(start):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def test_drop_seed_then_tag_undo_redo_and_reopen(drop, qtbot, window, seed, lib_path, settings):
    summaries = drop(window, [seed])
    assert [s.added for s in summaries] == [1]
    assert window.model.rowCount() == 1
    qtbot.waitUntil(lambda: window.pane.record is not None)
    record = window.pane.record
    assert record.title.startswith("A qualitative interview study")
    start = record.abstract.index(SEED_AIM)

    select_with_keyboard(qtbot, window, start, len(SEED_AIM))
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_2)
    spans = window.library.spans(record.id)
    assert [(s.start, s.end, s.label, s.text) for s in spans] == [
        (start, start + len(SEED_AIM), "aim", SEED_AIM)
    ]
    assert window.model.index(0, 4).data() == "partly coded 1/5"

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.spans(record.id) == []
    qtbot.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [s.label for s in window.library.spans(record.id)] == ["aim"]

    window.close()
    window.library.close()
    lib = Library.open(lib_path, coder="tester")
    again = MainWindow(lib, settings)
    qtbot.addWidget(again)
    again.show()
    again.table.selectRow(0)
    qtbot.waitUntil(lambda: again.pane.record is not None)
    assert [(s.start, s.label, s.text) for s in again.pane.record.spans] == [
        (start, "aim", SEED_AIM)
    ]
    assert len(again.pane.abstract.extraSelections()) == 1  # drawn highlighted
    lib.close()


def test_astral_characters_and_line_breaks_give_python_offsets(drop, qtbot, window, make_ris):
    abstract = "Effect of 𝛼 😀 agonists.\nWe found 𝛼-blockers help."
    path = make_ris("astral.ris", [{"TY": "JOUR", "TI": "Astral", "AB": abstract}])
    drop(window, [path])
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    stored = window.pane.record.abstract
    target = "𝛼-blockers"
    start = stored.index(target)
    select_with_keyboard(qtbot, window, start, len(target))  # Right moves one character
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_3)
    spans = window.library.spans(window.pane.record.id)
    assert [(s.start, s.end, s.text, s.label) for s in spans] == [
        (start, start + len(target), target, "method")
    ]


def test_label_buttons_retag_and_delete(drop, qtbot, window, make_ris):
    path = make_ris("one.ris", [{"TY": "JOUR", "TI": "T", "AB": "First part. Second part."}])
    drop(window, [path])
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    rid = window.pane.record.id
    select_with_keyboard(qtbot, window, 0, 11)
    qtbot.mouseClick(window.pane.buttons["background"], Qt.MouseButton.LeftButton)
    select_with_keyboard(qtbot, window, 6, 5)  # "part." re-tagged as results
    qtbot.mouseClick(window.pane.buttons["results"], Qt.MouseButton.LeftButton)
    assert [(s.start, s.end, s.label) for s in window.library.spans(rid)] == [
        (0, 6, "background"), (6, 11, "results")
    ]
    view = window.pane.abstract
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # removes the span under the cursor
    assert [(s.start, s.label) for s in window.library.spans(rid)] == [(6, "results")]


def test_html_in_titles_and_abstracts_is_shown_as_text(drop, qtbot, window, make_ris):
    title = "<b>Bold</b> <img src=x onerror=alert(1)> title"
    abstract = "<script>alert('x')</script> and <i>italic</i>"
    path = make_ris("html.ris", [{"TY": "JOUR", "TI": title, "AB": abstract,
                                  "AU": "<b>Evil</b>, Eve"}])
    drop(window, [path])
    assert window.model.index(0, 2).data() == title
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    assert window.pane.title.text() == title
    assert window.pane.title.textFormat() == Qt.TextFormat.PlainText
    assert window.pane.abstract.toPlainText() == abstract
    assert "<script>" not in window.pane.abstract.toHtml().replace("&lt;script&gt;", "")


def test_bad_files_among_good_ones(drop, qtbot, window, tmp_path, seed):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    bib = tmp_path / "refs.bib"  # BibTeX is read since the readers of issue 20: a good file
    bib.write_text("@article{gill2022,\n  title={A study},\n  year={2022}\n}\n")
    json_file = tmp_path / "refs.json"
    json_file.write_text('[{"title": "A study", "year": 2022}]\n')
    empty = tmp_path / "empty.ris"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.ris"
    noise.write_bytes(bytes(range(256)) * 40)
    folder = tmp_path / "a folder"
    folder.mkdir()
    missing = tmp_path / "gone.ris"
    summaries = drop(window, [pdf, bib, seed, json_file, empty, noise, folder, missing])
    by_name = {Path(s.path).name: s for s in summaries}
    assert by_name[seed.name].added == 1
    assert by_name[bib.name].added == 1
    for bad in (pdf, json_file, empty, noise, folder, missing):
        s = by_name[bad.name]
        assert s.error, bad.name
        assert s.added == 0
        assert bad.name in s.line()
    assert window.library.count() == 2
    assert "paper.pdf" in window.last_summary_text
    assert "refs.json" in window.last_summary_text


def test_reimporting_the_same_file_adds_nothing(drop, qtbot, window, seed):
    drop(window, [seed])
    second = drop(window, [seed])
    assert second[0].added == 0
    assert len(second[0].duplicates) == 1
    assert window.library.count() == 1
    assert "1 already in the library" in second[0].line()


def test_search_box_filters_as_you_type_and_sorting(drop, qtbot, window, make_ris):
    recs = [
        {"TY": "JOUR", "TI": "Opioid prescribing in general practice", "AU": "Gill, Simon",
         "PY": "2022", "AB": "Chronic pain."},
        {"TY": "JOUR", "TI": "Nurses and dementia care", "AU": "Ahmed, Sara", "PY": "2019",
         "KW": "qualitative"},
        {"TY": "JOUR", "TI": "Patients' views", "AU": "Zhou, Li", "PY": "2021",
         "AB": "Opioids were discussed."},
    ]
    drop(window, [make_ris("three.ris", recs)])
    assert window.model.rowCount() == 3
    qtbot.keyClicks(window.search, "opioid")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert "2 of 3 records" in window.count_label.text()
    window.search.clear()
    qtbot.keyClicks(window.search, "qualitative")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.search.clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    header = window.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(1) + 5, 5))
    years = [window.model.index(r, 1).data() for r in range(3)]
    assert years in (["2019", "2021", "2022"], ["2022", "2021", "2019"])


def test_typing_digits_in_search_does_not_tag(drop, qtbot, window, make_ris):
    drop(window, [make_ris("a.ris", [{"TY": "JOUR", "TI": "Year 2022",
                                                      "AB": "Text."}])])
    qtbot.keyClicks(window.search, "2022")
    assert window.search.text() == "2022"


@pytest.mark.parametrize("name", ["text.txt", "other.db"])
def test_open_library_refuses_non_libraries(qtbot, window, tmp_path, name, monkeypatch):
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    path = tmp_path / name
    if name.endswith(".db"):
        con = sqlite3.connect(path)
        con.execute("create table t(x)")
        con.commit()
        con.close()
    else:
        path.write_text("not a library")
    before = path.read_bytes()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    window.libraries.open_path(str(path))
    assert shown
    assert str(path) in shown[0]
    assert path.read_bytes() == before
    assert window.library.path != path
    assert isinstance(window.findChild(QLabel, "placeholder"), QLabel)
