"""Import an export file into a library: one transaction per file, duplicates skipped, streaming.

A file's records go in all together or not at all: a cancelled, failed or killed import
leaves the library as it was before that file. Records are read, checked and inserted
``CHUNK`` at a time, so memory stays bounded whatever the size of the file.
"""

from __future__ import annotations

import json
import logging
import operator
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Connection, func, insert, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from litdesk.core.litdesk_notes import decode_notes
from litdesk.core.model import Record, Span
from litdesk.core.readers import open_records
from litdesk.core.ris_reader import Problem, ReadRecord, RisReadError
from litdesk.core.spans import normalise
from litdesk.store.bulk import BackgroundWriter, loads_in_bulk
from litdesk.store.convert import identifier_rows, record_values
from litdesk.store.dup_check import DuplicateChecker, Match, Outcome
from litdesk.store.engines import pg_search, sqlite_connection
from litdesk.store.errors import LibraryError
from litdesk.store.pending import mark_pending
from litdesk.store.schema import BatchRow, MemoRow, PairRow, RecordRow, SpanRow, StatusRow
from litdesk.store.stamps import now

if TYPE_CHECKING:
    from litdesk.store.library import Library

log = logging.getLogger(__name__)

CHUNK = 1000
#: A server import of this many records or more is followed by `settle_after_bulk`.
SETTLE_AFTER = 1000
#: Connections that compute a server import's search vectors, beside the one that writes
#: (0: its insert trigger computes them, in the writing connection).
VECTOR_HELPERS = 2

#: progress(records read so far, bytes read so far, file size in bytes)
Progress = Callable[[int, int, int], None]


class ImportCancelled(Exception):
    """Raised inside the file's transaction to roll it back when the user cancels."""


@dataclass(frozen=True)
class Duplicate:
    """A record that was not imported because the library or the file has it already."""

    position: int
    title: str
    reason: str  # the deciding evidence, e.g. "same DOI", "title, year, authors, journal agree"
    existing_id: int | None  # the record already in the library; None: earlier in this file
    existing_position: int | None = None


@dataclass(frozen=True)
class Flagged:
    """A record imported and flagged as a possible duplicate of another, for the researcher."""

    position: int
    record_id: int
    other_id: int
    reason: str


@dataclass
class FileSummary:
    """What importing one file did, for the import summary and the CLI."""

    path: str
    encoding: str = ""
    format: str = ""
    read: int = 0
    added: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    possible: list[Flagged] = field(default_factory=list)
    #: wall and CPU seconds spent deciding duplicates (look-ups and verdicts), for the benchmark
    check_seconds: float = 0.0
    check_cpu_seconds: float = 0.0
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
        if flagged := len({f.position for f in self.possible}):
            parts.append(f"{flagged} possible duplicate{'s' if flagged != 1 else ''} flagged")
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
                       f"({d.reason}): {d.title[:80]!r}; skipped")
        for f in self.possible:
            out.append(f"{self.path}, record {f.position}: possibly a duplicate of library "
                       f"record {f.other_id} ({f.reason}); imported as record {f.record_id} "
                       "and flagged (litdesk duplicates)")
        return out


