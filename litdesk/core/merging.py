"""Merging two records of one paper: the union of their tags, and coding moved across.

The kept record's tags come first, so its title, journal, year... stay what they were; the
other record's tags follow where they add something (identifiers, links, keywords, notes,
fields the kept record lacks). Its authors, abstract, type and accession (``AN``) are added only
when the kept record has none: two author lists or abstracts would run together.
"""

from __future__ import annotations

from collections.abc import Sequence

from litdesk.core.litdesk_notes import strip_notes
from litdesk.core.model import Record, Span
from litdesk.core.readers.base import id_tags

#: Tags taken from the other record only when the kept record has none of its group.
_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"TY", "PT"}), frozenset({"AU", "A1", "AF"}), frozenset({"AB", "N2"}),
    frozenset({"AN"}), frozenset({"TI", "T1"}), frozenset({"PY", "Y1"}), frozenset({"DO"}),
)


def merged_tags(kept: Sequence[tuple[str, str]], other: Sequence[tuple[str, str]]
                ) -> tuple[tuple[str, str], ...]:
    """The kept record's tags, then the other's that add something (see the module notes)."""
    mine = [(t, v) for t, v in strip_notes(kept) if t != "ER"]
    names = {t for t, v in mine if v}
    present = set(mine)
    out = list(mine)
    for tag, value in strip_notes(other):
        if tag == "ER" or not value or (tag, value) in present:
            continue
        group = next((g for g in _GROUPS if tag in g), None)
        if group is not None and group & names:
            continue
        out.append((tag, value))
        present.add((tag, value))
    return tuple(out)


def with_identifiers_of(kept: Record, other: Record) -> tuple[tuple[str, str], ...] | None:
    """The kept record's tags with RIS tags added for the identifiers ``other`` (the same
    paper) carries and it lacks: a DOI, PMID or PMCID where it has none, accession numbers it
    does not have. Written where `litdesk.core.identifiers` reads them, so a RIS export keeps
    them. None when there is nothing to add."""
    doi = other.doi if other.doi and not kept.doi else ""
    added = ([("DO", doi)] if doi else []) + id_tags(
        other.pmid if not kept.pmid.strip() else "",
        other.pmcid if not kept.pmcid.strip() else "",
        [a for a in other.accessions if a not in kept.accessions])
    if not added:
        return None
    tags = list(kept.tags)
    end = len(tags) - 1 if tags and tags[-1][0] == "ER" else len(tags)
    return (*tags[:end], *added, *tags[end:])


def place_spans(spans: Sequence[Span], source: str, target: str) -> tuple[list[Span],
                                                                          list[Span]]:
    """``spans`` on abstract ``source`` moved onto abstract ``target``: (placed, not placed).

    The same abstract keeps its offsets; otherwise each span's text is looked for in the
    target (the first occurrence after the previous span placed).
    """
    if source == target:
        return list(spans), []
    placed, lost = [], []
    cursor = 0
    for sp in sorted(spans, key=lambda x: x.start):
        text = source[sp.start:sp.end]
        at = target.find(text, cursor) if text.strip() else -1
        if at < 0:
            at = target.find(text) if text.strip() else -1
        if at < 0:
            lost.append(sp)
            continue
        placed.append(Span(at, at + len(text), sp.label, text, sp.coder))
        cursor = at + len(text)
    return placed, lost
