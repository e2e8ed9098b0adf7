"""Changes made elsewhere (the CLI, a teammate) show up in the open window without a restart."""

from __future__ import annotations

from litdesk.core.model import Span
from litdesk.store import coders
from litdesk.store.importer import import_file
from litdesk.store.library import Library


def test_records_and_codings_made_elsewhere_appear(qtbot, window, lib_path, seed, make_ris):
    assert window.model.rowCount() == 0
    with Library.open(lib_path, coder="bob") as other:
        import_file(other, seed)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=6_000)
    window.table.selectRow(0)
    rid = window.current_record_id()
    with Library.open(lib_path, coder="bob") as other:
        coders.set_spans_as(other, rid, "bob", [Span(0, 10, "aim")])
        other.set_done(rid, True)
    # The window's next look offers bob's coding in the Show chooser and the Coders column.
    qtbot.waitUntil(lambda: window.pane.coder_view.findData("bob") >= 0, timeout=6_000)
    assert "bob" in window.model.index(0, 5).data()
    assert window.current_record_id() == rid  # the researcher's place is kept