def import_file(
    lib: Library,
    path: str | os.PathLike[str],
    *,
    allow_duplicates: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FileSummary:
    """Import one file into ``lib``; never raises for a bad file (see ``FileSummary.error``).

    Duplicates (of library records or of earlier records in the file) are skipped unless
    ``allow_duplicates``. ``cancelled`` is polled as records are read; when it returns True
    the file's transaction is rolled back. Raises `LibraryError` when the library itself
    cannot be written (disk full, locked): nothing from the file is kept then either.
    """
    summary = FileSummary(str(path))
    try:
        ris = open_records(path)
    except RisReadError as e:
        summary.error = e.message
        return summary
    summary.encoding, summary.format = ris.encoding, ris.format
    try:
        with (ris, lib.session() as s, s.begin(), lib.engine.connect() as reader,
              lib.backend.bulk_insert(s.connection(), rebuild=loads_in_bulk(s, ris.size)) as index):
            batch = BatchRow(source=str(Path(path).resolve()), imported_at=now(),
                             encoding=ris.encoding, format=ris.format, added=0, duplicates=0,
                             coder=lib.coder)
            s.add(batch)
            s.flush()
            store = _Store(s, lib.coder, batch.id, summary, index)
            # Duplicates are looked up in the library as it was before this file, on a
            # connection of their own: the file's session is busy in the writer thread.
            checker = DuplicateChecker(reader if store.last_id else None, allow_duplicates)
            with store, BackgroundWriter() as writer:
                chunk: list[ReadRecord] = []
                for item in ris:
                    summary.read += 1
                    chunk.append(item)
                    if len(chunk) >= CHUNK:
                        store(chunk, checker, writer)
                        chunk = []
                        if progress:
                            progress(summary.read, ris.bytes_read, ris.size)
                    if cancelled and summary.read % 100 == 0 and cancelled():
                        raise ImportCancelled
                store(chunk, checker, writer)
                if cancelled and cancelled():
                    raise ImportCancelled
            if summary.added:  # has_suggestions is worked out afterwards (see suggestions.py)
                mark_pending(s, [(store.first_id, store.last_id)])
            in_lib = sum(1 for d in summary.duplicates if d.existing_id is not None)
            batch.added, batch.duplicates = summary.added, len(summary.duplicates)
            batch.read, batch.in_library = summary.read, in_lib
            batch.in_file, batch.possible = len(summary.duplicates) - in_lib, len(
                {f.position for f in summary.possible})
            summary.check_seconds, summary.check_cpu_seconds = checker.seconds, checker.cpu_seconds
            summary.encoding = ris.encoding  # a pending guess may have been settled
            summary.batch_id = batch.id
            if progress:
                progress(summary.read, ris.size, ris.size)
    except ImportCancelled:
        summary.cancelled = True
    except RisReadError as e:  # the file vanished or broke while it was being read
        summary.error = e.message
    except OperationalError as e:  # the library, not the file: the other files would fail too
        raise LibraryError(f"Cannot write to the library {lib.path} ({e.orig}); nothing from "
                           f"{path} was added.") from e
    finally:
        summary.problems = list(ris.problems)
    if not summary.ok:
        summary.added, summary.batch_id = 0, None
        summary.duplicates.clear()
        summary.possible.clear()
    elif summary.added >= SETTLE_AFTER:
        settle_after_bulk(lib)
    return summary


def settle_after_bulk(lib: Library) -> None:
    """After a large server import (or check of their flags): VACUUM (ANALYZE) now, not when
    autovacuum wakes, so the next sort is an index-only scan and the planner knows the new
    rows. The records are committed already: a failure here is only logged."""
    try:
        lib.backend.after_bulk(lib.engine)
    except (LibraryError, DBAPIError) as e:
        log.warning("VACUUM (ANALYZE) after the import failed: %s", e)


def import_files(
    lib: Library, paths: Iterable[str | os.PathLike[str]], **kw: object
) -> list[FileSummary]:
    """`import_file` for each path in turn; a bad file never stops the others."""
    return [import_file(lib, p, **kw) for p in paths]  # type: ignore[arg-type]


class _Store:
    """Inserts the records of each chunk that are no duplicates, with explicit ids.

    The import holds the library's write lock, so ids are handed out from the largest one
    (what SQLite itself would pick): the rows then go in with one ``executemany`` instead of
    one INSERT ... RETURNING per row, and are indexed for search a chunk at a time. Checking
    and preparing rows happens in the reading thread; the writes are jobs for the writer.
    """

    def __init__(self, s: Session, coder: str, batch_id: int, summary: FileSummary,
                 index: Callable[[int, int], None]) -> None:
        self.s, self.coder, self.batch_id = s, coder, batch_id
        self.summary, self.index = summary, index
        self.server = s.get_bind().dialect.name == "postgresql"
        if self.server:
            # On a server nothing else holds the write lock for us: two coders importing at
            # once queue here, so the ids handed out below never collide.
            s.execute(text("LOCK TABLE record IN SHARE ROW EXCLUSIVE MODE"))
        self.last_id = s.scalar(select(func.max(RecordRow.id))) or 0
        self.first_id = self.last_id + 1  # the ids this file gets are consecutive
        # Only a login that may write record_search (its owner) stores vectors itself; for
        # the others, the insert trigger (which runs as the owner) computes them.
        helped = self.server and VECTOR_HELPERS and s.scalar(text(
            f"SELECT has_table_privilege('{pg_search.SEARCH_TABLE}', 'INSERT')"))
        self.helpers = ThreadPoolExecutor(VECTOR_HELPERS, "litdesk-import-vectors") \
            if helped else None

    def __enter__(self) -> _Store:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.helpers is not None:
            self.helpers.shutdown(wait=True, cancel_futures=True)

    def _vectors(self, rows: list[tuple[Any, ...]]) -> list[tuple[int, str]]:
        """A helper's part on a server: the chunk's search vectors, on a connection of its own
        (the records are not written yet; the vectors come from their values alone)."""
        with self.s.get_bind().connect() as conn:  # type: ignore[union-attr]
            return pg_search.vectors_of(conn, [_SEARCHED(r) for r in rows])

    def __call__(self, chunk: list[ReadRecord], checker: DuplicateChecker,
                 writer: BackgroundWriter) -> None:
        if not chunk:
            return
        decoded = [_decode(item.record) for item in chunk]
        outcomes = checker.check([(item.position, rec) for item, (rec, _, _) in zip(
            chunk, decoded, strict=True)])
        keep, kept_items = [], []
        for item, coded, outcome in zip(chunk, decoded, outcomes, strict=True):
            if (m := outcome.certain) is not None:
                self.summary.duplicates.append(Duplicate(item.position, item.record.title,
                                                         m.verdict.reason, *m.existing))
            else:
                keep.append(coded)
                kept_items.append((item, outcome))
        if not keep:  # (skipped records may still bring identifiers: see the end)
            return writer.submit(checker.identifier_job(self.s.connection))
        stamp = now()
        first = self.last_id + 1
        ids = range(first, first + len(keep))
        values = [record_values(rec, batch_id=self.batch_id, added_at=stamp,
                                suggests=False) | {"id": rid}
                  for rid, (rec, _, _) in zip(ids, keep, strict=True)]
        idents = [(r["record_id"], r["value"]) for rid, (rec, _, _) in zip(ids, keep, strict=True)
                  for r in identifier_rows(rid, rec)]
        pairs = []
        for rid, (item, outcome) in zip(ids, kept_items, strict=True):
            checker.assigned(item.position, rid)
            pairs += self._flag(rid, item, outcome, checker)
        rows = _sqlite_rows(values)  # the server's COPY takes the same tuples
        coding = [(rid, item) for rid, item in zip(ids, keep, strict=True) if item[1] or item[2]]
        last = ids[-1]
        self.last_id = last
        self.summary.added += len(keep)
        vectors = self.helpers.submit(self._vectors, rows) if self.helpers else None
        writer.submit(lambda: self._write(rows, first, last, coding, vectors, idents, pairs))
        writer.submit(checker.identifier_job(self.s.connection))  # once their records are in

    def _flag(self, rid: int, item: ReadRecord, outcome: Outcome,
              checker: DuplicateChecker) -> list[dict[str, Any]]:
        """Pair rows for the possible duplicates of a record just given id ``rid``."""
        out = []
        for m in outcome.possible:
            other = m.existing_id if m.existing_id is not None else checker.record_id(
                m.existing_position or 0)
            if other is None or other == rid:
                continue
            self.summary.possible.append(Flagged(item.position, rid, other, m.verdict.reason))
            out.append(pair_row(other, rid, m))
        return out

    def _write(self, rows: list[Any], first: int, last: int,
               coding: list[tuple[int, tuple[Record, list[Span], dict[str, str]]]],
               vectors: Future[list[tuple[int, str]]] | None = None,
               idents: list[tuple[int, str]] | None = None,
               pairs: list[dict[str, Any]] | None = None) -> None:
        """The writer thread's part: insert, index for search, keep the sequence in step."""
        if vectors is not None:
            pg_search.copy_vectors(self.s.connection(), vectors.result())
            _copy_records(self.s.connection(), rows, last)  # its trigger skips those vectors
        elif self.server:
            _copy_records(self.s.connection(), rows, last)
        else:
            sqlite_connection.insert_many(self.s.connection(), "record", _COLUMNS, rows)
        if idents:
            if self.server:
                _copy_rows(self.s.connection(), "record_identifier (record_id, value)", idents)
            else:
                sqlite_connection.insert_many(self.s.connection(), "record_identifier",
                                   ("record_id", "value"), idents)
        if pairs:
            self.s.execute(insert(PairRow), pairs)
        self.index(first, last)
        if coding:
            _store_coding(self.s, self.coder, coding)


#: The record columns an import fills, in `_sqlite_rows` order.
_COLUMNS: tuple[str, ...] = tuple(c.name for c in RecordRow.__table__.columns)
_JSON_COLUMNS = tuple(c.name for c in RecordRow.__table__.columns if isinstance(c.type, JSON))
_IN_ORDER = operator.itemgetter(*_COLUMNS)
_COPY = f"COPY {RecordRow.__tablename__} ({', '.join(_COLUMNS)}) FROM STDIN"
#: A row's id and searched columns, as `pg_search.vectors_of` takes them.
_SEARCHED = operator.itemgetter(*(_COLUMNS.index(c) for c in ("id", *pg_search.SEARCH_COLUMNS)))


def _copy_records(conn: Connection, rows: list[tuple[Any, ...]], last: int) -> None:
    """The server's insert: one ``COPY`` of the chunk, inside the file's transaction.

    COPY is several times faster than an ``executemany`` of INSERTs: one statement, rows
    streamed, none of SQLAlchemy's per-row work. The server computes the chunk's search
    vectors (one statement of the ``record_search`` trigger, migration 0007) while the
    reading thread parses on.
    """
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur:
        with cur.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)
        # keep the id sequence in step for rows inserted later without an id
        cur.execute("SELECT setval(pg_get_serial_sequence('record', 'id'), %s)", (last,))


