"""The SQL behind the records table: search-box text, status filter and sort order.

Shaped for libraries of 100,000 records and more. A record row is wide (its abstract), so
the statements avoid visiting the ``record`` table row by row: the search text becomes a
set of ids taken from the full-text index alone, and sorting walks the narrow index of the
sort key, keeping the ids that are in that set.

The same statements serve SQLite (FTS5) and PostgreSQL (tsvector and GIN): only the full-text
part differs, chosen by ``dialect``. PostgreSQL puts NULL years first when ascending, as SQLite.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    column,
    except_,
    false,
    func,
    intersect,
    literal_column,
    not_,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute

from litdesk.core import query as search_syntax
from litdesk.core.model import LABELS
from litdesk.core.screening import STATE_DECISION, Screened
from litdesk.core.status import REJECTED, Status
from litdesk.store.engines import pg_search, sqlite_search
from litdesk.store.schema import ConsensusRow, DecisionRow, MemoRow, RecordRow, StatusRow

SORT_KEYS = ("id", "author", "year", "title", "journal", "progress")
#: The status filter's values: each status, "not coded" (uncoded or suggested alike), and
#: each screening state (the coder's own decision, or the consensus where there is one).
NOT_CODED = "not coded"
STATUSES = (*Status, NOT_CODED, *Screened)

IdSet = Select[int] | CompoundSelect[int]


def search_statement(
    text: str, coder: str, *, status: str | None, sort: str, descending: bool,
    dialect: str = "sqlite",
) -> Select[int]:
    """SELECT of record ids matching ``text`` and ``status`` for ``coder``, in ``sort`` order.

    Ties are broken by id, so the order is total and descending is ascending reversed.
    """
    root = search_syntax.parse(text).root
    # Years ANDed at the top filter the rows (an index range); the rest is a set of ids.
    years = [p for p in root.parts if isinstance(p, search_syntax.Years) and not p.negated]
    hits = matching_id_set(
        search_syntax.Group(tuple(p for p in root.parts if p not in years)), coder, dialect)
    if hits is not None and sort == "id" and status is None and not years:
        # Nothing but the search text: the full-text index alone answers, in id order.
        found = hits.subquery("hits")
        return select(found.c.id).order_by(found.c.id.desc() if descending else found.c.id)

    sections = func.coalesce(StatusRow.sections, 0)
    done = func.coalesce(StatusRow.done, false())
    stmt = select(RecordRow.id)
    if (status is not None and status not in tuple(Screened)) or sort == "progress":
        stmt = stmt.outerjoin(
            StatusRow, (StatusRow.record_id == RecordRow.id) & (StatusRow.coder == coder)
        )
    if hits is not None:
        # "id + 0" keeps SQLite from fetching each hit from the wide record table by its id:
        # it walks the sort key's covering index instead and tests membership in the set.
        member = RecordRow.id if sort == "id" else _unindexed(RecordRow.id)
        stmt = stmt.where(member.in_(hits))
    for span in years:
        stmt = stmt.where(_in_years(span))
    if status in tuple(Screened):
        stmt = stmt.where(_screening_condition(Screened(status), coder))
    elif status is not None:
        stmt = stmt.where(_status_condition(status, sections, done))
    key = {
        "id": None,
        "author": RecordRow.author_key,
        "year": RecordRow.year,
        "title": RecordRow.title_key,
        "journal": RecordRow.journal_key,
        "progress": sections,
    }[sort]
    if key is None:
        # A bare "ORDER BY id" makes SQLite read the whole wide table in rowid order; "+ 0"
        # lets it scan the smallest covering index and sort the ids, several times faster.
        plain = _unindexed(RecordRow.id) if hits is None else RecordRow.id
        return stmt.order_by(plain.desc() if descending else plain.asc())
    if dialect != "sqlite" and sort == "year":  # SQLite's NULL order, which its index gives
        ordered = key.desc().nulls_last() if descending else key.asc().nulls_first()
        return stmt.order_by(ordered, RecordRow.id.desc() if descending else RecordRow.id.asc())
    if descending:
        return stmt.order_by(key.desc(), RecordRow.id.desc())
    return stmt.order_by(key.asc(), RecordRow.id.asc())


def matching_id_set(
    group: search_syntax.Group, coder: str, dialect: str = "sqlite"
) -> IdSet | None:
    """Ids matching ``group`` of the parsed search (None when it holds no condition).

    A term matches the full-text index (or, without a field, the coder's memo too); the
    parts of an AND group are intersected and its negated parts taken away, the parts of an
    OR group united (a negated one as every record but its own).
    """
    if not group.parts:
        return None
    return _group_ids(group, coder, dialect, itertools.count())


def _group_ids(group: search_syntax.Group, coder: str, dialect: str,
               names: Iterator[int]) -> IdSet:
    if group.any:
        sets = [_node_ids(p, coder, dialect, names) for p in group.parts]
        every = [except_(select(RecordRow.id), _simple(ids)) if p.negated else ids
                 for p, ids in zip(group.parts, sets, strict=True)]
        return union(*map(_simple, every))
    wanted = [_node_ids(p, coder, dialect, names) for p in group.parts if not p.negated]
    unwanted = [_node_ids(p, coder, dialect, names) for p in group.parts if p.negated]
    if not wanted:
        base: IdSet = select(RecordRow.id)
    elif len(wanted) == 1:
        base = wanted[0]
    else:
        base = intersect(*map(_simple, wanted))
    return except_(_simple(base), *map(_simple, unwanted)) if unwanted else base


def _node_ids(node: search_syntax.Node, coder: str, dialect: str,
              names: Iterator[int]) -> IdSet:
    """The ids ``node`` matches, its own negation left to the group holding it."""
    if isinstance(node, search_syntax.Group):
        return _group_ids(node, coder, dialect, names)
    if isinstance(node, search_syntax.Years):
        return select(RecordRow.id).where(_in_years(node))
    return _term_ids(node, coder, f"q{next(names)}", dialect)


def _in_years(span: search_syntax.Years) -> ColumnElement[bool]:
    return and_(true() if span.year_from is None else RecordRow.year >= span.year_from,
                true() if span.year_to is None else RecordRow.year <= span.year_to)


def _simple(ids: IdSet) -> Select[int]:
    """A compound select as a plain one: SQLite has no parentheses around compound parts."""
    if isinstance(ids, Select):
        return ids
    return select(ids.subquery().c.id)


def _term_ids(term: search_syntax.Term, coder: str, param: str, dialect: str) -> IdSet:
    memo = select(MemoRow.record_id.label("id")).where(
        MemoRow.coder == coder,
        func.lower(MemoRow.text).contains(" ".join(term.words), autoescape=True),
    )
    if term.column == "memo":
        return memo
    fts_term = search_syntax.Term(term.words, term.column, term.prefix)
    index = pg_search if dialect == "postgresql" else sqlite_search
    fts = index.matching_ids([fts_term], param).columns(column("rowid", Integer))
    text_ids = select(fts.subquery().c.rowid.label("id"))
    return text_ids if term.column else union(text_ids, memo)


def _unindexed(col: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[int]:
    """``col + 0``: the same value, but SQLite will not drive the query by ``col``'s index."""
    return col + literal_column("0", Integer)


def _status_condition(
    status: str, sections: ColumnElement[int], done: ColumnElement[bool]
) -> ColumnElement[bool]:
    """``status`` in SQL: the rules of :func:`litdesk.core.status.status_of`, row by row."""
    coded = or_(done == true(), sections >= len(LABELS))
    if status == NOT_CODED:  # the statuses NOT_STARTED: nothing the coder made yet
        return and_(sections == 0, not_(coded))
    offered = and_(  # core.status.offers_suggestions
        not_(done == true()), sections == 0,
        func.coalesce(StatusRow.suggestions, "") != REJECTED)
    suggested = and_(RecordRow.has_suggestions == true(), offered)
    return {
        Status.CODED: coded,
        Status.PARTLY_CODED: and_(sections > 0, not_(coded)),
        Status.SUGGESTED: and_(not_(coded), suggested),
        Status.UNCODED: and_(sections == 0, not_(coded), not_(suggested)),
    }[Status(status)]


def _screening_condition(state: Screened, coder: str) -> ColumnElement[bool]:
    """The record's screening ``state`` for ``coder``: the consensus decision where there is
    one, else the coder's own (blind: never another screener's)."""
    settled = select(ConsensusRow.record_id)
    own = select(DecisionRow.record_id).where(DecisionRow.coder == coder)
    if state == Screened.UNSCREENED:
        return and_(RecordRow.id.not_in(settled), RecordRow.id.not_in(own))
    decision = STATE_DECISION[state]
    return or_(RecordRow.id.in_(settled.where(ConsensusRow.decision == decision)),
               and_(RecordRow.id.in_(own.where(DecisionRow.decision == decision)),
                    RecordRow.id.not_in(settled)))
