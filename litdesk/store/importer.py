"""Import a RIS file into a library: one transaction per file, duplicates skipped, streaming.

A file's records go in all together or not at all: a cancelled, failed or killed import
leaves the library as it was before that file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from litdesk.core import dedupe
from litdesk.core.litdesk_notes import decode_notes
from litdesk.core.model import Record, Span
from litdesk.core.ris_reader import Problem, ReadRecord, RisReadError, open_ris
from litdesk.core.sections import suggest_sections
from litdesk.core.spans import normalise
from litdesk.store.convert import record_values
from litdesk.store.library import Library, LibraryError, now
from litdesk.store.schema import BatchRow, MemoRow, RecordRow, SpanRow, StatusRow

CHUNK = 1000

#: progress(records read so far, bytes read so far, file size in bytes)
Progress = Callable[[int, int, int], None]


class ImportCancelled(Exception):
    pass


@dataclass(frozen=True)
class Duplicate:
    position: int
    title: str
    reason: str  # "DOI", "PubMed ID" or "title, year and first author"
    existing_id: int | None  # the record already in the library; None: earlier in this file
    existing_position: int | None = None


@dataclass
class FileSummary:
    """What importing one file did, for the import summary and the CLI."""

    path: str
    encoding: str = ""
    format: str = ""
    read: int = 0
    added: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def line(self) -> str:
        name = os.path.basename(self.path) or self.path
        if self.error:
            return f"{name}: not imported: {self.error}"
        if self.cancelled:
            return f"{name}: cancelled; nothing from this file was added"
        parts = [f"{self.added} added"]
        in_lib = sum(1 for d in self.duplicates if d.existing_id is not None)
        in_file = len(self.duplicates) - in_lib
        if in_lib:
            parts.append(f"{in_lib} already in the library")
        if in_file:
            parts.append(f"{in_file} duplicated within the file")
        if self.problems:
            parts.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}")
        return f"{name}: {', '.join(parts)} ({self.read} read, {self.format}, {self.encoding})"

    def details(self) -> list[str]:
        """Every duplicate and problem, one line each, naming file, record and line."""
        out = [str(p) for p in self.problems]
        for d in self.duplicates:
            where = (f"library record {d.existing_id}" if d.existing_id is not None
                     else f"record {d.existing_position} of this file")
            out.append(f"{self.path}, record {d.position}: duplicate of {where} "
                       f"(same {d.reason}): {d.title[:80]!r}; skipped")
        return out


def import_file(
    lib: Library,
    path: str | os.PathLike[str],
    *,
    allow_duplicates: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FileSummary:
    """Import one file into ``lib``; never raises for a bad file (see ``FileSummary.error``)."""
    summary = FileSummary(str(path))
    try:
        ris = open_ris(path)
    except RisReadError as e:
        summary.error = e.message
        return summary
    summary.encoding, summary.format = ris.encoding, ris.format
    try:
        with ris, lib.session() as s, s.begin():
            batch = BatchRow(source=str(Path(path).resolve()), imported_at=now(),
                             encoding=ris.encoding, format=ris.format, added=0, duplicates=0,
                             coder=lib.coder)
            s.add(batch)
            s.flush()
            checker = _DuplicateChecker(s, allow_duplicates)
            chunk: list[ReadRecord] = []
            for item in ris:
                summary.read += 1
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    _store_chunk(s, lib, batch.id, chunk, checker, summary)
                    chunk = []
                    if progress:
                        progress(summary.read, ris.bytes_read, ris.size)
                if cancelled and summary.read % 100 == 0 and cancelled():
                    raise ImportCancelled
            _store_chunk(s, lib, batch.id, chunk, checker, summary)
            if cancelled and cancelled():
                raise ImportCancelled
            batch.added, batch.duplicates = summary.added, len(summary.duplicates)
            summary.batch_id = batch.id
            summary.problems = list(ris.problems)
            if progress:
                progress(summary.read, ris.size, ris.size)
    except ImportCancelled:
        summary.cancelled, summary.added, summary.batch_id = True, 0, None
    except RisReadError as e:  # the file vanished or broke while it was being read
        summary.error, summary.added, summary.batch_id = e.message, 0, None
    except LibraryError:
        raise
    return summary


def import_files(
    lib: Library, paths: Iterable[str | os.PathLike[str]], **kw: object
) -> list[FileSummary]:
    return [import_file(lib, p, **kw) for p in paths]  # type: ignore[arg-type]


class _DuplicateChecker:
    """Finds duplicates of incoming records in the library and earlier in the same file."""

    def __init__(self, s: Session, allow: bool):
        self.s, self.allow = s, allow
        self.seen: dict[tuple[str, str], tuple[int, str]] = {}

    def check(self, chunk: list[tuple[ReadRecord, Record]]) -> list[Duplicate | None]:
        keyed = [(item, dedupe.keys(rec)) for item, rec in chunk]
        existing = self._existing([k for _, k in keyed])
        out: list[Duplicate | None] = []
        for item, (doi, pmid, title) in keyed:
            dup = None
            for kind, key in (("DOI", doi), ("PubMed ID", pmid), ("title", title)):
                if not key:
                    continue
                hit = existing.get((kind, key))
                if hit and not (kind == "title" and doi and hit[1] and hit[1] != doi):
                    dup = Duplicate(item.position, item.record.title, _reason(kind), hit[0])
                    break
                prior = self.seen.get((kind, key))
                if prior and not (kind == "title" and doi and prior[1] and prior[1] != doi):
                    dup = Duplicate(item.position, item.record.title, _reason(kind), None, prior[0])
                    break
            if dup is None or self.allow:
                for kind, key in (("DOI", doi), ("PubMed ID", pmid), ("title", title)):
                    if key:
                        self.seen.setdefault((kind, key), (item.position, doi))
            out.append(None if self.allow else dup)
        return out

    def _existing(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        found: dict[tuple[str, str], tuple[int, str]] = {}
        for kind, col, idx in (("DOI", RecordRow.doi_key, 0), ("PubMed ID", RecordRow.pmid, 1),
                               ("title", RecordRow.dup_key, 2)):
            wanted = list({k[idx] for k in keys if k[idx]})
            if not wanted:
                continue
            stmt = select(RecordRow.id, RecordRow.doi_key, col).where(col.in_(wanted))
            for rid, doi_key, value in self.s.execute(stmt):
                found.setdefault((kind, value), (rid, doi_key))
        return found


def _reason(kind: str) -> str:
    return "title, year and first author" if kind == "title" else kind


def _store_chunk(
    s: Session, lib: Library, batch_id: int, chunk: list[ReadRecord],
    checker: _DuplicateChecker, summary: FileSummary,
) -> None:
    if not chunk:
        return
    decoded = [(item, *decode_notes(item.record)) for item in chunk]
    verdicts = checker.check([(item, rec) for item, rec, _, _ in decoded])
    stamp = now()
    keep = []
    for (_item, rec, spans, memo), dup in zip(decoded, verdicts, strict=True):
        if dup is not None:
            summary.duplicates.append(dup)
        else:
            keep.append((rec, spans, memo))
    if not keep:
        return
    values = [record_values(rec, batch_id=batch_id, added_at=stamp,
                            suggests=bool(rec.abstract) and bool(suggest_sections(rec.abstract)))
              for rec, _, _ in keep]
    ids = s.scalars(insert(RecordRow).returning(RecordRow.id, sort_by_parameter_order=True),
                    values).all()
    summary.added += len(ids)
    _store_coding(s, lib.coder, zip(ids, keep, strict=True))


def _store_coding(
    s: Session, default_coder: str, items: Iterable[tuple[int, tuple[Record, list[Span], str]]]
) -> None:
    """Spans and memos carried in a litdesk RIS export come back with their records."""
    span_rows, memo_rows, status_rows = [], [], []
    for rid, (rec, spans, memo) in items:
        by_coder: dict[str, list[Span]] = {}
        for sp in spans:
            by_coder.setdefault(sp.coder or default_coder, []).append(sp)
        for coder, group in by_coder.items():
            clean = normalise(group, rec.abstract)
            span_rows += [{"record_id": rid, "coder": coder, "start": x.start, "end": x.end,
                           "label": x.label, "text": x.text} for x in clean]
            status_rows.append({"record_id": rid, "coder": coder, "done": False,
                                "sections": len({x.label for x in clean}), "suggestions": ""})
        if memo:
            memo_rows.append({"record_id": rid, "coder": default_coder, "text": memo,
                              "updated_at": now()})
    if span_rows:
        s.execute(insert(SpanRow), span_rows)
        s.execute(insert(StatusRow), status_rows)
    if memo_rows:
        s.execute(insert(MemoRow), memo_rows)