def _copy_rows(conn: Connection, target: str, rows: list[tuple[Any, ...]]) -> None:
    """``COPY target FROM STDIN`` of ``rows``, inside the file's transaction."""
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def pair_row(a: int, b: int, match: Match) -> dict[str, Any]:
    """A ``duplicate_pair`` row for records ``a`` (the earlier) and ``b``, pending a decision."""
    return {"record_a": min(a, b), "record_b": max(a, b), "reason": match.verdict.reason,
            "evidence": [[e.field, e.relation, e.detail] for e in match.verdict.evidence],
            "decision": "pending", "decided_at": "", "decided_by": ""}


def _sqlite_rows(values: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Column values as SQLite stores them (JSON as text, as the engine's serializer writes),
    in `_COLUMNS` order; what the server's COPY takes too."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for v in values:
        for c in _JSON_COLUMNS:
            v[c] = dumps(v[c])
    return [_IN_ORDER(v) for v in values]


def _decode(record: Record) -> tuple[Record, list[Span], dict[str, str]]:
    """`decode_notes`, skipped for the many records that carry no litdesk notes."""
    if any(tag == "N1" and "[litdesk" in value for tag, value in record.tags):
        return decode_notes(record)
    return record, [], {}


def _store_coding(
    s: Session, default_coder: str,
    items: Iterable[tuple[int, tuple[Record, list[Span], dict[str, str]]]],
) -> None:
    """Spans and memos carried in a litdesk RIS export come back with their records."""
    span_rows, memo_rows, status_rows = [], [], []
    for rid, (rec, spans, memos) in items:
        by_coder: dict[str, list[Span]] = {}
        for sp in spans:
            by_coder.setdefault(sp.coder or default_coder, []).append(sp)
        for coder, group in by_coder.items():
            clean = normalise(group, rec.abstract)
            span_rows += [{"record_id": rid, "coder": coder, "start": x.start, "end": x.end,
                           "label": x.label, "text": x.text} for x in clean]
            status_rows.append({"record_id": rid, "coder": coder, "done": False,
                                "sections": len({x.label for x in clean}), "suggestions": ""})
        by_owner: dict[str, list[str]] = {}  # a memo naming no coder is the importer's
        for coder, memo in memos.items():
            by_owner.setdefault(coder or default_coder, []).append(memo)
        memo_rows += [{"record_id": rid, "coder": coder, "text": "\n".join(texts),
                       "updated_at": now()} for coder, texts in by_owner.items() if any(texts)]
    if span_rows:
        s.execute(insert(SpanRow), span_rows)
        s.execute(insert(StatusRow), status_rows)
    if memo_rows:
        s.execute(insert(MemoRow), memo_rows)
