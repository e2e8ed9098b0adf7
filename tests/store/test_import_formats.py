"""Broken exports of every format: what can be read is imported; a refused file changes nothing."""

from __future__ import annotations

import pytest

from litdesk.store.importer import import_file
from tests.core.test_readers import BIB, ENDNOTE, MEDLINE, PUBMED, SCOPUS
from tests.store.test_importer import checksum, stocked  # noqa: F401 - a fixture

NO_PMID = "\n".join(line for line in MEDLINE.splitlines() if not line.startswith("PMID"))
TRUNCATED = ENDNOTE[: ENDNOTE.index('<record><ref-type name="Book') + 20]

BROKEN = {  # name, text, records imported, a problem's (record, words)
    "truncated XML": ("cut.xml", TRUNCATED, 1, (None, "ends early")),
    "unbalanced brace": ("refs.bib", BIB, 3, (2, "entry skipped")),
    "ragged CSV row": ("scopus.csv", SCOPUS, 3, (2, "4 fields, the header 14")),
    "nbib without PMID lines": ("pubmed.nbib", NO_PMID, 2, (1, "no PMID line")),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_export_imports_what_it_can_and_reports_where(stocked, tmp_path, case):  # noqa: F811
    library, _ = stocked
    name, text, count, (record, words) = BROKEN[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    summary = import_file(library, path)
    assert summary.error is None
    assert summary.added == count
    assert library.count() == 1 + count
    hits = [p for p in summary.problems if words in f"{p.message}; {p.action}"]
    assert hits, summary.problems
    assert record is None or hits[0].record == record
    assert hits[0].line is not None
    assert str(path) in summary.details()[0]


REFUSED = {
    "XML broken before its first record": ("bad.xml", "<xml><records><record <<< oops"),
    "XML of another kind": ("other.xml", "<?xml version='1.0'?><catalog><book/></catalog>"),
    "text in no format": ("notes.txt", "my search notes\nand more\n"),
    "an empty PubMed set": ("empty.xml", "<PubmedArticleSet></PubmedArticleSet>"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_export_leaves_the_library_as_it_was(stocked, tmp_path, lib_path, case):  # noqa: F811
    library, before = stocked
    name, text = REFUSED[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    summary = import_file(library, path)
    assert summary.error
    assert summary.added == 0
    assert name in summary.line()
    assert checksum(lib_path) == before


@pytest.mark.parametrize(("name", "text"), [("p.xml", PUBMED), ("x.nbib", MEDLINE)])
def test_the_same_file_twice_adds_nothing_the_second_time(library, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert import_file(library, path).added >= 1
    again = import_file(library, path)
    assert again.added == 0
    assert again.duplicates
