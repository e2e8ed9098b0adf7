"""Possible duplicates in the library: list them, keep both, merge (logged, undoable), counts.

A merge keeps one record with the union of both records' tags, identifiers, every coder's spans
and memos, and every screener's decision (the kept record's where both have one); the other
record goes. What both were before is kept in ``merge_log``, so that
`unmerge` puts them back exactly, ids included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from litdesk.core.merging import merged_tags, place_spans
from litdesk.core.model import Record, Span
from litdesk.core.ris_fields import record_from_tags
from litdesk.core.words import counted
from litdesk.store import safety
from litdesk.store.convert import identifier_rows, record_values, to_record
from litdesk.store.errors import LibraryError
from litdesk.store.schema import (
    BatchRow,
    ConsensusRow,
    DecisionRow,
    IdentifierRow,
    MemoRow,
    MergeRow,
    PairRow,
    RecordRow,
    SpanRow,
    StatusRow,
)
from litdesk.store.stamps import now

if TYPE_CHECKING:
    from litdesk.store.library import Library

PENDING, KEPT, MERGED = "pending", "kept", "merged"


@dataclass(frozen=True)
class PossiblePair:
    """Two records that may be one paper, with the evidence compared."""

    id: int
    a: Record
    b: Record
    reason: str
    evidence: tuple[tuple[str, str, str], ...]  # (field, relation, detail)
    decision: str

    def as_json(self) -> dict[str, Any]:
        def brief(r: Record) -> dict[str, Any]:
            return {"id": r.id, "title": r.title, "authors": list(r.authors), "year": r.year,
                    "journal": r.journal, "type": r.type, "doi": r.doi, "pmid": r.pmid,
                    "pmcid": r.pmcid, "accessions": list(r.accessions)}
        return {"pair": self.id, "a": brief(self.a), "b": brief(self.b), "reason": self.reason,
                "decision": self.decision,
                "evidence": [{"field": f, "relation": r, "detail": d}
                             for f, r, d in self.evidence]}


@dataclass(frozen=True)
class Counts:
    """The PRISMA flow of the library's imports."""

    imports: int
    read: int
    duplicates_in_files: int
    duplicates_in_library: int
    possible_flagged: int
    added: int
    merged: int
    kept_both: int
    pending: int
    records: int

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        """The counts in words, one line each (the CLI and the app's counts dialog)."""
        return [
            f"Records read from {counted(self.imports, 'imported file')}: {self.read:,}",
            f"Duplicates removed within files: {self.duplicates_in_files}",
            f"Duplicates removed as already in the library: {self.duplicates_in_library}",
            f"Records flagged as possible duplicates: {self.possible_flagged} "
            f"(pairs awaiting a decision: {self.pending}, pairs kept as two records: "
            f"{self.kept_both})",
            f"Records added: {self.added}; merged since: {self.merged}",
            f"Records in the library now: {self.records}",
        ]


def pairs(lib: Library, *, decision: str | None = PENDING) -> list[PossiblePair]:
    """The possible duplicate pairs (``decision`` None: all), oldest first."""
    with Session(lib.engine) as s:
        stmt = select(PairRow).order_by(PairRow.id)
        if decision is not None:
            stmt = stmt.where(PairRow.decision == decision)
        rows = list(s.scalars(stmt))
        ids = {i for p in rows for i in (p.record_a, p.record_b)}
        recs = {r.id: to_record(r) for r in s.scalars(select(RecordRow).where(
            RecordRow.id.in_(ids)))} if ids else {}
    return [PossiblePair(p.id, recs[p.record_a], recs[p.record_b], p.reason,
                         tuple(tuple(e) for e in p.evidence or ()), p.decision)
            for p in rows if p.record_a in recs and p.record_b in recs]


def _pair(s: Session, a: int, b: int) -> PairRow | None:
    return s.scalar(select(PairRow).where(PairRow.record_a == min(a, b),
                                          PairRow.record_b == max(a, b)))


