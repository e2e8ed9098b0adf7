"""Tests for litdesk.core.ris_reader: the real-world corpus, bad input, encodings, odd layouts."""

from __future__ import annotations

import codecs
import csv
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litdesk.core.ris_reader import (
    Problem,
    ReadRecord,
    RisReadError,
    open_ris,
    read_ris_text,
    record_from_tags,
)

REPO = Path(__file__).parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "ris"
SEED = REPO / "seeds" / "000_baa27484dd0224d6.txt"


def _manifest() -> list[dict[str, str]]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return []
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


needs_corpus = pytest.mark.skipif(not _manifest(), reason=f"RIS corpus not found at {CORPUS}")


def read(path: Path) -> tuple[list[ReadRecord], list[Problem], str]:
    with open_ris(path) as ris:
        records = list(ris)
        return records, list(ris.problems), ris.encoding


def write(tmp_path: Path, data: bytes | str, name: str = "refs.ris") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def tags_of(record: ReadRecord) -> list[str]:
    return [tag for tag, _ in record.record.tags]


# -- the real-world corpus ------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("row", _manifest(), ids=lambda row: row["file"])
def test_corpus_file_reads_expected_records(row: dict[str, str]) -> None:
    records, problems, encoding = read(CORPUS / row["file"])
    expected, empty = int(row["records_expected"]), int(row["empty_records"])
    assert expected - empty <= len(records) <= expected, problems
    assert encoding == row["encoding"]
    assert [r.position for r in records] == sorted({r.position for r in records})
    for item in records:
        rec, present = item.record, {tag for tag, value in item.record.tags if value}
        if present & {"TI", "T1"}:
            assert rec.title
        if present & {"AB", "N2"}:
            assert rec.abstract
        if present & {"AU", "A1", "AF"}:
            assert rec.authors
        assert all(tag.isalnum() and len(tag) == 2 for tag in tags_of(item))


@needs_corpus
def test_bom_files_keep_their_first_record() -> None:
    for row in _manifest():
        if row["encoding"] == "utf-8-sig" and row["empty_records"] == "0":
            first = read(CORPUS / row["file"])[0][0]
            assert first.position == 1
            assert tags_of(first)[0] == "TY", row["file"]


@needs_corpus
def test_corpus_spot_checks() -> None:
    wos = read(CORPUS / "rispy" / "example_wos.ris")[0]
    assert wos[0].record.authors[:2] == ("Parkes-Loach, PS", "Majeed, AP")
    assert wos[0].record.title.startswith("Interactions stabilizing the structure of the core")
    assert wos[0].record.doi == "10.1021/bi049798f"
    assert wos[0].record.year == 2004
    pubmed = read(CORPUS / "asreview" / "pubmed_endnote.txt")[0][0].record
    assert pubmed.pmid == "21553931"
    assert pubmed.doi == "10.2165/11586800-000000000-00000"
    assert "Humans" in pubmed.keywords
    multi = read(CORPUS / "rispy" / "example_multiline.ris")[0]
    assert multi[1].record.abstract == (
        "first line,\nER then second line and at the end\nthe last line"
    )
    records, problems, _ = read(CORPUS / "asreview" / "baseline_tag_and_field_definitions.ris")
    assert len(records) == 1
    assert ("JF", "Alternate Title 3") in records[0].record.tags  # tab before the dash
    assert any("text after ER" in p.message for p in problems)
    assert any("UK" in p.message and p.action == "lines skipped" for p in problems)


def test_seed_flattened_onto_one_line() -> None:
    records, problems, _ = read(SEED)
    assert len(records) == 1, problems
    rec = records[0].record
    assert rec.type == "JOUR"
    assert rec.title == (
        "A qualitative interview study of GPs’ experiences of prescribing opioid medication "
        "for chronic pain"
    )
    assert rec.authors == ("Simon Gill", "John Bailey", "Sadia Nafees", "Rob Poole")
    assert (rec.journal, rec.year, rec.volume, rec.issue) == ("BJGP Open", 2022, "6", "4")
    assert rec.doi == "10.3399/BJGPO.2022.0085"
    assert rec.urls == ("http://bjgpopen.org/content/6/4/BJGPO.2022.0085.abstract",)
    assert rec.abstract == dict(rec.tags)["N2"]
    assert rec.abstract.startswith("Background Prescribing")
    assert rec.abstract.endswith("manage chronic pain safely.")
    assert len(rec.abstract) == 1673
    assert rec.id is None
    assert rec.spans == ()


# -- files that are not RIS ----------------------------------------------------------------------


