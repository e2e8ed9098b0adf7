"""Import a RIS file into a library: one transaction per file, duplicates skipped, streaming.

A file's records go in all together or not at all: a cancelled, failed or killed import
leaves the library as it was before that file. Records are read, checked and inserted
``CHUNK`` at a time, so memory stays bounded whatever the size of the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from litdesk.core import dedupe, sections
from litdesk.core.litdesk_notes import decode_notes
from litdesk.core.model import Record, Span
from litdesk.core.ris_reader import Problem, ReadRecord, RisReadError, open_ris
from litdesk.core.spans import normalise
from litdesk.store.convert import record_values
from litdesk.store.library import Library, LibraryError, now
from litdesk.store.schema import BatchRow, MemoRow, RecordRow, SpanRow, StatusRow

CHUNK = 1000
#: SQLite page cache while importing, in KiB (the default 2 MB makes the search index spill
#: to disk again and again); bounded, so memory stays bounded too.
IMPORT_CACHE_KIB = 64 * 1024

#: progress(records read so far, bytes read so far, file size in bytes)
Progress = Callable[[int, int, int], None]


class ImportCancelled(Exception):
    """Raised inside the file's transaction to roll it back when the user cancels."""


@dataclass(frozen=True)
class Duplicate:
    """A record that was not imported because the library or the file has it already."""

    position: int
    title: str
    reason: str  # "DOI", "PubMed ID" or "title, year and first author"
    existing_id: int | None  # the record already in the library; None: earlier in this file
    existing_position: int | None = None


@dataclass
class FileSummary:
    """What importing one file did, for the import summary and the CLI."""

    path: str
    encoding: str = ""
    format: str = ""
    read: int = 0
    added: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def line(self) -> str:
        name = os.path.basename(self.path) or self.path
        if self.error:
            return f"{name}: not imported: {self.error}"
        if self.cancelled:
            return f"{name}: cancelled; nothing from this file was added"
        parts = [f"{self.added} added"]
        in_lib = sum(1 for d in self.duplicates if d.existing_id is not None)
        in_file = len(self.duplicates) - in_lib
        if in_lib:
            parts.append(f"{in_lib} already in the library")
        if in_file:
            parts.append(f"{in_file} duplicated within the file")
        if self.problems:
            parts.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}")
        return f"{name}: {', '.join(parts)} ({self.read} read, {self.format}, {self.encoding})"

    def details(self) -> list[str]:
        """Every duplicate and problem, one line each, naming file, record and line."""
        out = [str(p) for p in self.problems]
        for d in self.duplicates:
            where = (f"library record {d.existing_id}" if d.existing_id is not None
                     else f"record {d.existing_position} of this file")
            out.append(f"{self.path}, record {d.position}: duplicate of {where} "
                       f"(same {d.reason}): {d.title[:80]!r}; skipped")
        return out


