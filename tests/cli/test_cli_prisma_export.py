"""The PRISMA counts go into exports: the workbook's second sheet and `counts --csv` / `-o`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

openpyxl = pytest.importorskip("openpyxl")

# Two database exports of one search, overlapping as real ones do: the same journal article
# twice in one file and again in the other (certain duplicates, within the file and against
# the library), and a conference version of it with no DOI (a possible duplicate, flagged).
ARTICLE = {"TY": "JOUR", "TI": "Burnout on night shifts", "AU": ["Smith, Jane", "Doe, Ann"],
           "PY": "2019", "JO": "J Adv Nurs", "DO": "10.1111/jan.14000", "AN": "31234567",
           "AB": "Nurses on night shifts reported more burnout than day staff."}
POSTER = {"TY": "CPAPER", "TI": "Burnout on night shifts", "AU": "Smith, Jane",
          "PY": "2019", "T2": "European Nursing Congress", "AB": "Poster abstract."}
OTHER = {"TY": "JOUR", "TI": "Sleep and rotating rosters in midwives", "AU": "Park, Y",
         "PY": "2021", "JO": "Midwifery", "DO": "10.1016/j.midw.2021.1",
         "AB": "A cohort of midwives on rotating rosters."}


def _library(cli, tmp_path, make_ris) -> str:
    lib = str(tmp_path / "review.sqlite")
    medline = make_ris("medline.ris", [ARTICLE, OTHER, ARTICLE])
    embase = make_ris("embase.ris", [POSTER, ARTICLE, OTHER])
    out = cli("--library", lib, "import", str(medline), str(embase))
    assert out.returncode == 0, out.stderr
    return lib


def test_the_workbook_carries_the_counts_of_counts_json(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris)
    counts = json.loads(cli("--library", lib, "counts", "--json").stdout)
    assert counts == {"imports": 2, "read": 6, "duplicates_in_files": 1,
                      "duplicates_in_library": 2, "possible_flagged": 1, "added": 3,
                      "merged": 0, "kept_both": 0, "pending": 1, "records": 3}
    out = tmp_path / "t.xlsx"
    exported = cli("--library", lib, "export", "--all", "-o", str(out))
    assert exported.returncode == 0, exported.stderr

    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["Evidence", "PRISMA counts"]
    rows = [r for r in book["PRISMA counts"].iter_rows(values_only=True)]
    assert rows[0] == ("library", "review.sqlite")
    assert rows[1][0] == "date"
    assert date.fromisoformat(rows[1][1])
    assert rows[3] == ("count", "value")
    assert {name: value for name, value in rows[4:]} == counts
    assert [name for name, _v in rows[4:]] == list(counts)  # the order of counts --json


def test_counts_csv_prints_and_writes_count_value_rows(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris)
    counts = json.loads(cli("--library", lib, "counts", "--json").stdout)
    printed = cli("--library", lib, "counts", "--csv")
    assert printed.returncode == 0, printed.stderr
    rows = list(csv.reader(io.StringIO(printed.stdout)))
    assert rows[0] == ["count", "value"]
    assert {name: int(value) for name, value in rows[1:]} == counts

    out = tmp_path / "prisma.csv"
    written = cli("--library", lib, "counts", "-o", str(out))
    assert written.returncode == 0, written.stderr
    assert str(out) in written.stdout
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_counts_csv_is_never_written_over_the_library(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris)
    before = cli("--library", lib, "list", "--json").stdout
    refused = cli("--library", lib, "counts", "--csv", "-o", lib)
    assert refused.returncode == 1
    assert "review.sqlite" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli("--library", lib, "list", "--json").stdout == before
    missing = cli("--library", lib, "counts", "-o", str(tmp_path / "no" / "such" / "c.csv"))
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    assert cli("--library", lib, "counts", "--csv", "--json").returncode == 2  # one or other
