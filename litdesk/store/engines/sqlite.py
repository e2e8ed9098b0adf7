"""The SQLite engine: a library file, opened with its checks and backups, and its backend."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Select, create_engine, delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from litdesk.core import spans as span_ops
from litdesk.core.model import Record, Span
from litdesk.store import creation, migrate
from litdesk.store.convert import to_record, to_span
from litdesk.store.engines import sqlite_backup as backup
from litdesk.store.engines import sqlite_connection as connection
from litdesk.store.engines import sqlite_files as files
from litdesk.store.engines.base import Indexer, check_revision, prepare_or_close, upgrade
from litdesk.store.engines.sqlite_search import indexing_in_bulk
from litdesk.store.errors import DamagedLibrary, LibraryError, LibraryMissing
from litdesk.store.schema import MemoRow, MetaRow, RecordRow, SpanRow, table_of
from litdesk.store.stamps import APPLICATION, now
from litdesk.store.writes import in_the_background

if TYPE_CHECKING:
    from litdesk.store.engines.pg_live import ChangeListener
    from litdesk.store.library import Library

log = logging.getLogger(__name__)


def _plain_json(value: object) -> str:
    # Unescaped Unicode: the full-text index reads these columns, and "M\u00fcller" would
    # never match a search for Müller.
    return json.dumps(value, ensure_ascii=False)


def _build_new(conn: Connection) -> None:
    """The schema and stamps of a new library file (on its temporary file: see creation)."""
    migrate.upgrade(conn)
    conn.commit()
    with conn.begin():
        connection.mark_as_library(conn)
        conn.execute(table_of(MetaRow).insert(), [
            {"key": "application", "value": APPLICATION},
            {"key": "created", "value": now()},
        ])


def open_library(cls: type[Library], path: Path, *, coder: str, read_only: bool,
                 busy_timeout_ms: int | None, check_in_background: bool,
                 create: bool) -> Library:
    """Open (create, check, back up, upgrade) the library file at ``path``: see
    :meth:`litdesk.store.library.Library.open`."""
    try:
        is_dir = path.is_dir()
    except OSError as e:  # a name too long for the file system, no permission to look
        raise LibraryError(f"The library {path} cannot be opened: {e.strerror or e}.") from e
    if is_dir:
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
        raise LibraryMissing(files.missing_message(path, read_only))
    if not path.is_file():  # (its size says 0: not "an empty file")
        raise LibraryError(f"{path} is a device, a pipe or a socket, not a litdesk library "
                           "file. It was left untouched.")
    if path.stat().st_size == 0:
        raise LibraryError(files.empty_file_message(path))
    files.check_is_library(path)
    state = files.inspect_file(path, check=not check_in_background)
    if state.revision != migrate.head_revision():  # an upgrade: check first, always
        state = files.inspect_file(path) if state.intact else state
        check_in_background = False
    if not state.intact:
        raise DamagedLibrary(path, state.problem, backup.latest_backup(path))
    if state.revision is None:
        raise DamagedLibrary(path, "its schema version is missing",
                             backup.latest_backup(path),
                             files.lost_version_message(
                                 path, backup.restore_advice(path, app_offers=True)))
    if state.revision not in migrate.known_revisions():
        raise LibraryError(migrate.unknown_version_message(
            path, state.revision, backup.restore_advice(path)))
    read_only = read_only or not (os.access(path, os.W_OK)
                                  and os.access(path.parent, os.W_OK))
    # Workers read and write from their own threads; the pool gives each checkout its own
    # connection, so sharing the engine across threads is safe.
    engine = files.read_only_engine(path) if read_only else create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False}, future=True,
        json_serializer=_plain_json,
    )
    connection.configure_engine(engine, read_only=read_only)
    files.guard_engine(engine, path, busy_timeout_ms)
    lib = cls(engine, path, coder, read_only)
    lib.check_place = files.place_guard(path)
    if busy_timeout_ms is not None:  # a write of the coder's waits no longer in this process
        lib.write_path.timeout_s = busy_timeout_ms / 1000
    if check_in_background and not fresh:
        lib._checked.clear()
        threading.Thread(target=lib._check, name="litdesk-integrity-check",
                         daemon=True).start()
    return prepare_or_close(BACKEND, lib, fresh=fresh, create=create, failing=OperationalError)


def _no_logins(lib: Library) -> LibraryError:
    return LibraryError(f"{lib.path} is a library file: access to it is the file's "
                        "permissions, not logins. Grant works on server libraries.")


class SQLite:
    """The backend of a library file (see :class:`litdesk.store.engines.base.Backend`)."""

    name = "sqlite"

    def reads(self, engine: Engine) -> Engine:
        return engine  # SQLite's transactions cost nothing

    def prepare(self, lib: Library, *, fresh: bool, create: bool) -> None:
        with lib.engine.connect() as conn:
            revision = check_revision(conn, lib.path)
            if revision != migrate.head_revision():
                if lib.read_only:
                    raise LibraryError(f"{lib.path} needs an upgrade but is read-only.")
                try:
                    if not fresh:
                        backup.make_backup(conn, lib.path)
                except backup.BackupError as e:
                    raise LibraryError(f"{e} The library was not upgraded.") from e
                upgrade(conn)
            elif not lib.read_only and lib._checked.is_set() and not fresh:
                backup.daily_backup(conn, lib.path)  # else after the check (never a damaged copy)

    def check(self, lib: Library) -> LibraryError | None:
        in_the_background()  # on the check's own thread: the window's runs first
        path = Path(lib.path)
        state = files.inspect_file(path)
        if not state.intact:
            return DamagedLibrary(path, state.problem, backup.latest_backup(path))
        if not lib.read_only:
            with lib.engine.connect() as conn:
                connection.checkpoint(conn)  # what was written during the check, now it is over
                backup.daily_backup(conn, path)
        return None

    def integrity_ok(self, engine: Engine) -> bool:
        with engine.connect() as conn:
            return connection.integrity_ok(conn)

    def record(self, lib: Library, record_id: int) -> Record:
        with Session(lib.engine, expire_on_commit=False) as s:
            row = s.get(RecordRow, record_id)
            if row is None:
                raise KeyError(record_id)
            spans = tuple(to_span(r) for r in s.scalars(select(SpanRow).where(
                SpanRow.record_id == record_id, SpanRow.coder == lib.coder
            ).order_by(SpanRow.start)))
            memo = s.scalar(select(MemoRow.text).where(
                MemoRow.record_id == record_id, MemoRow.coder == lib.coder)) or ""
            return to_record(row, spans, memo)

    def replace_spans(self, lib: Library, record_id: int, spans: Sequence[Span]) -> list[Span]:
        with lib.session() as s, s.begin():
            row = s.get(RecordRow, record_id)
            if row is None:
                raise KeyError(record_id)
            clean = span_ops.normalise(
                [Span(x.start, x.end, x.label, coder=lib.coder) for x in spans], row.abstract
            )
            s.execute(delete(SpanRow).where(
                SpanRow.record_id == record_id, SpanRow.coder == lib.coder))
            if clean:
                s.execute(table_of(SpanRow).insert(), [
                    {"record_id": record_id, "coder": lib.coder, "start": x.start, "end": x.end,
                     "label": x.label, "text": x.text} for x in clean
                ])
            lib._status(s, record_id).sections = len({x.label for x in clean})
        return clean

    def record_changes(self) -> Select[int]:
        # count(*), which SQLite answers from an index's pages; count(id) reads every row
        # (17 ms at 100,000, after every tag).
        return select(func.count()).select_from(RecordRow)

    def fetch_ids(self, conn: Connection, stmt: Select[int]) -> list[int]:
        compiled = stmt.compile(conn)
        driver: Any = conn.connection.driver_connection
        params = [compiled.params[k] for k in compiled.positiontup or ()]
        return [row[0] for row in driver.execute(compiled.string, params)]

    @contextmanager
    def bulk_insert(self, conn: Connection, *, rebuild: bool = False) -> Iterator[Indexer]:
        with connection.import_cache(conn), indexing_in_bulk(conn, rebuild=rebuild) as index:
            yield index

    def after_bulk(self, engine: Engine) -> None:
        return None

    def checkpoint(self, engine: Engine) -> None:
        with engine.connect() as conn:
            connection.checkpoint(conn)

    def may_change_others(self, conn: Connection) -> bool:
        return True

    def advance_ids(self, conn: Connection) -> None:
        return None  # SQLite picks the next id from the largest in use

    def listener(self, engine: Engine) -> ChangeListener:
        raise LibraryError("A library file sends no change notices: only a server does.")

    def own_file(self, lib: Library, path: str) -> str | None:
        from litdesk.store.own_files import role_of

        return role_of(lib.path, path)

    def grant(self, lib: Library, login: str) -> None:
        raise _no_logins(lib)

    def revoke(self, lib: Library, login: str) -> None:
        raise _no_logins(lib)

    def members(self, lib: Library) -> list[str]:
        raise _no_logins(lib)


BACKEND = SQLite()
