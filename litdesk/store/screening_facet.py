"""The Library's screening sub-facade (``lib.screening``): decide, undo, reconcile, rank, count.

Bound to one open library, as the facades of :mod:`litdesk.store.facets`. ``coder`` defaults
to the library's coder everywhere; the window and ``litdesk screen`` call the same methods.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from litdesk.store import screening as store

if TYPE_CHECKING:
    from litdesk.core.screening import Conflict, Decision, PairAgreement, Reason, Stats
    from litdesk.store.library import Library


class Screening:
    """Screening decisions of one library (see :mod:`litdesk.core.screening` for the words)."""

    def __init__(self, lib: Library) -> None:
        self._lib = lib
        self._undo: list[tuple[str, int, Decision | None]] = []
        self._lock = threading.Lock()

    def _who(self, coder: str | None) -> str:
        return self._lib.coder if coder is None else coder

    # -- reasons -----------------------------------------------------------------------
    def reasons(self) -> list[Reason]:
        """The team's exclusion reasons, in list order."""
        return store.reasons(self._lib)

    def add_reason(self, name: str, key: str = "") -> Reason:
        """Add a reason (ScreeningError: a name or key already used, a key of I/E/M)."""
        return store.add_reason(self._lib, name, key)

    def edit_reason(self, old: str, name: str, key: str) -> Reason:
        """Rename a reason or change its key (decisions follow the new name)."""
        return store.edit_reason(self._lib, old, name, key)

    def remove_reason(self, name: str) -> None:
        """Take a reason off the list (decisions that gave it keep its name)."""
        store.remove_reason(self._lib, name)

    # -- deciding ----------------------------------------------------------------------
    def decide(self, record_id: int, decision: str, reason: str = "", note: str = "",
               coder: str | None = None) -> Decision | None:
        """Store the decision (ScreeningError, nothing stored, for a record that does not
        exist, an unknown decision, a reason not in the list); the one it replaced. The
        ranking retrains in the background."""
        who = self._who(coder)
        before = store.decide(self._lib, who, record_id, decision, reason, note)
        with self._lock:
            self._undo.append((who, int(record_id), before))
        self._changed(who)
        return before

    def clear(self, record_id: int, coder: str | None = None) -> Decision | None:
        """Remove the coder's decision on the record (undoable); the one removed."""
        who = self._who(coder)
        before = store.decision_of(self._lib, who, record_id)
        store.put_back(self._lib, who, record_id, None)
        with self._lock:
            self._undo.append((who, int(record_id), before))
        self._changed(who)
        return before

    def undo(self) -> int | None:
        """Undo the latest decide or clear made through this library; the record's id (None:
        nothing to undo)."""
        with self._lock:
            if not self._undo:
                return None
            who, rid, before = self._undo.pop()
        store.put_back(self._lib, who, rid, before)
        self._changed(who)
        return rid

    def decision(self, record_id: int, coder: str | None = None) -> Decision | None:
        """The coder's own decision on the record, or None."""
        return store.decision_of(self._lib, self._who(coder), record_id)

    def decisions(self, coder: str | None = None) -> dict[int, Decision]:
        """The coder's own decisions by record id (blind: never another screener's)."""
        return store.decisions(self._lib, self._who(coder))

    def screeners(self) -> list[str]:
        """Everyone who made a screening decision, sorted."""
        return store.screeners(self._lib)

    # -- reconciling -------------------------------------------------------------------
    def conflicts(self) -> list[Conflict]:
        """Records the screeners decided differently, without a consensus yet."""
        return store.conflicts(self._lib)

    def consensus(self, record_id: int) -> Decision | None:
        """The record's consensus decision (``coder``: who recorded it), or None."""
        return store.consensus_of(self._lib, record_id)

    def resolve(self, record_id: int, decision: str, reason: str = "", note: str = "",
                by: str | None = None) -> Decision | None:
        """Record the consensus decision; the one it replaced."""
        before = store.resolve(self._lib, self._who(by), record_id, decision, reason, note)
        self._changed(None)
        return before

    def unresolve(self, record_id: int) -> None:
        """Remove the record's consensus decision."""
        store.unresolve(self._lib, record_id)
        self._changed(None)

    def agreement(self, coder_a: str, coder_b: str) -> PairAgreement:
        """Percent agreement and Cohen's kappa of two screeners on include/exclude."""
        return store.agreement(self._lib, coder_a, coder_b)

    def agreements(self) -> list[PairAgreement]:
        """Agreement of every screener pair with records in common."""
        return store.agreements(self._lib)

    # -- progress ----------------------------------------------------------------------
    def stats(self, coder: str | None = None, *, everyone: bool = False) -> Stats:
        """Progress of the coder (own decisions, consensus where there is one), or with
        ``everyone`` the library's final decisions ("412 of 2,235 screened, 31 included")."""
        return store.stats(self._lib, None if everyone else self._who(coder))

    def finals(self) -> dict[int, Decision | None]:
        """Every decided record's final decision (None: in conflict)."""
        return store.finals(self._lib)

    # -- terms -------------------------------------------------------------------------
    def terms(self) -> dict[str, str]:
        """Highlighted words: term -> "include" or "exclude"."""
        return store.terms(self._lib)

    def set_term(self, term: str, kind: str | None) -> None:
        """Mark a word as an inclusion or exclusion term (None: unmark)."""
        store.set_term(self._lib, term, kind)

    # -- ranking -----------------------------------------------------------------------
    def next(self, coder: str | None = None, wait: float = 5.0) -> int | None:
        """The record the ranking proposes to the coder now (None: all screened). Waits up
        to ``wait`` seconds for a refit still running (the window passes 0: never blocks)."""
        return self._ranking.next(self._who(coder), wait)

    def relevance(self, coder: str | None = None, wait: float = 0.0) -> dict[int, float]:
        """Each record's estimated relevance (0..1) for the coder; empty until the ranking
        has at least one include and one exclude."""
        return self._ranking.relevance(self._who(coder), wait)

    def _changed(self, coder: str | None) -> None:
        if hasattr(self, "_ranker"):  # no ranking asked for yet: nothing to refit
            self._ranker.changed(coder)

    @property
    def _ranking(self):  # noqa: ANN202 (made on first use: the ranker reads every record)
        from litdesk.store.ranking import LibraryRanking

        with self._lock:
            if not hasattr(self, "_ranker"):
                self._ranker = LibraryRanking(self._lib)
            return self._ranker
