"""The library facade: what the UI and the CLI call to open, query and change a library.

A :class:`Library` wraps one SQLAlchemy engine. Every public method is one short transaction,
committed before it returns, so whatever the app reports as done is on disk.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from litdesk.core import spans as span_ops
from litdesk.core.model import Record, Span, short_authors
from litdesk.core.status import ANSWERS, status_of
from litdesk.store import facets, pending, safety
from litdesk.store.convert import to_record, to_span
from litdesk.store.engines import backend_for
from litdesk.store.engines.pg_live import ChangeListener as ChangeListener
from litdesk.store.engines.sqlite_backup import list_backups as list_backups
from litdesk.store.engines.sqlite_backup import restore_backup as restore_backup
from litdesk.store.engines.sqlite_connection import BUSY_TIMEOUT_MS
from litdesk.store.errors import BackupError as BackupError
from litdesk.store.errors import DamagedLibrary as DamagedLibrary
from litdesk.store.errors import LibraryError
from litdesk.store.errors import ListenerLost as ListenerLost
from litdesk.store.errors import PasswordNeeded as PasswordNeeded
from litdesk.store.importer import FileSummary as FileSummary
from litdesk.store.location import Location
from litdesk.store.merging import PossiblePair as PossiblePair
from litdesk.store.query import SORT_KEYS, STATUSES, search_statement
from litdesk.store.rows import RowSummary as RowSummary
from litdesk.store.safety import BatchInfo
from litdesk.store.safety import Snapshot as Snapshot
from litdesk.store.schema import MemoRow, MetaRow, RecordRow, SpanRow, StatusRow
from litdesk.store.stamps import default_coder as default_coder
from litdesk.store.stamps import now
from litdesk.store.writes import WritePath, WriteSession

log = logging.getLogger(__name__)


class Library:
    """An open litdesk library: a SQLite file, or a team's database on PostgreSQL."""

    # Sub-facades (store.facets), made on first use; callers name the re-exported classes.
    coding = cached_property(facets.Coding)
    suggestions = cached_property(facets.Suggestions)
    learning = cached_property(facets.Learning)
    duplicates = cached_property(facets.Duplicates)
    files = cached_property(facets.Files)
    live = cached_property(facets.Live)
    team = cached_property(facets.Team)
    screening = cached_property(facets.Screening)

    def __init__(self, engine: Engine, path: Path, coder: str, read_only: bool = False):
        self.engine = engine
        #: What differs between engines (litdesk.store.engines): the store asks it.
        self.backend = backend_for(engine)
        self._single = self.backend.reads(engine)  # for reads of one statement
        self.path = path
        #: Where the library lives (for a server: its address without the password).
        self.location = Location.parse(path) if isinstance(path, str) else Location(
            path=Path(path))
        self.coder = coder
        self.read_only = read_only
        self._checked = threading.Event()  # the integrity check has ended (or was not due)
        self._checked.set()
        self.write_path = WritePath(BUSY_TIMEOUT_MS / 1000)  #: every write's way in
        self._damage: LibraryError | None = None
        #: Raises LibraryError when the library is no longer where it was opened (a file
        #: moved, deleted or replaced on disk): set by the engine that has such a place.
        self.check_place: Callable[[], None] = lambda: None

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | Location,
        *,
        coder: str | None = None,
        read_only: bool = False,
        busy_timeout_ms: int | None = None,
        check_in_background: bool = False,
        create: bool = True,
        password: str | None = None,
    ) -> Library:
        """Open the library at ``path`` (a file, or a server address: see :class:`Location`).

        ``create``: make a new library when there is none there (a file, built whole beside
        it and then moved into place; or the schema in an empty server database); else
        :class:`LibraryMissing`, having created nothing. ``password``: a server's, in memory.

        ``check_in_background``: run the integrity check (which reads the whole file: over a
        second at 100,000 records) on a thread instead of before returning; writes wait for it
        only writes.CHECK_GRACE_S; once it has found damage they are refused (:attr:`damage`).

        An existing one is checked (``quick_check``), backed up daily and before an upgrade,
        and opened read-only (writes raise LibraryError) if ``read_only`` or it is not writable.
        ``busy_timeout_ms``: how long a write waits for another program using the library.
        Raises :class:`LibraryError` for a file that is not a litdesk library, is from a newer
        litdesk or cannot be read, :class:`DamagedLibrary` for a damaged one (all untouched).
        """
        where = Location.parse(path)
        if where.address is not None:
            return cls.open_server(where.address, coder=coder, read_only=read_only,
                                   password=password, lock_timeout_ms=busy_timeout_ms,
                                   create=create)
        assert where.path is not None
        from litdesk.store.engines import sqlite

        return sqlite.open_library(cls, where.path, coder=coder or default_coder(),
                                   read_only=read_only, busy_timeout_ms=busy_timeout_ms,
                                   check_in_background=check_in_background, create=create)

    def _check(self) -> None:
        """The background integrity check; a healthy library then gets its daily backup."""
        try:
            damage = self.backend.check(self)
            if damage is not None:
                self._damage = damage
                log.error("%s", damage)
        except Exception:  # the check must never take the app down; say so in the log
            log.exception("integrity check of %s failed to run", self.path)
        finally:
            self._checked.set()

    @property
    def checking(self) -> bool:
        """True while the background integrity check runs (writes go on meanwhile)."""
        return not self._checked.is_set()

    @property
    def damage(self) -> LibraryError | None:
        """What the background integrity check found wrong (None: nothing, or not done)."""
        return self._damage

    def close(self) -> None:
        self._checked.wait(60)  # let a running check finish before the engine goes
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self, cancelled: Callable[[], bool] | None = None) -> Session:
        """A session for changes, in ``with``: see `WriteSession` (``cancelled``: its job's)."""
        self._writable()
        return WriteSession(self.engine, self.write_path, cancelled)

    def _writable(self) -> None:
        """Raise LibraryError unless changes may be saved now."""
        if self.read_only:
            raise LibraryError(f"{self.path} is read-only: changes cannot be saved.")
        self._checked.wait(self.write_path.grace_left())
        if self._damage is not None:
            raise self._damage
        self.check_place()

    def _reader(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _single_reader(self) -> Session:
        """A session for a read of one statement (outside a transaction on a server)."""
        return Session(self._single, expire_on_commit=False)

    # -- reading -----------------------------------------------------------------------
    def count(self) -> int:
        with self._single_reader() as s:
            return s.scalar(select(func.count(RecordRow.id))) or 0

    def search_ids(self, text: str = "", *, status: str | None = None, sort: str = "id",
                   descending: bool = False) -> list[int]:
        """Ids of the records matching the search box ``text`` and ``status``, sorted."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}")
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        stmt = search_statement(text, self.coder, status=status, sort=sort, descending=descending,
                                dialect=self.backend.name)
        with self._single.connect() as conn:
            # The ids through the driver directly: SQLAlchemy's rows doubled every search time.
            return self.backend.fetch_ids(conn, stmt)

    def rows(self, ids: Sequence[int]) -> list[RowSummary]:
        """Table rows for ``ids``, in the same order (missing ids are left out)."""
        if not ids:
            return []
        stmt = (
            select(RecordRow.id, RecordRow.authors, RecordRow.year, RecordRow.title,
                   RecordRow.journal, RecordRow.has_suggestions, StatusRow.sections,
                   StatusRow.done, StatusRow.suggestions)
            .outerjoin(StatusRow, (StatusRow.record_id == RecordRow.id)
                       & (StatusRow.coder == self.coder))
            .where(RecordRow.id.in_(list(ids)))
        )
        found: dict[int, RowSummary] = {}
        with self._single.connect() as conn:
            for r in conn.execute(stmt):
                sections, done = r.sections or 0, bool(r.done)
                found[r.id] = RowSummary(
                    r.id, short_authors(r.authors or []), r.year, r.title, r.journal,
                    sections, done, status_of(sections, done, r.has_suggestions, r.suggestions),
                    r.suggestions or "",
                )
        return [found[i] for i in ids if i in found]

    def record(self, record_id: int) -> Record:
        """The record with the current coder's spans and memo; KeyError if it is gone."""
        return self.backend.record(self, record_id)

    def records(self, ids: Sequence[int], chunk: int = 500) -> Iterator[Record]:
        """Records with the coder's spans, memo and status, in ``ids`` order, a chunk at a time."""
        for i in range(0, len(ids), chunk):
            part = list(ids[i:i + chunk])
            with self._reader() as s:
                rows = {r.id: r for r in s.scalars(select(RecordRow).where(RecordRow.id.in_(part)))}
                spans: dict[int, list[Span]] = {}
                for sp in s.scalars(select(SpanRow).where(
                        SpanRow.record_id.in_(part), SpanRow.coder == self.coder
                ).order_by(SpanRow.start)):
                    spans.setdefault(sp.record_id, []).append(to_span(sp))
                memo_stmt = select(MemoRow.record_id, MemoRow.text).where(
                    MemoRow.record_id.in_(part), MemoRow.coder == self.coder)
                memos = {rid: text for rid, text in s.execute(memo_stmt)}
                marks = {st.record_id: st for st in s.scalars(select(StatusRow).where(
                    StatusRow.record_id.in_(part), StatusRow.coder == self.coder))}
            for rid in part:
                if rid in rows:
                    m = marks.get(rid)
                    sections, done, answer = (m.sections or 0, bool(m.done), m.suggestions
                                              ) if m else (0, False, "")
                    status = status_of(sections, done, rows[rid].has_suggestions, answer)
                    yield to_record(rows[rid], tuple(spans.get(rid, ())), memos.get(rid, ""),
                                    status)

    def spans(self, record_id: int) -> list[Span]:
        with self._single_reader() as s:
            return self._spans(s, record_id, self.coder)

    @staticmethod
    def _spans(s: Session, record_id: int, coder: str) -> list[Span]:
        stmt = select(SpanRow).where(SpanRow.record_id == record_id, SpanRow.coder == coder)
        return [to_span(r) for r in s.scalars(stmt.order_by(SpanRow.start))]

    # -- coding ------------------------------------------------------------------------
    def set_spans(self, record_id: int, spans: Sequence[Span]) -> list[Span]:
        """Replace the current coder's spans on a record (normalised: no overlaps)."""
        return self.backend.replace_spans(self, record_id, spans)

    def tag(self, record_id: int, start: int, end: int, label: str) -> list[Span]:
        """Tag ``abstract[start:end]`` with ``label``; raises SpanError for a bad request."""
        rec = self.record(record_id)
        new = span_ops.apply_tag(rec.spans, rec.abstract, start, end, label, self.coder)
        return self.set_spans(record_id, new)

    def untag(self, record_id: int, start: int, end: int) -> list[Span]:
        rec = self.record(record_id)
        span_ops.validate(rec.abstract, start, end)
        return self.set_spans(record_id, span_ops.remove_range(rec.spans, rec.abstract, start, end))

    def set_memo(self, record_id: int, text: str) -> None:
        with self.session() as s, s.begin():
            memo = s.get(MemoRow, (record_id, self.coder))
            if memo is None:
                _must_exist(s, record_id)
                s.add(MemoRow(record_id=record_id, coder=self.coder, text=text, updated_at=now()))
            else:
                memo.text, memo.updated_at = text, now()

    def set_done(self, record_id: int, done: bool) -> None:
        with self.session() as s, s.begin():
            self._status(s, record_id).done = done

    def suggestion_state(self, record_id: int) -> str:
        """The coder's answer to a record's suggested sections: "", "accepted" or "rejected"."""
        with self._single_reader() as s:
            return s.scalar(select(StatusRow.suggestions).where(
                StatusRow.record_id == record_id, StatusRow.coder == self.coder)) or ""

    def set_suggestion_state(self, record_id: int, state: str) -> None:
        """Store the coder's answer to the record's suggested sections (core.status.ANSWERS)."""
        if state not in ANSWERS:
            raise ValueError(f"not an answer to suggestions: {state!r}")
        with self.session() as s, s.begin():
            self._status(s, record_id).suggestions = state

    def _status(self, s: Session, record_id: int) -> StatusRow:
        row = s.get(StatusRow, (record_id, self.coder))
        if row is None:
            _must_exist(s, record_id)
            row = StatusRow(record_id=record_id, coder=self.coder, sections=0, done=False,
                            suggestions="")
            s.add(row)
        return row

    # -- meta --------------------------------------------------------------------------
    def meta(self, key: str, default: str = "") -> str:
        with self._single_reader() as s:
            return s.scalar(select(MetaRow.value).where(MetaRow.key == key)) or default

    def set_meta(self, key: str, value: str) -> None:
        with self.session() as s, s.begin():
            s.merge(MetaRow(key=key, value=value))

    def rename_coder(self, old: str, new: str) -> None:
        with self.session() as s, s.begin():
            for table in (SpanRow, MemoRow, StatusRow):
                s.execute(update(table).where(table.coder == old).values(coder=new))

    # -- undoable removals and checks (see litdesk.store.safety) ------------------------
    def delete_records(self, ids: Sequence[int]) -> Snapshot:
        """Delete records with every coder's spans, memos and status; the snapshot undoes it."""
        with self.session() as s, s.begin():
            snap = safety.take_snapshot(s, ids)
            safety.remove(s, snap)
        return snap

    def restore_records(self, snapshot: Snapshot) -> None:
        """Put back what :meth:`delete_records` or :meth:`remove_batch` removed, same ids."""
        with self.session() as s, s.begin():
            safety.restore(s, snapshot)
            # Their has-suggestions flags may have been pending when they were removed.
            pending.mark_pending(s, pending.as_ranges(snapshot.ids))

    def batches(self) -> list[BatchInfo]:
        """The imports made into this library, oldest first."""
        with self._reader() as s:
            return safety.batches(s)

    def remove_batch(self, batch_id: int) -> Snapshot:
        """Undo an import: remove the batch and its records (KeyError: no such batch)."""
        with self.session() as s, s.begin():
            snap = safety.batch_snapshot(s, batch_id)
            safety.remove(s, snap)
        return snap

    def change_stamp(self) -> tuple[int, ...]:
        """Changes whenever anyone (another window, the CLI, a teammate) adds or removes
        records, changes spans or marks a record done: cheap enough to poll."""
        self.check_place()  # polled: a file moved away is noticed within a poll
        records = self.backend.record_changes()
        with self._single.connect() as conn:
            row = conn.execute(select(
                records.scalar_subquery(),
                select(func.coalesce(func.max(RecordRow.id), 0)).scalar_subquery(),
                select(func.coalesce(func.max(SpanRow.id), 0)).scalar_subquery(),
                select(func.count()).where(StatusRow.done.is_(True)).scalar_subquery(),
            )).one()
        return tuple(int(v) for v in row)

    def integrity_ok(self) -> bool:
        """True when SQLite finds nothing wrong with the library file (``quick_check``).

        A server library's integrity is the server's business: always True there.
        """
        return self.backend.integrity_ok(self.engine)

    def own_file(self, path: str | os.PathLike[str]) -> str | None:
        """What ``path`` is to this library if it is one of its files (the library, its
        -wal/-shm/-journal, a backup), whatever the spelling or link; else None. Anything
        writing a file the user named asks this first. A server library has no files."""
        return self.backend.own_file(self, os.fspath(path))

    # -- server libraries ----------------------------------------------------------------
    @classmethod
    def open_server(
        cls,
        url: str,
        coder: str | None = None,
        *,
        read_only: bool = False,
        password: str | None = None,
        lock_timeout_ms: int | None = None,
        create: bool = True,
    ) -> Library:
        """Open the team library at ``url`` (``postgresql://USER@HOST:PORT/DBNAME``).

        ``coder`` defaults to the server login; ``path`` holds the address without password.
        Raises :class:`litdesk.store.errors.PasswordNeeded` (a LibraryError) when the server
        wants a password that PGPASSWORD and ~/.pgpass did not give: ask, retry with it.
        """
        from litdesk.store.engines import postgres

        return postgres.open_library(cls, url, coder=coder, read_only=read_only,
                                   password=password, lock_timeout_ms=lock_timeout_ms,
                                   create=create)


def _must_exist(s: Session, record_id: int) -> None:  # KeyError, not a foreign-key error
    if s.get(RecordRow, record_id) is None:
        raise KeyError(record_id)
