"""Duplicates on both engines: the import's verdicts, possible pairs, merge and its undo, keep
both, PRISMA counts, and a merged library exported as RIS and imported again."""

from __future__ import annotations

from pathlib import Path

import pytest

from litdesk.core.export import export_to_path
from litdesk.core.model import Span
from litdesk.store import coders, merging
from litdesk.store.importer import import_file
from litdesk.store.library import Library, LibraryError

ABSTRACT = ("Nurses on night shifts reported more burnout than day staff; sleep loss and "
            "workload explained most of the difference across the hospitals studied.")
PUBMED = {"TY": "JOUR", "DB": "PubMed", "AN": "31421429", "TI": "Burnout on night shifts",
          "AU": ["Smith, Jane", "Doe, Ann"], "PY": "2019", "JO": "J Adv Nurs", "VL": "75",
          "SP": "100", "AB": ABSTRACT, "KW": "burnout"}
EMBASE = {"TY": "JOUR", "DB": ["Embase", "Medline"], "U2": "L2002345678", "C5": "31421429",
          "T1": "Burnout on night shifts.", "A1": ["Smith J.", "Doe A."], "Y1": "2019",
          "JF": "Journal of Advanced Nursing", "DO": "10.1111/jan.14000",
          "N2": ABSTRACT + " Copyright © 2019 John Wiley & Sons Ltd", "KW": "shift work"}
SCOPUS = {"TY": "JOUR", "DB": "Scopus", "TI": "Burnout on night shifts", "PY": "2019",
          "DO": "10.1111/JAN.14000", "AU": ["Smith, J.", "Doe, A."],
          "UR": "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85070226738"}
CONFERENCE = {"TY": "CPAPER", "TI": "Burnout on night shifts", "AU": "Smith, Jane",
              "PY": "2019", "T2": "European Nursing Congress", "AB": "Poster abstract."}


def test_one_paper_from_three_databases_is_imported_once(any_library, make_ris):
    results = [import_file(any_library, make_ris(f"{n}.ris", [r]))
               for n, r in (("pubmed", PUBMED), ("embase", EMBASE), ("scopus", SCOPUS))]
    assert [r.added for r in results] == [1, 0, 0]
    # Scopus has no PMID, but the library's record (from PubMed) took Embase's DOI
    assert [d.reason for r in results for d in r.duplicates] == [
        "same PubMed ID", "same DOI"]
    conference = import_file(any_library, make_ris("conf.ris", [CONFERENCE]))
    assert (conference.added, conference.duplicates) == (1, [])  # never dropped: flagged
    [pair] = merging.pairs(any_library)
    assert (pair.a.title, pair.b.type) == ("Burnout on night shifts", "CPAPER")
    assert ("type", "conflicts", "article / conference") in pair.evidence or (
        "type", "conflicts", "conference / article") in pair.evidence
    counts = merging.counts(any_library)
    assert (counts.read, counts.duplicates_in_library, counts.possible_flagged, counts.added,
            counts.pending) == (4, 2, 1, 2, 1)


def test_notes_citing_one_paper_do_not_merge_the_commentaries(any_library, make_ris):
    comments = [{"TY": "JOUR", "DB": "Ovid MEDLINE(R)", "AN": str(30000001 + i),
                 "TI": f"Comment number {i} on the trial", "AU": f"Writer{i}, A", "PY": "2017",
                 "N1": "Comment on: J Psychopharmacol. 2016 Dec;30(12):1165-1180; "
                       "PMID: 27909164"} for i in range(6)]
    summary = import_file(any_library, make_ris("comments.ris", comments))
    assert (summary.added, summary.duplicates, summary.possible) == (6, [], [])
    trial = {"TY": "JOUR", "DB": "PubMed", "AN": "27909164", "TI": "The trial itself"}
    assert import_file(any_library, make_ris("trial.ris", [trial])).added == 1


