"""The Library's sub-facades (lib.coding, .suggestions, .learning, .duplicates, .files, ...).

Each is a small object bound to one open library that delegates to the store module doing the
work, so that callers outside the store (the UI, the CLI) never import those modules or pass
the library's engine around. ``lib.screening`` has a module of its own
(:mod:`litdesk.store.screening_facet`), re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from litdesk.store.screening_facet import Screening as Screening

if TYPE_CHECKING:
    from litdesk.core.agreement import Pair
    from litdesk.core.export.prisma_diagram import PrismaFlow
    from litdesk.core.model import Span
    from litdesk.core.section_learning import AdaptedModel, Report
    from litdesk.store.coders import CoderStatus
    from litdesk.store.engines.pg_live import ChangeListener
    from litdesk.store.importer import FileSummary, Progress
    from litdesk.store.learning import LearnedState
    from litdesk.store.library import Library
    from litdesk.store.merging import Counts, PossiblePair
    from litdesk.store.pending import Ranges


class _Facet:
    def __init__(self, lib: Library) -> None:
        self._lib = lib


class Coding(_Facet):
    """Every coder's coding, read and written by coder name (consensus included)."""

    def coders(self) -> list[str]:
        """The coders who coded anything in this library, sorted."""
        from litdesk.store import coders

        return coders.coders(self._lib)

    def spans_of(self, record_id: int, coder: str) -> list[Span]:
        """``coder``'s spans on the record."""
        from litdesk.store import coders

        return coders.spans_of(self._lib, record_id, coder)

    def has_coding(self, record_id: int, coder: str) -> bool:
        """Whether ``coder`` has a status (spans or an answer) on the record."""
        from litdesk.store import coders

        return coders.has_coding(self._lib, record_id, coder)

    def set_spans_as(self, record_id: int, coder: str, spans: Sequence[Span]) -> list[Span]:
        """Replace ``coder``'s spans on the record; the spans stored."""
        from litdesk.store import coders

        return coders.set_spans_as(self._lib, record_id, coder, spans)

    def set_done_as(self, record_id: int, coder: str, done: bool = True) -> None:
        """Mark the record done (or not) for ``coder``."""
        from litdesk.store import coders

        coders.set_done_as(self._lib, record_id, coder, done)

    def status_by_coder(self, ids: Sequence[int]) -> dict[int, dict[str, CoderStatus]]:
        """Each record's status per coder, for the records ``ids``."""
        from litdesk.store import coders

        return coders.status_by_coder(self._lib, ids)

    def agreement_pairs(self, coder_a: str, coder_b: str) -> Iterator[Pair]:
        """The two coders' spans per record both coded: the input of core.agreement."""
        from litdesk.store import coders

        return coders.agreement_pairs(self._lib, coder_a, coder_b)