def _error(path: Path | str) -> RisReadError:
    with pytest.raises(RisReadError) as info, open_ris(path) as ris:
        list(ris)
    err = info.value
    assert str(path) in str(err)
    assert err.path == str(path)
    return err


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
        (b"@article{gill2022,\n  title = {A study},\n  year = {2022}\n}\n", "BibTeX"),
        (b"", "empty"),
        (b"\n\r\n   \n", "empty"),
        (b"\x00" * 4096, "binary"),
        (bytes(range(256)) * 16, "binary"),
        (b"Dear colleague,\nplease find the references attached.\n", "no RIS record"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    ],
    ids=["pdf", "bibtex", "empty", "blank-lines", "nul", "binary", "prose", "zip"],
)
def test_not_ris_raises_clear_error(tmp_path: Path, data: bytes, words: str) -> None:
    err = _error(write(tmp_path, data))
    assert words in err.message


def test_missing_path_and_folder(tmp_path: Path) -> None:
    assert "does not exist" in _error(tmp_path / "nope.ris").message
    assert "folder" in _error(tmp_path).message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "TY  - JOUR\nER  - \n")
    path.chmod(0)
    assert "permission" in _error(path).message


def test_error_message_is_a_sentence_naming_the_file() -> None:
    err = RisReadError("refs.ris", "the file is empty", line=3)
    assert str(err) == "Cannot read refs.ris, line 3: the file is empty."
    assert (err.path, err.message, err.line) == ("refs.ris", "the file is empty", 3)


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_raise_only_ris_read_error(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data, "random.ris")
    try:
        with open_ris(path) as ris:
            list(ris)
    except RisReadError:
        pass


_RISH = st.lists(
    st.sampled_from([b"TY  - JOUR", b"ER  - ", b"AB  - x", b"TI - t\xe9", b"  more", b"",
                     b"\x00", b"\xff\xfe", b"DB  - Scopus", b"PT J", b"UK\t- ?", b"\xe2\x80"])
    | st.binary(max_size=20),
    max_size=30,
)


@FUZZ
@given(lines=_RISH, sep=st.sampled_from([b"\n", b"\r\n", b"\r", b" "]))
def test_ris_like_bytes_raise_only_ris_read_error(
    tmp_path: Path, lines: list[bytes], sep: bytes
) -> None:
    path = write(tmp_path, b"TY  - JOUR" + sep + sep.join(lines), "rish.ris")
    try:
        with open_ris(path) as ris:
            for item in ris:
                assert item.record.type
    except RisReadError:
        pass


# -- encodings -------------------------------------------------------------------------------------

SAMPLE = "TY  - JOUR\nTI  - Café – “quoted” ’s\nAB  - Résumé\nER  - \n"


