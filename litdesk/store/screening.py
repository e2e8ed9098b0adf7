"""Screening in the library: decisions, reasons, consensus, terms, and the counts they make.

Every decision is written here (one write path for the window, the CLI and scripts); the rules
and words come from :mod:`litdesk.core.screening`. Reads for a screener show their own
decisions only (blind screening); conflicts and agreement are the reconciling view.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import combinations
from pathlib import PurePath
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from litdesk.core import screening as rules
from litdesk.core.screening import (
    Conflict,
    Decision,
    PairAgreement,
    Reason,
    ScreeningError,
    Stats,
)
from litdesk.store.schema import (
    BatchRow,
    ConsensusRow,
    DecisionRow,
    MergeRow,
    ReasonRow,
    RecordRow,
    TermRow,
    table_of,
)

if TYPE_CHECKING:
    from litdesk.store.library import Library

TERM_KINDS = (rules.INCLUDE, rules.EXCLUDE)


def now() -> str:
    """The time of a decision, to the microsecond: the stopping aid counts decisions in the
    order they were made, and a script makes many a second."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _decision(row: DecisionRow) -> Decision:
    return Decision(row.record_id, row.coder, row.decision, row.reason, row.note,
                    row.decided_at)


def _consensus(row: ConsensusRow) -> Decision:
    return Decision(row.record_id, row.decided_by, row.decision, row.reason, row.note,
                    row.decided_at)


def _record_id(record_id: object) -> int:
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        raise ScreeningError(f"a record id is a whole number, not {record_id!r}")
    return record_id


def _check_record(s: Session, record_id: int) -> None:
    if s.scalar(select(RecordRow.id).where(RecordRow.id == record_id)) is None:
        raise ScreeningError(f"there is no record with id {record_id} in the library")


# -- reasons -------------------------------------------------------------------------------

def reasons(lib: Library) -> list[Reason]:
    """The team's exclusion reasons, in list order."""
    with Session(lib.engine) as s:
        return [Reason(r.name, r.key) for r in s.scalars(
            select(ReasonRow).order_by(ReasonRow.position, ReasonRow.name))]


def add_reason(lib: Library, name: str, key: str = "") -> Reason:
    """Add a reason at the end of the list; ScreeningError for a clash or a bad key."""
    with lib.session() as s, s.begin():
        have = [Reason(r.name, r.key) for r in s.scalars(select(ReasonRow))]
        new = rules.check_reason(name, key, have)
        last = s.scalar(select(func.max(ReasonRow.position)))
        s.add(ReasonRow(name=new.name, key=new.key, position=(last or 0) + 1))
    return new


def edit_reason(lib: Library, old: str, name: str, key: str) -> Reason:
    """Rename a reason or change its key; decisions giving it follow the new name."""
    with lib.session() as s, s.begin():
        rows = list(s.scalars(select(ReasonRow)))
        have = [Reason(r.name, r.key) for r in rows]
        found = rules.find_reason(old, have)
        if found is None:
            raise ScreeningError(f"there is no exclusion reason {old!r}")
        new = rules.check_reason(name, key, have, replacing=found.name)
        row = next(r for r in rows if r.name == found.name)
        position = row.position
        s.delete(row)
        s.flush()
        s.add(ReasonRow(name=new.name, key=new.key, position=position))
        if new.name != found.name:
            for table in (DecisionRow, ConsensusRow):
                s.execute(table_of(table).update().where(table.reason == found.name)
                          .values(reason=new.name))
    return new


def remove_reason(lib: Library, name: str) -> None:
    """Take a reason off the list (decisions that gave it keep its name)."""
    with lib.session() as s, s.begin():
        found = rules.find_reason(name, [Reason(r.name, r.key) for r in s.scalars(
            select(ReasonRow))])
        if found is None:
            raise ScreeningError(f"there is no exclusion reason {name!r}")
        s.execute(delete(ReasonRow).where(ReasonRow.name == found.name))


# -- decisions -----------------------------------------------------------------------------

def decide(lib: Library, coder: str, record_id: object, decision: object,
           reason: object = "", note: object = "") -> Decision | None:
    """Store ``coder``'s decision on a record; the decision it replaced (None: none).

    ScreeningError (nothing stored) for a record that does not exist, an unknown decision, a
    reason not in the list.
    """
    rid = _record_id(record_id)
    with lib.session() as s, s.begin():
        have = [Reason(r.name, r.key) for r in s.scalars(select(ReasonRow))]
        decision, reason, note = rules.check_decision(decision, reason, note, have)
        _check_record(s, rid)
        row = s.get(DecisionRow, (rid, coder))
        before = None if row is None else _decision(row)
        # Delete and insert rather than update: on a server, row-level security refuses the
        # insert of another login's decision with an error (an update would match no row).
        s.execute(delete(DecisionRow).where(DecisionRow.record_id == rid,
                                            DecisionRow.coder == coder))
        s.execute(table_of(DecisionRow).insert().values(
            record_id=rid, coder=coder, decision=decision, reason=reason, note=note,
            decided_at=now()))
    return before


