"""The import's duplicate check: indexed look-ups of candidates, and a verdict for each record.

Candidates are found by identifier (``record_identifier``, indexed by value) and by normalised
title (``record.dup_key``, indexed), in the library as it was before the file and earlier in
the file; `litdesk.core.duplicates.judge` decides. A library upgraded from an older schema has
its keys worked out again once (`refresh_keys`), with this litdesk's rules.
"""

from __future__ import annotations

import json
import marshal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from litdesk.core import duplicates as dup
from litdesk.core.merging import with_identifiers_of
from litdesk.core.model import Record
from litdesk.core.ris_fields import record_from_tags
from litdesk.store.convert import identifier_rows, read_tags
from litdesk.store.schema import IdentifierRow, MetaRow, RecordRow

#: The rules the stored keys were made with; a library with other keys gets them again.
KEYS_VERSION = "1"
KEYS_META = "duplicate_keys"
#: At most this many records of one title are compared ("Editorial", "Letter"...).
MAX_TITLE_CANDIDATES = 25
#: At most this many possible duplicates are flagged for one incoming record.
MAX_POSSIBLE = 3

_LOOKUP_CHUNK = 500
# Built once, with one expanding parameter: an ``in_()`` of a fresh list costs SQLAlchemy about
# 5 us a value to build and compile (half a second of an import of 100k records).
_BY_IDENTIFIER = select(IdentifierRow.record_id).where(
    IdentifierRow.value.in_(bindparam("keys", expanding=True)))
_BY_TITLE = select(RecordRow.id, RecordRow.dup_key).where(
    RecordRow.dup_key.in_(bindparam("keys", expanding=True))).order_by(RecordRow.id.desc())
_IDENTIFIERS_OF = select(IdentifierRow.record_id, IdentifierRow.value).where(
    IdentifierRow.record_id.in_(bindparam("ids", expanding=True)))
_CANDIDATE_COLUMNS = (RecordRow.id, RecordRow.ris_type, RecordRow.title, RecordRow.authors,
                      RecordRow.year, RecordRow.journal, RecordRow.volume, RecordRow.issue,
                      RecordRow.pages, RecordRow.abstract)
_CANDIDATES = select(*_CANDIDATE_COLUMNS).where(RecordRow.id.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True)
class Match:
    """A record found to be a duplicate (certain or possible) of an incoming one."""

    verdict: dup.Verdict
    existing_id: int | None  # a library record (or one of this file, once it has an id)
    existing_position: int | None  # the position in this file; None: in the library before

    @property
    def existing(self) -> tuple[int | None, int | None]:
        return self.existing_id, self.existing_position


@dataclass(frozen=True, slots=True)
class Outcome:
    """The check of one incoming record: a certain duplicate, or possible ones (or neither)."""

    certain: Match | None = None
    possible: tuple[Match, ...] = ()


#: The outcome of most records: nothing like them (one object, not one per record).
NO_MATCH: Final = Outcome()


