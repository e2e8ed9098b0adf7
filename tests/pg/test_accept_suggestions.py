"""Accepting suggested sections saves the spans and the answer "accepted" together: on both
engines, a failure between the two leaves neither (issue 17: it took two transactions)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from litdesk.core.model import Span
from litdesk.core.status import ACCEPTED
from litdesk.store.importer import import_file
from litdesk.store.library import Library

STRUCTURED = ("Background: Opioids are prescribed often. Aim: To explore GPs' views. "
              "Methods: Interviews with 20 GPs. Results: Three themes. Conclusion: Support.")

#: Refuse every new span, as a full disk or a server gone mid-transaction would.
REFUSE_SPANS = {
    "sqlite": ["CREATE TRIGGER refuse_spans BEFORE INSERT ON span "
               "BEGIN SELECT RAISE(ABORT, 'no room for spans'); END"],
    "postgresql": ["CREATE FUNCTION refuse_spans() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'no room for spans'; END $$ LANGUAGE plpgsql",
                   "CREATE TRIGGER refuse_spans BEFORE INSERT ON span FOR EACH ROW "
                   "EXECUTE FUNCTION refuse_spans()"],
}


def _suggested(lib: Library, make_ris) -> tuple[int, list[Span]]:
    import_file(lib, make_ris("one.ris", [{"TY": "JOUR", "TI": "t", "AB": STRUCTURED}]))
    lib.suggestions.check_pending()
    rid = lib.search_ids()[0]
    row = lib.rows([rid])[0]
    from litdesk.core.suggestions import offered

    found = offered(STRUCTURED, row.sections, row.done, row.answer)
    assert len(found) == 5
    return rid, [Span(s.start, s.end, s.label) for s in found]


def test_accepting_saves_spans_and_answer(any_library: Library, make_ris):
    rid, spans = _suggested(any_library, make_ris)
    saved = any_library.suggestions.accept(rid, spans)
    assert [(s.start, s.end, s.label) for s in any_library.spans(rid)] == [
        (s.start, s.end, s.label) for s in saved]
    assert len(saved) == 5
    assert any_library.suggestion_state(rid) == ACCEPTED
    assert any_library.rows([rid])[0].sections == 5


def test_a_failure_between_spans_and_answer_leaves_neither(any_library: Library, make_ris):
    lib = any_library
    rid, spans = _suggested(lib, make_ris)
    with lib.engine.begin() as conn:
        for statement in REFUSE_SPANS[lib.engine.dialect.name]:
            conn.execute(text(statement))
    with pytest.raises(Exception, match="no room for spans"):
        lib.suggestions.accept(rid, spans)
    assert lib.spans(rid) == []
    assert lib.suggestion_state(rid) == ""  # not "accepted" without its spans
    assert lib.rows([rid])[0].status == "suggested"  # still offered, as before