@pytest.mark.parametrize(
    ("codec", "data", "encoding"),
    [
        ("utf-8", SAMPLE.encode("utf-8"), "utf-8"),
        ("utf-8-sig", SAMPLE.encode("utf-8-sig"), "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        ("cp1252", SAMPLE.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(tmp_path: Path, codec: str, data: bytes, encoding: str) -> None:
    records, problems, used = read(write(tmp_path, data))
    assert used == encoding
    assert records[0].record.title == "Café – “quoted” ’s"
    assert records[0].record.abstract == "Résumé"
    assert problems == []


def test_cp1252_apostrophe_and_latin1(tmp_path: Path) -> None:
    records, _, used = read(write(tmp_path, b"TY  - JOUR\nTI  - GP\x92s caf\xe9\nER  - \n"))
    assert (used, records[0].record.title) == ("cp1252", "GP’s café")
    # 0x81 is undefined in cp1252, so the file is latin-1
    records, _, used = read(write(tmp_path, b"TY  - JOUR\nTI  - caf\xe9 \x81\nER  - \n"))
    assert used == "latin-1"
    assert records[0].record.title == "café \x81"
    # a file that is plain ASCII for its first megabyte and cp1252 later
    filler = b"TY  - JOUR\nTI  - plain\nAB  - " + b"x" * 100 + b"\nER  - \n"
    tail = b"TY  - JOUR\nTI  - Caf\xe9\nER  - \n"
    records, _, used = read(write(tmp_path, filler * 12000 + tail))
    assert (used, records[-1].record.title) == ("cp1252", "Café")


def test_invalid_utf8_mid_file_is_replaced_and_reported(tmp_path: Path) -> None:
    data = "TY  - JOUR\nTI  - Überblick\nAB  - bad \xff byte\nER  - \n".encode()
    data = data.replace(b"\xc3\xbf", b"\xff")
    records, problems, used = read(write(tmp_path, data))
    assert used == "utf-8"
    assert records[0].record.abstract == "bad \ufffd byte"
    assert [(p.line, "UTF-8" in p.message) for p in problems] == [(3, True)]
    assert "line 3" in str(problems[0])


# -- layouts --------------------------------------------------------------------------------------


def test_cr_only_and_crlf_line_ends(tmp_path: Path) -> None:
    for sep in ("\r", "\r\n"):
        text = sep.join(["TY  - JOUR", "TI  - One", "AB  - first", "second", "ER  - "]) + sep
        records, problems, _ = read(write(tmp_path, text))
        assert problems == []
        assert records[0].record.abstract == "first\nsecond"


@pytest.mark.parametrize("sep", ["\r", "\n", "\r\n"])
@pytest.mark.parametrize("preamble", [["1."], ["Ovid Technologies", "", "<1>"], []])
def test_preamble_before_the_first_record_with_any_line_end(
    tmp_path: Path, sep: str, preamble: list[str]
) -> None:
    # As Web of Science and Ovid write it: the record number on its own line above each TY.
    lines = [*preamble, "TY  - JOUR", "TI  - One", "AB  - first", "ER  - ", "",
             "2.", "TY  - JOUR", "TI  - Two", "ER  - "]
    records, problems, _ = read(write(tmp_path, sep.join(lines) + sep))
    assert problems == []
    assert [r.record.title for r in records] == ["One", "Two"]
    assert records[0].line == len(preamble) + 1
    assert [r.record.title for r in read_ris_text(sep.join(lines))] == ["One", "Two"]


def test_loose_spacing_tab_and_trailing_text() -> None:
    text = "TY - JOUR\nTI\t- Tabbed\nAU  -Smith, J\nPY -  2020\nER  - end of reference\n"
    [item] = read_ris_text(text)
    rec = item.record
    assert (rec.type, rec.title, rec.authors, rec.year) == ("JOUR", "Tabbed", ("Smith, J",), 2020)


def test_tags_before_ty_belong_to_next_record() -> None:
    text = "DB  - Scopus\nTY  - JOUR\nTI  - A\nER  - \n\nDB  - Scopus\nM3  - Article\nTY  - JOUR\n"
    text += "TI  - B\nER  - \n"
    first, second = read_ris_text(text)
    assert tags_of(first) == ["DB", "TY", "TI"]
    assert first.line == 1
    assert tags_of(second) == ["DB", "M3", "TY", "TI"]
    assert second.line == 6
    assert second.position == 2


def test_truncated_mid_record_keeps_record_with_problem(tmp_path: Path) -> None:
    text = "TY  - JOUR\nTI  - Whole\nER  - \nTY  - JOUR\nTI  - Cut\nAB  - half a sen"
    path = write(tmp_path, text)
    records, problems, _ = read(path)
    assert [r.record.title for r in records] == ["Whole", "Cut"]
    assert records[1].record.abstract == "half a sen"
    [problem] = problems
    assert (problem.record, problem.action) == (2, "record kept")
    assert "missing ER" in problem.message
    assert "refs.ris, record 2" in str(problem)


def test_missing_er_between_records(tmp_path: Path) -> None:
    text = "TY  - JOUR\nTI  - A\nTY  - BOOK\nTI  - B\nER  -\n"
    records, problems, _ = read(write(tmp_path, text))
    assert [(r.record.type, r.record.title) for r in records] == [("JOUR", "A"), ("BOOK", "B")]
    assert [p.record for p in problems] == [1]


def test_repeated_and_unknown_tags_kept_verbatim_in_order() -> None:
    text = (
        "TY  - JOUR\nX1  - vendor one\nAB  - First abstract\nN2  - Notes abstract\n"
        "AB  - Second abstract\nKW  - alpha; beta\nKW  - gamma\nUR  - http://a; http://b\n"
        "UR  - http://c\nZZ  - \nER  - \n"
    )
    [item] = read_ris_text(text)
    rec = item.record
    assert rec.tags == (
        ("TY", "JOUR"), ("X1", "vendor one"), ("AB", "First abstract"),
        ("N2", "Notes abstract"), ("AB", "Second abstract"), ("KW", "alpha; beta"),
        ("KW", "gamma"), ("UR", "http://a; http://b"), ("UR", "http://c"), ("ZZ", ""),
    )
    assert rec.abstract == "First abstract\nSecond abstract"
    assert rec.keywords == ("alpha", "beta", "gamma")
    assert rec.urls == ("http://a", "http://b", "http://c")


def test_empty_records_are_skipped_quickly(tmp_path: Path) -> None:
    text = "TY  - JOUR\nER  - \n\n" * 1000 + "TY  - JOUR\nTI  - Real\nER  - \n" + "TY  -\n" * 999
    start = time.perf_counter()
    records, problems, _ = read(write(tmp_path, text))
    assert time.perf_counter() - start < 5
    assert [(r.position, r.record.title) for r in records] == [(1001, "Real")]
    assert len(problems) == 1999
    assert {(p.message, p.action) for p in problems} == {("empty record", "skipped")}


def test_fifty_megabyte_abstract(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    path = tmp_path / "big.ris"
    with open(path, "wb") as fh:
        fh.write(b"TY  - JOUR\nTI  - Big\nAB  - ")
        fh.write(b"word " * (size // 5))
        fh.write(b"\nER  - \n")
    start = time.perf_counter()
    records, problems, _ = read(path)
    assert time.perf_counter() - start < 60
    assert problems == []
    assert len(records[0].record.abstract) == size - 1  # the trailing space is stripped


def test_many_records_stream_in_bounded_memory(tmp_path: Path) -> None:
    one = ("TY  - JOUR\nTI  - Title\nAU  - Doe, J\nAB  - " + "lorem ipsum " * 100 + "\nER  - \n")
    path = tmp_path / "many.ris"
    path.write_text(one * 20000, encoding="utf-8")  # ~25 MB
    tracemalloc.start()
    try:
        with open_ris(path) as ris:
            count = sum(1 for _ in ris)
            assert ris.bytes_read == ris.size
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 20000
    assert peak < 12 * 1024 * 1024


# -- derived fields ------------------------------------------------------------------------------


def test_record_from_tags_fields() -> None:
    rec = record_from_tags([
        ("TY", "JOUR"), ("T2", "Journal Two"), ("JO", "J Two"), ("A1", "Doe, J"),
        ("AU", "Roe, R"), ("Y1", "c. 1999/05"), ("PY", "n.d."), ("SP", "12"), ("EP", "19"),
        ("DO", "https://doi.org/10.1000/xyz.1."), ("CP", "3"), ("DB", "PubMed"),
        ("AN", "12345678"), ("TI", "Bad\x00 \x0bchars\r\nhere\ufffe"),
    ])
    assert rec.journal == "Journal Two"
    assert rec.authors == ("Roe, R", "Doe, J")
    assert (rec.year, rec.pages, rec.issue) == (1999, "12-19", "3")
    assert (rec.doi, rec.pmid) == ("10.1000/xyz.1", "12345678")
    assert rec.title == "Bad chars\nhere"
    assert ("TI", "Bad chars\nhere") in rec.tags


def test_record_from_tags_defaults_and_fallbacks() -> None:
    assert record_from_tags([]).type == "GEN"
    chap = record_from_tags([("TY", "CHAP"), ("T2", "A Book"), ("BT", "Book title"),
                             ("N1", "PMID: 998877"), ("M3", "doi: 10.5555/abc")])
    # a note is free text: the PMID it names may be another paper's (see test_duplicates)
    assert (chap.journal, chap.title, chap.pmid, chap.doi) == ("", "Book title", "",
                                                              "10.5555/abc")
    assert record_from_tags([("TY", "Journal Article")]).type == "JOUR"
    embase = record_from_tags([("TY", "JOUR"), ("DB", "Embase"), ("AN", "2004123456")])
    assert embase.pmid == ""


def test_core_module_does_not_import_qt() -> None:
    code = "import sys, litdesk.core.ris_reader; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


# -- hardening ------------------------------------------------------------------------------------


def test_several_records_flattened_onto_one_line() -> None:
    text = "TY - JOUR TI - First - a subtitle AU - Doe, J ER - TY - BOOK TI - Second ER -"
    first, second = read_ris_text(text)
    assert (first.record.title, first.record.authors) == ("First - a subtitle", ("Doe, J",))
    assert (second.record.type, second.record.title) == ("BOOK", "Second")
    assert first.line == second.line == 1


def test_lower_case_tags_in_standard_form() -> None:
    [item] = read_ris_text("ty  - JOUR\nti  - Lower\nab  - text\nup - regulation\ner  - \n")
    assert tags_of(item) == ["TY", "TI", "AB"]
    assert item.record.abstract == "text\nup - regulation"


def test_utf16_without_bom_and_utf32(tmp_path: Path) -> None:
    records, _, used = read(write(tmp_path, SAMPLE.encode("utf-16-le")))
    assert (used, records[0].record.abstract) == ("utf-16-le", "Résumé")
    records, _, used = read(write(tmp_path, SAMPLE.encode("utf-32")))
    assert (used, records[0].record.abstract) == ("utf-32", "Résumé")


def test_late_damaged_utf8_in_ascii_file_stays_utf8(tmp_path: Path) -> None:
    filler = b"TY  - JOUR\nTI  - plain\nER  - \n" * 40000  # over a megabyte of ASCII
    tail = "TY  - JOUR\nTI  - Über “this” \xff\nER  - \n".encode().replace(b"\xc3\xbf", b"\xff")
    records, problems, used = read(write(tmp_path, filler + tail))
    assert used == "utf-8"
    assert records[-1].record.title == "Über “this” \ufffd"
    assert [p.line for p in problems] == [120002]


def test_many_damaged_lines_are_summarised(tmp_path: Path) -> None:
    line = "AB  - café \xff\n".encode().replace(b"\xc3\xbf", b"\xff")
    records, problems, _ = read(write(tmp_path, b"TY  - JOUR\n" + line * 500 + b"ER  - \n"))
    assert len(records) == 1
    assert len(problems) == 21
    assert "480 more lines" in problems[-1].message


def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.ris"
    os.mkfifo(fifo)
    assert "not a regular file" in _error(fifo).message


def test_web_of_science_tagged_text() -> None:
    text = (
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\n   Doe, J\n"
        "AF Doe, Jane\n   Doe, John\nTI A long title that\n   wraps\nSO JOURNAL\nPY 2001\n"
        "DE one; two\nBP 5\nEP 9\nDI 10.1021/bi049798f\nPM 123\nER\n\nEF\n"
    )
    [item] = read_ris_text(text)
    rec = item.record
    assert rec.authors == ("Doe, Jane", "Doe, John")
    assert ("AU", "Doe, J") in rec.tags
    assert [t for t, _ in rec.tags].count("AU") == 2
    assert (rec.title, rec.journal, rec.year) == ("A long title that wraps", "JOURNAL", 2001)
    assert (rec.pages, rec.doi, rec.pmid, rec.keywords) == ("5-9", "10.1021/bi049798f", "123",
                                                            ("one", "two"))


def test_same_name_authors_are_both_kept() -> None:
    rec = record_from_tags([("TY", "JOUR"), ("AU", "Wang, Y"), ("AU", "Wang, Y"), ("A1", "Li, X")])
    assert rec.authors == ("Wang, Y", "Wang, Y", "Li, X")


def test_read_ris_text_rejects_non_ris() -> None:
    with pytest.raises(RisReadError, match="notes.txt"):
        read_ris_text("just some notes", name="notes.txt")


def test_iterating_again_restarts(tmp_path: Path) -> None:
    with open_ris(write(tmp_path, "TY  - JOUR\nTI  - A\n")) as ris:
        assert len(list(ris)) == len(list(ris)) == 1
        assert len(ris.problems) == 1


_INVALID = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20)) | {0xFFFE, 0xFFFF}


@given(st.lists(st.tuples(st.text(max_size=3), st.text()), max_size=12))
def test_record_from_tags_never_fails_and_sanitises(tags: list[tuple[str, str]]) -> None:
    rec = record_from_tags(tags)
    assert len(rec.tags) == len(tags)
    for text in (rec.title, rec.abstract, *rec.authors, *(v for _, v in rec.tags)):
        assert not any(ord(c) in _INVALID or 0xD800 <= ord(c) <= 0xDFFF for c in text)
        assert "\r" not in text
        assert text == text.strip()


@pytest.mark.parametrize(
    "text",
    ["PT J\nTY  - JOUR\nER\n", "TY  - JOUR\nUK  - x\nZZ  - y\nUK  - z\nER  - \n"],
    ids=["ris-tag-in-wos", "literal-uk-tag"],
)
def test_unknown_tags_found_by_fuzzing(text: str) -> None:
    [item] = read_ris_text(text)
    assert len(item.record.tags) == text.count("\n") - 1


def test_block_that_lost_its_ty_line_is_kept_with_a_warning(tmp_path: Path) -> None:
    text = ("TY  - JOUR\nTI  - First\nER  - \n\nNA\nAU  - Doe, J\nTI  - Lost its TY\n"
            "AB  - Everything here is data.\nER  - \n\nTY  - JOUR\nTI  - Third\nER  - \n"
            "UK  - a stray tag\nER  - \n")
    records, problems, _ = read(write(tmp_path, text))
    assert [(r.position, r.line, r.record.title) for r in records] == [
        (1, 1, "First"), (2, 6, "Lost its TY"), (3, 11, "Third")]
    assert records[1].record.authors == ("Doe, J",)
    assert [(p.record, p.line, p.action) for p in problems] == [
        (2, 6, "record kept"), (None, 14, "lines skipped")]