def put_back(lib: Library, coder: str, record_id: int, before: Decision | None) -> None:
    """Put ``coder``'s decision on the record back to ``before`` (None: undecided), as it
    was, with its time: what undo does."""
    rid = _record_id(record_id)
    with lib.session() as s, s.begin():
        s.execute(delete(DecisionRow).where(DecisionRow.record_id == rid,
                                            DecisionRow.coder == coder))
        if before is not None:
            _check_record(s, rid)
            s.execute(table_of(DecisionRow).insert().values(
                record_id=rid, coder=coder, decision=before.decision, reason=before.reason,
                note=before.note, decided_at=before.at))


def decision_of(lib: Library, coder: str, record_id: int) -> Decision | None:
    """``coder``'s decision on the record, or None."""
    with Session(lib.engine) as s:
        row = s.get(DecisionRow, (record_id, coder))
        return None if row is None else _decision(row)


def decisions(lib: Library, coder: str) -> dict[int, Decision]:
    """``coder``'s decisions by record id (their own only: blind screening)."""
    with Session(lib.engine) as s:
        return {r.record_id: _decision(r) for r in s.scalars(
            select(DecisionRow).where(DecisionRow.coder == coder))}


def screeners(lib: Library) -> list[str]:
    """The coders who made any screening decision, sorted."""
    with Session(lib.engine) as s:
        return sorted(s.scalars(select(DecisionRow.coder).distinct()))


def _all(s: Session) -> tuple[dict[int, list[Decision]], dict[int, Decision]]:
    by_record: dict[int, list[Decision]] = {}
    for r in s.scalars(select(DecisionRow)):
        by_record.setdefault(r.record_id, []).append(_decision(r))
    consensus = {r.record_id: _consensus(r) for r in s.scalars(select(ConsensusRow))}
    return by_record, consensus


# -- reconciling ---------------------------------------------------------------------------

def conflicts(lib: Library) -> list[Conflict]:
    """Records whose screeners decided differently and that have no consensus yet."""
    with Session(lib.engine) as s:
        by_record, consensus = _all(s)
    return rules.conflicts(by_record, consensus)


def consensus_of(lib: Library, record_id: int) -> Decision | None:
    """The record's consensus decision (``coder``: who recorded it), or None."""
    with Session(lib.engine) as s:
        row = s.get(ConsensusRow, record_id)
        return None if row is None else _consensus(row)


def consensus_decisions(lib: Library) -> dict[int, Decision]:
    """Every consensus decision by record id."""
    with Session(lib.engine) as s:
        return {r.record_id: _consensus(r) for r in s.scalars(select(ConsensusRow))}


def resolve(lib: Library, by: str, record_id: object, decision: object, reason: object = "",
            note: object = "") -> Decision | None:
    """Record the consensus decision on a record (validated as a screener's); the one it
    replaced."""
    rid = _record_id(record_id)
    with lib.session() as s, s.begin():
        have = [Reason(r.name, r.key) for r in s.scalars(select(ReasonRow))]
        decision, reason, note = rules.check_decision(decision, reason, note, have)
        _check_record(s, rid)
        row = s.get(ConsensusRow, rid)
        before = None if row is None else _consensus(row)
        if row is None:
            s.add(ConsensusRow(record_id=rid, decision=decision, reason=reason, note=note,
                               decided_by=by, decided_at=now()))
        else:
            row.decision, row.reason, row.note = decision, reason, note
            row.decided_by, row.decided_at = by, now()
    return before


def unresolve(lib: Library, record_id: int) -> None:
    """Remove the record's consensus decision (its conflict, if any, comes back)."""
    with lib.session() as s, s.begin():
        s.execute(delete(ConsensusRow).where(ConsensusRow.record_id == record_id))


def agreement(lib: Library, coder_a: str, coder_b: str) -> PairAgreement:
    """Percent agreement and Cohen's kappa of two screeners on include/exclude."""
    with Session(lib.engine) as s:
        a = dict(s.execute(select(DecisionRow.record_id, DecisionRow.decision)
                           .where(DecisionRow.coder == coder_a)).all())
        b = dict(s.execute(select(DecisionRow.record_id, DecisionRow.decision)
                           .where(DecisionRow.coder == coder_b)).all())
    return rules.pair_agreement(coder_a, coder_b, ((a[i], b[i]) for i in sorted(a) if i in b))


def agreements(lib: Library) -> list[PairAgreement]:
    """Agreement of every pair of screeners who both decided at least one record."""
    out = []
    for a, b in combinations(screeners(lib), 2):
        pair = agreement(lib, a, b)
        if pair.records:
            out.append(pair)
    return out


# -- progress and counts -------------------------------------------------------------------

