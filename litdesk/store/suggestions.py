"""Suggested sections in the library: which records have them, and storing them as spans.

Whether a record's abstract has headings to suggest sections from is kept in
``record.has_suggestions`` (the "Suggested" status and filter read it). Working it out costs
about 0.2 ms per abstract, a third of an import's time, so an import stores False and notes
the ids it added as *pending*; `check_pending` works the flags out afterwards, a few hundred
records per short transaction: in the background in the app, before answering in the CLI.
The pending ids are kept as ranges in ``library_meta`` (an import's ids are consecutive).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from litdesk.core.model import Span
from litdesk.core.section_pretest import with_suggestions
from litdesk.core.spans import normalise
from litdesk.core.status import ACCEPTED, offers_suggestions, sections_of
from litdesk.core.suggestions import HEADINGS, MODEL, offered_first
from litdesk.store.errors import LibraryError
from litdesk.store.pending import (
    PENDING_KEY,
    Ranges,
    load,
    locked_ranges,
    normal,
    store_ranges,
    without,
)
from litdesk.store.schema import RecordRow, SpanRow, StatusRow
from litdesk.store.writes import WriteCancelled, in_the_background

if TYPE_CHECKING:
    from litdesk.store.library import Library

#: Records checked per transaction: short enough that a coder's tag never waits long.
CHECK_CHUNK = 250
#: A check of at least this many records works the abstracts out in a helper process (about
#: 0.2 ms each, in Python). The thread running the check then hardly holds the interpreter
#: lock, which the window's thread gives up at every statement and must get back: with the
#: work on the thread, a tag at 100,000 records froze the window for hundreds of milliseconds.
HELPER_FROM = 5_000
log = logging.getLogger(__name__)


def pending(lib: Library) -> Ranges:
    """Ranges of record ids whose ``has_suggestions`` is not worked out yet."""
    return normal(load(lib.meta(PENDING_KEY)))


def pending_count(lib: Library) -> int:
    """An upper bound (deleted records are not subtracted) of records still to be checked."""
    return sum(b - a + 1 for a, b in pending(lib))


def check_pending(
    lib: Library,
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Work out ``has_suggestions`` for every pending record; how many records were checked.

    Abstracts are read and checked outside any write transaction; each chunk's flags are then
    written in one short one, provided the chunk's records are still the ones that were read.
    ``cancelled`` is polled between chunks: what is done stays done, the rest stays pending.
    """
    if threading.current_thread() is not threading.main_thread():
        in_the_background()  # the window's thread runs first
    with _flagger(pending_count(lib)) as flags:
        done = _check(lib, flags, progress, cancelled)
    from litdesk.store import importer  # here: the window checks for pending flags at start

    if done >= importer.SETTLE_AFTER:
        # The flags just written leave most pages of a large import not all-visible: sorts
        # would lose their index-only scans until autovacuum came round (5x SQLite at 100k).
        importer.settle_after_bulk(lib)
    return done


@contextmanager
def _flagger(records: int) -> Iterator[Callable[[list[str]], list[bool]]]:
    """`with_suggestions`, in a helper process for ``records`` of at least HELPER_FROM (on
    the calling thread if the process cannot be had)."""
    if records < HELPER_FROM:
        yield with_suggestions
        return
    nice = (os.nice, (10,)) if hasattr(os, "nice") else (None, ())
    pool = ProcessPoolExecutor(1, multiprocessing.get_context("spawn"), *nice)
    broken = False

    def flags(abstracts: list[str]) -> list[bool]:
        nonlocal broken
        if not broken:
            try:
                return pool.submit(with_suggestions, abstracts).result()
            except (BrokenProcessPool, OSError, RuntimeError) as e:  # RuntimeError: exiting
                log.warning("checking abstracts on this thread (no helper process: %s)", e)
                broken = True
        return with_suggestions(abstracts)

    try:
        yield flags
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _check(lib: Library, flags: Callable[[list[str]], list[bool]],
           progress: Callable[[int], None] | None,
           cancelled: Callable[[], bool] | None) -> int:
    done = 0
    while not (cancelled and cancelled()):
        ranges = pending(lib)
        if not ranges:
            break
        first = ranges[0][0]
        last = min(ranges[0][1], first + CHECK_CHUNK - 1)
        with lib.engine.connect() as conn:
            rows = conn.execute(select(RecordRow.id, RecordRow.abstract).where(
                RecordRow.id.between(first, last)).order_by(RecordRow.id)).all()
        found = flags([abstract for _, abstract in rows])
        flagged = [rid for (rid, _), yes in zip(rows, found, strict=True) if yes]
        try:  # the write waits for its turn (behind an import, say), as long as it takes
            with lib.session(cancelled) as s, s.begin():
                ranges = locked_ranges(s)
                now_ids = list(s.scalars(select(RecordRow.id).where(
                    RecordRow.id.between(first, last)).order_by(RecordRow.id)))
                if now_ids != [rid for rid, _ in rows]:
                    continue  # records came or went meanwhile: read the chunk again
                # Pending records hold False (as imported) unless they were worked out before and
                # restored or copied since: only the flags that change are written (a rewrite of
                # every row would cost a server its index-only scans until the next vacuum).
                if flagged:
                    s.execute(update(RecordRow).where(
                        RecordRow.id.in_(flagged), RecordRow.has_suggestions.is_(False))
                        .values(has_suggestions=True))
                store_ranges(s, without(ranges, first, last))
        except WriteCancelled:
            break
        lib.backend.checkpoint(lib.engine)  # here, not in the window's next commit
        done += len(rows)
        if progress:
            progress(done)
    return done


