"""The headless command line, run as a real process: import, list, export, tag, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rispy


def litdesk(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "litdesk", *args], capture_output=True,
                          text=True, check=check, timeout=120)


def test_version_and_help():
    out = litdesk("--version", check=True)
    assert out.stdout.startswith("litdesk ")
    helped = litdesk("--help", check=True)
    for word in ("import", "list", "export", "--library"):
        assert word in helped.stdout


def test_import_list_export_round_trip(tmp_path, seed, make_ris):
    lib = str(tmp_path / "lib.sqlite")
    extra = make_ris("extra.ris", [{"TY": "JOUR", "TI": "Second", "AU": ["Doe, Jane"],
                                    "PY": "2020", "AB": "Abstract two.", "ZZ": "vendor tag",
                                    "KW": ["one", "two"]}])
    out = litdesk("--library", lib, "import", str(seed), str(extra))
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip().splitlines()) == 2
    assert "1 added" in out.stdout

    records = json.loads(litdesk("--library", lib, "list", "--json", check=True).stdout)
    assert len(records) == 2
    seed_rec = next(r for r in records if r["journal"] == "BJGP Open")
    assert seed_rec["authors"] == ["Simon Gill", "John Bailey", "Sadia Nafees", "Rob Poole"]
    assert seed_rec["year"] == 2022
    assert seed_rec["doi"] == "10.3399/BJGPO.2022.0085"
    assert seed_rec["type"] == "JOUR"
    assert set(seed_rec) >= {"id", "type", "title", "authors", "year", "journal", "doi",
                             "abstract", "keywords", "spans"}

    tagged = litdesk("--library", lib, "tag", str(seed_rec["id"]), "317", "452", "aim")
    assert tagged.returncode == 0, tagged.stderr
    records = json.loads(litdesk("--library", lib, "list", "--json", check=True).stdout)
    spans = next(r for r in records if r["id"] == seed_rec["id"])["spans"]
    assert [(s["start"], s["end"], s["label"]) for s in spans] == [(317, 452, "aim")]
    assert spans[0]["text"].startswith("Aim To explore")

    exported = tmp_path / "out.ris"
    ids = ",".join(str(r["id"]) for r in records)
    litdesk("--library", lib, "export", "--format", "ris", "--ids", ids, "-o", str(exported),
            check=True)
    with exported.open(encoding="utf-8") as f:
        assert len(rispy.load(f)) == 2
    assert "ZZ  - vendor tag" in exported.read_text(encoding="utf-8")

    lib2 = str(tmp_path / "lib2.sqlite")
    litdesk("--library", lib2, "import", str(exported), check=True)
    again = json.loads(litdesk("--library", lib2, "list", "--json", check=True).stdout)
    key = lambda r: r["title"]  # noqa: E731
    for a, b in zip(sorted(records, key=key), sorted(again, key=key), strict=True):
        for field in ("type", "title", "authors", "year", "journal", "doi", "abstract",
                      "keywords"):
            assert a[field] == b[field], field
        assert [(s["start"], s["end"], s["label"]) for s in a["spans"]] == [
            (s["start"], s["end"], s["label"]) for s in b["spans"]]


def test_import_exit_status_1_when_a_file_is_unreadable(tmp_path, seed):
    lib = str(tmp_path / "lib.sqlite")
    out = litdesk("--library", lib, "import", str(tmp_path / "missing.ris"), str(seed))
    assert out.returncode == 1
    assert "missing.ris" in out.stdout
    assert "Traceback" not in out.stderr
    records = json.loads(litdesk("--library", lib, "list", "--json", check=True).stdout)
    assert len(records) == 1


def test_usage_errors_exit_2(tmp_path):
    assert litdesk("--library", str(tmp_path / "l.sqlite"), "export", "--all").returncode == 2
    assert litdesk("--library", str(tmp_path / "l.sqlite"), "export", "--ids", "x,y", "-o",
                   "f").returncode == 2


@pytest.mark.parametrize("args", [["tag", "99", "0", "5", "aim"], ["tag", "1", "5", "2", "aim"],
                                  ["tag", "1", "0", "5", "nonsense"], ["untag", "1", "0", "99999"]])
def test_bad_tag_requests_exit_1_and_change_nothing(tmp_path, seed, args):
    lib = str(tmp_path / "lib.sqlite")
    litdesk("--library", lib, "import", str(seed), check=True)
    out = litdesk("--library", lib, *args)
    assert out.returncode == 1
    assert out.stderr.startswith("litdesk: ")
    records = json.loads(litdesk("--library", lib, "list", "--json", check=True).stdout)
    assert records[0]["spans"] == []


def test_not_a_library_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my notes")
    out = litdesk("--library", str(path), "list")
    assert out.returncode == 1
    assert "not a litdesk library" in out.stderr
    assert path.read_text() == "my notes"


def test_export_to_unwritable_place_gives_clear_message(tmp_path, seed):
    lib = str(tmp_path / "lib.sqlite")
    litdesk("--library", lib, "import", str(seed), check=True)
    target = tmp_path / "no such folder" / "out.ris"
    out = litdesk("--library", lib, "export", "--all", "-o", str(target))
    assert out.returncode == 1
    assert str(target) in out.stderr or "no such folder" in out.stderr
    assert not Path(target).exists()


def test_imports_and_errors_are_logged(tmp_path, seed):
    import os

    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    lib = str(tmp_path / "lib.sqlite")
    for args in (["import", str(seed)], ["tag", "99", "0", "1", "aim"]):
        subprocess.run([sys.executable, "-m", "litdesk", "--library", lib, *args], env=env,
                       capture_output=True, timeout=120)
    logged = (tmp_path / "state" / "litdesk" / "log" / "litdesk.log").read_text(encoding="utf-8")
    assert "1 added" in logged
    assert "no record with id 99" in logged