def import_file(
    lib: Library,
    path: str | os.PathLike[str],
    *,
    allow_duplicates: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FileSummary:
    """Import one file into ``lib``; never raises for a bad file (see ``FileSummary.error``).

    Duplicates (of library records or of earlier records in the file) are skipped unless
    ``allow_duplicates``. ``cancelled`` is polled as records are read; when it returns True
    the file's transaction is rolled back. Raises `LibraryError` when the library itself
    cannot be written (disk full, locked): nothing from the file is kept then either.
    """
    summary = FileSummary(str(path))
    try:
        ris = open_ris(path)
    except RisReadError as e:
        summary.error = e.message
        return summary
    summary.encoding, summary.format = ris.encoding, ris.format
    try:
        with ris, lib.session() as s, s.begin(), _import_cache(s.connection()):
            batch = BatchRow(source=str(Path(path).resolve()), imported_at=now(),
                             encoding=ris.encoding, format=ris.format, added=0, duplicates=0,
                             coder=lib.coder)
            s.add(batch)
            s.flush()
            checker = _DuplicateChecker(s, allow_duplicates)
            chunk: list[ReadRecord] = []
            for item in ris:
                summary.read += 1
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    _store_chunk(s, lib, batch.id, chunk, checker, summary)
                    chunk = []
                    if progress:
                        progress(summary.read, ris.bytes_read, ris.size)
                if cancelled and summary.read % 100 == 0 and cancelled():
                    raise ImportCancelled
            _store_chunk(s, lib, batch.id, chunk, checker, summary)
            if cancelled and cancelled():
                raise ImportCancelled
            batch.added, batch.duplicates = summary.added, len(summary.duplicates)
            summary.encoding = ris.encoding  # a pending guess may have been settled
            summary.batch_id = batch.id
            if progress:
                progress(summary.read, ris.size, ris.size)
    except ImportCancelled:
        summary.cancelled = True
    except RisReadError as e:  # the file vanished or broke while it was being read
        summary.error = e.message
    except OperationalError as e:  # the library, not the file: the other files would fail too
        raise LibraryError(f"Cannot write to the library {lib.path} ({e.orig}); nothing from "
                           f"{path} was added.") from e
    finally:
        summary.problems = list(ris.problems)
    if not summary.ok:
        summary.added, summary.batch_id = 0, None
        summary.duplicates.clear()
    return summary


def import_files(
    lib: Library, paths: Iterable[str | os.PathLike[str]], **kw: object
) -> list[FileSummary]:
    """`import_file` for each path in turn; a bad file never stops the others."""
    return [import_file(lib, p, **kw) for p in paths]  # type: ignore[arg-type]


@contextmanager
def _import_cache(conn: Connection) -> Iterator[None]:
    """A larger SQLite page cache for the length of one import, then the previous size."""
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


#: What the library or the file already has under a key: (record id or position, DOI, PMID).
_Seen = tuple[int, str, str]


class _DuplicateChecker:
    """Finds duplicates of incoming records earlier in the same file and in the library.

    Keys: normalised DOI, PubMed ID, else normalised title + year + first author's surname.
    A title match is no duplicate when both records have DOIs, or both PubMed IDs, that
    differ (two papers may share a title: "Editorial", a series in two journals).
    """

    KINDS = ("DOI", "PubMed ID", "title")

    def __init__(self, s: Session, allow: bool):
        self.s, self.allow = s, allow
        self.seen: dict[tuple[str, str], _Seen] = {}  # keys of this file's imported records

    def check(self, chunk: list[tuple[ReadRecord, Record]]) -> list[Duplicate | None]:
        """For each record of ``chunk`` (in file order): its `Duplicate`, or None to import."""
        if self.allow:
            return [None] * len(chunk)
        keyed = [(item, dedupe.keys(rec)) for item, rec in chunk]
        existing = self._existing([k for _, k in keyed])
        out: list[Duplicate | None] = []
        for item, keys in keyed:
            dup = self._find(item, keys, existing)
            if dup is None:
                for kind, key in zip(self.KINDS, keys, strict=True):
                    if key:
                        self.seen.setdefault((kind, key), (item.position, keys[0], keys[1]))
            out.append(dup)
        return out

    def _find(self, item: ReadRecord, keys: tuple[str, str, str],
              existing: dict[tuple[str, str], _Seen]) -> Duplicate | None:
        doi, pmid, _ = keys
        for kind, key in zip(self.KINDS, keys, strict=True):
            if not key:
                continue
            # Earlier in this file first: its records are in the library's transaction too.
            for hit, in_file in ((self.seen.get((kind, key)), True),
                                 (existing.get((kind, key)), False)):
                if hit is None or (kind == "title" and _conflict(hit, doi, pmid)):
                    continue
                if in_file:
                    return Duplicate(item.position, item.record.title, _reason(kind), None,
                                     hit[0])
                return Duplicate(item.position, item.record.title, _reason(kind), hit[0])
        return None

    def _existing(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str], _Seen]:
        found: dict[tuple[str, str], _Seen] = {}
        for idx, (kind, col) in enumerate(zip(
                self.KINDS, (RecordRow.doi_key, RecordRow.pmid, RecordRow.dup_key), strict=True)):
            wanted = list({k[idx] for k in keys if k[idx]})
            if not wanted:
                continue
            stmt = select(RecordRow.id, RecordRow.doi_key, RecordRow.pmid, col).where(
                col.in_(wanted)).order_by(RecordRow.id)
            for rid, doi_key, pmid, value in self.s.execute(stmt):
                found.setdefault((kind, value), (rid, doi_key, pmid))
        return found


def _conflict(hit: _Seen, doi: str, pmid: str) -> bool:
    """Whether two records with the same title key are told apart by their DOIs or PMIDs."""
    return bool((doi and hit[1] and hit[1] != doi) or (pmid and hit[2] and hit[2] != pmid))


def _reason(kind: str) -> str:
    return "title, year and first author" if kind == "title" else kind


# -- suggestions ------------------------------------------------------------------------------
# suggest_sections costs about a millisecond per abstract; this test rules most unstructured
# abstracts out in a small fraction of that, and never rules out one it would suggest for.

_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)*"  # a word as sections._TOKEN reads it
_TOKENS = re.compile(rf"({_WORD})(?:\([sS]\))?|(&|/|,|-)")
_SEP = re.compile(r"[ \t]*(?:\r?\n[ \t]*)?")  # between the tokens of a heading
#: A word, then what sections._DELIMITER accepts after a coded heading, over-approximated:
#: the last branch rejects only a word that certainly does not start a sentence ("were").
_DELIMITED_WORD = re.compile(  # possessive, from a word start: no backtracking in words
    r"\b([^\W\d_]++(?:['’][^\W\d_]++)*+)(?:\([sS]\))?"
    r"(?=[ \t]*:|\s+[-‐‑–—]+(?=\s)|[ \t]*[–—]|[ \t]+-+(?=\S)"
    r"|[ \t]*\.(?=\s|$)|[ \t]*[\r\n]|[ \t]+(?=\S)(?![a-z](?:[a-z_]|[^\w\s])*(?:\s|$)))")
