"""Duplicate keys: the same paper from two exports or two imports is recognised by these.

A record is a duplicate of another when their normalised DOIs match, or their PubMed IDs
match, or (when neither has one) their normalised title + year + first author's surname match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from litdesk.core.model import Record

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_doi(doi: str) -> str:
    """DOI in lower case without URL or ``doi:`` prefixes ("" when it is not a DOI)."""
    doi = _DOI_PREFIX.sub("", doi.strip()).strip().rstrip(".").lower()
    return doi if doi.startswith("10.") and "/" in doi else ""


@lru_cache(maxsize=4096)  # an import folds each title and first author several times
def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text for comparing titles and names."""
    if text.isascii():  # the same result, without decomposing (most titles and names)
        return _NON_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", no_marks).strip()


def title_key(record: Record) -> str:
    """Normalised title + year + first author's surname; "" when the title is empty."""
    title = fold(record.title)
    if not title:
        return ""
    return f"{title}|{record.year or ''}|{fold(record.first_author_surname)}"


def keys(record: Record) -> tuple[str, str, str]:
    """(doi key, pmid key, title key) of a record; empty strings where it has none."""
    return normalise_doi(record.doi), record.pmid.strip(), title_key(record)
