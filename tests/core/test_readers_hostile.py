"""Exports with what real files hold and readers trip on: in XML, entities HTML knows but XML
does not, comments inside a field, a text over libxml2's default limits, legacy encodings; in
CSV, a quote never closed; in BibTeX, a line starting with "@" inside a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from litdesk.core.readers import open_records


def read(path: Path) -> tuple[list, list]:
    with open_records(path) as f:
        return [item.record for item in f], list(f.problems)


def pubmed(*articles: str) -> str:
    return ('<?xml version="1.0"?>\n<PubmedArticleSet>\n' + "\n".join(
        f"<PubmedArticle><MedlineCitation><PMID>{i}</PMID><Article>{body}</Article>"
        "</MedlineCitation></PubmedArticle>" for i, body in enumerate(articles, 1))
        + "\n</PubmedArticleSet>\n")


def endnote(*records: str) -> str:
    return ('<?xml version="1.0"?>\n<xml><records>\n' + "\n".join(
        f"<record>{body}</record>" for body in records) + "\n</records></xml>\n")


def test_html_entities_comments_and_instructions_inside_a_field_keep_its_text(tmp_path):
    path = tmp_path / "en.xml"
    path.write_text(endnote(
        "<titles><title>Caf&eacute; society&nbsp;study &bogus; end</title></titles>"
        "<abstract>Before <!-- an editor's note --> after.</abstract>",
        "<titles><title>Second</title></titles>"), encoding="utf-8")
    records, problems = read(path)
    # runs of white space are made one space (the no-break space too)
    assert [r.title for r in records] == ["Café society study &bogus; end", "Second"]
    assert records[0].abstract == "Before after."
    said = {p.message.split(" is not")[0]: p.action for p in problems}
    assert said == {"&eacute;": 'read as HTML reads it, "é"',
                    "&nbsp;": "read as HTML reads it, no-break space",
                    "&bogus;": "kept as written"}
    assert {p.record for p in problems} == {1}

    path = tmp_path / "pm.xml"
    path.write_text(pubmed(
        "<Journal><Title>J Comment<!-- x --> Med</Title></Journal>"
        "<ArticleTitle>Title with <?pi x?>a PI and &eacute;</ArticleTitle>"), encoding="utf-8")
    records, _ = read(path)
    assert (records[0].title, records[0].journal) == ("Title with a PI and é", "J Comment Med")


def test_a_text_over_ten_megabytes_is_read_whole_and_the_records_after_it_too(tmp_path):
    big = "word " * 2_200_000  # 11 MB: libxml2's default limit stopped reading inside it
    path = tmp_path / "huge.xml"
    path.write_text(pubmed("<ArticleTitle>first</ArticleTitle>",
                           f"<ArticleTitle>huge</ArticleTitle><Abstract><AbstractText>{big}"
                           "</AbstractText></Abstract>",
                           "<ArticleTitle>third</ArticleTitle>"), encoding="utf-8")
    records, problems = read(path)
    assert [r.title for r in records] == ["first", "huge", "third"]
    assert records[1].abstract == big.strip()
    assert not problems


def test_nesting_deeper_than_libxml2_reads_says_nothing_after_it_was_read(tmp_path):
    def nested(depth: int) -> str:
        return ("<ArticleTitle>" + "<i>" * depth + "deep" + "</i>" * depth + "</ArticleTitle>")

    path = tmp_path / "deep.xml"
    path.write_text(pubmed(nested(1000), "<ArticleTitle>after</ArticleTitle>"), encoding="utf-8")
    records, problems = read(path)  # deep, but within what libxml2 reads: both read
    assert [r.title for r in records] == ["deep", "after"]
    assert not problems
    path.write_text(pubmed(nested(3000), "<ArticleTitle>after</ArticleTitle>"), encoding="utf-8")
    records, problems = read(path)
    assert len(records) == 1
    assert [p.action for p in problems] == [
        "reading stopped there; nothing after it in the file was read"]
    assert "depth" in problems[0].message


@pytest.mark.parametrize("encoding", ["utf-32", "cp1252", "latin-1"])
def test_xml_in_an_encoding_libxml2_would_misread_is_decoded_as_sniffed(tmp_path, encoding):
    text = pubmed("<ArticleTitle>Café – “quoted” naïve</ArticleTitle>") if encoding == "cp1252" \
        else pubmed("<ArticleTitle>Café naïve Ørsted</ArticleTitle>")
    path = tmp_path / "x.xml"
    path.write_bytes(text.encode(encoding))
    records, problems = read(path)
    assert records[0].title in ("Café – “quoted” naïve", "Café naïve Ørsted")
    assert not problems


def test_a_declared_encoding_is_still_the_files_own(tmp_path):
    path = tmp_path / "x.xml"
    path.write_bytes(pubmed("<ArticleTitle>Café</ArticleTitle>").replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>').encode("latin-1"))
    records, problems = read(path)
    assert records[0].title == "Café"
    assert not problems


SCOPUS_HEADER = "Authors,Title,Year,Source title,DOI,Abstract,EID\n"


def test_a_csv_quote_never_closed_costs_one_line_not_the_rest_of_the_file(tmp_path):
    path = tmp_path / "scopus.csv"
    path.write_text(SCOPUS_HEADER + "A.,First,2020,J,10.1000/a,abs1,2-s2.0-1\n"
                    'B.,"Second unclosed,2021,J,10.1000/b,abs2,2-s2.0-2\n'
                    "C.,Third,2022,J,10.1000/c,abs3,2-s2.0-3\n"
                    'D.,Fourth,2023,J,10.1000/d,"an abstract\nover two lines",2-s2.0-4\n',
                    encoding="utf-8")
    records, problems = read(path)
    assert [(r.title, r.year, r.doi) for r in records] == [
        ("First", 2020, "10.1000/a"), ("Second unclosed", 2021, "10.1000/b"),
        ("Third", 2022, "10.1000/c"), ("Fourth", 2023, "10.1000/d")]
    assert records[3].abstract == "an abstract\nover two lines"  # a closed quote spans lines
    assert [(p.record, p.line) for p in problems] == [(2, 3)]
    assert "not closed (it ran on to line 5)" in problems[0].message


def test_a_bibtex_value_with_a_line_starting_with_at_is_never_cut_in_two(tmp_path, monkeypatch):
    from litdesk.core.readers import bibtex

    monkeypatch.setattr(bibtex, "CHUNK_ENTRIES", 2)  # the handle's line falls at a cut
    entries = [f"@article{{k{i}, title = {{T{i}}}, year = {{2000}}}}\n" for i in range(5)]
    entries[1] = ("@article{k1, title = {T1}, abstract = {Write to us on social media\n"
                  "@handle or by e-mail.}, year = {2001}}\n")
    records, problems = read(_write(tmp_path, "x.bib", "".join(entries)))
    assert [r.title for r in records] == [f"T{i}" for i in range(5)]
    assert records[1].abstract == "Write to us on social media @handle or by e-mail."
    assert not problems


def test_a_bibtex_entry_that_cannot_be_read_is_told_why_and_where(tmp_path, capfd):
    text = ("@article{k1, title={First}, year={2020}}\n"
            "@article{k2, title={Unbalanced {brace}, year={2021}}\n"
            "@article{k3, title={Third}, year={2022}}\n"
            "@article{k4, title={Cut off")
    records, problems = read(_write(tmp_path, "x.bib", text))
    assert [r.title for r in records] == ["First", "Third"]
    assert [(p.record, p.line, p.action) for p in problems] == [
        (2, 2, "entry skipped"), (4, 4, "entry skipped")]
    assert "Unexpected block start: `@article`" in problems[0].message
    assert problems[1].message == "the entry cannot be read: Unexpectedly reached end of file"
    assert capfd.readouterr().err == ""  # bibtexparser's own log, with other line numbers


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_identifier_never_hides_the_one_given_elsewhere(tmp_path):
    text = pubmed('<ArticleTitle>T</ArticleTitle><ELocationID EIdType="doi"></ELocationID>'
                  ).replace("</MedlineCitation>", '</MedlineCitation><PubmedData><ArticleIdList>'
                            '<ArticleId IdType="doi">10.1000/xyz1</ArticleId>'
                            '<ArticleId IdType="pmc">junk</ArticleId>'
                            "</ArticleIdList></PubmedData>")
    records, _ = read(_write(tmp_path, "x.xml", text))
    assert records[0].doi == "10.1000/xyz1"
    assert records[0].pmcid == ""  # "junk" is no PMCID; it is kept in its own field
    assert any(v == "junk" for t, v in records[0].tags if t.startswith("PubMed:"))


def test_an_endnote_reference_type_without_its_name_is_read_by_its_number(tmp_path):
    text = endnote('<ref-type name="">17</ref-type><titles><title>A</title></titles>',
                   "<ref-type>6</ref-type><titles><title>B</title></titles>",
                   "<ref-type>999</ref-type><titles><title>C</title></titles>")
    records, _ = read(_write(tmp_path, "x.xml", text))
    assert [r.type for r in records] == ["JOUR", "BOOK", "GEN"]
