"""Every export format litdesk reads: the real corpus, content sniffing, broken files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from litdesk.core.readers import ReadError, open_records

FORMATS = Path(__file__).parents[2].parent / "shared" / "corpus" / "formats"


def _manifest() -> list[dict[str, str]]:
    if not (FORMATS / "MANIFEST.tsv").is_file():
        return []
    with open(FORMATS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


needs_corpus = pytest.mark.skipif(not _manifest(), reason=f"format corpus not at {FORMATS}")
SNIFFED = {"medline": "MEDLINE", "bibtex": "BibTeX", "endnote-xml": "EndNote XML",
           "scopus-csv": "Scopus CSV", "wos-tab": "Web of Science tab-delimited",
           "wos-plain": "Web of Science", "pubmed-xml": "PubMed XML"}


def read(path: Path) -> tuple[list, list, str]:
    with open_records(path) as f:
        records = [item.record for item in f]
        return records, list(f.problems), f.format


@needs_corpus
@pytest.mark.parametrize("row", _manifest(), ids=lambda r: r["file"])
def test_every_corpus_file_reads_with_its_expected_records_and_abstracts(row):
    records, _, fmt = read(FORMATS / row["file"])
    assert fmt == SNIFFED[row["format"]]
    assert len(records) == int(row["records_expected"])
    assert sum(1 for r in records if r.abstract.strip()) == int(row["with_abstract"])
    titled = [r for r in records if r.title]  # an export may hold empty entries (Zotero's)
    assert len(titled) >= 0.5 * len(records)
    assert sum(1 for r in titled if r.authors and r.year) >= 0.8 * len(titled)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MEDLINE = """PMID- 12345678
OWN - NLM
TI  - Nurses' night shifts: a qualitative
      study.
PG  - 1-9
LID - 10.1000/xyz.1 [doi]
AB  - BACKGROUND: Night work. METHODS: Interviews.
FAU - Müller, Anna
AU  - Müller A
FAU - Smith, John
AU  - Smith J
DP  - 2021 Mar
JT  - Journal of Advanced Nursing
PMC - PMC7654321
MH  - Humans
MH  - *Nurses

