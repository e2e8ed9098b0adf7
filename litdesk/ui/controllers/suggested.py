"""The suggestions the record pane offers: the abstract's headings, else the section model's
(the library's own while it is in use); after some were taken one by one, the rest of them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from litdesk.core.model import Record, Span
from litdesk.core.suggestions import HEADINGS, MODEL, offered_first

if TYPE_CHECKING:
    from litdesk.store.library import Library

log = logging.getLogger("litdesk.coding")


def offered_spans(library: Library, record: Record, pending: dict[int, list[Span]], *,
                  model: bool = True) -> list[Span]:
    """Provisional spans of ``record`` unless it is coded or rejected; ``pending``: per record,
    the model's spans still offered after some were accepted one by one (kept up to date)."""
    if not record.abstract or record.id is None:
        return []
    if record.spans:
        rest = pending.get(record.id, [])
        return [s for s in rest if not any(s.start < c.end and c.start < s.end
                                           for c in record.spans)]
    pending.pop(record.id, None)
    rows = library.rows([record.id])
    # Not the "suggested" status: right after an import the flags may still be pending.
    if not rows:
        return []
    row = rows[0]
    try:
        source, found = offered_first(record.abstract, row.sections, row.done, row.answer,
                                      (HEADINGS, MODEL) if model else (HEADINGS,),
                                      library.learning.model() if model else None)
    except ValueError as e:  # ModelError (a broken install): headings only, say why
        log.warning("no model suggestions: %s", e)
        source, found = offered_first(record.abstract, row.sections, row.done, row.answer)
    return [s.as_span(record.abstract, source) for s in found]