def test_block_without_ty_is_kept_with_a_warning(any_library, tmp_path):
    path = tmp_path / "garbled.ris"
    path.write_text("TY  - JOUR\nTI  - First\nER  - \n\nNA\nTI  - Lost its TY line\n"
                    "AU  - Doe, J\nPY  - 2001\nER  - \n\nTY  - JOUR\nTI  - Third\nER  - \n",
                    encoding="utf-8")
    summary = import_file(any_library, path)
    assert (summary.read, summary.added) == (3, 3)
    assert any("no TY line" in str(p) and "record kept" in str(p) and "line 6" in str(p)
               for p in summary.problems), summary.problems
    assert "Lost its TY line" in [r.title for r in any_library.rows(any_library.search_ids())]


def test_merge_keeps_everything_and_undo_puts_both_back(open_any, make_ris):
    ana = open_any("ana")
    import_file(ana, make_ris("pubmed.ris", [PUBMED]))
    import_file(ana, make_ris("conf.ris", [{**EMBASE, "C5": "", "DO": "",
                                            "T1": "Burnout on night shifts (abstract)"}]))
    keep, other = sorted(ana.search_ids())
    ana.tag(keep, 0, 20, "background")
    ana.set_memo(keep, "Ana on the PubMed record")
    ben = open_any("ben")
    ben.tag(other, 21, 40, "results")
    ben.set_memo(other, "Ben on the Embase record")
    before = [ana.record(i) for i in (keep, other)]
    log_id = merging.merge(ana, keep, other)
    assert ana.count() == 1
    merged = ana.record(keep)
    assert merged.accessions == ("EMBASE:2002345678",)
    assert merged.pmid == "31421429"
    assert set(merged.keywords) == {"burnout", "shift work"}
    assert [(s.start, s.end, s.label) for s in merged.spans] == [(0, 20, "background")]
    assert [(s.start, s.end, s.label) for s in ben.record(keep).spans] == [(21, 40, "results")]
    assert (merged.memo, ben.record(keep).memo) == ("Ana on the PubMed record",
                                                    "Ben on the Embase record")
    assert merging.merges(ana)[0][:3] == (log_id, keep, other)
    assert merging.unmerge(ana) == (keep, other)
    assert [ana.record(i) for i in (keep, other)] == before
    assert ben.record(other).memo == "Ben on the Embase record"
    with pytest.raises(KeyError):
        merging.unmerge(ana)


def test_merge_keeps_every_screeners_decision_and_undo_puts_them_back(open_any, make_ris):
    ana = open_any("ana")
    import_file(ana, make_ris("a.ris", [PUBMED, CONFERENCE]))
    keep, other = sorted(ana.search_ids())
    ben = open_any("ben")
    ana.screening.decide(keep, "exclude", note="Ana: a poster")
    ana.screening.decide(other, "include", note="Ana on the other")  # the kept one's stands
    ben.screening.decide(other, "include", note="Ben: the full paper")  # moves to the kept
    ana.screening.resolve(other, "include", note="agreed")  # the team's, moved too
    before = ana.screening.decisions(), ben.screening.decisions()
    merging.merge(ana, keep, other)
    assert ana.count() == 1
    assert {i: d.note for i, d in ana.screening.decisions().items()} == {keep: "Ana: a poster"}
    assert {i: d.note for i, d in ben.screening.decisions().items()} == {
        keep: "Ben: the full paper"}
    assert ana.screening.consensus(keep).note == "agreed"
    merging.unmerge(ana)
    assert (ana.screening.decisions(), ben.screening.decisions()) == before
    assert ana.screening.consensus(other).note == "agreed"
    assert ana.screening.consensus(keep) is None


def test_undo_refused_once_the_merged_record_is_coded(any_library, make_ris):
    import_file(any_library, make_ris("a.ris", [PUBMED, CONFERENCE]))
    keep, other = sorted(any_library.search_ids())
    merging.merge(any_library, keep, other)
    any_library.tag(keep, 0, 5, "aim")
    with pytest.raises(LibraryError, match="coded since the merge"):
        merging.unmerge(any_library)
    assert any_library.count() == 1


