"""The duplicate commands as a user runs them: duplicates, keep-both, merge, unmerge, counts."""

from __future__ import annotations

import json

JOURNAL = {"TY": "JOUR", "TI": "Burnout on night shifts", "AU": ["Smith, Jane", "Doe, Ann"],
           "PY": "2019", "JO": "J Adv Nurs", "DO": "10.1111/jan.14000",
           "AB": "Nurses on night shifts reported more burnout than day staff."}
CONFERENCE = {"TY": "CPAPER", "TI": "Burnout on night shifts", "AU": "Smith, Jane",
              "PY": "2019", "T2": "European Nursing Congress", "AB": "Poster abstract."}
EDITORIAL = {"TY": "JOUR", "TI": "Editorial", "PY": "2019", "AU": "Lee, K"}


def test_duplicates_merge_unmerge_and_counts(cli, tmp_path, make_ris):
    lib = str(tmp_path / "lib.sqlite")
    first = make_ris("journal.ris", [JOURNAL, JOURNAL])
    second = make_ris("conference.ris", [CONFERENCE, JOURNAL])
    out = cli("--library", lib, "import", str(first), str(second))
    assert out.returncode == 0, out.stderr
    assert "1 duplicated within the file" in out.stdout
    assert "1 possible duplicate flagged" in out.stdout
    assert "1 already in the library" in out.stdout
    assert "possibly a duplicate of library record 1" in out.stderr

    listed = json.loads(cli("--library", lib, "duplicates", "--json").stdout)
    assert [(p["a"]["id"], p["b"]["id"], p["decision"]) for p in listed] == [(1, 2, "pending")]
    assert {"field": "type", "relation": "conflicts", "detail": "article / conference"} in (
        listed[0]["evidence"])
    text = cli("--library", lib, "duplicates").stdout
    assert "pair 1 [pending]: 1 / 2" in text

    counts = json.loads(cli("--library", lib, "counts", "--json").stdout)
    assert {k: counts[k] for k in ("imports", "read", "duplicates_in_files",
                                   "duplicates_in_library", "possible_flagged", "added",
                                   "records")} == {
        "imports": 2, "read": 4, "duplicates_in_files": 1, "duplicates_in_library": 1,
        "possible_flagged": 1, "added": 2, "records": 2}

    merged = cli("--library", lib, "merge", "1", "2")
    assert merged.returncode == 0, merged.stderr
    assert json.loads(cli("--library", lib, "list", "--json").stdout)[0]["id"] == 1
    assert "record 2 into 1" in cli("--library", lib, "merges").stdout
    assert json.loads(cli("--library", lib, "counts", "--json").stdout)["merged"] == 1
    undone = cli("--library", lib, "unmerge")
    assert undone.returncode == 0, undone.stderr
    assert len(json.loads(cli("--library", lib, "list", "--json").stdout)) == 2
    assert cli("--library", lib, "unmerge").returncode == 1

    kept = cli("--library", lib, "keep-both", "2", "1")
    assert kept.returncode == 0, kept.stderr
    assert json.loads(cli("--library", lib, "duplicates", "--json").stdout) == []
    # importing the conference paper again: a certain duplicate of record 2, not re-asked
    again = cli("--library", lib, "import", str(make_ris("again.ris", [CONFERENCE])))
    assert "1 already in the library" in again.stdout
    assert json.loads(cli("--library", lib, "duplicates", "--json").stdout) == []


def test_bad_requests_are_refused_clearly(cli, tmp_path, make_ris):
    lib = str(tmp_path / "lib.sqlite")
    cli("--library", lib, "import", str(make_ris("a.ris", [EDITORIAL, JOURNAL])))
    for args, message in ((("merge", "1", "99"), "no record with id 99"),
                          (("merge", "1", "1"), "itself"),
                          (("keep-both", "5", "1"), "no record with id 5"),
                          (("unmerge",), "no merge to undo"),
                          (("unmerge", "--log", "7"), "no merge 7 to undo")):
        out = cli("--library", lib, *args)
        assert out.returncode == 1, (args, out.stderr)
        assert message in out.stderr, (args, out.stderr)
    assert cli("--library", lib, "merge", "one", "two").returncode == 2  # argparse
    assert len(json.loads(cli("--library", lib, "list", "--json").stdout)) == 2