class Suggestions(_Facet):
    """Suggested sections: which records have them, and applying them."""

    def pending(self) -> Ranges:
        """The id ranges whose suggestion flags are still to be worked out."""
        from litdesk.store import suggestions

        return suggestions.pending(self._lib)

    def pending_count(self) -> int:
        """How many records wait for their suggestion flags."""
        from litdesk.store import suggestions

        return suggestions.pending_count(self._lib)

    def check_pending(self, *, progress: Callable[[int], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> int:
        """Work out the pending records' flags; how many records were checked."""
        from litdesk.store import suggestions

        return suggestions.check_pending(self._lib, progress=progress, cancelled=cancelled)

    def batch_record_ids(self, batch_id: int) -> list[int]:
        """The ids of the records one import brought in."""
        from litdesk.store import suggestions

        return suggestions.batch_record_ids(self._lib, batch_id)

    def accept(self, record_id: int, spans: Sequence[Span]) -> list[Span]:
        """Save a record's suggested sections as the coder's spans, and their answer
        "accepted", in one transaction (both or neither); the spans as saved."""
        from litdesk.store import suggestions

        return suggestions.accept(self._lib, record_id, spans)

    def apply(self, ids: Sequence[int], sources: Sequence[str] | None = None) -> int:
        """Save the suggested sections on the records ``ids`` offered them; how many.

        Each record's come from the first of ``sources`` that has any (headings if None).
        """
        from litdesk.store import suggestions

        if sources is None:
            return suggestions.apply_suggestions(self._lib, ids)
        return suggestions.apply_suggestions(self._lib, ids, sources)


class Learning(_Facet):
    """The library's own section model, learned from its coding (see store.learning)."""

    _cached: tuple[str, AdaptedModel | None] = ("", None)

    def model(self) -> AdaptedModel | None:
        """The library's model while it is in use, else None (suggest from the built-in)."""
        from litdesk.store import learning

        st = learning.state(self._lib)
        if st is None or not st.in_use:
            return None
        key = f"{st.learned_at} {st.coder} {st.done_seen}"
        if self._cached[0] != key:
            self._cached = (key, learning.load_model(self._lib))
        return self._cached[1]

    def state(self) -> LearnedState | None:
        """The stored model's scores and dates (None: never learned)."""
        from litdesk.store import learning

        return learning.state(self._lib)

    def due(self) -> bool:
        """Whether enough abstracts were done since the last learning to learn again."""
        from litdesk.store import learning

        return learning.due(self._lib)

    def learn(self, *, progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> Report:
        """Learn and store the library's model; its cross-validated report (ValueError:
        too little coding)."""
        from litdesk.store import learning

        return learning.learn(self._lib, progress=progress, cancelled=cancelled)

    def reset(self) -> bool:
        """Back to the built-in model; whether a learned one was dropped."""
        from litdesk.store import learning

        return learning.reset(self._lib)


class Duplicates(_Facet):
    """Possible duplicate pairs: review, merge, keep both, undo; the PRISMA counts."""

    def pairs(self, *, everything: bool = False) -> list[PossiblePair]:
        """The pairs still to be reviewed (``everything``: the decided ones too)."""
        from litdesk.store import merging

        return merging.pairs(self._lib, decision=None if everything else merging.PENDING)

    def merge(self, keep: int, other: int) -> int:
        """Merge ``other`` into ``keep``; the merge log's id (for unmerge)."""
        from litdesk.store import merging

        return merging.merge(self._lib, keep, other)

    def keep_both(self, a: int, b: int) -> None:
        """Decide the pair is two records."""
        from litdesk.store import merging

        merging.keep_both(self._lib, a, b)

    def unmerge(self, log_id: int | None = None) -> tuple[int, int]:
        """Undo a merge (the last one without ``log_id``); the two records' ids."""
        from litdesk.store import merging

        return merging.unmerge(self._lib, log_id)

    def reopen(self, a: int, b: int) -> None:
        """Put a decided pair back to be reviewed."""
        from litdesk.store import merging

        merging.reopen(self._lib, a, b)

    def merges(self) -> list[tuple[int, int, int, str, str]]:
        """The merges made: log id, kept id, removed id, when, by whom."""
        from litdesk.store import merging

        return merging.merges(self._lib)

    def counts(self) -> Counts:
        """The PRISMA counts of the imports and the duplicates removed."""
        from litdesk.store import merging

        return merging.counts(self._lib)


class Files(_Facet):
    """Files in and out: importing a file, exporting records."""

    def import_file(self, path: str | os.PathLike[str], *, allow_duplicates: bool = False,
                    progress: Progress | None = None,
                    cancelled: Callable[[], bool] | None = None) -> FileSummary:
        """Import one file; never raises for a bad file (see ``FileSummary.error``)."""
        from litdesk.store.importer import import_file

        return import_file(self._lib, path, allow_duplicates=allow_duplicates,
                           progress=progress, cancelled=cancelled)

    def export(self, fmt: str, ids: Sequence[int], destination: str | os.PathLike[str], *,
               all_coders: bool = False, progress: Callable[[int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> int:
        """Export the records ``ids`` in format ``fmt`` to ``destination``; the count."""
        from litdesk.store.export import export_library

        return export_library(self._lib, fmt, ids, destination, all_coders=all_coders,
                              progress=progress, cancelled=cancelled)

    def prisma_flow(self) -> PrismaFlow:
        """The PRISMA 2020 flow: records per source file, duplicates removed, screening."""
        from litdesk.store.export import prisma_flow

        return prisma_flow(self._lib)

    def export_diagram(self, destination: str | os.PathLike[str],
                       render: Callable[[bytes], bytes] | None = None) -> int:
        """Write the PRISMA flow diagram as SVG (or ``render``'s format); the bytes written."""
        from litdesk.store.export import export_diagram

        return export_diagram(self._lib, destination, render)


class Live(_Facet):
    """Changes other people make to a server library, as they happen."""

    def listener(self) -> ChangeListener:
        """A listener on this server library's change notices (LibraryError, ListenerLost)."""
        return self._lib.backend.listener(self._lib.engine)


class Team(_Facet):
    """Who may use a server library: grant and revoke logins (LibraryError for a file)."""

    def grant(self, login: str) -> None:
        """Let the server login ``login`` open the library and code in it."""
        self._lib.backend.grant(self._lib, login)

    def revoke(self, login: str) -> None:
        """Take the library away from ``login`` (its coding stays)."""
        self._lib.backend.revoke(self._lib, login)

    def members(self) -> list[str]:
        """The logins granted the library, sorted; the owner not included."""
        return self._lib.backend.members(self._lib)
