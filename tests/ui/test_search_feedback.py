"""The search box says what it did not understand, and finds either word with OR."""

from __future__ import annotations

from litdesk.core.query import HELP
from litdesk.store.importer import import_file

RECORDS = [
    {"TY": "JOUR", "TI": "Opioid prescribing", "AU": "Gill, Simon", "PY": "2022"},
    {"TY": "JOUR", "TI": "Nurses and dementia care", "AU": "Ahmed, Sara", "PY": "2019"},
    {"TY": "JOUR", "TI": "Café culture", "AU": "Dubois, Zoë", "PY": "2010"},
]


def test_search_box_or_and_what_it_did_not_understand(qtbot, window, library, make_ris):
    import_file(library, make_ris("three.ris", RECORDS))
    window.model.refresh()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)

    qtbot.keyClicks(window.search, "nurses OR cafe")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert window.search.toolTip() == HELP

    window.search.clear()
    qtbot.keyClicks(window.search, "foo:bar")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    said = "Search: not understood: unknown field “foo:”"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(said))
    assert window.search.toolTip().startswith(said)
    assert HELP in window.search.toolTip()

    window.search.clear()  # understood again: the message goes, the tooltip is the help
    qtbot.keyClicks(window.search, "(nurses OR opioid) year:2015-")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert window.search.toolTip() == HELP
    assert window.statusBar().currentMessage() == ""
