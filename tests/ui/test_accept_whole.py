"""Accepting suggested sections in the app is one change: the spans and the answer "accepted"
are saved together or not at all (they took two transactions, and a failure between them
left a record "accepted" without its spans)."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from litdesk.core.status import ACCEPTED
from litdesk.store.importer import import_file

REFUSE = ("CREATE TRIGGER refuse_spans BEFORE INSERT ON span "
          "BEGIN SELECT RAISE(ABORT, 'no room for spans'); END")


def _on_the_seed(qtbot, window, seed) -> int:
    import_file(window.library, seed)
    window.library.suggestions.check_pending()
    window.model.refresh()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N)  # next uncoded: focus goes to the abstract
    qtbot.waitUntil(lambda: window.pane.record is not None)
    return window.pane.record.id


def _sql(window, statement: str) -> None:
    con = sqlite3.connect(window.library.path)  # another program, as far as the app knows
    con.execute(statement)
    con.commit()
    con.close()


def test_accept_key_saves_both_or_neither(qtbot, window, seed):
    rid = _on_the_seed(qtbot, window, seed)
    _sql(window, REFUSE)
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_Return)  # accept the suggestions
    assert window.pane.notice.text().startswith("Not saved: ")
    assert window.library.spans(rid) == []
    assert window.library.suggestion_state(rid) == ""  # not "accepted" without its spans
    assert window.model.index(0, 4).data() == "suggested"
    assert window.coding.undo_stack.count() == 0

    _sql(window, "DROP TRIGGER refuse_spans")
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_Return)
    assert len(window.library.spans(rid)) == 5
    assert window.library.suggestion_state(rid) == ACCEPTED
    assert window.model.index(0, 4).data() == "coded"


def test_accept_in_selected_records_saves_both_or_neither(qtbot, window, seed):
    rid = _on_the_seed(qtbot, window, seed)
    _sql(window, REFUSE)
    window.table.selectAll()
    window.actions_by_name["accept_selected_suggestions"].trigger()
    assert window.library.spans(rid) == []
    assert window.library.suggestion_state(rid) == ""
    assert window.statusBar().currentMessage() == "Suggestions accepted in 0 records."