def keep_both(lib: Library, a: int, b: int) -> None:
    """Remember that ``a`` and ``b`` are different papers (never asked again)."""
    if a == b:
        raise ValueError("a record cannot be kept apart from itself")
    with lib.session() as s, s.begin():
        for rid in (a, b):
            if s.get(RecordRow, rid) is None:
                raise KeyError(rid)
        row = _pair(s, a, b)
        if row is None:
            s.execute(insert(PairRow).values(
                record_a=min(a, b), record_b=max(a, b), evidence=[], reason="kept apart",
                decision=KEPT, decided_at=now(), decided_by=lib.coder))
        else:
            row.decision, row.decided_at, row.decided_by = KEPT, now(), lib.coder


def reopen(lib: Library, a: int, b: int) -> None:
    """Undo `keep_both`: the pair awaits a decision again."""
    with lib.session() as s, s.begin():
        row = _pair(s, a, b)
        if row is None:
            raise KeyError(a)
        row.decision, row.decided_at, row.decided_by = PENDING, "", ""


def merge(lib: Library, keep: int, other: int) -> int:
    """Merge ``other`` into ``keep`` (see the module notes); returns the merge's log id."""
    if keep == other:
        raise ValueError("a record cannot be merged with itself")
    with lib.session() as s, s.begin():
        rows = {rid: s.get(RecordRow, rid) for rid in (keep, other)}
        for rid, row in rows.items():
            if row is None:
                raise KeyError(rid)
        _check_team_rights(s, lib, other)
        before = safety.take_snapshot(s, [keep, other])
        kept, gone = to_record(rows[keep]), to_record(rows[other])  # type: ignore[arg-type]
        tags = merged_tags(kept.tags, gone.tags)
        derived = record_from_tags(tags)
        merged = Record(**{**_fields(derived), "accessions": tuple(dict.fromkeys(
            (*derived.accessions, *kept.accessions, *gone.accessions)))})
        values = record_values(merged, batch_id=rows[keep].batch_id,  # type: ignore[union-attr]
                               added_at=rows[keep].added_at,  # type: ignore[union-attr]
                               suggests=rows[keep].has_suggestions)  # type: ignore[union-attr]
        s.execute(update(RecordRow).where(RecordRow.id == keep).values(**values))
        idents = {r["value"] for r in identifier_rows(keep, merged)}
        idents |= {r["value"] for r in before.identifiers}
        s.execute(delete(IdentifierRow).where(IdentifierRow.record_id.in_([keep, other])))
        if idents:  # (an empty list would be one INSERT of nothing: records without any)
            s.execute(insert(IdentifierRow), [{"record_id": keep, "value": v}
                                              for v in sorted(idents)])
        _move_coding(s, keep, other, kept.abstract, gone.abstract, merged.abstract)
        _move_screening(s, keep, other)
        s.execute(delete(PairRow).where(or_(PairRow.record_a == other,
                                            PairRow.record_b == other)))
        s.execute(delete(RecordRow).where(RecordRow.id == other))
        log = s.execute(insert(MergeRow).values(
            kept_id=keep, removed_id=other, merged_at=now(), coder=lib.coder,
            before={**_snapshot_json(before), "after": _coding(s, keep)},
            undone_at="").returning(MergeRow.id)).scalar_one()
    return int(log)


def _fields(rec: Record) -> dict[str, Any]:
    return {f: getattr(rec, f) for f in ("type", "title", "authors", "year", "journal",
                                         "volume", "issue", "pages", "doi", "pmid", "pmcid",
                                         "urls", "abstract", "keywords", "tags")}


