"""After an import the window works out, in the background, which records have suggestions."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from litdesk.store import suggestions
from litdesk.store.importer import import_file
from litdesk.store.suggestions import pending
from litdesk.ui.views.record_model import RecordTableModel
from litdesk.ui.window.main_window import MainWindow

STRUCTURED = ("Background: Opioids are prescribed often. Aim: To explore GPs' views. "
              "Methods: Interviews with 20 GPs. Results: Three themes. Conclusion: Support.")
PLAIN = "An unstructured abstract about results that were mixed."


def _records(n: int) -> list[dict[str, object]]:
    return [{"TY": "JOUR", "TI": f"Paper {i}", "AB": f"{STRUCTURED if i % 2 else PLAIN} {i}"}
            for i in range(n)]


def _status_of(window: MainWindow, title: str) -> str | None:
    model = window.model
    for row in range(model.rowCount()):
        if model.index(row, RecordTableModel.TITLE).data() == title:
            return model.index(row, RecordTableModel.PROGRESS).data()
    return None



def test_imported_records_show_as_suggested_once_checked(qtbot, close_summaries, window,
                                                        make_ris):
    path = make_ris("two.ris", [{"TY": "JOUR", "TI": "Structured one", "AB": STRUCTURED},
                                {"TY": "JOUR", "TI": "Plain one", "AB": PLAIN}])
    with qtbot.waitSignal(window.checker.checked, timeout=30_000) as checked:
        with qtbot.waitSignal(window.importFinished, timeout=30_000):
            assert window.import_paths([str(path)])
        close_summaries()
    assert checked.args == [2]
    assert _status_of(window, "Structured one") == "suggested"
    assert _status_of(window, "Plain one") == "uncoded"
    assert pending(window.library) == []
    # The Suggested filter finds it now.
    window.status_filter.setCurrentIndex(window.status_filter.findText("Suggested"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)


def test_the_window_stays_live_and_closes_cleanly_while_checking(qtbot, library, settings,
                                                                 make_ris, monkeypatch):
    monkeypatch.setattr(suggestions, "CHECK_CHUNK", 5)  # 600 short transactions
    import_file(library, make_ris("many.ris", _records(3000)))  # as the CLI would
    win = MainWindow(library, settings)
    qtbot.addWidget(win)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    win.show()
    qtbot.waitUntil(lambda: win.checker.running, timeout=10_000)
    qtbot.wait(300)
    timer.stop()
    assert len(ticks) >= 6, "the event loop stalled while the check ran"
    qtbot.waitUntil(lambda: pending(library)[0][0] > 1, timeout=10_000)
    win.close()  # stops the check after its current chunk, with no thread left running
    assert not win.checker.running
    left = pending(library)
    assert left, "the check was stopped before the end"
    assert left[0][0] > 1, "what was checked before the close stays checked"
    # The next window goes on where the last one stopped.
    again = MainWindow(library, settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: pending(library) == [], timeout=60_000)
    qtbot.waitUntil(lambda: not again.checker.running)
    assert len(library.search_ids(status="suggested")) == 1500


def test_records_imported_by_another_program_are_checked_too(qtbot, window, make_ris):
    import_file(window.library, make_ris("cli.ris", [
        {"TY": "JOUR", "TI": "From the CLI", "AB": STRUCTURED}]))
    with qtbot.waitSignal(window.checker.checked, timeout=30_000):
        window.check_for_changes()  # what the window's watch does when the library changes
    qtbot.waitUntil(lambda: _status_of(window, "From the CLI") == "suggested")


def test_an_import_while_checking_leaves_the_check_running(qtbot, close_summaries, library,
                                                           settings, make_ris, monkeypatch):
    """The store's write path keeps the two apart: the window no longer stops the check for an
    import; its writes wait for the import's, and the new records are checked too."""
    monkeypatch.setattr(suggestions, "CHECK_CHUNK", 5)
    import_file(library, make_ris("many.ris", _records(1000)))  # as the CLI would
    win = MainWindow(library, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.checker.running, timeout=10_000)
    worker = win.checker._worker
    with qtbot.waitSignal(win.importFinished, timeout=60_000):
        assert win.import_paths([str(make_ris("more.ris", [
            {"TY": "JOUR", "TI": "Imported meanwhile", "AB": STRUCTURED}]))])
    close_summaries()
    assert not worker.cancelled(), "the import stopped the check"
    qtbot.waitUntil(lambda: pending(library) == [] and not win.checker.running, timeout=60_000)
    assert _status_of(win, "Imported meanwhile") == "suggested"
    assert len(library.search_ids(status="suggested")) == 501