def finals(lib: Library) -> dict[int, Decision | None]:
    """Every decided record's final decision (None: in conflict), by record id; a final
    decision's reason is the consensus's, or the first screener's who gave one."""
    with Session(lib.engine) as s:
        by_record, consensus = _all(s)
    out: dict[int, Decision | None] = {}
    for rid in by_record.keys() | consensus.keys():
        if rid in consensus:
            out[rid] = consensus[rid]
            continue
        ds = by_record[rid]
        final = rules.final_decision(ds, None)
        if final is None:
            out[rid] = None
        else:
            reason = next((d.reason for d in sorted(ds, key=lambda d: d.at) if d.reason), "")
            out[rid] = Decision(rid, "", final, reason)
    return out


def stats(lib: Library, coder: str | None = None) -> Stats:
    """Progress: the library's final decisions, or (``coder``) that screener's own decisions
    with the consensus where there is one."""
    total = lib.count()
    if coder is None:
        return rules.stats(total, (d.decision if d else None for d in finals(lib).values()))
    own = {rid: d.decision for rid, d in decisions(lib, coder).items()}
    with Session(lib.engine) as s:
        own.update(dict(s.execute(select(ConsensusRow.record_id, ConsensusRow.decision))
                        .all()))
    return rules.stats(total, own.values())


def sequence(lib: Library, coder: str) -> list[str]:
    """``coder``'s decisions in the order they were made (for the stopping aid)."""
    with Session(lib.engine) as s:
        return list(s.scalars(select(DecisionRow.decision).where(DecisionRow.coder == coder)
                              .order_by(DecisionRow.decided_at, DecisionRow.record_id)))


def prisma(lib: Library) -> dict[str, int]:
    """The PRISMA 2020 identification and screening counts (see core.export.prisma)."""
    from litdesk.core.export.prisma import flow_counts

    with Session(lib.engine) as s:
        files = [(PurePath(source or "").name or "(unnamed)", int(read or 0)) for source, read in
                 s.execute(select(BatchRow.source, BatchRow.read).order_by(BatchRow.id))]
        skipped = s.scalar(select(func.coalesce(func.sum(BatchRow.in_file + BatchRow.in_library),
                                                0))) or 0
        merged = s.scalar(select(func.count(MergeRow.id)).where(MergeRow.undone_at == "")) or 0
    records = lib.count()
    decided = [(d.decision if d else None, d.reason if d else "") for d in finals(lib).values()]
    return flow_counts(files, int(skipped) + int(merged), records, decided)


def decided_ids(lib: Library, coder: str) -> set[int]:
    """The records ``coder`` decided, or that have a consensus (not to be proposed again)."""
    with Session(lib.engine) as s:
        own = set(s.scalars(select(DecisionRow.record_id).where(DecisionRow.coder == coder)))
        return own | set(s.scalars(select(ConsensusRow.record_id)))


def first_undecided(lib: Library, decided: set[int]) -> int | None:
    """The lowest record id not in ``decided`` (None: there is none)."""
    with Session(lib.engine) as s:
        for rid in s.scalars(select(RecordRow.id).order_by(RecordRow.id)):
            if rid not in decided:
                return rid
    return None


# -- terms ---------------------------------------------------------------------------------

def terms(lib: Library) -> dict[str, str]:
    """The highlighted words: term -> "include" or "exclude", sorted by term."""
    with Session(lib.engine) as s:
        return dict(s.execute(select(TermRow.term, TermRow.kind).order_by(TermRow.term))
                    .all())


def set_term(lib: Library, term: str, kind: str | None) -> None:
    """Mark ``term`` as an inclusion or exclusion term (``kind`` None: unmark it)."""
    if not isinstance(term, str) or not term.strip():
        raise ScreeningError("a term needs at least one letter")
    term = " ".join(term.split()).casefold()
    if len(term) > rules.REASON_LIMIT:
        raise ScreeningError(f"a term is at most {rules.REASON_LIMIT} characters")  # always plural
    if kind is not None and kind not in TERM_KINDS:
        raise ScreeningError(f"a term is an inclusion or exclusion term, not {kind!r}")
    with lib.session() as s, s.begin():
        s.execute(delete(TermRow).where(TermRow.term == term))
        if kind is not None:
            s.add(TermRow(term=term, kind=kind))


def records_text(lib: Library, ids: Sequence[int] | None = None) -> list[tuple[int, str]]:
    """(id, title and abstract) of every record (or ``ids``), by id: what the ranking reads."""
    stmt = select(RecordRow.id, RecordRow.title, RecordRow.abstract).order_by(RecordRow.id)
    if ids is not None:
        stmt = stmt.where(RecordRow.id.in_(list(ids)))
    with Session(lib.engine) as s:
        return [(rid, f"{title or ''}\n{abstract or ''}") for rid, title, abstract in
                s.execute(stmt)]