def batch_record_ids(lib: Library, batch_id: int) -> list[int]:
    """Ids of the records an import brought in."""
    with lib.engine.connect() as conn:
        stmt = select(RecordRow.id).where(RecordRow.batch_id == batch_id).order_by(RecordRow.id)
        return list(conn.execute(stmt).scalars())


def apply_suggestions(lib: Library, ids: Sequence[int],
                      sources: Sequence[str] = (HEADINGS,)) -> int:
    """Store the suggested sections of ``ids`` as the coder's spans; how many records.

    Each record's come from the first of ``sources`` that has any (headings unless told);
    the model's from the library's own model while it is in use.

    Only the records the coder is offered suggestions on (core.status.offers_suggestions):
    one they have tagged or marked done, or whose suggestions they rejected, is left alone.
    """
    n = 0
    model = lib.learning.model() if MODEL in sources else None  # the library's, if in use
    rows = {r.id: r for r in lib.rows(ids)}
    # Not the "suggested" status alone: right after an import the flags may still be pending.
    for record in lib.records([i for i in ids if i in rows and offers_suggestions(
            rows[i].sections, rows[i].done, rows[i].answer)]):
        assert record.id is not None
        row = rows[record.id]
        _, found = offered_first(record.abstract, row.sections, row.done, row.answer, sources,
                                 model)
        if not found:
            continue
        accept(lib, record.id, [Span(s.start, s.end, s.label) for s in found])
        n += 1
    return n


def accept(lib: Library, record_id: int, spans: Sequence[Span]) -> list[Span]:
    """Store suggested ``spans`` as the coder's spans on a record and their answer
    "accepted", in one transaction: both are saved or neither. The spans as saved
    (normalised); KeyError for a record no longer in the library."""
    try:
        with lib.session() as s, s.begin():
            abstract = s.scalar(select(RecordRow.abstract).where(RecordRow.id == record_id))
            if abstract is None:
                raise KeyError(record_id)
            clean = normalise([Span(x.start, x.end, x.label, coder=lib.coder) for x in spans],
                              abstract)
            s.execute(delete(SpanRow).where(SpanRow.record_id == record_id,
                                            SpanRow.coder == lib.coder))
            s.add_all(SpanRow(record_id=record_id, coder=lib.coder, start=x.start, end=x.end,
                              label=x.label, text=x.text) for x in clean)
            s.flush()
            _answer(s, record_id, lib.coder, sections_of(clean), ACCEPTED)
    except IntegrityError as e:
        if not lib.rows([record_id]):  # deleted meanwhile (by a teammate)
            raise KeyError(record_id) from e
        raise LibraryError(f"the suggested sections were not saved: {e.orig}") from e
    return clean


def _answer(s: Session, record_id: int, coder: str, sections: int, answer: str) -> None:
    """Set the coder's status row on a record: sections tagged and answer to suggestions."""
    row = s.get(StatusRow, (record_id, coder))
    if row is None:
        s.add(StatusRow(record_id=record_id, coder=coder, sections=sections, done=False,
                        suggestions=answer))
    else:
        row.sections, row.suggestions = sections, answer
