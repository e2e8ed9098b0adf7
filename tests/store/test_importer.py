"""Importing into a library: duplicates, precise reports, all-or-nothing files, bad input."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litdesk.core import ris_reader, sections
from litdesk.core.litdesk_notes import encode_notes
from litdesk.core.model import Record, Span
from litdesk.core.section_pretest import may_have_sections
from litdesk.core.sections import suggest_sections
from litdesk.store.importer import FileSummary, import_file, import_files

PAPER = {"TY": "JOUR", "AU": ["Müller, Anna", "Smith, J."], "PY": "2021",
         "TI": "Nurses' experiences of night shifts: a qualitative study",
         "JO": "J Adv Nurs", "AB": "Background: Night work. Methods: Interviews. Results: Tired."}


def checksum(lib_path: Path) -> str:
    """A digest of every record, span, memo and coding status in the library."""
    con = sqlite3.connect(lib_path)
    try:
        h = hashlib.sha256()
        for table, order in (("record", "id"), ("span", "id"), ("memo", "record_id, coder"),
                             ("coding_status", "record_id, coder")):
            for row in con.execute(f"SELECT * FROM {table} ORDER BY {order}"):  # noqa: S608
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


@pytest.fixture
def stocked(library, make_ris, lib_path):
    """A library holding one coded record; yields (library, checksum before)."""
    summary = import_file(library, make_ris("stock.ris", [PAPER]))
    rid = library.search_ids()[0]
    library.tag(rid, 0, 10, "background")
    library.set_memo(rid, "keep me")
    assert summary.added == 1
    return library, checksum(lib_path)


# -- duplicates ---------------------------------------------------------------------------------

def test_same_file_twice_adds_nothing_the_second_time(library, make_ris):
    path = make_ris("a.ris", [PAPER, {**PAPER, "TI": "Another paper", "DO": "10.1000/x"}])
    first = import_file(library, path)
    second = import_file(library, path)
    assert (first.added, second.added, library.count()) == (2, 0, 2)
    assert [d.existing_id for d in second.duplicates] == library.search_ids()
    assert {d.reason for d in second.duplicates} == {
        "same DOI", "title, year, authors, journal, abstract agree"}
    assert "2 already in the library" in second.line()
    assert all("skipped" in line and "a.ris, record" in line for line in second.details())


def test_pubmed_and_scopus_exports_of_one_paper(library, make_ris):
    pubmed = {"TY": "JOUR", "AU": ["Gómez-Pérez, María", "Li, X"], "PY": "2019",
              "TI": "Living with COPD: patients’ views", "DO": "https://doi.org/10.1000/ABC.12",
              "DB": "PubMed", "AN": "31234567", "JO": "Thorax"}
    scopus = {"TY": "JOUR", "AU": "Gomez-Perez M.", "PY": "2019", "DB": "Scopus",
              "TI": "Living with COPD - patients' views.", "DO": "doi:10.1000/abc.12"}
    no_doi = {"TY": "JOUR", "AU": ["GOMEZ-PEREZ, M", "LI, X"], "PY": "2019",
              "TI": "LIVING WITH COPD: PATIENTS VIEWS"}
    by_pmid = {"TY": "JOUR", "TI": "Living with COPD: patients' views", "DB": "MEDLINE",
               "AN": "31234567"}
    assert import_file(library, make_ris("pubmed.ris", [pubmed])).added == 1
    found = [import_file(library, make_ris(f"{n}.ris", [r]))
             for n, r in (("scopus", scopus), ("other", no_doi), ("pm", by_pmid))]
    assert [s.added for s in found] == [0, 0, 0]
    assert [d.reason for s in found for d in s.duplicates] == [
        "same DOI", "title, year, authors agree", "same PubMed ID"]
    assert library.count() == 1


def test_same_title_with_different_dois_are_different_papers(library, make_ris):
    a = {"TY": "JOUR", "TI": "Editorial", "PY": "2020", "AU": "Lee, K", "DO": "10.1000/one"}
    b = {**a, "DO": "10.1000/two"}
    # No DOI: title, year and a single author are not evidence enough to drop it, only to
    # show it to the researcher beside the two it may repeat.
    c = {**a, "DO": "", "AN": "1", "DB": "PubMed"}
    summary = import_file(library, make_ris("eds.ris", [a, b, c]))
    assert (summary.added, summary.duplicates) == (3, [])
    assert sorted((f.position, f.record_id, f.other_id) for f in summary.possible) == [
        (3, 3, 1), (3, 3, 2)]
    assert "1 possible duplicate" in summary.line()


def test_duplicates_within_one_file_are_reported_with_their_first_record(library, make_ris):
    recs = [PAPER, {"TY": "JOUR", "TI": "B", "DO": "10.5555/b"}, dict(PAPER),
            {"TY": "JOUR", "TI": "B.", "DO": "HTTPS://DX.DOI.ORG/10.5555/B"}]
    summary = import_file(library, make_ris("self.ris", recs))
    assert summary.added == 2
    assert [(d.position, d.existing_position, d.existing_id) for d in summary.duplicates] == [
        (3, 1, None), (4, 2, None)]
    assert "2 duplicated within the file" in summary.line()
    assert any("record 4: duplicate of record 2 of this file (same DOI)" in line
               for line in summary.details())


def test_allow_duplicates_imports_them_all(library, make_ris):
    path = make_ris("a.ris", [PAPER, PAPER])
    import_file(library, path)
    again = import_file(library, path, allow_duplicates=True)
    assert (again.added, again.duplicates, library.count()) == (2, [], 3)


def test_reimported_litdesk_export_brings_spans_and_memo_back(tmp_path, lib_path):
    from litdesk.store.library import Library

    abstract = "Aim: To explore. Methods: We interviewed 12 nurses."
    rec = Record(abstract=abstract, memo="Check sample\nsize",
                 spans=(Span(0, 16, "aim", coder="ana"), Span(17, len(abstract), "method")))
    tags = [("TY", "JOUR"), ("TI", "Coded"), ("AB", abstract), *encode_notes(rec)]
    path = tmp_path / "export.ris"
    path.write_text("".join(f"{t}  - {v}\n" for t, v in tags) + "ER  - \n", encoding="utf-8")
    with Library.open(lib_path, coder="ben") as lib:
        assert import_file(lib, path).added == 1
        rid = lib.search_ids()[0]
        got = lib.record(rid)
        assert [(s.start, s.end, s.label) for s in got.spans] == [(17, len(abstract), "method")]
        assert got.memo == "Check sample\nsize"
        assert not any("[litdesk" in v for _, v in got.tags)
    with Library.open(lib_path, coder="ana") as lib:
        assert [(s.start, s.end, s.label) for s in lib.spans(rid)] == [(0, 16, "aim")]


# -- safety: one transaction per file -------------------------------------------------------------

def test_cancel_mid_file_leaves_the_library_as_it_was(stocked, make_ris, lib_path):
    lib, before = stocked
    path = make_ris("big.ris", [{"TY": "JOUR", "TI": f"Paper {i}", "PY": "2001"}
                                for i in range(2500)])
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 15  # after 1,500 records, one chunk of them stored already

    summary = import_file(lib, path, cancelled=cancelled)
    assert summary.cancelled
    assert summary.added == 0
    assert summary.batch_id is None
    assert "cancelled; nothing from this file was added" in summary.line()
    assert checksum(lib_path) == before
    assert import_file(lib, path).added == 2500  # and the same file imports fine afterwards


def test_file_deleted_between_drop_and_read(stocked, make_ris, lib_path):
    lib, before = stocked
    path = make_ris("gone.ris", [PAPER])
    path.unlink()
    summary = import_file(lib, path)
    assert summary.error == "the file does not exist"
    assert summary.line() == "gone.ris: not imported: the file does not exist"
    assert checksum(lib_path) == before


def test_file_vanishing_while_read_rolls_back(stocked, make_ris, lib_path, monkeypatch):
    lib, before = stocked
    path = make_ris("flaky.ris", [{"TY": "JOUR", "TI": f"P{i}"} for i in range(3000)])
    real = ris_reader.RisFile.__iter__

    def failing(self):
        for n, item in enumerate(real(self)):
            if n == 2100:
                raise ris_reader.RisReadError(self.path, "reading failed (Input/output error)")
            yield item

    monkeypatch.setattr(ris_reader.RisFile, "__iter__", failing)
    summary = import_file(lib, path)
    assert summary.error == "reading failed (Input/output error)"
    assert summary.added == 0
    assert checksum(lib_path) == before


@pytest.mark.parametrize("kind", ["fifo", "folder", "no permission"])
def test_unreadable_paths_get_a_clear_message(stocked, tmp_path, lib_path, kind, monkeypatch):
    lib, before = stocked
    path = tmp_path / "refs.ris"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would block: it is refused before that
    elif kind == "folder":
        path.mkdir()
    else:  # we run as root, for whom chmod 000 changes nothing: make open() refuse
        path.write_text("TY  - JOUR\nER  - \n")

        def refuse(*_a, **_k):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(ris_reader, "open", refuse, raising=False)
    summary = import_file(lib, path)
    expected = {"fifo": "this is not a regular file", "folder": "this is a folder, not a file",
                "no permission": "you have no permission to read the file"}[kind]
    assert summary.error == expected
    assert checksum(lib_path) == before


def test_a_broken_file_never_stops_the_others(library, make_ris, tmp_path):
    bad = tmp_path / "bad.ris"
    bad.write_bytes(b"%PDF-1.4 binary")
    good = make_ris("good.ris", [PAPER])
    summaries = import_files(library, [bad, tmp_path / "missing.ris", good])
    assert [s.ok for s in summaries] == [False, False, True]
    assert summaries[0].error == "the file is a PDF document, not a RIS export"
    assert library.count() == 1


# -- bad input -------------------------------------------------------------------------------------

def _import_bytes(lib, tmp_path: Path, data: bytes) -> FileSummary:
    path = tmp_path / "input.ris"
    path.write_bytes(data)
    return import_file(lib, path)


def test_truncated_mid_record_keeps_what_was_read(stocked, tmp_path):
    lib, _ = stocked
    data = b"TY  - JOUR\nTI  - Whole\nER  - \n\nTY  - JOUR\nTI  - Cut off mid-wo"
    summary = _import_bytes(lib, tmp_path, data)
    assert summary.added == 2
    assert any(p.record == 2 and p.line == 5 and "missing ER" in p.message
               and p.action == "record kept" for p in summary.problems)
    assert any("input.ris, record 2, line 5: missing ER" in line for line in summary.details())


@pytest.mark.parametrize("data", [bytes(range(256)) * 64, b"\x00" * 5000,
                                  b"TY  - JOUR\x00\x00\x00\x01\x02\x03" * 500])
def test_binary_garbage_and_nul_bytes_are_refused(stocked, tmp_path, lib_path, data):
    lib, before = stocked
    summary = _import_bytes(lib, tmp_path, data)
    assert summary.error
    assert "binary" in summary.error
    assert summary.added == 0
    assert checksum(lib_path) == before


def test_a_few_nul_bytes_inside_a_record_are_dropped(library, tmp_path):
    padding = b"".join(b"TY  - JOUR\nTI  - Paper %d\nER  - \n" % i for i in range(20))
    summary = _import_bytes(library, tmp_path,
                            padding + b"TY  - JOUR\nTI  - Nul\x00 title\nAB  - Text\nER  - \n")
    assert summary.added == 21
    assert library.record(library.search_ids()[-1]).title == "Nul title"


def test_invalid_utf8_mid_file_imports_with_replacement_and_a_warning(library, tmp_path):
    good = "".join(f"TY  - JOUR\nTI  - Café {i}\nER  - \n" for i in range(50)).encode()
    data = good + b"TY  - JOUR\nTI  - Broken \xff\xfe byte\nER  - \n"
    summary = _import_bytes(library, tmp_path, data)
    assert summary.added == 51
    assert summary.encoding == "utf-8"
    assert [(p.line, p.action) for p in summary.problems] == [
        (152, "replaced with U+FFFD, text kept")]
    assert "line 152: invalid UTF-8" in summary.details()[0]
    titles = [r.title for r in library.records(library.search_ids())]
    assert titles[-1] == "Broken \ufffd\ufffd byte"


def test_one_thousand_empty_records(stocked, tmp_path, lib_path):
    lib, before = stocked
    summary = _import_bytes(lib, tmp_path, b"TY  - JOUR\nER  - \n\n" * 1000)
    assert summary.ok
    assert summary.added == 0
    assert summary.read == 0
    assert len(summary.problems) == 1000
    assert all(p.message == "empty record" and p.action == "skipped" for p in summary.problems)
    assert checksum(lib_path) == before


@pytest.mark.slow
def test_one_50_mb_abstract(library, tmp_path):
    abstract = ("Lengthy" * 7 + " ") * 1_000_000  # 50 MB in a million words
    data = f"TY  - JOUR\nTI  - Huge\nAB  - {abstract}\nER  - \n".encode()
    summary = _import_bytes(library, tmp_path, data)
    assert summary.added == 1
    assert not summary.problems
    assert len(library.record(library.search_ids()[0]).abstract) == len(abstract) - 1


# -- has_suggestions pre-test -------------------------------------------------------------------

def _headings() -> list[str]:
    table, _ = sections.lexicon()
    return sorted(" ".join(k) for k in table)


_DELIMS = [": ", ". ", " - ", " — ", "\n", " ", ":", "\n\n", "  "]
_FILLER = ["We", "the", "were", "Participants", "12", "(n", "mHealth", "results", "aim."]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_headings()), st.sampled_from(_DELIMS),
                          st.lists(st.sampled_from(_FILLER), max_size=6),
                          st.sampled_from([str.upper, str.title, str.lower, str.capitalize]),
                          st.sampled_from([" ", ". ", "\n", ""])),
                min_size=1, max_size=5))
def test_pre_test_never_misses_what_suggest_sections_finds(parts):
    text = "".join(f"{case(h)}{d}{' '.join(words)}{end}" for h, d, words, case, end in parts)
    assert may_have_sections(text) or not suggest_sections(text)


def test_pre_test_on_real_abstracts(corpus, seed):
    texts = [seed.read_text(encoding="utf-8")]
    for path in corpus.rglob("*.ris"):
        try:
            with ris_reader.open_ris(path) as ris:
                texts += [r.record.abstract for r in ris if r.record.abstract]
        except ris_reader.RisReadError:
            continue
    assert len(texts) > 20
    for text in texts:
        assert may_have_sections(text) or not suggest_sections(text), text[:200]
    assert not may_have_sections("Results were mixed. The aim was unclear.")


def _manifest(corpus: Path) -> list[dict[str, str]]:
    import csv

    with open(corpus / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_every_corpus_file_imports_its_records(corpus, tmp_path):
    from litdesk.store.library import Library

    for n, row in enumerate(_manifest(corpus)):
        with Library.open(tmp_path / f"lib{n}.sqlite") as lib:
            s = import_file(lib, corpus / row["file"])
            expected, empty = int(row["records_expected"]), int(row["empty_records"])
            assert expected - empty <= s.read <= expected, (row["file"], s.line())
            assert s.added + len(s.duplicates) == s.read == lib.count() + len(s.duplicates)
            # Within one file, only exact repeats are certain duplicates (checked by hand:
            # rispy/example_urls.ris holds one paper four times, its URLs written differently).
            for d in s.duplicates:
                assert d.existing_position is not None, d
                assert "title" in d.reason, d


def test_certain_duplicates_across_the_corpus_are_the_same_papers(corpus, tmp_path):
    from litdesk.core.duplicates import title_key
    from litdesk.store.library import Library

    with Library.open(tmp_path / "all.sqlite") as lib:
        found = []
        for row in _manifest(corpus):
            s = import_file(lib, corpus / row["file"])
            found += [(row["file"], d) for d in s.duplicates if d.existing_id is not None]
        assert len(found) >= 100  # the ASReview set twice, Ovid via Zotero, the rispy copies
        for name, d in found:
            existing = lib.record(d.existing_id)
            # the same title (normalised), and an identifier or the full citation agreeing
            assert title_key(existing.title) == title_key(d.title), (name, d)
            assert d.reason.startswith("same ") or all(
                f in d.reason for f in ("year", "authors", "journal")), (name, d)
