"""The SQL behind the records table: search-box text, status filter and sort order."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, true

from litdesk.core import query as search_syntax
from litdesk.core.model import LABELS
from litdesk.store import sqlite
from litdesk.store.schema import MemoRow, RecordRow, StatusRow

SORT_KEYS = ("id", "author", "year", "title", "journal", "progress")
STATUSES = ("uncoded", "suggested", "partly coded", "coded", "not coded")


def search_statement(
    text: str, coder: str, *, status: str | None, sort: str, descending: bool
) -> Select[tuple[int]]:
    """SELECT of record ids matching ``text`` and ``status`` for ``coder``, in ``sort`` order."""
    parsed = search_syntax.parse(text)
    sections = func.coalesce(StatusRow.sections, 0)
    done = func.coalesce(StatusRow.done, false())
    stmt = select(RecordRow.id)
    if status is not None or sort == "progress":
        stmt = stmt.outerjoin(
            StatusRow, (StatusRow.record_id == RecordRow.id) & (StatusRow.coder == coder)
        )
    for n, term in enumerate(parsed.terms):
        cond = _term_condition(term, coder, f"q{n}")
        stmt = stmt.where(not_(cond) if term.negated else cond)
    if parsed.year_from is not None:
        stmt = stmt.where(RecordRow.year >= parsed.year_from)
    if parsed.year_to is not None:
        stmt = stmt.where(RecordRow.year <= parsed.year_to)
    if status is not None:
        stmt = stmt.where(_status_condition(status, sections, done))
    key = {
        "id": RecordRow.id,
        "author": RecordRow.author_key,
        "year": RecordRow.year,
        "title": RecordRow.title_key,
        "journal": RecordRow.journal_key,
        "progress": sections,
    }[sort]
    order = key.desc() if descending else key.asc()
    tie = RecordRow.id.desc() if descending else RecordRow.id.asc()
    return stmt.order_by(order, tie) if sort != "id" else stmt.order_by(order)


def _term_condition(term: search_syntax.Term, coder: str, param: str) -> ColumnElement[bool]:
    memo_hit = RecordRow.id.in_(
        select(MemoRow.record_id).where(
            MemoRow.coder == coder,
            func.lower(MemoRow.text).like("%" + " ".join(term.words) + "%"),
        )
    )
    if term.column == "memo":
        return memo_hit
    fts = sqlite.matching_ids([search_syntax.Term(term.words, term.column, term.prefix)], param)
    text_hit = RecordRow.id.in_(fts)
    return text_hit if term.column else or_(text_hit, memo_hit)


def _status_condition(
    status: str, sections: ColumnElement[int], done: ColumnElement[bool]
) -> ColumnElement[bool]:
    coded = or_(done == true(), sections >= len(LABELS))
    rejected = func.coalesce(StatusRow.suggestions, "") == "rejected"
    if status == "coded":
        return coded
    if status == "partly coded":
        return and_(sections > 0, not_(coded))
    suggested = and_(sections == 0, not_(coded), RecordRow.has_suggestions == true(),
                     not_(rejected))
    if status == "suggested":
        return suggested
    if status == "not coded":  # uncoded or only suggested: nothing the researcher made yet
        return and_(sections == 0, not_(coded))
    return and_(sections == 0, not_(coded), not_(suggested))
