"""What a new user ran into (issue 15, section 6), each from where the user starts."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel


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
    assert all(line.startswith("    ") for line in rest[2:2 + len(summaries[1].duplicates)])


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
