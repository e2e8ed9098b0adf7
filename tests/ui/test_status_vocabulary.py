"""One vocabulary of coding status: the table, its filter, the exports and the CLI say the
same thing of every record (issue 15: the table said "suggested" where the Uncoded filter
and the CSV's status column said "uncoded")."""

from __future__ import annotations

import csv
import json

import openpyxl

from litdesk.core.status import FILTER_TITLES
from litdesk.store.importer import import_file
from litdesk.store.suggestions import check_pending
from litdesk.ui.views.record_model import RecordTableModel

STRUCTURED = ("Background: Opioids are prescribed often. Aim: To explore GPs' views. "
              "Methods: Interviews with 20 GPs. Results: Three themes. Conclusion: Support.")
PLAIN = "An unstructured abstract about results that were mixed."

#: title -> (abstract, what the table shows, the status word everywhere else)
CASES = {
    "Plain": (PLAIN, "uncoded", "uncoded"),
    "Structured": (STRUCTURED, "suggested", "suggested"),
    "Rejected": (STRUCTURED, "uncoded", "uncoded"),
    "Accepted": (STRUCTURED, "coded", "coded"),
    "Partly": (STRUCTURED, "partly coded 2/5", "partly coded"),
    "Done": (PLAIN, "coded ✓", "coded"),
    "Done, partly": (PLAIN, "coded ✓", "coded"),
}


def _table(window) -> dict[str, str]:
    model = window.model
    return {model.index(r, RecordTableModel.TITLE).data():
            model.index(r, RecordTableModel.PROGRESS).data() for r in range(model.rowCount())}


def test_table_filter_exports_and_cli_agree(qtbot, window, library, make_ris, cli, tmp_path):
    import_file(library, make_ris("cases.ris", [
        {"TY": "JOUR", "TI": title, "AB": abstract} for title, (abstract, _, _) in CASES.items()]))
    check_pending(library)
    ids = dict(zip(CASES, library.search_ids(), strict=True))
    window.model.refresh()
    qtbot.waitUntil(lambda: window.model.rowCount() == len(CASES))
    # The coder's work, by the keys a researcher presses.
    for title, key in (("Rejected", "Escape"), ("Accepted", "Return"), ("Done", "D"),
                       ("Done, partly", "1"), ("Done, partly", "D"), ("Partly", "1"),
                       ("Partly", "3")):
        _press_on(qtbot, window, ids[title], key)
    qtbot.waitUntil(lambda: _table(window)["Done, partly"] == "coded ✓")

    assert _table(window) == {title: shown for title, (_, shown, _) in CASES.items()}
    words = {title: word for title, (_, _, word) in CASES.items()}
    # The status filter shows exactly the records of its status.
    combo = window.status_filter
    for title in FILTER_TITLES.values():  # (the screening ones: test_screening_ui)
        i = combo.findText(title)
        combo.setCurrentIndex(i)
        wanted = {t for t, w in words.items() if w.capitalize() == combo.itemText(i).capitalize()}
        assert wanted, combo.itemText(i)
        qtbot.waitUntil(lambda wanted=wanted: set(_table(window)) == wanted)
    # The CLI and every export with a status say the same words.
    lib = ["--library", str(library.path), "--coder", library.coder]
    listed = json.loads(cli(*lib, "list", "--json").stdout)
    assert {r["title"]: r["status"] for r in listed} == words
    plain = cli(*lib, "list").stdout.splitlines()
    assert {line.split("  ")[-2].strip(): line.rsplit("[", 1)[1].rstrip("]")
            for line in plain} == words
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"table.{fmt}"
        done = cli(*lib, "export", "--all", "-f", fmt, "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert _exported_status(out) == words, fmt


def _press_on(qtbot, window, record_id: int, key: str) -> None:
    from PySide6.QtCore import Qt

    window.select_record(record_id)
    qtbot.waitUntil(lambda: window.pane.record is not None
                    and window.pane.record.id == record_id)
    view = window.pane.abstract
    view.setFocus()
    if key.isdigit():  # tag the first word (the sentence under the cursor)
        cursor = view.textCursor()
        cursor.setPosition(2 if key == "1" else 50)
        view.setTextCursor(cursor)
    qtbot.keyClick(view, getattr(Qt.Key, f"Key_{key}"))


def _exported_status(path) -> dict[str, str]:
    if path.suffix == ".json":
        return {r["title"]: r["status"] for r in json.loads(path.read_text(encoding="utf-8"))}
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return {row["title"]: row["status"] for row in csv.DictReader(fh)}
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    header = list(rows[0])
    return {row[header.index("title")]: row[header.index("status")] for row in rows[1:]}
