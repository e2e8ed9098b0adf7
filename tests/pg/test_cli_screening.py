"""``litdesk screen`` through the installed command, on both engines: JSON Lines with hostile
lines (an error line each, nothing stored, the session goes on), two screeners on a real
double-screened review with kappa as computed from the authors' file, reasons, PRISMA counts,
and the export of included records only."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SHARED, write_ris

SCREENING = SHARED / "corpus" / "screening"
RECORDS = [{"TY": "JOUR", "TI": title, "AB": f"We studied {title.lower()}."} for title in (
    "Opioid prescribing in general practice", "Parking fees at hospitals",
    "Opioid tapering: patients' views", "Car parks and staff morale")]


def _library(cli, location: str, tmp_path: Path, records=RECORDS) -> None:
    out = cli("--library", location, "import", "--allow-duplicates",
              str(write_ris(tmp_path / "in.ris", records)))
    assert out.returncode == 0, out.stderr


def _session(cli, location: str, coder: str, lines: list[str]):
    return cli("--library", location, "--coder", coder, "screen", "--stdio",
               input="".join(f"{line}\n" for line in lines))


def _stats(cli, location: str, coder: str = "ann") -> dict:
    out = cli("--library", location, "--coder", coder, "screen", "--stats", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


HOSTILE = [
    'not json',
    '{"decide": 999999, "decision": "include"}',
    '{"decide": 2, "decision": "exclude", "reason": "Not relevant"}',
    '{"decide": 2, "decision": "in"}',
    '{"decide": 2}',
    '{"decide": "2", "decision": "include"}',
    '{"decide": true, "decision": "include"}',
    '{"decide": NaN, "decision": "include"}',
    '{"decide": 2, "decison": "exclude"}',
    '{"decide": 2, "decision": "include", "reason": "1"}',
    '{"next": true, "decide": 2, "decision": "include"}',
    '{"next": false}',
    '[{"decide": 2, "decision": "include"}]',
    '"next"',
    '{"decide": 2, "decision": "exclude", "reason": {"$ne": 1}}',
    '[' * 100_000,
    '{"decide": 2, "decision": "exclude", "note": "' + "x" * 20_000 + '"}',
]


def test_a_stdio_session_answers_every_line_and_stores_only_good_decisions(cli, cli_exe,
                                                                           location, tmp_path):
    _library(cli, location, tmp_path)
    lines = ['{"decide": 1, "decision": "include", "note": "fits"}', *HOSTILE,
             '{"next": true}', '', '{"decide": 2, "decision": "exclude", "reason": "1"}',
             '{"next": true}']
    out = _session(cli, location, "ann", lines)
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(replies) == len(lines) - 1  # one per request; the empty line is none
    assert replies[0] == {"ok": 1}
    errors = replies[1:1 + len(HOSTILE)]
    assert all(set(r) == {"error"} for r in errors), errors
    assert [r["error"].split(":")[0] for r in errors] == [
        f"line {n}" for n in range(2, 2 + len(HOSTILE))]
    assert "no record with id 999999" in errors[1]["error"]
    assert "not in the list of exclusion reasons" in errors[2]["error"]
    assert "unknown decision 'in'" in errors[3]["error"]
    assert replies[1 + len(HOSTILE)]["next"] in (2, 3, 4)
    assert replies[-2] == {"ok": 2}
    assert replies[-1]["next"] in (3, 4)
    assert out.returncode == 1  # some requests failed
    stats = _stats(cli, location)
    assert (stats["own"]["included"], stats["own"]["excluded"], stats["own"]["screened"]) == (
        1, 1, 2)
    # bytes that are not UTF-8: an error line; a last line without its newline still counts
    raw = subprocess.run([cli_exe, "--library", location, "--coder", "ann", "screen", "--stdio"],
                         input=b'\xff\xfe{"next": true}\n{"decide": 3, "decision": "maybe"}',
                         capture_output=True, timeout=120)
    assert [json.loads(x) for x in raw.stdout.splitlines()] == [
        {"error": "line 1: not UTF-8 text"}, {"ok": 3}]


def test_reasons_and_terms_are_the_teams(cli, location, tmp_path):
    _library(cli, location, tmp_path)
    ok = cli("--library", location, "screen", "--add-reason", "Conference abstract", "--key", "c")
    assert ok.returncode == 0, ok.stderr
    clash = cli("--library", location, "screen", "--add-reason", "Other", "--key", "1")
    assert clash.returncode == 1
    assert "already the key of 'Wrong population'" in clash.stderr
    listed = json.loads(cli("--library", location, "screen", "--reasons", "--json").stdout)
    assert listed[-1] == {"name": "Conference abstract", "key": "c"}
    out = _session(cli, location, "bo", ['{"decide": 4, "decision": "exclude", "reason": "C"}'])
    assert out.stdout.strip() == '{"ok": 4}'
    gone = cli("--library", location, "screen", "--remove-reason", "nothing like it")
    assert (gone.returncode, "no exclusion reason 'nothing like it'" in gone.stderr) == (1, True)
    term = cli("--library", location, "screen", "--term", "Opioid", "--kind", "include")
    assert term.returncode == 0, term.stderr


def test_conflicts_consensus_prisma_and_included_only_export(cli, location, tmp_path):
    _library(cli, location, tmp_path)
    _session(cli, location, "ann", ['{"decide": 1, "decision": "include"}',
                                    '{"decide": 2, "decision": "exclude", "reason": "1"}',
                                    '{"decide": 3, "decision": "include"}'])
    _session(cli, location, "bo", ['{"decide": 1, "decision": "include"}',
                                   '{"decide": 2, "decision": "exclude", "reason": "4"}',
                                   '{"decide": 3, "decision": "exclude", "reason": "4"}'])
    conflicts = json.loads(cli("--library", location, "screen", "--conflicts", "--json").stdout)
    assert conflicts == [{"id": 3, "decisions": {"ann": "include", "bo": "exclude"},
                          "reasons": {"bo": "Wrong study design"}}]
    [pair] = _stats(cli, location)["agreement"]
    assert (pair["coders"], pair["records"], pair["agreement"]) == (["ann", "bo"], 3, 2 / 3)
    bad = cli("--library", location, "screen", "--resolve", "3", "perhaps")
    assert bad.returncode == 1
    assert "unknown decision" in bad.stderr
    assert cli("--library", location, "screen", "--resolve", "3", "exclude", "--reason",
               "Wrong outcome").returncode == 0
    out = cli("--library", location, "counts", "--prisma", "--csv")
    assert out.returncode == 0, out.stderr
    rows = dict(csv.reader(out.stdout.splitlines()[1:]))
    assert rows["identified: in.ris"] == "4"
    assert (rows["records screened"], rows["records included"], rows["records excluded"],
            rows["excluded: Wrong outcome"], rows["excluded: Wrong population"],
            rows["records awaiting screening"]) == ("3", "1", "2", "1", "1", "1")
    exported = tmp_path / "included.csv"
    done = cli("--library", location, "export", "--all", "--included-only", "-o", str(exported))
    assert done.returncode == 0, done.stderr
    with exported.open(encoding="utf-8-sig") as f:
        assert [r["title"] for r in csv.DictReader(f)] == [RECORDS[0]["TI"]]


def _fastread() -> tuple[list[dict], dict[str, dict]]:
    if not (SCREENING / "FASTREAD_TCP_Yu_2019__extra.csv").is_file():
        pytest.skip(f"the shared screening corpus is not beside this checkout ({SCREENING})")
    with (SCREENING / "FASTREAD_TCP_Yu_2019.csv").open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    with (SCREENING / "FASTREAD_TCP_Yu_2019__extra.csv").open(encoding="utf-8") as f:
        extra = {r["id"]: r for r in csv.DictReader(f)}
    return records, extra


@pytest.mark.slow
def test_two_screeners_of_a_real_review_get_the_kappa_of_their_decisions(cli, location,
                                                                         tmp_path):
    records, extra = _fastread()
    _library(cli, location, tmp_path, [
        {"TY": "JOUR", "TI": " ".join(r["title"].split()) or "(untitled)",
         "AB": " ".join(r["abstract"].split())} for r in records])
    both = {"RS": [], "XY": []}
    for rid, r in enumerate(records, 1):
        for who in both:
            said = extra[r["id"]][f"screener_{who}"]
            if said:
                both[who].append(json.dumps({"decide": rid, "decision": {
                    "yes": "include", "no": "exclude"}[said]}))
    for who, lines in both.items():
        out = _session(cli, location, who, lines)
        assert out.returncode == 0, out.stdout[-500:]
    pairs = [(extra[r["id"]]["screener_RS"], extra[r["id"]]["screener_XY"]) for r in records]
    pairs = [(a, b) for a, b in pairs if a and b]
    n = len(pairs)
    agreed = sum(a == b for a, b in pairs)
    a_yes, b_yes = sum(a == "yes" for a, _ in pairs), sum(b == "yes" for _, b in pairs)
    chance = (a_yes * b_yes + (n - a_yes) * (n - b_yes)) / n / n
    [pair] = _stats(cli, location, "RS")["agreement"]
    assert pair["records"] == n > 100
    assert pair["kappa"] == pytest.approx((agreed / n - chance) / (1 - chance))
    assert 0.355 <= pair["kappa"] < 0.765  # the README gives 0.36-0.76 for the pairs
