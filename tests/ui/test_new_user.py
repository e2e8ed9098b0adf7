"""What a new user ran into (issue 15, section 6), each from where the user starts."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.views.record_model import RecordTableModel
from litdesk.ui.window.main_window import MainWindow


def test_summary_of_a_drop_gives_each_files_outcome_before_the_details(drop, window, seed,
                                                                        corpus, tmp_path):
    # The same 100 records from a reference manager and from Zotero: the second file's
    # 100 duplicates must not push the outcome of the files after it out of sight.
    bad = tmp_path / "notes.ris"
    bad.write_text("not a RIS file at all\n", encoding="utf-8")
    files = [corpus / "asreview/_baseline.ris", corpus / "asreview/baseline_zotero.ris",
             seed, bad]
    summaries = drop(window, files)
    assert len(summaries[1].duplicates) > 50
    lines = window.last_summary_text.splitlines()
    assert lines[0].startswith(f"{sum(s.added for s in summaries)} records added, ")
    outcomes = lines[2:2 + len(files)]
    assert outcomes == [s.line() for s in summaries]  # one line per file, in drop order
    assert outcomes[2].startswith(f"{seed.name}: 1 added")
    assert outcomes[3].startswith("notes.ris: not imported")
    rest = lines[2 + len(files):]
    # Then the details, each file's under its name.
    assert rest[0] == ""
    assert rest[1] == "baseline_zotero.ris:"
    details = rest[2:2 + len(summaries[1].duplicates)]
    assert all(line.startswith("    record ") for line in details)  # the path is the heading's
    assert details == [f"    {d.removeprefix(summaries[1].path + ', ')}"
                       for d in summaries[1].details()[:len(details)]]


def test_import_keeps_the_record_the_user_had(drop, qtbot, window, make_ris):
    drop(window, [make_ris("first.ris", [{"TY": "JOUR", "TI": f"First {n}", "AB": "Text."}
                                         for n in range(5)])])
    chosen = window.model.record_id(3)
    window.select_record(chosen)
    qtbot.waitUntil(lambda: window.pane.record is not None and window.pane.record.id == chosen)
    drop(window, [make_ris("more.ris", [{"TY": "JOUR", "TI": f"More {n}", "AB": "Text."}
                                        for n in range(5)])])
    assert window.library.count() == 10
    assert window.current_record_id() == chosen
    assert window.selected_ids() == [chosen]
    assert window.pane.record.id == chosen


def test_import_keeps_a_selection_of_several_records(drop, window, make_ris):
    drop(window, [make_ris("first.ris", [{"TY": "JOUR", "TI": f"First {n}", "AB": "Text."}
                                         for n in range(5)])])
    chosen = [window.model.record_id(r) for r in (1, 2)]
    window.select_record(chosen[0])
    window.table.selectionModel().select(
        window.model.index(2, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    drop(window, [make_ris("more.ris", [{"TY": "JOUR", "TI": "More", "AB": "Text."}])])
    assert sorted(window.selected_ids()) == sorted(chosen)
    assert window.current_record_id() == chosen[0]


def _open_window(qtbot, path, settings, coder="tester"):
    win = MainWindow(Library.open(path, coder=coder), settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _coders_shown(win) -> bool:
    return not win.table.horizontalHeader().isSectionHidden(RecordTableModel.CODERS)


def test_coders_column_is_decided_each_time_a_library_opens(qtbot, lib_path, settings, seed,
                                                             answerer):
    with Library.open(lib_path, coder="tester") as lib:
        import_file(lib, seed)
        rid = lib.search_ids()[0]
        lib.tag(rid, 0, 10, "background")
    first = _open_window(qtbot, lib_path, settings)
    assert not _coders_shown(first)  # alone, the column would repeat "Coded"
    first.close()  # the layout is saved
    assert settings.value("window/header") is not None
    with Library.open(lib_path, coder="ana") as lib:  # a teammate codes (the CLI, a server)
        lib.tag(rid, 20, 30, "aim")
    second = _open_window(qtbot, lib_path, settings)
    assert _coders_shown(second)
    # File > Open Library… a library one researcher codes alone: the column goes.
    solo = answerer.folder / "solo.litdesk.sqlite"
    with Library.open(solo, coder="tester") as lib:
        import_file(lib, seed)
    answerer.start(accept_first=1)
    second.actions_by_name["open_library"].trigger()
    qtbot.waitUntil(answerer.idle)
    assert answerer.seen == ["accepted QFileDialog 'Open library'"]
    assert second.library.path == solo
    assert not _coders_shown(second)
    second.close()


def test_turning_a_column_on_leaves_title_its_room(qtbot, window, seed, answerer):
    import_file(window.library, seed)
    window.records_changed()
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(RecordTableModel.CODERS)
    viewport = header.viewport()
    point = QPoint(header.sectionViewportPosition(RecordTableModel.YEAR) + 5, 5)
    before = [header.sectionSize(c) for c in range(header.count())]
    answerer.start(pick="Coders")  # right-click the header, choose Coders in its menu
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                       viewport.mapToGlobal(point)))
    qtbot.waitUntil(answerer.idle)
    assert not answerer.problems
    assert not header.isSectionHidden(RecordTableModel.CODERS)
    room = window.table.fontMetrics().averageCharWidth() * 25
    assert header.sectionSize(RecordTableModel.TITLE) >= room
    # Nor are the other headings cut: a column made narrower keeps its heading's width.
    for col in range(header.count()):
        if not header.isSectionHidden(col):
            floor = min(before[col], header.sectionSizeHint(col))
            assert header.sectionSize(col) >= floor, RecordTableModel.HEADERS[col]
    # A narrower window leaves Title its room as well, once a column is turned on.
    window.splitter.setSizes([420, 860])
    header.setSectionHidden(RecordTableModel.CODERS, True)
    answerer.start(pick="Coders")
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                       viewport.mapToGlobal(point)))
    qtbot.waitUntil(answerer.idle)
    assert header.sectionSize(RecordTableModel.TITLE) >= room


def test_keyboard_shortcuts_dialog_shows_all_of_its_table(qtbot, window):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QTableWidget

    from litdesk.ui.views.dialogs import ShortcutsDialog

    seen = {}

    def look() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, ShortcutsDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, look)
            return
        table = dialog.findChild(QTableWidget)
        view = table.viewport()
        seen["fits"] = (table.horizontalHeader().length() <= view.width()
                        and table.verticalHeader().length() <= view.height())
        seen["cut"] = [table.item(r, c).text() for r in range(table.rowCount())
                       for c in range(2) if table.columnWidth(c) < table.sizeHintForColumn(c)]
        seen["rows"] = table.rowCount()
        dialog.close()

    QTimer.singleShot(0, look)
    window.actions_by_name["shortcuts"].trigger()  # Help > Keyboard Shortcuts
    assert seen["rows"] > 10
    assert seen["fits"], "the table needs scrolling at the dialog's own size"
    assert seen["cut"] == []


def test_the_menus_show_the_library_opened(qtbot, window, seed, answerer):
    """File > Open Library…: Blind Coding is checked as the library opened says, and the
    Screening menu lists its exclusion reasons (both kept the first library's before)."""
    assert window.actions_by_name["blind"].isChecked()  # on, unless a library turns it off
    other = answerer.folder / "other.litdesk.sqlite"
    with Library.open(other, coder="tester") as lib:
        import_file(lib, seed)
        lib.set_meta("blind_coding", "off")
        lib.screening.add_reason("Wrong country")
    answerer.start(accept_first=1)
    window.actions_by_name["open_library"].trigger()
    qtbot.waitUntil(answerer.idle)
    assert window.library.path == other
    assert not window.actions_by_name["blind"].isChecked()
    listed = [a.text() for a in window.screening.reason_actions]
    assert "Exclude: Wrong country" in listed
