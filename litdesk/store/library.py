"""The library facade: what the UI and the CLI call to open, query and change a library.

A :class:`Library` wraps one SQLAlchemy engine. Every public method is one short transaction,
committed before it returns, so whatever the app reports as done is on disk.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Engine, cast, create_engine, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from litdesk.core import spans as span_ops
from litdesk.core.model import Record, Span, short_authors
from litdesk.core.status import ANSWERS, status_of
from litdesk.store import backup, creation, dup_check, migrate, pending, postgres, safety, sqlite
from litdesk.store.backup import BackupError as BackupError
from litdesk.store.backup import list_backups as list_backups
from litdesk.store.backup import restore_backup as restore_backup
from litdesk.store.convert import to_record, to_span
from litdesk.store.errors import LibraryError, LibraryMissing
from litdesk.store.facets import Coding, Duplicates, Files, Live, Suggestions
from litdesk.store.importer import FileSummary as FileSummary
from litdesk.store.location import Location
from litdesk.store.merging import PossiblePair as PossiblePair
from litdesk.store.postgres import ChangeListener as ChangeListener
from litdesk.store.postgres import ListenerLost as ListenerLost
from litdesk.store.query import SORT_KEYS, STATUSES, search_statement
from litdesk.store.rows import RowSummary
from litdesk.store.safety import BatchInfo, Snapshot
from litdesk.store.schema import MemoRow, MetaRow, RecordRow, SpanRow, StatusRow
from litdesk.store.server import PasswordNeeded as PasswordNeeded
from litdesk.store.stamps import APPLICATION, now
from litdesk.store.stamps import default_coder as default_coder

log = logging.getLogger(__name__)

#: A coder's spans on a record replaced, and the status's section count set, in one
#: statement on a server (atomic without a transaction around it).
_REPLACE_SPANS = text(
    "WITH gone AS (DELETE FROM span WHERE record_id = :rid AND coder = :coder), "
    "added AS (INSERT INTO span (record_id, coder, start, \"end\", label, text) "
    "SELECT :rid, :coder, (v->>0)::int, (v->>1)::int, v->>2, v->>3 "
    "FROM json_array_elements(CAST(:spans AS json)) WITH ORDINALITY AS e(v, n) ORDER BY n) "
    "INSERT INTO coding_status (record_id, coder, sections, done, suggestions) "
    "VALUES (:rid, :coder, :sections, false, '') "
    "ON CONFLICT (record_id, coder) DO UPDATE SET sections = EXCLUDED.sections")


class DamagedLibrary(LibraryError):
    """The file fails SQLite's integrity check, or has lost its schema version (left
    untouched); ``backup``: its newest backup."""

    def __init__(self, path: Path, problem: str, backup: Path | None, message: str = ""):
        self.path, self.problem, self.backup = path, problem, backup
        super().__init__(message or safety.damaged_message(path, problem, backup))


def _plain_json(value: object) -> str:
    # Unescaped Unicode: the full-text index reads these columns, and "M\u00fcller" would
    # never match a search for Müller.
    return json.dumps(value, ensure_ascii=False)


def _build_new(conn: Connection) -> None:
    """The schema and stamps of a new library file (on its temporary file: see creation)."""
    migrate.upgrade(conn)
    conn.commit()
    with conn.begin():
        sqlite.mark_as_library(conn)
        conn.execute(MetaRow.__table__.insert(), [
            {"key": "application", "value": APPLICATION},
            {"key": "created", "value": now()},
        ])


class Library:
    """An open litdesk library (a SQLite file now; a server database later)."""

    # The sub-facades (litdesk.store.facets), made on first use. Callers outside the store
    # name the classes below that the facade re-exports (`X as X`), never their modules.
    coding = cached_property(Coding)
    suggestions = cached_property(Suggestions)
    duplicates = cached_property(Duplicates)
    files = cached_property(Files)
    live = cached_property(Live)

    def __init__(self, engine: Engine, path: Path, coder: str, read_only: bool = False):
        self.engine = engine
        # One-statement reads on a server run outside a transaction: no BEGIN and ROLLBACK
        # round trips around every look at the library (SQLite's transactions cost nothing).
        self._single = engine if engine.dialect.name == "sqlite" else engine.execution_options(
            isolation_level="AUTOCOMMIT")
        self.path = path
        #: Where the library lives (for a server: its address without the password).
        self.location = Location.parse(path) if isinstance(path, str) else Location(
            path=Path(path))
        self.coder = coder
        self.read_only = read_only
        self._checked = threading.Event()  # the integrity check has passed (or was not due)
        self._checked.set()
        self._damage: DamagedLibrary | None = None

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
        second at 100,000 records) on a thread instead of before returning; until it has
        passed, writes wait for it, and a damaged library refuses them (see :attr:`damage`).

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
        path = where.path
        if path.is_dir():
            raise LibraryError(f"{path} is a folder, not a litdesk library file.")
        creation.remove_leftovers(path)
        fresh = False
        if not path.exists() and not read_only and create:
            try:
                fresh = creation.create_file(path, _build_new)
            except OSError as e:
                raise LibraryError(f"Cannot create a library at {path}: "
                                   f"{e.strerror or e}.") from e
        if not path.exists():
            raise LibraryMissing(safety.missing_message(path, read_only))
        if path.stat().st_size == 0:
            raise LibraryError(safety.empty_file_message(path))
        safety.check_is_library(path, LibraryError)
        state = safety.inspect_file(path, check=not check_in_background)
        if state.revision != migrate.head_revision():  # an upgrade: check first, always
            state = safety.inspect_file(path) if state.intact else state
            check_in_background = False
        if not state.intact:
            raise DamagedLibrary(path, state.problem, backup.latest_backup(path))
        if state.revision is None:
            raise DamagedLibrary(path, "its schema version is missing",
                                 backup.latest_backup(path),
                                 safety.lost_version_message(
                                     path, backup.restore_advice(path, app_offers=True)))
        if state.revision not in migrate.known_revisions():
            raise LibraryError(safety.unknown_version_message(
                path, state.revision, backup.restore_advice(path)))
        read_only = read_only or not (os.access(path, os.W_OK)
                                      and os.access(path.parent, os.W_OK))
        # Workers read and write from their own threads; the pool gives each checkout its own
        # connection, so sharing the engine across threads is safe.
        engine = safety.read_only_engine(path) if read_only else create_engine(
            f"sqlite:///{path}", connect_args={"check_same_thread": False}, future=True,
            json_serializer=_plain_json,
        )
        sqlite.configure_engine(engine, read_only=read_only)
        safety.guard_engine(engine, path, LibraryError, busy_timeout_ms)
        lib = cls(engine, path, coder or default_coder(), read_only)
        if check_in_background and not fresh:
            lib._checked.clear()
            threading.Thread(target=lib._check, name="litdesk-integrity-check",
                             daemon=True).start()
        try:
            lib._prepare(fresh)
        except OperationalError as e:
            engine.dispose()
            raise LibraryError(f"Cannot open the library {path}: {e.orig}.") from e
        except BaseException:
            engine.dispose()
            raise
        return lib

    def _prepare(self, fresh: bool) -> None:
        with self.engine.connect() as conn:
            revision = migrate.current_revision(conn)
            conn.rollback()
            if revision is not None and revision not in migrate.known_revisions():
                raise LibraryError(safety.unknown_version_message(self.path, revision))
            if revision != migrate.head_revision():
                if self.read_only:
                    raise LibraryError(f"{self.path} needs an upgrade but is read-only.")
                try:
                    if not fresh:
                        backup.make_backup(conn, self.path)
                except backup.BackupError as e:
                    raise LibraryError(f"{e} The library was not upgraded.") from e
                migrate.upgrade(conn)
                conn.commit()
                with conn.begin():  # keys by this litdesk's rules (see dup_check)
                    dup_check.refresh_keys(conn)
            elif not self.read_only and self._checked.is_set() and not fresh:
                backup.daily_backup(conn, self.path)  # else after the check (never a damaged copy)

    def _check(self) -> None:
        """The background integrity check; a healthy library then gets its daily backup."""
        try:
            state = safety.inspect_file(Path(self.path))
            if not state.intact:
                self._damage = DamagedLibrary(Path(self.path), state.problem,
                                              backup.latest_backup(self.path))
                log.error("%s", self._damage)
            elif not self.read_only:
                with self.engine.connect() as conn:
                    backup.daily_backup(conn, self.path)
        except Exception:  # the check must never take the app down; say so in the log
            log.exception("integrity check of %s failed to run", self.path)
        finally:
            self._checked.set()

    @property
    def damage(self) -> DamagedLibrary | None:
        """What the background integrity check found wrong (None: nothing, or not done)."""
        return self._damage

    def close(self) -> None:
        self._checked.wait(60)  # let a running check finish before the engine goes
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> Session:
        """A session for changes: its transaction takes the write lock when it begins."""
        self._writable()
        writer = self.engine.execution_options(**{sqlite.WRITE_OPTION: True})
        return Session(writer, expire_on_commit=False)

    def _writable(self) -> None:
        """Raise LibraryError unless changes may be saved now."""
        if self.read_only:
            raise LibraryError(f"{self.path} is read-only: changes cannot be saved.")
        if not self._checked.wait(120):
            raise LibraryError(f"{self.path} is still being checked; try again in a moment.")
        if self._damage is not None:
            raise self._damage

    def _reader(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _single_reader(self) -> Session:
        """A session for a read of one statement (outside a transaction on a server)."""
        return Session(self._single, expire_on_commit=False)

    @property
    def _server(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    # -- reading -----------------------------------------------------------------------
    def count(self) -> int:
        with self._single_reader() as s:
            return s.scalar(select(func.count(RecordRow.id))) or 0

    def search_ids(
        self,
        text: str = "",
        *,
        status: str | None = None,
        sort: str = "id",
        descending: bool = False,
    ) -> list[int]:
        """Ids of the records matching the search box ``text`` and ``status``, sorted."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}")
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        dialect = self.engine.dialect.name
        stmt = search_statement(text, self.coder, status=status, sort=sort, descending=descending,
                                dialect=dialect)
        with self._single.connect() as conn:
            # 100,000 ids through the driver directly: SQLAlchemy's per-row result handling
            # would double the time of every search and sort.
            compiled = stmt.compile(conn)
            driver: Any = conn.connection.driver_connection
            if dialect != "sqlite":  # psycopg: named parameters, through a cursor
                # Binary results: 100,000 ids arrive as int4s, not as text to parse (a
                # quarter less time for a sort of the whole library).
                with driver.cursor(binary=True) as cur:
                    cur.execute(compiled.string, compiled.params)
                    return [row[0] for row in cur.fetchall()]
            params = [compiled.params[k] for k in compiled.positiontup or ()]
            cursor = driver.execute(compiled.string, params)
            return [row[0] for row in cursor]

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
        if self._server:
            return self._record_at_once(record_id)
        with self._reader() as s:
            row = s.get(RecordRow, record_id)
            if row is None:
                raise KeyError(record_id)
            spans = tuple(self._spans(s, record_id, self.coder))
            memo = s.scalar(select(MemoRow.text).where(
                MemoRow.record_id == record_id, MemoRow.coder == self.coder)) or ""
            return to_record(row, spans, memo)

    def _record_at_once(self, record_id: int) -> Record:
        """`record` in one statement: the spans (as JSON) and memo in subqueries."""
        spans = select(func.json_agg(aggregate_order_by(func.json_build_array(
            SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.text), SpanRow.start))).where(
            SpanRow.record_id == record_id, SpanRow.coder == self.coder).scalar_subquery()
        memo = select(MemoRow.text).where(
            MemoRow.record_id == record_id, MemoRow.coder == self.coder).scalar_subquery()
        with self._single_reader() as s:
            found = s.execute(select(RecordRow, spans, memo).where(
                RecordRow.id == record_id)).one_or_none()
        if found is None:
            raise KeyError(record_id)
        row, span_list, memo_text = found
        return to_record(row, tuple(Span(a, b, label, text_ or "", self.coder)
                                    for a, b, label, text_ in span_list or ()), memo_text or "")

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
        if self._server:
            return self._set_spans_at_once(record_id, spans)
        with self.session() as s, s.begin():
            row = s.get(RecordRow, record_id)
            if row is None:
                raise KeyError(record_id)
            clean = span_ops.normalise(
                [Span(x.start, x.end, x.label, coder=self.coder) for x in spans], row.abstract
            )
            s.execute(delete(SpanRow).where(
                SpanRow.record_id == record_id, SpanRow.coder == self.coder))
            if clean:
                s.execute(SpanRow.__table__.insert(), [
                    {"record_id": record_id, "coder": self.coder, "start": x.start, "end": x.end,
                     "label": x.label, "text": x.text} for x in clean
                ])
            self._status(s, record_id).sections = len({x.label for x in clean})
        return clean

    def _set_spans_at_once(self, record_id: int, spans: Sequence[Span]) -> list[Span]:
        """`set_spans` on a server: read the abstract, then one statement (atomic by itself)
        replaces the spans and sets the status; two round trips instead of eight."""
        self._writable()
        with self._single.connect() as conn:
            abstract = conn.execute(select(RecordRow.abstract).where(
                RecordRow.id == record_id)).scalar_one_or_none()
            if abstract is None:
                raise KeyError(record_id)
            clean = span_ops.normalise(
                [Span(x.start, x.end, x.label, coder=self.coder) for x in spans], abstract)
            try:
                conn.execute(_REPLACE_SPANS, {
                    "rid": record_id, "coder": self.coder,
                    "spans": json.dumps([[x.start, x.end, x.label, x.text] for x in clean],
                                        ensure_ascii=False),
                    "sections": len({x.label for x in clean})})
            except IntegrityError as e:  # the record was deleted in between
                raise KeyError(record_id) from e
        return clean

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
            safety.restore(s, snapshot, LibraryError)
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
        # A server counts its changes to records (migration 0006): counting 100,000 rows
        # there takes tens of milliseconds, and the window looks after every tag.
        records = select(func.count(RecordRow.id)) if not self._server else select(
            func.coalesce(select(cast(MetaRow.value, BigInteger)).where(
                MetaRow.key == postgres.RECORD_CHANGES).scalar_subquery(), 0))
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
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as conn:
            return sqlite.integrity_ok(conn)

    def own_file(self, path: str | os.PathLike[str]) -> str | None:
        """What ``path`` is to this library if it is one of its files (the library, its
        -wal/-shm/-journal, a backup), whatever the spelling or link; else None. Anything
        writing a file the user named asks this first. A server library has no files."""
        if self._server:
            return None
        from litdesk.store.own_files import role_of

        return role_of(self.path, path)

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
        Raises :class:`litdesk.store.server.PasswordNeeded` (a LibraryError) when the server
        wants a password that PGPASSWORD and ~/.pgpass did not give: ask, retry with it.
        """
        from litdesk.store import server

        return server.open_library(cls, url, coder=coder, read_only=read_only,
                                   password=password, lock_timeout_ms=lock_timeout_ms,
                                   create=create)
