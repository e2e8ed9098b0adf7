"""An import's writes, made on a thread of their own while the next records are read.

Reading and checking records is Python; inserting them, indexing them for search and
committing is mostly the database's own work, during which the driver lets other Python
threads run. `BackgroundWriter` runs the writes of one file, in order, on a second thread, so
that the two overlap on a machine with two cores or more. The writes stay in the file's one
transaction: the writer only ever runs the jobs it is given, on the session it is given, and
the reading thread does not touch that session until `finish` (or `abort`) has returned.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from litdesk.store.schema import RecordRow

Job = Callable[[], None]
#: A low guess of a record's size in an export file (real RIS records with abstracts: 2-5 kB).
BYTES_PER_RECORD = 2000

#: Chunks read ahead of the writer at most: bounds memory, whatever the file's size.
QUEUE_CHUNKS = 3


class BackgroundWriter:
    """Runs jobs one after another on a thread; use as a context manager around the reading.

    An exception in a job stops the writer; the next `submit` or `finish` raises it in the
    reading thread, so that the file's transaction is rolled back as before.
    """

    def __init__(self, name: str = "litdesk-import-writer") -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> BackgroundWriter:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.abort()

    def submit(self, job: Job) -> None:
        """Queue ``job`` (waits while the writer is `QUEUE_CHUNKS` jobs behind)."""
        self._raise()
        while True:
            try:
                self._jobs.put(job, timeout=0.1)
                return
            except queue.Full:
                self._raise()  # the writer died with a full queue: never wait for it forever

    def finish(self) -> None:
        """Wait until every job has run; raise the first job's exception, if any."""
        self._end()
        self._raise()

    def abort(self) -> None:
        """Drop the jobs not started yet and wait for the running one (the caller rolls back)."""
        self._stop.set()
        self._end()

    def _end(self) -> None:
        if not self._thread.is_alive():
            return
        while True:
            try:
                self._jobs.put(None, timeout=0.1)
                break
            except queue.Full:
                if not self._thread.is_alive():
                    break
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._stop.is_set() or self._error is not None:
                continue  # drain: the transaction is being rolled back
            try:
                job()
            except BaseException as e:  # handed to the reading thread, which re-raises it
                self._error = e


def loads_in_bulk(s: Session, size: int) -> bool:
    """Whether a file of ``size`` bytes may bring more records than the library holds (then
    its secondary indexes are built after the load rather than kept during it)."""
    return size // BYTES_PER_RECORD >= (s.scalar(select(func.max(RecordRow.id))) or 0)
