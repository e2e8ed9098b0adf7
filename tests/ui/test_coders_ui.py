"""Two coders on one library in the window: switching, seeing the other's spans, blind coding."""

from __future__ import annotations

from PySide6.QtCore import Qt

from litdesk.core.model import Span
from litdesk.store import coders
from litdesk.store.importer import import_file
from litdesk.ui.views.record_pane import ALL_CODERS


def _show(window, data) -> None:
    combo = window.pane.coder_view
    combo.setCurrentIndex(combo.findData(data))


def test_blind_coding_hides_the_other_coder_until_done(qtbot, window, seed):
    import_file(window.library, seed)
    rid = window.library.search_ids()[0]
    coders.set_spans_as(window.library, rid, "bob", [Span(0, 10, "aim")])
    window.model.refresh()
    window.coding.refresh_coders()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    assert window.pane.coder_view.isVisible()
    assert window.coding.blind()  # on by default
    _show(window, "bob")
    assert window.pane.abstract.extraSelections() == []
    assert "Blind coding" in window.pane.view_note.text()
    assert not window.pane.buttons["aim"].isEnabled()  # read-only view
    qtbot.keyClick(window.pane.abstract, Qt.Key.Key_D)  # done: now bob's spans show
    qtbot.waitUntil(lambda: len(window.pane.abstract.extraSelections()) == 1)
    assert window.library.spans(rid) == []  # viewing bob's never changes mine
    _show(window, ALL_CODERS)
    assert len(window.pane.abstract.extraSelections()) == 1
    _show(window, None)  # back to my own coding: editable again
    assert window.pane.buttons["aim"].isEnabled()


def test_blind_coding_can_be_switched_off(qtbot, window, seed):
    import_file(window.library, seed)
    rid = window.library.search_ids()[0]
    coders.set_spans_as(window.library, rid, "bob", [Span(0, 10, "aim"), Span(20, 30, "method")])
    window.model.refresh()
    window.coding.refresh_coders()
    window.actions_by_name["blind"].trigger()
    assert not window.coding.blind()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)
    _show(window, "bob")
    assert len(window.pane.abstract.extraSelections()) == 2


def test_table_shows_each_coders_status(qtbot, window, seed):
    from litdesk.ui.views.record_model import RecordTableModel

    import_file(window.library, seed)
    rid = window.library.search_ids()[0]
    coders.set_spans_as(window.library, rid, "bob", [Span(0, 10, "aim"), Span(20, 30, "method")])
    coders.set_done_as(window.library, rid, "bob")
    window.library.tag(rid, 0, 10, "background")
    window.model.refresh()
    text = window.model.index(0, RecordTableModel.CODERS).data()
    assert text == "bob 2/5 ✓ · tester 1/5"


def test_agreement_and_reconcile_open_from_the_coding_menu(qtbot, window, seed):
    from PySide6.QtWidgets import QApplication

    from litdesk.ui.views.agreement_dialog import AgreementDialog
    from litdesk.ui.views.reconcile_dialog import ReconcileDialog

    import_file(window.library, seed)
    rid = window.library.search_ids()[0]
    coders.set_spans_as(window.library, rid, "bob", [Span(0, 10, "aim")])
    coders.set_done_as(window.library, rid, "bob")
    window.library.tag(rid, 0, 10, "aim")
    window.library.set_done(rid, True)
    window.records_changed()
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.pane.record is not None)

    def opened(kind):
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    window.actions_by_name["agreement"].trigger()
    qtbot.waitUntil(lambda: len(opened(AgreementDialog)) == 1)
    opened(AgreementDialog)[0].close()
    window.actions_by_name["reconcile"].trigger()
    qtbot.waitUntil(lambda: len(opened(ReconcileDialog)) == 1)
    opened(ReconcileDialog)[0].close()