class DuplicateChecker:
    """Checks incoming records against the library (before this file) and earlier records of
    the file; ``seconds`` and ``cpu_seconds`` are the wall and CPU time spent doing so (for
    the benchmark: the wall time counts waits for the writing thread's GIL too)."""

    def __init__(self, reader: Connection | None, allow: bool):
        # reader None: the library had no records before this file, nothing to look up.
        self.reader, self.allow = reader, allow
        self.seconds = self.cpu_seconds = 0.0
        self._by_id: dict[str, list[int]] = {}  # identifier -> positions in this file
        self._by_title: dict[str, list[int]] = {}
        #: position -> its fingerprint, marshalled: half the memory of the tuple (at 100k
        #: records: 90 MB less), 3 us a record; only candidates are read back
        self._prints: dict[int, bytes] = {}
        self._ids: dict[int, int] = {}  # position -> record id, once given
        self._skipped: list[tuple[Match, Record]] = []  # certain duplicates with identifiers

    def check(self, chunk: list[tuple[int, Record]]) -> list[Outcome]:
        """An `Outcome` for each ``(position, record)`` of ``chunk``, in file order."""
        if self.allow:
            return [NO_MATCH] * len(chunk)
        started, cpu = time.perf_counter(), time.thread_time()
        prints = [(pos, dup.fingerprint(rec)) for pos, rec in chunk]
        records = dict(chunk)
        library = self._library_candidates([p for _, p in prints])
        by_key: dict[str, list[int]] = {}  # the candidates by identifier and by title
        for lib_id, (found, keys) in library.items():
            for key in (*keys, f"title:{found.title}" if found.title else ""):
                by_key.setdefault(key, []).append(lib_id)
        by_key.pop("", None)
        out = []
        for pos, fp in prints:
            wanted = (*fp.identifiers, f"title:{fp.title}" if fp.title else "")
            mine = {i: library[i] for k in wanted for i in by_key.get(k, ())}
            outcome = self._judge(fp, mine)
            if outcome.certain is None:
                self._remember(pos, fp)
            elif fp.identifiers:
                self._skipped.append((outcome.certain, records[pos]))
            out.append(outcome)
        self.seconds += time.perf_counter() - started
        self.cpu_seconds += time.thread_time() - cpu
        return out

    def identifier_job(self, connection: Callable[[], Connection]) -> Callable[[], None]:
        """A job for the writer, after the records of the chunks checked so far are in: the
        identifiers the certain duplicates among them carry go to the records they duplicate
        (`add_identifiers`)."""
        found = [(kept, rec) for m, rec in self._skipped if (kept := m.existing_id if
                 m.existing_id is not None else self.record_id(m.existing_position or 0))]
        self._skipped = []

        def job() -> None:
            for kept, rec in found:
                add_identifiers(connection(), kept, rec)
        return job

    def assigned(self, position: int, record_id: int) -> None:
        """Record ``position`` of the file was stored with ``record_id``."""
        self._ids[position] = record_id

    def record_id(self, position: int) -> int | None:
        return self._ids.get(position)

    def _remember(self, pos: int, fp: dup.Fingerprint) -> None:
        self._prints[pos] = marshal.dumps(tuple(fp))
        for key in fp.identifiers:
            self._by_id.setdefault(key, []).append(pos)
        if fp.title:
            self._by_title.setdefault(fp.title, []).append(pos)

    def _judge(self, fp: dup.Fingerprint,
               library: dict[int, tuple[dup.Fingerprint, set[str]]]) -> Outcome:
        """``library``: the library records sharing an identifier or the title with ``fp``."""
        # Earlier in this file first (its records are in the file's transaction), then the
        # library as it was before the file.
        by_id = [p for k in fp.identifiers for p in self._by_id.get(k, ())]
        by_title = self._by_title.get(fp.title) if fp.title else None
        if not (by_id or by_title or library):
            return NO_MATCH  # nothing shares a key with it: most records of an import
        in_file = dict.fromkeys(by_id)
        if by_title:
            in_file.update(dict.fromkeys(by_title[-MAX_TITLE_CANDIDATES:]))
        candidates: list[tuple[int | None, int | None, dup.Fingerprint]] = [
            (None, pos, dup.Fingerprint(*marshal.loads(self._prints[pos]))) for pos in in_file]
        candidates += [(lib_id, None, found) for lib_id, (found, _) in library.items()]
        possible: list[Match] = []
        for rid, pos, other in candidates:
            verdict = dup.judge(other, fp)  # details read "earlier / new", as pairs do
            if verdict.outcome == dup.CERTAIN:
                return Outcome(certain=Match(verdict, rid, pos))
            if verdict.outcome == dup.POSSIBLE and len(possible) < MAX_POSSIBLE:
                possible.append(Match(verdict, rid, pos))
        return Outcome(possible=tuple(possible)) if possible else NO_MATCH

    def _library_candidates(self, prints: list[dup.Fingerprint]
                            ) -> dict[int, tuple[dup.Fingerprint, set[str]]]:
        """Library records sharing an identifier or a title with any of ``prints``."""
        if self.reader is None:
            return {}
        ids: set[int] = set()
        keys = list({k for p in prints for k in p.identifiers})
        for i in range(0, len(keys), _LOOKUP_CHUNK):
            ids.update(self.reader.scalars(_BY_IDENTIFIER, {"keys": keys[i:i + _LOOKUP_CHUNK]}))
        titles = list({p.title for p in prints if p.title})
        for i in range(0, len(titles), _LOOKUP_CHUNK):
            per_title: dict[str, int] = {}
            for rid, title in self.reader.execute(_BY_TITLE,
                                                  {"keys": titles[i:i + _LOOKUP_CHUNK]}):
                per_title[title] = per_title.get(title, 0) + 1
                if per_title[title] <= MAX_TITLE_CANDIDATES:
                    ids.add(rid)
        return load_fingerprints(self.reader, ids)