def _check_team_rights(s: Session, lib: Library, other: int) -> None:
    """On a server only the owner may move other coders' coding and screening decisions
    (row-level security)."""
    if lib.backend.may_change_others(s.connection()):
        return
    others = {c for table in (SpanRow, MemoRow, DecisionRow)
              for c in s.scalars(select(table.coder).where(table.record_id == other))}
    if others - {lib.coder}:
        raise LibraryError(f"Record {other} holds coding or decisions by "
                           f"{', '.join(sorted(others))}: only the library's owner may merge it.")


def _move_coding(s: Session, keep: int, other: int, kept_abstract: str, gone_abstract: str,
                 abstract: str) -> None:
    """Every coder's spans, memos and status of both records onto ``keep``."""
    spans: dict[str, dict[int, list[Span]]] = {}
    for row in s.scalars(select(SpanRow).where(SpanRow.record_id.in_([keep, other]))):
        spans.setdefault(row.coder, {}).setdefault(row.record_id, []).append(
            Span(row.start, row.end, row.label, row.text, row.coder))
    memos = {(m.coder, m.record_id): m.text for m in s.scalars(
        select(MemoRow).where(MemoRow.record_id.in_([keep, other])))}
    status = {(r.coder, r.record_id): r for r in s.scalars(
        select(StatusRow).where(StatusRow.record_id.in_([keep, other])))}
    coders = {c for c, _ in memos} | {c for c, _ in status} | set(spans)
    s.execute(delete(SpanRow).where(SpanRow.record_id.in_([keep, other])))
    new_spans, new_memos, new_status = [], [], []
    for coder in sorted(coders):
        mine = spans.get(coder, {})
        placed, lost = place_spans(mine.get(keep, []), kept_abstract, abstract)
        if not placed:  # the other record's coding, when the kept record has none
            placed, lost2 = place_spans(mine.get(other, []), gone_abstract, abstract)
            lost += lost2
        else:
            lost += mine.get(other, [])
        memo = "\n\n".join(dict.fromkeys(t for t in (memos.get((coder, keep), ""),
                                                      memos.get((coder, other), "")) if t))
        if lost:
            memo += ("\n\n" if memo else "") + "[merged record: sections not placed] " + "; ".join(
                f"{sp.label}: {sp.text}" for sp in lost)
        new_spans += [{"record_id": keep, "coder": coder, "start": sp.start, "end": sp.end,
                       "label": sp.label, "text": sp.text} for sp in placed]
        if memo:
            new_memos.append({"record_id": keep, "coder": coder, "text": memo,
                              "updated_at": now()})
        st = [status[k] for k in ((coder, keep), (coder, other)) if k in status]
        new_status.append({"record_id": keep, "coder": coder,
                           "sections": len({sp.label for sp in placed}),
                           "done": any(x.done for x in st),
                           "suggestions": next((x.suggestions for x in st if x.suggestions), "")})
    s.execute(delete(MemoRow).where(MemoRow.record_id.in_([keep, other])))
    s.execute(delete(StatusRow).where(StatusRow.record_id.in_([keep, other])))
    if new_spans:
        s.execute(insert(SpanRow), new_spans)
    if new_memos:
        s.execute(insert(MemoRow), new_memos)
    if new_status:
        s.execute(insert(StatusRow), new_status)


def _move_screening(s: Session, keep: int, other: int) -> None:
    """Each screener's decision on ``other``, and the team's consensus, onto ``keep`` where it
    has none (a decision on the kept record stands)."""
    screeners = select(DecisionRow.coder).where(DecisionRow.record_id == keep)
    s.execute(update(DecisionRow).where(DecisionRow.record_id == other,
                                        DecisionRow.coder.not_in(screeners))
              .values(record_id=keep))
    if s.get(ConsensusRow, keep) is None:
        s.execute(update(ConsensusRow).where(ConsensusRow.record_id == other)
                  .values(record_id=keep))
    for table in (DecisionRow, ConsensusRow):
        s.execute(delete(table).where(table.record_id == other))


