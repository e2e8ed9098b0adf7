"""The library's own section model: its training data, learning it, storing and resetting it.

Training data are the abstracts without headings that a coder has marked done or whose
suggested sections they accepted, with that coder's spans (the consensus coding where a record
has a done or accepted one, else the library's coder's, else the first coder's by name). The
model is kept in ``learned_model`` (one row, name "sections"), so every member of a team
library suggests from the same one; it is used only while its cross-validated score on the
library's coding is at least the built-in model's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from litdesk.core import section_learning
from litdesk.core.model import CONSENSUS_CODER
from litdesk.core.section_learning import AdaptedModel, Example, Report
from litdesk.core.section_model import ModelError, base_model
from litdesk.core.section_pretest import with_suggestions
from litdesk.core.status import ACCEPTED
from litdesk.store.schema import LearnedModelRow, RecordRow, SpanRow, StatusRow
from litdesk.store.stamps import now

if TYPE_CHECKING:
    from litdesk.store.library import Library

NAME: Final = "sections"
#: The app learns again after this many more abstracts are done (or accepted).
LEARN_EVERY: Final = 20
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class LearnedState:
    """What the library holds of its own model (never the model's bytes)."""

    has_model: bool
    in_use: bool
    done_seen: int
    scores: dict[str, Any]
    learned_at: str
    coder: str


def _qualifies() -> Any:
    return or_(StatusRow.done.is_(True), StatusRow.suggestions == ACCEPTED)


def done_count(lib: Library) -> int:
    """Records some coder has marked done or accepted the suggestions of."""
    with Session(lib.engine) as s:
        return s.scalar(select(func.count(func.distinct(StatusRow.record_id)))
                        .where(_qualifies())) or 0


def _chosen_coders(lib: Library) -> dict[int, str]:
    """Record id -> the coder whose coding of it is learned from."""
    chosen: dict[int, str] = {}
    rank = {CONSENSUS_CODER: 0, lib.coder: 1}
    with Session(lib.engine) as s:
        for rid, coder in s.execute(select(StatusRow.record_id, StatusRow.coder)
                                    .where(_qualifies())):
            old = chosen.get(rid)
            if old is None or (rank.get(coder, 2), coder) < (rank.get(old, 2), old):
                chosen[rid] = coder
    return chosen


def examples(lib: Library) -> list[Example]:
    """The library's coded abstracts without headings, with the chosen coder's spans, by id."""
    chosen = _chosen_coders(lib)
    ids = sorted(chosen)
    out = []
    with Session(lib.engine) as s:
        for at in range(0, len(ids), _CHUNK):
            chunk = ids[at: at + _CHUNK]
            texts: dict[int, str] = {rid: text for rid, text in s.execute(
                select(RecordRow.id, RecordRow.abstract).where(RecordRow.id.in_(chunk)))}
            spans: dict[int, list[tuple[int, int, str]]] = {}
            for rid, coder, start, end, label in s.execute(
                    select(SpanRow.record_id, SpanRow.coder, SpanRow.start, SpanRow.end,
                           SpanRow.label).where(SpanRow.record_id.in_(chunk))
                    .order_by(SpanRow.record_id, SpanRow.start)):
                if chosen[rid] == coder:
                    spans.setdefault(rid, []).append((start, end, label))
            for rid in chunk:
                text = texts.get(rid) or ""
                if text and rid in spans and not with_suggestions([text])[0]:
                    out.append(Example(text, tuple(spans[rid])))
    return out


def state(lib: Library) -> LearnedState | None:
    """The library's model's row, without its bytes (None: never learned)."""
    with Session(lib.engine) as s:
        row = s.execute(select(LearnedModelRow.model.isnot(None), LearnedModelRow.in_use,
                               LearnedModelRow.done_seen, LearnedModelRow.scores,
                               LearnedModelRow.learned_at, LearnedModelRow.coder)
                        .where(LearnedModelRow.name == NAME)).first()
    return LearnedState(bool(row[0]), bool(row[1]), row[2], dict(row[3] or {}), row[4],
                        row[5]) if row else None


def due(lib: Library) -> bool:
    """Whether LEARN_EVERY more abstracts were done since the library's model was learned."""
    seen = st.done_seen if (st := state(lib)) else 0
    return done_count(lib) - seen >= LEARN_EVERY


def load_model(lib: Library) -> AdaptedModel | None:
    """The library's model if it is in use and fits this litdesk's built-in model, else None
    (a model that cannot be read is left alone: the built-in one is used)."""
    with Session(lib.engine) as s:
        data = s.scalar(select(LearnedModelRow.model).where(
            LearnedModelRow.name == NAME, LearnedModelRow.in_use.is_(True)))
    if not data:
        return None
    try:
        return section_learning.from_bytes(bytes(data), base_model())
    except ModelError:
        return None


def learn(lib: Library, *, progress: Callable[[int, int], None] | None = None,
          cancelled: Callable[[], bool] | None = None) -> Report:
    """Learn the library's model from its coding, cross-validated against the built-in one,
    and store it (used only if it scores at least as well). A cancelled learning stores
    nothing. ValueError when there is too little coding to learn from; LibraryError when
    the library cannot be written."""
    lib._writable()  # before minutes of work, not after
    seen = done_count(lib)
    base = base_model()
    report = section_learning.learn(examples(lib), base, progress=progress,
                                    cancelled=cancelled)
    if report.model is None:
        return report
    _store(lib, model=report.model.to_bytes(section_learning.fingerprint(base)),
           in_use=report.better, base=section_learning.fingerprint(base), done_seen=seen,
           scores=report.as_json())
    return report


def reset(lib: Library) -> bool:
    """Go back to the built-in model (the learned one is deleted; learning starts again after
    LEARN_EVERY more done abstracts). Whether there was a model to drop."""
    st = state(lib)
    _store(lib, model=None, in_use=False, base="", done_seen=max(st.done_seen if st else 0,
                                                                  done_count(lib)),
           scores={})
    return bool(st and st.has_model)


def _store(lib: Library, **values: Any) -> None:
    values |= {"learned_at": now(), "coder": lib.coder}
    for attempt in range(2):
        try:
            with lib.session() as s, s.begin():
                row = s.get(LearnedModelRow, NAME, with_for_update=True)
                if row is None:
                    s.add(LearnedModelRow(name=NAME, **values))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
            return
        except IntegrityError:  # another coder stored one at the same moment: update theirs
            if attempt:
                raise
