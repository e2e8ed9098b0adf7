"""An import stores each value once (the abstract in its column, not again among the verbatim
tags) and still gives back every tag, in order, to the library and to a RIS export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import rispy

from litdesk.core.readers import open_records
from litdesk.store.library import Library

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "ris"
FILES = ("asreview/_baseline.ris", "asreview/scopus.ris", "asreview/embase.ris",
         "asreview/pubmed_endnote.txt", "asreview/proquest.ris")


@pytest.mark.skipif(not (CORPUS / FILES[0]).is_file(), reason=f"no RIS corpus at {CORPUS}")
@pytest.mark.parametrize("name", FILES)
def test_abstract_stored_once_and_every_tag_comes_back(cli, tmp_path, name):
    source = CORPUS / name
    lib = tmp_path / "lib.sqlite"
    done = cli("--library", str(lib), "import", str(source))
    assert done.returncode == 0, done.stderr
    with open_records(source) as ris:
        read = [item.record for item in ris]

    con = sqlite3.connect(lib)
    rows = con.execute("SELECT id, abstract, tags FROM record ORDER BY id").fetchall()
    con.close()
    assert len(rows) == len(read)
    with_abstract = 0
    for _, abstract, tags in rows:
        values = [value for _, value in json.loads(tags)]
        if abstract:
            with_abstract += 1
            assert abstract not in values
            assert values.count(None) == 1
        else:
            assert None not in values
    assert with_abstract >= len(rows) // 2  # the files are mostly records with abstracts

    with Library.open(lib) as library:  # every tag back, verbatim and in order
        assert [library.record(rid).tags for rid, _, _ in rows] == [r.tags for r in read]

    out = tmp_path / "out.ris"
    done = cli("--library", str(lib), "export", "--all", "--format", "ris", "-o", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as f:
        assert len(rispy.load(f)) == len(read)
    with open_records(out) as ris:
        again = [item.record for item in ris]
    assert [[v for t, v in r.tags if t == "AB"] for r in again] == [
        [v for t, v in r.tags if t == "AB"] for r in read]
    assert [r.abstract for r in again] == [r.abstract for r in read]