def test_keep_both_is_remembered(any_library, make_ris):
    import_file(any_library, make_ris("a.ris", [PUBMED]))
    import_file(any_library, make_ris("b.ris", [CONFERENCE]))
    [pair] = merging.pairs(any_library)
    merging.keep_both(any_library, pair.b.id, pair.a.id)
    assert merging.pairs(any_library) == []
    assert merging.counts(any_library).kept_both == 1
    with pytest.raises(KeyError):
        merging.keep_both(any_library, pair.a.id, 999)
    with pytest.raises(ValueError, match="itself"):
        merging.merge(any_library, pair.a.id, pair.a.id)


def test_merged_library_round_trips_through_ris(open_any, make_ris, tmp_path: Path,
                                                engine_kind):
    lib = open_any("ana")
    import_file(lib, make_ris("pubmed.ris", [PUBMED]))
    import_file(lib, make_ris("other.ris", [CONFERENCE, {**EMBASE, "C5": "", "DO": "",
                                                         "T1": "Burnout (Embase)"}]))
    ids = sorted(lib.search_ids())
    lib.set_spans(ids[0], [Span(0, 20, "background"), Span(21, 60, "results")])
    lib.set_memo(ids[0], "memo\nwith two lines")
    merging.merge(lib, ids[0], ids[2])
    out = tmp_path / "merged.ris"
    export_to_path("ris", coders.export_records(lib, lib.search_ids()), out)
    again = Library.open(tmp_path / "again.sqlite", coder="ana")
    try:
        summary = import_file(again, out)
        assert (summary.added, summary.duplicates) == (2, [])

        def shape(x: Library) -> list[tuple[object, ...]]:
            return sorted((r.title, r.authors, r.year, r.doi, r.pmid, r.pmcid, r.accessions,
                           r.abstract, r.keywords, [(s.start, s.end, s.label) for s in r.spans],
                           r.memo) for r in x.records(x.search_ids()))
        assert shape(again) == shape(lib)
    finally:
        again.close()


def test_a_skipped_duplicate_gives_the_kept_record_its_missing_identifiers(any_library,
                                                                            make_ris, tmp_path):
    pubmed = import_file(any_library, make_ris("pubmed.ris", [PUBMED]))
    [kept] = any_library.search_ids()
    before = any_library.record(kept)
    assert (before.doi, before.accessions) == ("", ())
    # Embase's export of the same paper (same PMID: certain) and, in one file, a PMC record
    # of it twice: the second is a certain duplicate of the first within the file.
    pmc = {"TY": "JOUR", "DB": "PMC", "TI": "Another paper", "AU": "Roe, Ann", "PY": "2020",
           "DO": "10.1000/another"}
    embase = import_file(any_library, make_ris("embase.ris", [
        EMBASE, pmc, {**pmc, "C2": "PMC7654321"}]))
    assert (pubmed.added, embase.added, len(embase.duplicates)) == (1, 1, 2)
    after = any_library.record(kept)
    assert after.doi == "10.1111/jan.14000"
    assert after.pmid == before.pmid
    assert after.accessions == ("EMBASE:2002345678",)
    assert (after.title, after.abstract, after.authors) == (
        before.title, before.abstract, before.authors)  # nothing else of Embase's is taken
    other = next(i for i in any_library.search_ids() if i != kept)
    assert any_library.record(other).pmcid == "PMC7654321"
    # The identifiers find the record now, and an export carries them.
    scopus = import_file(any_library, make_ris("scopus.ris", [SCOPUS]))
    assert [d.reason for d in scopus.duplicates] == ["same DOI"]
    now = any_library.record(kept)
    assert now.accessions == ("EMBASE:2002345678", "SCOPUS:2-s2.0-85070226738")
    out = tmp_path / "out.ris"
    export_to_path("ris", any_library.records([kept]), out)
    text = out.read_text(encoding="utf-8")
    assert "DO  - 10.1111/jan.14000" in text
    # A duplicate with no identifier the kept record lacks changes nothing.
    assert import_file(any_library, make_ris("again.ris", [PUBMED])).added == 0
    assert any_library.record(kept).tags == now.tags
