"""Records read from every format go out again: valid RIS, and BibTeX that reads back the same."""

from __future__ import annotations

import io
from pathlib import Path

import bibtexparser
import pytest
import rispy

from litdesk.core.export import FORMATS, export_to_path, write_bibtex, write_ris
from litdesk.core.model import Record
from litdesk.core.readers import open_records
from litdesk.core.ris_reader import read_ris_text
from tests.core.test_readers import BIB, ENDNOTE, MEDLINE, PUBMED, SCOPUS, _manifest
from tests.core.test_readers import FORMATS as CORPUS

FIELDS = ("type", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
          "pmid", "pmcid", "accessions", "abstract", "keywords")


def fields(record: Record, names: tuple[str, ...] = FIELDS) -> dict[str, object]:
    return {name: getattr(record, name) for name in names}


def read(path: Path) -> list[Record]:
    with open_records(path) as f:
        return [item.record for item in f]


SAMPLES = {"x.nbib": MEDLINE, "x.bib": BIB, "e.xml": ENDNOTE, "p.xml": PUBMED, "x.csv": SCOPUS}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_ris_export_of_other_formats_is_valid_ris_that_reads_back_the_same(tmp_path, name):
    path = tmp_path / name
    path.write_text(SAMPLES[name], encoding="utf-8")
    records = read(path)
    out = io.BytesIO()
    assert write_ris(records, out) == len(records)
    text = out.getvalue().decode("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert all(line[:2].isalnum() and line[2:6] in ("  - ", "  -") for line in lines
               if line[2:6].strip().startswith("-")), text
    assert len(rispy.loads(text)) == len(records)  # another RIS reader agrees
    again = [item.record for item in read_ris_text(text)]
    assert [fields(r, FIELDS[:10]) | {"abstract": r.abstract, "keywords": r.keywords}
            for r in again] == [fields(r, FIELDS[:10]) | {"abstract": r.abstract,
                                                          "keywords": r.keywords}
                                for r in records]
    own = [t for r in records for t, _ in r.tags if ":" in t]
    notes = "\n".join(v for r in again for t, v in r.tags if t == "N1")
    assert all(f"{t}: " in notes for t in own)  # fields kept under their own names survive


def test_bibtex_export_reads_back_with_bibtexparser_with_the_same_fields(tmp_path):
    records = [
        Record(type="JOUR", title="Pain & 50% of {GPs}: a_b $x$ -- ~ \\ ^", year=2022,
               authors=("Müller, Anna", "World Health Organization", "van der Berg, J."),
               journal="BMJ Open", volume="12", issue="3", pages="e1-e9", doi="10.1000/x_y%z",
               abstract="Background: one.\nMethods: two.", keywords=("pain", "GP, primary")),
        Record(type="CHAP", title="Second", tags=(("T2", "A Book"),)),
        Record(type="JOUR", title="Müller", authors=("Müller, Anna",), year=2022),
        Record(type="JOUR", title="Müller", authors=("Müller, Anna",), year=2022),
    ]
    out = io.BytesIO()
    assert write_bibtex(records, out) == 4
    library = bibtexparser.parse_string(out.getvalue().decode("utf-8"))
    assert not library.failed_blocks
    keys = [e.key for e in library.entries]
    assert keys == ["Muller2022Pain", "Second", "Muller2022Muller", "Muller2022Mullera"]
    first = library.entries[0].fields_dict
    assert first["journal"].value == "BMJ Open"
    assert first["pages"].value == "e1--e9"
    assert library.entries[1].fields_dict["booktitle"].value == "A Book"
    path = tmp_path / "out.bib"
    path.write_bytes(out.getvalue())
    again = read(path)
    for before, after in zip(records, again, strict=True):
        assert fields(after) == fields(before)


def test_keys_are_stable_and_a_bibtex_import_keeps_its_own(tmp_path):
    path = tmp_path / "x.bib"
    path.write_text(BIB, encoding="utf-8")
    records = read(path)
    first, second = io.BytesIO(), io.BytesIO()
    write_bibtex(records, first)
    write_bibtex(records, second)
    assert first.getvalue() == second.getvalue()
    keys = [e.key for e in bibtexparser.parse_string(first.getvalue().decode()).entries]
    assert keys == ["Mueller2021", "Li2019", "Li2019a"]


def test_bibtex_is_an_export_format_chosen_by_name(tmp_path):
    assert FORMATS["bibtex"][1] == ".bib"
    target = tmp_path / "out.bib"
    assert export_to_path("bibtex", [Record(title="One")], target) == 1
    assert target.read_text(encoding="utf-8").startswith("@misc{")


@pytest.mark.skipif(not _manifest(), reason=f"format corpus not at {CORPUS}")
@pytest.mark.parametrize("row", _manifest(), ids=lambda r: r["file"])
def test_every_corpus_file_round_trips_through_bibtex_export(tmp_path, row):
    records = read(CORPUS / row["file"])
    path = tmp_path / "again.bib"
    export_to_path("bibtex", records, path)
    assert not bibtexparser.parse_file(str(path)).failed_blocks
    again = read(path)
    # BibTeX keeps all of a BibTeX record; of others, what BibTeX has fields for.
    kept = FIELDS if row["format"] == "bibtex" else (
        "title", "authors", "year", "volume", "issue", "doi", "pmid", "pmcid", "keywords")
    assert [fields(r, kept) for r in again] == [fields(r, kept) for r in records]
