"""The screening ranking of one open library: the records' TF-IDF corpus, refitted in the
background whenever a screener's decisions change (see :mod:`litdesk.core.ranking`).

A decision never waits for the model: it reads the screener's labels (one query) and hands
them to a thread that refits; the thread only computes, never touches the library. ``next``
uses the newest fit, waiting (up to ``wait`` seconds) for one still running, so a script gets
the ranking of every decision it made, and the window, passing ``wait=0``, never blocks a key.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from litdesk.core import ranking
from litdesk.core.screening import EXCLUDE, INCLUDE
from litdesk.store import screening as store

if TYPE_CHECKING:
    from litdesk.store.library import Library

log = logging.getLogger(__name__)

#: What a fit needs besides the corpus: the screener's labels.
_Job = dict[int, bool]


@dataclass
class _Coder:
    wanted: int = 0  # generation of the newest job
    fitted: int = -1  # generation the current result was made from
    job: _Job | None = None
    result: ranking.Ranked | None = None
    model: ranking.LinearSVM | None = None  # the last fit's, refitted by the next (one thread)
    thread: threading.Thread | None = None
    done: threading.Condition = field(default_factory=threading.Condition)


class LibraryRanking:
    """Fits per screener, kept up to date in the background once someone asked for one."""

    def __init__(self, lib: Library) -> None:
        self._lib = lib
        self._lock = threading.Lock()
        self._corpus: ranking.Corpus | None = None
        #: The records' texts read since the corpus was last built (None: it is up to date);
        #: whichever refit runs next builds the corpus from them, for every screener.
        self._new_texts: list[tuple[int, str]] | None = None
        self._building = threading.Lock()  # one corpus build at a time
        self._texts_stamp: tuple[int, ...] | None = None
        self._coders: dict[str, _Coder] = {}

    def labels(self, coder: str) -> dict[int, bool]:
        """What the coder's ranking learns from: their own include/exclude decisions, the
        consensus where there is one (maybe teaches nothing)."""
        out = {rid: d.decision == INCLUDE for rid, d in store.decisions(self._lib, coder).items()
               if d.decision in (INCLUDE, EXCLUDE)}
        for rid, d in store.consensus_decisions(self._lib).items():
            if d.decision in (INCLUDE, EXCLUDE):
                out[rid] = d.decision == INCLUDE
        return out

    def _read_texts(self) -> None:
        """Read the records' texts again if records came or went since the last read."""
        stamp = self._lib.change_stamp()[:2]
        with self._lock:
            if stamp == self._texts_stamp:
                return
        texts = store.records_text(self._lib)
        with self._lock:
            self._texts_stamp, self._new_texts = stamp, texts

    def _corpus_now(self) -> ranking.Corpus | None:
        """The corpus of the newest texts read, built now if they are new (on a refit's
        thread); None before any were read."""
        with self._building:
            with self._lock:
                texts, self._new_texts = self._new_texts, None
                corpus = self._corpus
            if texts is not None:
                corpus = ranking.Corpus(texts)
                with self._lock:
                    self._corpus = corpus
            return corpus

    def changed(self, coder: str | None) -> None:
        """Decisions changed (``coder`` None: a consensus, everyone's): refit the rankings
        someone asked for, in the background."""
        with self._lock:
            wanted = [w for w in self._coders if coder is None or w == coder]
        for who in wanted:
            self._submit(who)

    def _submit(self, coder: str) -> _Coder:
        self._read_texts()
        job = self.labels(coder)
        with self._lock:
            st = self._coders.setdefault(coder, _Coder())
        with st.done:
            st.wanted += 1
            st.job = job  # a newer job replaces one not started: its labels are newer too
            if st.thread is None:
                st.thread = threading.Thread(target=self._refit, args=(st,),
                                             name="litdesk-ranking", daemon=True)
                st.thread.start()
        return st

    def _refit(self, st: _Coder) -> None:
        while True:
            with st.done:
                generation, job = st.wanted, st.job
                if job is None:
                    st.thread = None
                    return
                st.job = None
            try:
                corpus = self._corpus_now()
                if corpus is not None and (st.model is None or st.model.corpus is not corpus):
                    st.model = ranking.LinearSVM(corpus)
                result = None if corpus is None else ranking.rank(corpus, job, st.model)
            except Exception:  # never take the app down for a ranking; keep the old fit
                log.exception("the screening ranking could not be refitted")
                result = st.result
            with st.done:
                st.result, st.fitted = result, generation
                st.done.notify_all()

    def _current(self, coder: str, wait: float) -> ranking.Ranked | None:
        with self._lock:
            st = self._coders.get(coder)
            stale = self._texts_stamp != self._lib.change_stamp()[:2]
        if st is None or stale:
            st = self._submit(coder)
        with st.done:
            if wait > 0:
                st.done.wait_for(lambda: st.fitted >= st.wanted, timeout=wait)
            return st.result

    def next(self, coder: str, wait: float = 5.0) -> int | None:
        """The undecided record with the highest score for ``coder``; without a model (no
        include and exclude yet), the first undecided record by id. None: all decided."""
        decided = store.decided_ids(self._lib, coder)
        result = self._current(coder, wait)
        if result is None:
            return store.first_undecided(self._lib, decided)
        candidates = [rid for rid in result.scores if rid not in decided]
        return ranking.best(result.scores, candidates) if candidates else (
            store.first_undecided(self._lib, decided))

    def relevance(self, coder: str, wait: float = 0.0) -> dict[int, float]:
        """Each record's estimated relevance (0..1); empty without a model."""
        result = self._current(coder, wait)
        if result is None:
            return {}
        ids = list(result.scores)
        return dict(zip(ids, ranking.relevance([result.scores[i] for i in ids]), strict=True))
