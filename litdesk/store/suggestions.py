"""Turning suggested sections into stored spans, for many records at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from litdesk.core.model import Span
from litdesk.core.sections import suggest_sections
from litdesk.store.library import Library
from litdesk.store.schema import RecordRow


def batch_record_ids(lib: Library, batch_id: int) -> list[int]:
    """Ids of the records an import brought in."""
    with lib.engine.connect() as conn:
        stmt = select(RecordRow.id).where(RecordRow.batch_id == batch_id).order_by(RecordRow.id)
        return list(conn.execute(stmt).scalars())


def apply_suggestions(lib: Library, ids: Sequence[int]) -> int:
    """Store the suggested sections of ``ids`` as the coder's spans; how many records.

    A record the coder has already tagged, or whose suggestions they rejected, is left alone.
    """
    n = 0
    summaries = {r.id: r for r in lib.rows(ids)}
    for record in lib.records([i for i in ids if summaries.get(i) and
                               summaries[i].status == "suggested"]):
        found = suggest_sections(record.abstract)
        if record.id is None or record.spans or not found:
            continue
        lib.set_spans(record.id, [Span(s, e, label) for s, e, label in found])
        lib.set_suggestion_state(record.id, "accepted")
        n += 1
    return n
