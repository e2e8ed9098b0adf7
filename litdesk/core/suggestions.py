"""Suggested sections by source, and which of them a coder is offered on a record.

A source turns an abstract into suggested spans, each with a confidence: ``headings``
(structured-abstract headings, :mod:`litdesk.core.sections`, confidence 1.0) and ``model``
(the section model for abstracts without headings, :mod:`litdesk.core.section_model`, loaded
on first use; spans under its confidence threshold are left out).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from litdesk.core.model import Span
from litdesk.core.sections import suggest_sections
from litdesk.core.status import offers_suggestions

if TYPE_CHECKING:
    from litdesk.core.section_learning import AdaptedModel


@dataclass(frozen=True, slots=True)
class Suggested:
    """One suggested span: ``abstract[start:end]`` may be ``label`` (Python string indices)."""

    start: int
    end: int
    label: str
    confidence: float = 1.0

    def as_span(self, abstract: str, source: str = "headings") -> SuggestedSpan:
        """The provisional span the coding pane draws (by its source) until it is accepted."""
        return SuggestedSpan(self.start, self.end, self.label, abstract[self.start:self.end],
                             suggested=True, source=source, confidence=self.confidence)


HEADINGS: Final = "headings"
MODEL: Final = "model"


@dataclass(frozen=True, slots=True)
class SuggestedSpan(Span):
    """A suggested span as the pane shows it: where it came from and how sure that is."""

    source: str = HEADINGS
    confidence: float = 1.0


def from_headings(abstract: str) -> list[Suggested]:
    """Sections found from the headings of a structured abstract (certain: confidence 1.0)."""
    return [Suggested(s, e, label, 1.0) for s, e, label in suggest_sections(abstract)]


def from_model(abstract: str, model: AdaptedModel | None = None) -> list[Suggested]:
    """Sections the model is confident of: the library's ``model`` if given, else the
    shipped one (may raise section_model.ModelError)."""
    from litdesk.core.section_model import suggest_confident  # not at start-up

    return [Suggested(s, e, label, confidence)
            for s, e, label, confidence in suggest_confident(abstract, model=model)]


#: Source name -> the suggestions it makes for an abstract.
SOURCES: Final[dict[str, Callable[[str], list[Suggested]]]] = {
    HEADINGS: from_headings, MODEL: from_model}


def offered(abstract: str, sections: int, done: bool, answer: str,
            source: str = HEADINGS, model: AdaptedModel | None = None) -> list[Suggested]:
    """The suggestions a coder is offered on a record, from ``source``: none unless
    :func:`~litdesk.core.status.offers_suggestions` (nothing tagged, not done, not rejected).
    ``model``: the library's own section model, for the ``model`` source (None: shipped)."""
    if not abstract or not offers_suggestions(sections, done, answer):
        return []
    if source == MODEL:
        return from_model(abstract, model)
    return SOURCES[source](abstract)


def offered_first(abstract: str, sections: int, done: bool, answer: str,
                  sources: Sequence[str] = (HEADINGS,),
                  model: AdaptedModel | None = None) -> tuple[str, list[Suggested]]:
    """The first of ``sources`` that offers suggestions on a record, and them (or ``[]``)."""
    for source in sources:
        if found := offered(abstract, sections, done, answer, source, model):
            return source, found
    return sources[-1], []
