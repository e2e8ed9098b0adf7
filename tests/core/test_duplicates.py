"""Duplicate verdicts on evidence: identifiers read from identifier fields only, then the fields."""

from __future__ import annotations

from litdesk.core import duplicates as dup
from litdesk.core.ris_reader import read_ris_text


def ris(**tags: object) -> str:
    lines = []
    for tag, value in tags.items():
        for v in value if isinstance(value, list) else [value]:
            lines.append(f"{tag}  - {v}")
    return "\n".join(lines) + "\nER  - \n"


def records(*texts: str):
    return [item.record for item in read_ris_text("".join(texts))]


def verdict(a: str, b: str) -> dup.Verdict:
    x, y = records(a, b)
    return dup.judge(dup.fingerprint(x), dup.fingerprint(y))


# -- identifiers come from identifier fields, never from notes ----------------------------------

def test_a_note_citing_another_pmid_is_not_the_records_pmid() -> None:
    # Ovid MEDLINE: the record's own PMID is its accession (ID/AN, Ovid link); notes name the
    # paper it comments on, corrects or retracts.
    notes = [f"{kind}: J Psychopharmacol. 2016 Dec;30(12):1165-1180; PMID: 27909164"
             for kind in ("Comment on", "Erratum in", "Retraction of", "Update of",
                          "Comment in")]
    comments = [ris(TY="JOUR", DB="Ovid MEDLINE(R)", AN=str(30000000 + i), N1=notes[i],
                    TI=f"Commentary number {i} on the trial", AU="Writer, A", PY="2017",
                    UR=f"http://ovidsp.ovid.com/ovidweb.cgi?T=JS&D=medl&NEWS=N&AN={30000000 + i}")
                for i in range(5)]
    recs = records(*comments)
    assert [r.pmid for r in recs] == [str(30000000 + i) for i in range(5)]
    cited = records(ris(TY="JOUR", TI="The trial", M1="PMID: 27909164", N1="PMID: 27909164"))[0]
    assert cited.pmid == ""  # a note is free text, whatever it says
    assert all(dup.judge(dup.fingerprint(a), dup.fingerprint(b)).outcome == dup.DISTINCT
               for a in recs for b in recs if a is not b)


def test_identifiers_of_each_database_are_read_and_prefixed() -> None:
    wos, embase, psyc, scopus, central, pubmed = records(
        ris(TY="JOUR", TI="a", AN="WOS:000444108200009"),
        ris(TY="JOUR", TI="b", DB="Embase", U2="L373791783", C5="15368318"),
        ris(TY="JOUR", TI="c", ID="2019-65183-001", L2="http://ovidsp.ovid.com/ovidweb.cgi?"
            "T=JS&PAGE=reference&D=psyc16&NEWS=N&AN=2019-65183-001"),
        ris(TY="JOUR", TI="d", DB="Scopus", C2="31421429",
            UR="https://www.scopus.com/inward/record.uri?eid=2-s2.0-85070226738&partnerID=40"),
        ris(TY="JOUR", TI="e", AN="CN-01234567"),
        ris(TY="JOUR", TI="f", DB="PubMed", AN="21553931", C2="PMC3553406", ID="369"),
    )
    assert wos.accessions == ("WOS:000444108200009",)
    assert (embase.accessions, embase.pmid) == (("EMBASE:373791783",), "15368318")
    assert psyc.accessions == ("PSYCINFO:2019-65183-001",)
    assert (scopus.accessions, scopus.pmid) == (("SCOPUS:2-s2.0-85070226738",), "31421429")
    assert central.accessions == ("CN-01234567",)
    # EndNote's ID is its own record number: never an identifier.
    assert (pubmed.pmid, pubmed.pmcid, pubmed.accessions) == ("21553931", "PMC3553406", ())


# -- verdicts ------------------------------------------------------------------------------------

JOURNAL = dict(TY="JOUR", TI="Burnout among night-shift nurses: a cohort study",
               AU=["Smith, Jane", "Doe, Ann"], PY="2020", JO="J Adv Nurs", VL="12", SP="100",
               EP="110", DO="10.1111/jan.1")


def test_conference_and_journal_versions_are_not_certain_duplicates() -> None:
    conference = ris(TY="CPAPER", TI=JOURNAL["TI"], AU="Smith, J", PY="2020",
                     T2="Nursing Conference 2020", AB="Poster: early results of a cohort.")
    article = ris(**{**JOURNAL, "AB": "Background: we followed 500 nurses for a year and "
                                      "measured burnout with the Maslach inventory."})
    v = verdict(conference, article)
    assert v.outcome == dup.POSSIBLE
    assert ("type", "conflicts") in [(e.field, e.relation) for e in v.evidence]


