"""Copy a whole library to another (a file to a server, a server to a file, or file to file).

Records come with their RIS tags, every coder's spans, memos, coding status (done marks,
suggestion decisions), screening decisions and consensus, import batches, the
possible-duplicate pairs and (into an empty library) the merge log, so a merge made before the
copy can be undone in the copy. The team's exclusion reasons, highlighted terms and the
library's learned section model come too (into an empty library in place of its defaults;
merged in, only those the destination lacks). Into an
empty library, record and batch ids are kept, so ids in exports and notes stay valid; with
``merge`` the records are added to what the destination has, under new ids. The result counts
the rows on both sides and compares a checksum of the copied content (ids left out), so a copy
can be trusted without looking.

Copying into a server library should be done by its owner: row-level security lets other
logins write only their own coding, and the copy carries every coder's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from litdesk.core.words import counted
from litdesk.store import pending
from litdesk.store.errors import LibraryError
from litdesk.store.library import Library
from litdesk.store.schema import (
    BatchRow,
    ConsensusRow,
    DecisionRow,
    IdentifierRow,
    LearnedModelRow,
    MemoRow,
    MergeRow,
    MetaRow,
    PairRow,
    ReasonRow,
    RecordRow,
    SpanRow,
    StatusRow,
    TermRow,
)

_CHUNK = 500
TABLES = {"records": RecordRow, "batches": BatchRow, "spans": SpanRow, "memos": MemoRow,
          "statuses": StatusRow, "decisions": DecisionRow, "consensus": ConsensusRow,
          "pairs": PairRow, "merges": MergeRow, "reasons": ReasonRow, "terms": TermRow,
          "models": LearnedModelRow}
#: What each record carries besides its own row (copied under the record's new id).
_ATTACHED = (("spans", SpanRow), ("memos", MemoRow), ("statuses", StatusRow),
             ("decisions", DecisionRow), ("consensus", ConsensusRow))
#: The library's own lists and model, by their key: the destination's win in a merge.
_SETTINGS = (("reasons", ReasonRow, "name"), ("terms", TermRow, "term"),
             ("models", LearnedModelRow, "name"))


@dataclass(frozen=True)
class CopyReport:
    """Rows copied per table, rows on each side afterwards, and the content checksums."""

    copied: dict[str, int]
    source_counts: dict[str, int]
    dest_counts: dict[str, int]
    source_checksum: str
    dest_checksum: str
    kept_ids: bool

    @property
    def ok(self) -> bool:
        return self.source_checksum == self.dest_checksum

    def lines(self) -> list[str]:
        out = [f"{name}: {self.copied[name]} copied ({self.source_counts[name]} in the source, "
               f"{self.dest_counts[name]} in the destination)" for name in TABLES]
        if not self.kept_ids and self.source_counts["merges"]:
            out.append("merges: not carried into a library that had records (the copies get "
                       "new ids, and undoing a merge puts records back under their old ones)")
        verdict = "match" if self.ok else "DIFFER"
        out.append(f"checksums {verdict}: {self.source_checksum[:16]} / "
                   f"{self.dest_checksum[:16]}")
        return out


def counts(lib: Library) -> dict[str, int]:
    """Rows per table of ``lib``."""
    with Session(lib.engine) as s:
        return {name: s.scalar(select(func.count()).select_from(row.__table__)) or 0
                for name, row in TABLES.items()}


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i:i + _CHUNK])


def _rows(s: Session, table: Any, column: Any, ids: list[int]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in s.execute(select(table).where(column.in_(ids)))]


def checksum(lib: Library, ids: Sequence[int]) -> str:
    """SHA-256 of the records ``ids`` (in that order) with their batch, spans, memos and
    status; ids are left out, so a copy under new ids sums the same."""
    digest = hashlib.sha256()
    with Session(lib.engine) as s:
        batches = {b["id"]: b for b in _rows(s, BatchRow.__table__, BatchRow.id, [
            i for i in s.scalars(select(RecordRow.batch_id).where(RecordRow.batch_id.isnot(None))
                                 .distinct()) if i is not None])}
        for part in _chunks(ids):
            records = {r["id"]: r for r in _rows(s, RecordRow.__table__, RecordRow.id, part)}
            attached: dict[int, list[Any]] = {i: [] for i in part}
            for _, row in _ATTACHED:
                for r in _rows(s, row.__table__, row.record_id, part):
                    attached[r["record_id"]].append(
                        [row.__tablename__] + [v for k, v in sorted(r.items())
                                        if k not in ("id", "record_id")])
            for rid in part:
                rec = {k: v for k, v in records[rid].items() if k not in ("id", "batch_id")}
                batch = batches.get(records[rid]["batch_id"])
                batch = {k: v for k, v in batch.items() if k != "id"} if batch else None
                item = [rec, batch, sorted(attached[rid], key=json.dumps)]
                digest.update(json.dumps(item, sort_keys=True, ensure_ascii=False,
                                         default=str).encode())
    return digest.hexdigest()


def copy_library(source: Library, dest: Library, *, merge: bool = False) -> CopyReport:
    """Copy everything in ``source`` into ``dest`` (one transaction); see the module notes.

    Raises :class:`LibraryError` when ``dest`` has records or imports and not ``merge``.
    """
    before = counts(dest)
    if not merge and (before["records"] or before["batches"]):
        raise LibraryError(f"{dest.path} is not empty ({counted(before['records'], 'record')}): "
                           "copy into an empty library, or merge into this one.")
    keep = not (before["records"] or before["batches"])
    with Session(source.engine) as src:
        ids = list(src.scalars(select(RecordRow.id).order_by(RecordRow.id)))
        batch_rows = [dict(r._mapping) for r in src.execute(
            select(BatchRow.__table__).order_by(BatchRow.id))]
    copied = dict.fromkeys(TABLES, 0)
    id_map: dict[int, int] = {}
    with dest.session() as out, out.begin():
        # rows inserted with explicit ids may have outrun the server's id sequences
        dest.backend.advance_ids(out.connection())
        batch_map: dict[int, int] = {}
        for b in batch_rows:
            values = b if keep else {k: v for k, v in b.items() if k != "id"}
            batch_map[b["id"]] = int(out.execute(insert(BatchRow).values(**values)
                                               .returning(BatchRow.id)).scalar_one())
        copied["batches"] = len(batch_rows)
        with Session(source.engine) as src:
            for part in _chunks(ids):
                _copy_chunk(src, out, part, keep, batch_map, id_map, copied)
        for name, row, key in _SETTINGS:
            copied[name] = _copy_settings(source, out, row, key, replace=keep)
        if keep:
            copied["merges"] = _copy_merges(source, out)
            dest.backend.advance_ids(out.connection())
        # Flags the source had still to work out are still to be worked out in the copy.
        with Session(source.engine) as src:
            waiting = pending.load(src.scalar(select(MetaRow.value).where(
                MetaRow.key == pending.PENDING_KEY)))
        pending.mark_pending(out, pending.as_ranges(
            id_map[i] for a, b in waiting for i in range(a, b + 1) if i in id_map))
    report_ids = [id_map[i] for i in ids]
    return CopyReport(copied, counts(source), counts(dest), checksum(source, ids),
                      checksum(dest, report_ids), keep)


def _copy_chunk(src: Session, out: Session, part: list[int], keep: bool,
                batch_map: dict[int, int], id_map: dict[int, int],
                copied: dict[str, int]) -> None:
    records = _rows(src, RecordRow.__table__, RecordRow.id, part)
    records.sort(key=lambda r: r["id"])
    values = [{**{k: v for k, v in r.items() if keep or k != "id"},
               "batch_id": batch_map.get(r["batch_id"])} for r in records]
    new_ids = out.scalars(insert(RecordRow).returning(
        RecordRow.id, sort_by_parameter_order=True), values).all()
    id_map.update(zip((r["id"] for r in records), new_ids, strict=True))
    copied["records"] += len(records)
    for name, row in _ATTACHED:
        rows = [{**{k: v for k, v in r.items() if k != "id"}, "record_id": id_map[r["record_id"]]}
                for r in _rows(src, row.__table__, row.record_id, part)]
        if rows:
            out.execute(insert(row), rows)
        copied[name] += len(rows)
    # the duplicate check's keys, and the possible pairs whose two records are both copied
    idents = [{"record_id": id_map[r["record_id"]], "value": r["value"]}
              for r in _rows(src, IdentifierRow.__table__, IdentifierRow.record_id, part)]
    if idents:
        out.execute(insert(IdentifierRow), idents)
    pairs = [{**{k: v for k, v in r.items() if k != "id"}, "record_a": id_map[r["record_a"]],
              "record_b": id_map[r["record_b"]]}
             for r in _rows(src, PairRow.__table__, PairRow.record_b, part)
             if r["record_a"] in id_map]  # record_a < record_b: copied in this or a chunk before
    if pairs:
        out.execute(insert(PairRow), pairs)
    copied["pairs"] += len(pairs)


def _copy_settings(source: Library, out: Session, row: Any, key: str, replace: bool) -> int:
    """The rows of a library-wide table (reasons, terms, models): all of them in place of
    the destination's (``replace``: a new library's default reasons), else those it lacks."""
    if replace:
        out.execute(delete(row))
    have = set(out.scalars(select(getattr(row, key))))
    with Session(source.engine) as src:
        rows = [dict(r._mapping) for r in src.execute(select(row.__table__))
                if r._mapping[key] not in have]
    if rows:
        out.execute(insert(row), rows)
    return len(rows)


def _copy_merges(source: Library, out: Session) -> int:
    """The merge log, same ids (into an empty library, where record ids are kept). The rows
    each merge replaced keep their record ids; their spans and pairs lose their own row ids,
    which the copy numbers anew, so undoing the merge gives them new ones."""
    with Session(source.engine) as src:
        rows = [dict(r._mapping) for r in src.execute(
            select(MergeRow.__table__).order_by(MergeRow.id))]
    for row in rows:
        before = dict(row["before"] or {})
        for part in ("spans", "pairs"):
            before[part] = [{k: v for k, v in x.items() if k != "id"}
                            for x in before.get(part, ())]
        row["before"] = before
    for i in range(0, len(rows), _CHUNK):
        out.execute(insert(MergeRow), rows[i:i + _CHUNK])
    return len(rows)

