"""What every engine a library lives on provides (:class:`Backend`), and the upgrade they share.

The facade (:class:`litdesk.store.library.Library`) asks its backend for whatever differs
between SQLite and PostgreSQL; everything else in the store is portable SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, Engine, Select
from sqlalchemy.exc import DBAPIError

from litdesk.store import dup_check, migrate
from litdesk.store.errors import LibraryError

if TYPE_CHECKING:
    from litdesk.core.model import Record, Span
    from litdesk.store.engines.pg_live import ChangeListener
    from litdesk.store.library import Library


#: Index new records for search from ``first`` to ``last`` id (see ``Backend.bulk_insert``).
Indexer = Callable[[int, int], None]


class Backend(Protocol):
    """The engine-specific half of a library: one object per engine, holding no state."""

    #: SQLAlchemy's dialect name: "sqlite" or "postgresql".
    name: str

    def reads(self, engine: Engine) -> Engine:
        """The engine for reads of one statement (outside a transaction where that is cheaper)."""
        ...

    def prepare(self, lib: Library, *, fresh: bool, create: bool) -> None:
        """Bring a just-opened library to this litdesk's schema, or refuse it (LibraryError)."""
        ...

    def check(self, lib: Library) -> LibraryError | None:
        """The background integrity check: what is wrong (None: nothing, or not this engine's
        business); a healthy library then gets what is due (a file's daily backup)."""
        ...

    def integrity_ok(self, engine: Engine) -> bool:
        """Whether the engine finds nothing wrong with the library's storage."""
        ...

    def record(self, lib: Library, record_id: int) -> Record:
        """The record with ``lib.coder``'s spans and memo; KeyError if it is gone."""
        ...

    def replace_spans(self, lib: Library, record_id: int, spans: Sequence[Span]) -> list[Span]:
        """Replace ``lib.coder``'s spans on a record (normalised) and set the status's section
        count, atomically; the spans stored. KeyError if the record is gone."""
        ...

    def record_changes(self) -> Select[int]:
        """The first part of the change stamp: a number that moves when records come or go."""
        ...

    def fetch_ids(self, conn: Connection, stmt: Select[int]) -> list[int]:
        """The ids ``stmt`` selects, through the driver (no per-row work in SQLAlchemy)."""
        ...

    def bulk_insert(self, conn: Connection, *, rebuild: bool = False
                    ) -> AbstractContextManager[Indexer]:
        """Within an import's transaction: what makes inserting many records fast, and the
        indexer that adds a range of new records to the search index (or nothing to do).
        ``rebuild``: the load may bring more records than the library holds (an engine may
        then build its secondary indexes after the load rather than keep them during it)."""
        ...

    def after_bulk(self, engine: Engine) -> None:
        """After a large import (or flag check), committed: tidy up for fast reads."""
        ...

    def checkpoint(self, engine: Engine) -> None:
        """After a background write: fold what the engine's log holds into the library's
        storage without waiting for anyone, so that a coder's next commit need not."""
        ...

    def may_change_others(self, conn: Connection) -> bool:
        """Whether the login may change other coders' coding (a file: whoever can write it)."""
        ...

    def advance_ids(self, conn: Connection) -> None:
        """Make new ids continue above rows inserted with explicit ids."""
        ...

    def listener(self, engine: Engine) -> ChangeListener:
        """A listener on the library's change notices (LibraryError where there are none)."""
        ...

    def own_file(self, lib: Library, path: str) -> str | None:
        """What ``path`` is to the library if it is one of its files, else None."""
        ...

    def grant(self, lib: Library, login: str) -> None:
        """Let ``login`` open the library and code in it (LibraryError where there are none)."""
        ...

    def revoke(self, lib: Library, login: str) -> None:
        """Take the library away from ``login``."""
        ...

    def members(self, lib: Library) -> list[str]:
        """The logins granted the library, sorted."""
        ...


def prepare_or_close(backend: Backend, lib: Library, *, fresh: bool, create: bool,
                     failing: type[DBAPIError]) -> Library:
    """``backend.prepare`` the just-opened ``lib``; on any failure its engine is disposed of,
    and a ``failing`` database error becomes LibraryError."""
    try:
        backend.prepare(lib, fresh=fresh, create=create)
    except failing as e:
        lib.engine.dispose()
        raise LibraryError(f"Cannot open the library {lib.path}: {e.orig}.") from e
    except BaseException:
        lib.engine.dispose()
        raise
    return lib


def check_revision(conn: Connection, where: object, advice: str = "") -> str | None:
    """The library's schema revision (None: no schema yet); LibraryError for one this
    litdesk does not know."""
    revision = migrate.current_revision(conn)
    conn.rollback()
    if revision is not None and revision not in migrate.known_revisions():
        raise LibraryError(migrate.unknown_version_message(where, revision, advice))
    return revision


def upgrade(conn: Connection) -> None:
    """Run the migrations up to head, then recompute the duplicate keys by this litdesk's
    rules (see dup_check): the one upgrade step both engines take."""
    migrate.upgrade(conn)
    conn.commit()
    with conn.begin():
        dup_check.refresh_keys(conn)