_WINDOW = 400  # characters before a heading's last word in which its other words are sought


class _Node(dict[str, "_Node"]):
    """A node of the headings' suffix trie: children by the token before, labels ending here."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()  # of the headings that start here
        self.below: set[str] = set()  # of every heading through this node


@cache
def _suffix_trie() -> _Node:
    table, _ = sections._lexicon()
    root = _Node()
    for key, label in table.items():
        if label == sections._NOT_CODED:
            continue
        node = root
        for token in reversed(key):
            node = node.setdefault(token, _Node())
            node.below.add(label)
        node.labels.add(label)
    return root


def _key(m: re.Match[str]) -> str:
    word = m.group(1)
    return ("and" if m.group(2) == "&" else m.group(2)) if word is None else (
        word.lower().replace("’", "'"))


def _labels_ending_at(text: str, m: re.Match[str]) -> set[str]:
    """Sections of the headings that may end with the word matched by ``m``."""
    node = _suffix_trie().get(m.group(1).lower().replace("’", "'"))
    if node is None:
        return set()
    found = set(node.labels)
    start = max(0, m.start() - _WINDOW)
    before = list(_TOKENS.finditer(text, start, m.start()))
    after = m.start()
    for tok in reversed(before):
        if tok.end() != after and not _SEP.fullmatch(text, tok.end(), after):
            break
        if tok is before[0] and start > 0:  # it may be cut: assume any longer heading
            return found | node.below
        node = node.get(_key(tok))  # type: ignore[assignment]
        if node is None:
            break
        found |= node.labels
        after = tok.start()
    return found


def may_have_sections(text: str) -> bool:
    """False only when `suggest_sections` certainly finds nothing in ``text`` (a fast test).

    That needs headings of two sections, each followed by a delimiter; only words followed
    by one are looked up, backwards, in a suffix trie of the heading list.
    """
    labels: set[str] = set()
    for m in _DELIMITED_WORD.finditer(text):
        labels |= _labels_ending_at(text, m)
        if len(labels) >= 2:
            return True
    return False


def has_suggestions(abstract: str) -> bool:
    """``bool(suggest_sections(abstract))``, skipping the full rules for unstructured text."""
    return bool(abstract) and may_have_sections(abstract) and bool(
        sections.suggest_sections(abstract))


def _store_chunk(
    s: Session, lib: Library, batch_id: int, chunk: list[ReadRecord],
    checker: _DuplicateChecker, summary: FileSummary,
) -> None:
    if not chunk:
        return
    decoded = [_decode(item.record) for item in chunk]
    verdicts = checker.check([(item, rec) for item, (rec, _, _) in zip(chunk, decoded,
                                                                       strict=True)])
    stamp = now()
    keep = []
    for coded, dup in zip(decoded, verdicts, strict=True):
        if dup is not None:
            summary.duplicates.append(dup)
        else:
            keep.append(coded)
    if not keep:
        return
    values = [record_values(rec, batch_id=batch_id, added_at=stamp,
                            suggests=has_suggestions(rec.abstract)) for rec, _, _ in keep]
    ids = s.scalars(insert(RecordRow.__table__).returning(RecordRow.id,
                                                          sort_by_parameter_order=True),
                    values).all()
    summary.added += len(ids)
    _store_coding(s, lib.coder, zip(ids, keep, strict=True))


def _decode(record: Record) -> tuple[Record, list[Span], str]:
    """`decode_notes`, skipped for the many records that carry no litdesk notes."""
    if any(tag == "N1" and "[litdesk" in value for tag, value in record.tags):
        return decode_notes(record)
    return record, [], ""


def _store_coding(
    s: Session, default_coder: str, items: Iterable[tuple[int, tuple[Record, list[Span], str]]]
) -> None:
    """Spans and memos carried in a litdesk RIS export come back with their records."""
    span_rows, memo_rows, status_rows = [], [], []
    for rid, (rec, spans, memo) in items:
        by_coder: dict[str, list[Span]] = {}
        for sp in spans:
            by_coder.setdefault(sp.coder or default_coder, []).append(sp)
        for coder, group in by_coder.items():
            clean = normalise(group, rec.abstract)
            span_rows += [{"record_id": rid, "coder": coder, "start": x.start, "end": x.end,
                           "label": x.label, "text": x.text} for x in clean]
            status_rows.append({"record_id": rid, "coder": coder, "done": False,
                                "sections": len({x.label for x in clean}), "suggestions": ""})
        if memo:
            memo_rows.append({"record_id": rid, "coder": default_coder, "text": memo,
                              "updated_at": now()})
    if span_rows:
        s.execute(insert(SpanRow), span_rows)
        s.execute(insert(StatusRow), status_rows)
    if memo_rows:
        s.execute(insert(MemoRow), memo_rows)