def load_fingerprints(conn: Connection, ids: Iterable[int]
                      ) -> dict[int, tuple[dup.Fingerprint, set[str]]]:
    """Fingerprints (and identifier sets) of the library records ``ids``."""
    wanted = sorted(set(ids))
    found: dict[int, tuple[dup.Fingerprint, set[str]]] = {}
    for i in range(0, len(wanted), _LOOKUP_CHUNK):
        part = wanted[i:i + _LOOKUP_CHUNK]
        keys: dict[int, list[str]] = {}
        for rid, value in conn.execute(_IDENTIFIERS_OF, {"ids": part}):
            keys.setdefault(rid, []).append(value)
        for row in conn.execute(_CANDIDATES, {"ids": part}):
            authors = row.authors if isinstance(row.authors, list) else json.loads(
                row.authors or "[]")
            rec = Record(type=row.ris_type, title=row.title, authors=tuple(authors),
                         year=row.year, journal=row.journal, volume=row.volume,
                         issue=row.issue, pages=row.pages, abstract=row.abstract)
            fp = dup.fingerprint(rec)
            ident = tuple(sorted(keys.get(row.id, ())))
            found[row.id] = (fp._replace(identifiers=ident), set(ident))
    return found



def add_identifiers(conn: Connection, record_id: int, incoming: Record) -> tuple[str, ...]:
    """Give the library record ``record_id`` the identifiers ``incoming``, a certain duplicate
    of it that was skipped, carries and it lacks (a PMCID, an accession number...): in its
    tags (so an export keeps them), its columns and the duplicate look-ups. Returns the
    identifier keys it gained (none when it had them all, or is gone)."""
    row = conn.execute(select(RecordRow.tags, RecordRow.doi, RecordRow.pmid, RecordRow.pmcid,
                              RecordRow.accessions).where(RecordRow.id == record_id)).first()
    if row is None:
        return ()
    stored = row.tags if isinstance(row.tags, list) else json.loads(row.tags or "[]")
    accessions = row.accessions if isinstance(row.accessions, list) else json.loads(
        row.accessions or "[]")
    kept = Record(doi=row.doi, pmid=row.pmid, pmcid=row.pmcid, accessions=tuple(accessions),
                  tags=tuple((str(t[0]), str(t[1])) for t in stored))
    tags = with_identifiers_of(kept, incoming)
    if tags is None:
        return ()
    derived = record_from_tags(tags)
    # An accession whose RIS form litdesk does not read back (an Embase number as AN) still
    # becomes the record's, as merging does.
    now_has = Record(doi=kept.doi or derived.doi, pmid=kept.pmid or derived.pmid,
                     pmcid=kept.pmcid or derived.pmcid, accessions=tuple(dict.fromkeys(
                         (*kept.accessions, *derived.accessions, *incoming.accessions))))
    gained = tuple(k for k in dup.identifier_keys(now_has)
                   if k not in set(dup.identifier_keys(kept)))
    if not gained:
        return ()
    conn.execute(update(RecordRow).where(RecordRow.id == record_id).values(
        tags=tags, doi=now_has.doi, doi_key=dup.normalise_doi(now_has.doi)[:255],
        pmid=now_has.pmid.strip()[:32], pmcid=now_has.pmcid.strip()[:32],
        accessions=list(now_has.accessions)))
    conn.execute(insert(IdentifierRow), [{"record_id": record_id, "value": k} for k in gained])
    return gained


def refresh_keys(conn: Connection) -> int:
    """Work out every record's identifiers and title key again from its tags, when they were
    made by other rules (an upgraded library); returns how many records were looked at."""
    done = conn.scalar(select(MetaRow.value).where(MetaRow.key == KEYS_META))
    if done == KEYS_VERSION:
        return 0
    last, seen = 0, 0
    while True:
        rows = conn.execute(select(RecordRow.id, RecordRow.tags, RecordRow.title, RecordRow.doi,
                                   RecordRow.pmid, RecordRow.abstract).where(
            RecordRow.id > last).order_by(RecordRow.id).limit(2000)).all()
        if not rows:
            break
        ids = [r.id for r in rows]
        conn.execute(delete(IdentifierRow).where(IdentifierRow.record_id.in_(ids)))
        new_rows = []
        for row in rows:
            tags = row.tags if isinstance(row.tags, list) else json.loads(row.tags or "[]")
            rec = record_from_tags(read_tags(tags, row.abstract)) if tags else Record(
                doi=row.doi, pmid=row.pmid)
            conn.execute(update(RecordRow).where(RecordRow.id == row.id).values(
                pmid=rec.pmid[:32], pmcid=rec.pmcid[:32], accessions=list(rec.accessions),
                dup_key=dup.title_key(row.title)))
            new_rows += identifier_rows(row.id, rec)
        if new_rows:
            conn.execute(insert(IdentifierRow), new_rows)
        last, seen = ids[-1], seen + len(rows)
    if done is None:
        conn.execute(insert(MetaRow).values(key=KEYS_META, value=KEYS_VERSION))
    else:
        conn.execute(update(MetaRow).where(MetaRow.key == KEYS_META).values(value=KEYS_VERSION))
    return seen