def _coding(s: Session, rid: int) -> list[list[Any]]:
    """Every coder's spans and memo on a record, comparable after a JSON round trip."""
    spans = [["span", r.coder, r.start, r.end, r.label] for r in s.scalars(
        select(SpanRow).where(SpanRow.record_id == rid))]
    memos = [["memo", m.coder, m.text] for m in s.scalars(
        select(MemoRow).where(MemoRow.record_id == rid))]
    return sorted(spans + memos, key=json.dumps)


def _snapshot_json(snap: safety.Snapshot) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps({k: list(getattr(snap, k)) for k in (
        "records", "spans", "memos", "statuses", "identifiers", "pairs", "decisions",
        "consensus")}, default=str))
    return plain


def merges(lib: Library) -> list[tuple[int, int, int, str, str]]:
    """The merge log: (log id, kept id, removed id, when, coder), newest first, not undone."""
    with Session(lib.engine) as s:
        return [(m.id, m.kept_id, m.removed_id, m.merged_at, m.coder) for m in s.scalars(
            select(MergeRow).where(MergeRow.undone_at == "").order_by(MergeRow.id.desc()))]


def unmerge(lib: Library, log_id: int | None = None) -> tuple[int, int]:
    """Undo a merge (the latest one not undone when ``log_id`` is None): both records come
    back as they were before it, with their ids. Returns (kept id, removed id)."""
    with lib.session() as s, s.begin():
        stmt = select(MergeRow).where(MergeRow.undone_at == "")
        stmt = stmt.where(MergeRow.id == log_id) if log_id is not None else stmt.order_by(
            MergeRow.id.desc()).limit(1)
        row = s.scalar(stmt)
        if row is None:
            raise KeyError(log_id if log_id is not None else "no merge to undo")
        saved = dict(row.before)
        after = saved.pop("after", None)
        snap = safety.Snapshot(**{k: tuple(v) for k, v in saved.items()})
        if s.get(RecordRow, row.removed_id) is not None or s.get(RecordRow, row.kept_id) is None:
            raise LibraryError(f"Records {row.kept_id} and {row.removed_id} have changed since "
                               "they were merged: the merge cannot be undone.")
        if after is not None and _coding(s, row.kept_id) != after:
            raise LibraryError(f"Record {row.kept_id} was coded since the merge: undoing it "
                               "would lose that coding, so it was not undone.")
        current = safety.take_snapshot(s, [row.kept_id])
        safety.remove(s, current)
        safety.restore(s, snap)
        row.undone_at = now()
        return row.kept_id, row.removed_id


def counts(lib: Library) -> Counts:
    """The PRISMA counts of the whole library (sums over its imports, plus decisions)."""
    with Session(lib.engine) as s:
        b = s.execute(select(func.count(BatchRow.id), func.coalesce(func.sum(BatchRow.read), 0),
                             func.coalesce(func.sum(BatchRow.in_file), 0),
                             func.coalesce(func.sum(BatchRow.in_library), 0),
                             func.coalesce(func.sum(BatchRow.possible), 0),
                             func.coalesce(func.sum(BatchRow.added), 0))).one()
        decided = dict(s.execute(select(PairRow.decision, func.count(PairRow.id))
                                 .group_by(PairRow.decision)).all())
        merged = s.scalar(select(func.count(MergeRow.id)).where(MergeRow.undone_at == "")) or 0
        records = s.scalar(select(func.count(RecordRow.id))) or 0
    return Counts(int(b[0]), int(b[1]), int(b[2]), int(b[3]), int(b[4]), int(b[5]), int(merged),
                  int(decided.get(KEPT, 0)), int(decided.get(PENDING, 0)), int(records))


def source_reads(lib: Library) -> list[tuple[str, int]]:
    """Each import's source file and the records read from it, oldest first."""
    with Session(lib.engine) as s:
        return [(src or "", int(n or 0)) for src, n in s.execute(
            select(BatchRow.source, BatchRow.read).order_by(BatchRow.id)).all()]