def test_title_only_records_with_different_ids_are_not_certain() -> None:
    a = ris(TY="GEN", ID="1", TI="Title of reference", N2="Lorem ipsum dolor sit amet elit.")
    b = ris(TY="GEN", ID="3", TI="Title of reference", N2="Quite another abstract in full.")
    c = ris(TY="GEN", ID="4", TI="Title of reference")
    assert verdict(a, b).outcome != dup.CERTAIN
    assert verdict(a, c).outcome != dup.CERTAIN
    # an empty title is never a match, even with nothing else to tell them apart
    assert verdict(ris(TY="GEN", ID="1", AB="x"), ris(TY="GEN", ID="2", AB="x")).outcome == (
        dup.DISTINCT)


def test_true_duplicates_with_boilerplate_and_quoting_differences_are_certain() -> None:
    text = ("Nurses on night shifts reported more burnout than day staff; sleep loss and "
            "workload explained most of the difference across the 12 hospitals studied.")
    proquest = ris(TY="JOUR", TI="“Burnout” among night-shift nurses: a cohort study.",
                   AU=["SMITH, JANE", "DOE, A."], PY="2020", JF="Journal of Advanced Nursing",
                   AB=f"{text} [publication abstract]")
    ebsco = ris(TY="JOUR", TI="<i>Burnout</i> among night-shift nurses &#8211; a cohort study",
                AU=["Smith J", "Doe A"], PY="2020", JO="J Adv Nurs",
                AB=f'"{text}" ABSTRACT FROM AUTHOR. Copyright of Journal of Advanced Nursing '
                   "is the property of Wiley. The abstract was adapted from the source document.")
    v = verdict(proquest, ebsco)
    assert v.outcome == dup.CERTAIN, v.evidence
    assert "abstract" in v.reason
    assert "title" in v.reason


def test_the_same_paper_from_pubmed_embase_and_scopus_is_one() -> None:
    pubmed = ris(TY="JOUR", DB="PubMed", AN="31421429", TI="Stress and the gut",
                 AU=["Elsenbruch, S"], PY="2019", JO="Med Hypotheses")
    embase = ris(TY="JOUR", DB="Embase", U2="L2002345678", C5="31421429",
                 DO="10.1016/j.mehy.2019.109324", T1="Stress and the gut.",
                 A1="Elsenbruch S.", Y1="2020", JF="Medical Hypotheses")
    scopus = ris(TY="JOUR", DB="Scopus", C2="31421429", DO="10.1016/J.MEHY.2019.109324",
                 TI="Stress and the gut", PY="2019",
                 UR="https://www.scopus.com/inward/record.uri?eid=2-s2.0-85070226738")
    assert verdict(pubmed, embase).outcome == dup.CERTAIN
    assert verdict(pubmed, scopus).outcome == dup.CERTAIN
    assert verdict(embase, scopus).reason in ("same DOI", "same PubMed ID")


def test_conflicting_identifiers_make_two_records_whatever_the_titles() -> None:
    a = ris(**JOURNAL)
    b = ris(**{**JOURNAL, "DO": "10.1111/jan.2"})
    assert verdict(a, b).outcome == dup.DISTINCT
    assert "DOI conflicts" in [f"{e.field} {e.relation}" for e in verdict(a, b).evidence]
    # an agreeing DOI but a conflicting PMID: shown to the researcher, never dropped
    c = ris(**{**JOURNAL, "DB": "PubMed", "AN": "1"})
    d = ris(**{**JOURNAL, "DB": "PubMed", "AN": "2"})
    assert verdict(c, d).outcome == dup.POSSIBLE


def test_same_doi_on_another_title_is_only_possible() -> None:
    # chapters of one book carrying the book's DOI
    a = ris(TY="CHAP", TI="Qualitative interviews", DO="10.1007/978-3-030-1")
    b = ris(TY="CHAP", TI="Thematic analysis of focus groups", DO="10.1007/978-3-030-1")
    assert verdict(a, b).outcome == dup.POSSIBLE


def test_year_and_author_conflicts_make_distinct_papers() -> None:
    a = ris(**{**JOURNAL, "DO": ""})
    assert verdict(a, ris(**{**JOURNAL, "DO": "", "PY": "2015"})).outcome == dup.DISTINCT
    assert verdict(a, ris(**{**JOURNAL, "DO": "", "AU": "Brown, K"})).outcome == dup.DISTINCT
    online_first = ris(**{**JOURNAL, "DO": "", "PY": "2021"})
    assert verdict(a, online_first).outcome == dup.CERTAIN  # journal, volume, page agree


def test_reason_reads_as_english_for_one_field_and_for_several():
    one = dup.Verdict(dup.POSSIBLE, (dup.Evidence("title", "agrees"),
                                     dup.Evidence("year", "conflicts")))
    assert one.reason == "title agrees; year differs"
    many = dup.Verdict(dup.POSSIBLE, (dup.Evidence("title", "agrees"),
                                      dup.Evidence("authors", "agrees"),
                                      dup.Evidence("year", "conflicts"),
                                      dup.Evidence("pages", "conflicts")))
    assert many.reason == "title, authors agree; year, pages differ"
