"""Double coding from the command line, run as real processes: two coders, agreement, export."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest


def litdesk(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "litdesk", *args], capture_output=True,
                          text=True, check=check, timeout=120)


@pytest.fixture
def lib(tmp_path, make_ris) -> str:
    """A library with two records: ids 1 ("0123456789") and 2 ("abcdef")."""
    path = str(tmp_path / "lib.sqlite")
    ris = make_ris("two.ris", [{"TY": "JOUR", "TI": "First", "AB": "0123456789"},
                               {"TY": "JOUR", "TI": "Second", "AB": "abcdef"}])
    litdesk("--library", path, "import", str(ris), check=True)
    return path


def listed(lib: str, *extra: str) -> dict[int, list[tuple[int, int, str, str]]]:
    out = litdesk("--library", lib, *extra, "list", "--json", check=True)
    return {r["id"]: [(s["start"], s["end"], s["label"], s["coder"]) for s in r["spans"]]
            for r in json.loads(out.stdout)}


def code(lib: str, coder: str, *tags: tuple[int, int, int, str]) -> None:
    for rid, start, end, label in tags:
        litdesk("--library", lib, "--coder", coder, "tag", str(rid), str(start), str(end), label,
                check=True)
    litdesk("--library", lib, "--coder", coder, "done", "--ids", "1,2", check=True)


@pytest.fixture
def double_coded(lib: str) -> str:
    code(lib, "ann", (1, 0, 5, "aim"), (2, 0, 6, "results"))
    code(lib, "ben", (1, 5, 10, "method"), (2, 0, 6, "results"))
    return lib


def test_two_coders_tag_the_same_records(double_coded):
    lib = double_coded
    assert listed(lib, "--coder", "ann")[1] == [(0, 5, "aim", "ann")]
    assert listed(lib, "--coder", "ben")[1] == [(5, 10, "method", "ben")]
    assert listed(lib, "--coder", "cy")[1] == []  # a new coder starts blind
    table = litdesk("--library", lib, "list", "--all-coders", check=True).stdout
    assert {"ann: done", "ben: done"} <= set(table.split("[")[1].split("]")[0].split(", "))
    out = litdesk("--library", lib, "list", "--json", "--all-coders", check=True)
    spans = {r["id"]: r["spans"] for r in json.loads(out.stdout)}
    assert sorted((s["coder"], s["label"]) for s in spans[2]) == [
        ("ann", "results"), ("ben", "results")]
    coders = litdesk("--library", lib, "coders", check=True).stdout
    assert [line.split()[0] for line in coders.splitlines()[1:]] == ["ann", "ben"]


def test_agreement_json_matches_hand_figures(double_coded):
    out = litdesk("--library", double_coded, "agreement", "--coders", "ann,ben", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    # 16 characters pooled. Record 1: ann aim|none, ben none|method (5 + 5 characters, all
    # differ). Record 2: both results (6). p_o = 6/16. ann: aim 5, none 5, results 6;
    # ben: none 5, method 5, results 6. p_e = (25 + 36)/256; kappa = (96 - 61)/(256 - 61).
    assert data["coders"] == ["ann", "ben"]
    assert data["records"] == 2
    assert data["overall"] == {"kappa": pytest.approx(7 / 39), "agreement": 0.375}
    assert data["labels"] == {
        "background": {"kappa": None, "agreement": 1.0},
        "aim": {"kappa": pytest.approx(0), "agreement": 11 / 16},
        "method": {"kappa": pytest.approx(0), "agreement": 11 / 16},
        "results": {"kappa": pytest.approx(1), "agreement": 1.0},
        "conclusion": {"kappa": None, "agreement": 1.0},
    }
    assert list(data["labels"]) == ["background", "aim", "method", "results", "conclusion"]
    assert data["per_record"] == [{"id": 1, "kappa": pytest.approx(-1 / 3), "agreement": 0.0},
                                  {"id": 2, "kappa": None, "agreement": 1.0}]


def test_agreement_table_and_csv(double_coded, tmp_path):
    target = tmp_path / "per-record.csv"
    out = litdesk("--library", double_coded, "agreement", "--coders", "ann, ben", "-o",
                  str(target))
    assert out.returncode == 0, out.stderr
    assert "2 records" in out.stdout
    for expected in ("overall", "-0.333", "37.5%"):
        assert expected in out.stdout
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["record_id"], r["title"], r["characters"]) for r in rows] == [
        ("1", "First", "10"), ("2", "Second", "6")]
    assert float(rows[0]["kappa"]) == pytest.approx(-1 / 3)
    assert rows[1]["kappa"] == ""


def test_agreement_only_counts_records_both_marked_done(lib):
    code(lib, "ann", (1, 0, 10, "aim"))
    litdesk("--library", lib, "--coder", "ben", "tag", "1", "0", "10", "aim", check=True)
    data = json.loads(litdesk("--library", lib, "agreement", "--coders", "ann,ben", "--json",
                              check=True).stdout)
    assert data["records"] == 0
    assert data["overall"] == {"kappa": None, "agreement": None}


@pytest.mark.parametrize(("args", "status", "message"), [
    (["agreement", "--coders", "ann,zed"], 1, "'zed'"),
    (["agreement", "--coders", "ann"], 2, "two coder names"),
    (["agreement", "--coders", "ann,ann"], 2, "two different coders"),
])
def test_agreement_bad_coders(double_coded, args, status, message):
    out = litdesk("--library", double_coded, *args)
    assert out.returncode == status
    assert message in out.stderr
    assert "Traceback" not in out.stderr


BAD_REQUESTS = [
    (["--coder", "ann", "tag", "99", "0", "5", "aim"], "no record with id 99"),
    (["--coder", "ann", "tag", "1", "0", "11", "aim"], "outside the abstract"),
    (["--coder", "ann", "tag", "1", "-1", "3", "aim"], "outside the abstract"),
    (["--coder", "ann", "tag", "1", "5", "5", "aim"], "must be before"),
    (["--coder", "ann", "tag", "1", "6", "2", "aim"], "must be before"),
    (["--coder", "ann", "tag", "1", "0", "5", "Aims"], "unknown label"),
    (["--coder", "", "tag", "1", "0", "5", "aim"], "coder name must not be empty"),
    (["--coder", "  ", "done", "--ids", "1"], "coder name must not be empty"),
    (["--coder", "ann", "untag", "99", "0", "5"], "no record with id 99"),
    (["--coder", "ann", "untag", "1", "0", "99"], "outside the abstract"),
    (["--coder", "ann", "done", "--ids", "1,99"], "no record with id 99"),
]


def test_bad_coding_requests_exit_1_and_change_nothing(lib):
    for args, message in BAD_REQUESTS:
        out = litdesk("--library", lib, *args)
        assert out.returncode == 1, args
        assert out.stderr.startswith("litdesk: "), args
        assert message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr
    out = litdesk("--library", lib, "list", "--json", "--all-coders", check=True)
    assert all(r["spans"] == [] for r in json.loads(out.stdout))
    assert litdesk("--library", lib, "coders", check=True).stdout.startswith("nobody")


def test_export_prefers_consensus_and_can_carry_all_coders(double_coded, tmp_path):
    lib = double_coded
    litdesk("--library", lib, "--coder", "consensus", "tag", "1", "0", "10", "method", check=True)
    mine = tmp_path / "mine.csv"
    litdesk("--library", lib, "--coder", "ann", "export", "-f", "segments-csv", "--all",
            "-o", str(mine), check=True)
    with mine.open(encoding="utf-8-sig", newline="") as f:
        rows = [(r["record_id"], r["coder"], r["label"]) for r in csv.DictReader(f)]
    assert rows == [("1", "consensus", "method"), ("2", "ann", "results")]
    every = tmp_path / "every.csv"
    litdesk("--library", lib, "--coder", "ann", "export", "-f", "segments-csv", "--all",
            "--all-coders", "-o", str(every), check=True)
    with every.open(encoding="utf-8-sig", newline="") as f:
        coders = sorted({r["coder"] for r in csv.DictReader(f)})
    assert coders == ["ann", "ben", "consensus"]