PMID- 23456789
TI  - Second.
FAU - Li, Wei
DP  - 2020
"""


def test_medline_fields_map_into_the_record(tmp_path):
    records, problems, fmt = read(write(tmp_path, "x.nbib", MEDLINE))
    assert fmt == "MEDLINE"
    assert not problems
    first = records[0]
    assert first.title == "Nurses' night shifts: a qualitative study."
    assert first.authors == ("Müller, Anna", "Smith, John")
    assert (first.year, first.journal, first.pages) == (2021, "Journal of Advanced Nursing", "1-9")
    assert (first.doi, first.pmid, first.pmcid) == ("10.1000/xyz.1", "12345678", "PMC7654321")
    assert first.keywords == ("Humans", "*Nurses")
    assert ("MEDLINE:OWN", "NLM") in first.tags
    assert ("MEDLINE:AU", "Müller A") in first.tags
    assert records[1].pmid == "23456789"


def test_nbib_without_pmid_lines_keeps_its_records_and_says_so(tmp_path):
    text = "\n".join(line for line in MEDLINE.splitlines() if not line.startswith("PMID"))
    records, problems, fmt = read(write(tmp_path, "x.nbib", text))
    assert fmt == "MEDLINE"
    assert [r.title[:6] for r in records] == ["Nurses", "Second"]
    assert [(p.record, p.line) for p in problems] == [(1, 1), (2, 17)]
    assert all("no PMID line" in p.message for p in problems)


BIB = r"""% a comment
@string{jan = "January"}
@article{Mueller2021,
  author = {M{\"u}ller, Anna and Smith, John and {World Health Organization}},
  title = {{COVID}-19 and night shifts: 50% of nurses \& more},
  journal = {J. Adv. Nurs.},
  year = 2021, month = jan,
  pages = {10--20},
  doi = {10.1000/xyz.1},
  keywords = {nursing; shift work},
  abstract = {Background: Night work.
     Methods: Interviews.},
}
@article{Broken2020,
  title = {An unbalanced brace,
  year = {2020}
@book{Li2019, author = {Li, Wei}, title = {Third}, year = {2019}}
@article{Li2019, title = {Same key}, year = {2018}}
"""


def test_bibtex_entries_decode_latex_and_survive_a_broken_entry(tmp_path):
    records, problems, fmt = read(write(tmp_path, "x.bib", BIB))
    assert fmt == "BibTeX"
    first = records[0]
    assert first.authors == ("Müller, Anna", "Smith, John", "World Health Organization")
    assert first.title == "COVID-19 and night shifts: 50% of nurses & more"
    assert (first.year, first.pages, first.doi) == (2021, "10-20", "10.1000/xyz.1")
    assert first.keywords == ("nursing", "shift work")
    assert first.abstract == "Background: Night work. Methods: Interviews."
    assert ("BibTeX:month", "January") in first.tags
    assert [r.title for r in records[1:]] == ["Third", "Same key"]
    assert records[1].type == "BOOK"
    broken = next(p for p in problems if p.record == 2)
    assert (broken.line, broken.action) == (14, "entry skipped")
    assert any(p.record == 4 and "Li2019" in p.message for p in problems)


def test_bibtex_is_read_in_chunks_with_strings_resolved_across_them(tmp_path, monkeypatch):
    from litdesk.core.readers import bibtex

    monkeypatch.setattr(bibtex, "CHUNK_ENTRIES", 2)
    entries = "".join(f"@article{{k{i}, title = {{T{i}}}, journal = jn, year = {{2000}}}}\n"
                      for i in range(7))
    records, problems, _ = read(write(tmp_path, "x.bib", '@string{jn = "Nature"}\n' + entries))
    assert [r.title for r in records] == [f"T{i}" for i in range(7)]
    assert {r.journal for r in records} == {"Nature"}
    assert not problems


ENDNOTE = """<?xml version="1.0" encoding="UTF-8"?><xml><records>
<record><ref-type name="Journal Article">17</ref-type><contributors><authors>
<author><style face="normal">Müller, Anna</style></author><author>Smith, J.</author></authors>
</contributors><titles><title><style>Night <style face="italic">shifts</style></style></title>
<secondary-title>J Adv Nurs</secondary-title></titles><periodical><full-title>Journal of
Advanced Nursing</full-title></periodical><pages>1-9</pages><volume>7</volume><number>2</number>
<keywords><keyword>nursing</keyword></keywords><dates><year>2021</year></dates>
<electronic-resource-num>10.1000/xyz.1</electronic-resource-num>
<abstract>Background: night.&#13;Methods: talk.</abstract><accession-num>WOS:000123</accession-num>
<label>mine</label></record>
<record><ref-type name="Book">6</ref-type><titles><title>Second</title></titles></record>
</records></xml>"""


def test_endnote_xml_fields_map_into_the_record(tmp_path):
    records, problems, fmt = read(write(tmp_path, "x.xml", ENDNOTE))
    assert fmt == "EndNote XML"
    assert not problems
    first = records[0]
    assert (first.type, first.title, first.authors) == (
        "JOUR", "Night shifts", ("Müller, Anna", "Smith, J."))
    assert (first.journal, first.volume, first.issue, first.pages, first.year) == (
        "Journal of Advanced Nursing", "7", "2", "1-9", 2021)
    assert first.abstract == "Background: night.\nMethods: talk."
    assert first.accessions == ("WOS:000123",)
    assert first.doi == "10.1000/xyz.1"
    assert records[1].type == "BOOK"
    assert records[1].tags[0] == ("TY", "BOOK")


def test_old_uppercase_endnote_xml_is_read(tmp_path):
    text = ("<XML><RECORDS><RECORD><REFERENCE_TYPE>0</REFERENCE_TYPE><AUTHORS><AUTHOR>Hadka, D"
            "</AUTHOR></AUTHORS><YEAR>2012</YEAR><TITLE>Borg</TITLE><SECONDARY_TITLE>Evol Comp"
            "</SECONDARY_TITLE></RECORD></RECORDS></XML>")
    records, _, fmt = read(write(tmp_path, "x.xml", text))
    assert fmt == "EndNote XML"
    assert (records[0].type, records[0].title, records[0].authors, records[0].journal) == (
        "JOUR", "Borg", ("Hadka, D",), "Evol Comp")


def lines_to(text: str, end: int) -> int:
    """The line number of ``text[end]``."""
    return text[:end].count("\n") + 1


def test_truncated_xml_keeps_the_records_before_the_cut_and_names_the_line(tmp_path):
    cut = ENDNOTE.index("<record><ref-type name=\"Book") + 60
    records, problems, _ = read(write(tmp_path, "x.xml", ENDNOTE[:cut]))
    assert [r.title for r in records] == ["Night shifts", "Sec"]  # as far as the file goes
    truncated = [p for p in problems if "ends early" in p.message]
    assert {p.record for p in truncated} == {2}
    assert truncated
    assert {p.line for p in truncated} == {lines_to(ENDNOTE, cut)}


def test_xml_that_is_not_well_formed_reads_on_and_says_where(tmp_path):
    records, problems, _ = read(write(tmp_path, "x.xml", ENDNOTE.replace(
        "<label>mine</label>", "<label>R & D</label>")))
    assert len(records) == 2
    assert [(p.record, p.line) for p in problems] == [(1, lines_to(ENDNOTE, ENDNOTE.index(
        "<label>")))]
    assert "not well-formed" in problems[0].message


def test_xml_broken_before_any_record_is_refused(tmp_path):
    path = write(tmp_path, "x.xml", "<xml><records><record <<< oops")
    with pytest.raises(ReadError, match="holds no record"):
        read(path)


PUBMED = """<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">29768149</PMID>
<Article><Journal><JournalIssue><Volume>378</Volume><Issue>20</Issue><PubDate><Year>2018</Year>
</PubDate></JournalIssue><Title>The New England journal of medicine</Title></Journal>
<ArticleTitle>Inhaled <i>budesonide</i>.</ArticleTitle><Pagination><MedlinePgn>1865-1876
</MedlinePgn></Pagination><Abstract><AbstractText Label="BACKGROUND">Mild asthma.</AbstractText>
<AbstractText Label="METHODS">A trial.</AbstractText></Abstract><AuthorList><Author>
<LastName>O'Byrne</LastName><ForeName>Paul M</ForeName></Author><Author><CollectiveName>SYGMA
</CollectiveName></Author></AuthorList></Article></MedlineCitation><PubmedData><ArticleIdList>
<ArticleId IdType="doi">10.1056/NEJMoa1715274</ArticleId><ArticleId IdType="pmc">PMC123
</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>"""


def test_pubmed_xml_keeps_structured_abstract_headings(tmp_path):
    records, problems, fmt = read(write(tmp_path, "x.xml", PUBMED))
    assert fmt == "PubMed XML"
    assert not problems
    rec = records[0]
    assert rec.abstract == "BACKGROUND: Mild asthma.\nMETHODS: A trial."
    assert rec.title == "Inhaled budesonide."
    assert rec.authors == ("O'Byrne, Paul M", "SYGMA")
    assert (rec.pmid, rec.pmcid, rec.doi, rec.year, rec.pages) == (
        "29768149", "PMC123", "10.1056/NEJMoa1715274", 2018, "1865-1876")


SCOPUS = ('\ufeff"Authors","Author full names","Title","Year","Source title","Volume","Page start",'
          '"Page end","DOI","Abstract","Author Keywords","Document Type","PubMed ID","EID"\n'
          '"Müller A.; Smith J.","Müller, Anna (1); Smith, John (2)","Night shifts","2021",'
          '"J Adv Nurs","7","1","9","10.1000/xyz.1","Background: night.\nMethods: talk.",'
          '"nursing; shifts","Article","12345","2-s2.0-850"\n'
          '"Li W.","Li, Wei (3)","Ragged","2020"\n'
          '"Wu X.","Wu, Xi (4)","Third","2019","J","1","2","3","","[No abstract available]","",'
          '"Review","","2-s2.0-851"\n')


def test_scopus_csv_maps_columns_and_reports_a_ragged_row(tmp_path):
    records, problems, fmt = read(write(tmp_path, "x.csv", SCOPUS))
    assert fmt == "Scopus CSV"
    first = records[0]
    assert first.authors == ("Müller, Anna", "Smith, John")
    assert (first.title, first.year, first.journal, first.pages) == (
        "Night shifts", 2021, "J Adv Nurs", "1-9")
    assert first.abstract == "Background: night.\nMethods: talk."
    assert (first.pmid, first.accessions) == ("12345", ("SCOPUS:2-s2.0-850",))
    assert first.keywords == ("nursing", "shifts")
    assert [r.title for r in records] == ["Night shifts", "Ragged", "Third"]
    assert records[2].abstract == ""
    assert [(p.record, p.line) for p in problems] == [(2, 4)]
    assert "4 fields, the header 14" in problems[0].message


def test_wos_tab_delimited_reads_like_wos_plain_text(tmp_path):
    header = "PT\tAU\tAF\tTI\tSO\tPY\tAB\tDI\tUT\tPM\t\n"
    row = ("J\tMuller, A; Smith, J\tMuller, Anna; Smith, John\tNight shifts\tJ ADV NURS\t2021"
           "\tBackground: night.\t10.1000/xyz.1\tWOS:000123\t12345\t\n")
    records, problems, fmt = read(write(tmp_path, "x.txt", header + row))
    assert fmt == "Web of Science tab-delimited"
    assert not problems
    rec = records[0]
    assert rec.authors == ("Muller, Anna", "Smith, John")
    assert (rec.title, rec.journal, rec.year, rec.pmid, rec.accessions) == (
        "Night shifts", "J ADV NURS", 2021, "12345", ("WOS:000123",))
    plain = ("FN Clarivate\nVR 1.0\nPT J\nAU Muller, A\n   Smith, J\nAF Muller, Anna\n   Smith, "
             "John\nTI Night shifts\nSO J ADV NURS\nPY 2021\nAB Background: night.\nDI "
             "10.1000/xyz.1\nUT WOS:000123\nPM 12345\nER\nEF\n")
    same, _, _ = read(write(tmp_path, "y.txt", plain))
    assert same[0].tags == rec.tags


@pytest.mark.parametrize(("text", "what"), [
    ("<html><body>Not here</body></html>", "root is <html>"),
    ("just some notes\nnothing more\n", "no format litdesk reads"),
    ('"a","b"\n"1","2"\n', "no format litdesk reads"),
])
def test_other_files_are_refused_naming_the_formats_litdesk_reads(tmp_path, text, what):
    with pytest.raises(ReadError, match=what) as caught:
        open_records(write(tmp_path, "x.txt", text))
    assert "BibTeX" in str(caught.value)
    assert "MEDLINE" in str(caught.value)


def test_the_extension_breaks_a_tie_only(tmp_path):
    both = "@article{k, title={A}}\n\nTY  - JOUR\nTI  - B\nER  - \n"
    assert read(write(tmp_path, "x.ris", both))[2] == "RIS"
    assert read(write(tmp_path, "x.bib", both))[2] == "BibTeX"
    assert read(write(tmp_path, "x.txt", both))[2] == "BibTeX"  # what comes first


def test_hostile_xml_neither_expands_entities_nor_overflows_the_stack(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
              '&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
              "<xml><records><record><title>&c;</title></record></records></xml>")
    records, _, _ = read(write(tmp_path, "laughs.xml", laughs))
    assert len(records[0].title) < 200
    deep = ("<xml><records><record><title>ok</title></record>\n<record>" + "<a>" * 5000
            + "x" + "</a>" * 5000 + "</record></records></xml>")
    records, problems, _ = read(write(tmp_path, "deep.xml", deep))
    assert records[0].title == "ok"
    assert any("depth" in p.message and p.line == 2 for p in problems)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize(("fmt", "lines"), [
    ("RIS", ["1.", "TY  - JOUR", "TI  - A title", "ER  - "]),
    ("MEDLINE", ["PMID- 123", "TI  - A title"]),
    ("Web of Science", ["FN Clarivate Analytics Web of Science", "VR 1.0", "PT J", "TI A", "ER"]),
])
def test_sniffing_knows_every_line_end(fmt, lines, end):
    from litdesk.core.readers.sniff import sniff

    assert sniff(end.join(lines) + end, "export.txt", partial=False) == fmt
