"""`export --all-coders` of a real two-coder library, read back by each format's own reader."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import rispy
from lxml import etree

from litdesk.core.model import CONSENSUS_CODER, LABEL_TITLES, Span
from litdesk.store import coders
from litdesk.store.library import Library

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
XSD = SHARED / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
BASELINE = "asreview/_baseline.ris"  # 100 real records, 2 of them without an abstract
MEMOS = {CONSENSUS_CODER: "Agreed: =the method is mixed", "alice": "Alice's memo,\nline 2 😀",
         "bob": "Bob: check the sample size."}  # fmt: skip


@dataclass
class Coded:
    """What the two-coder library holds: per coder, the (label, text) coded on the record."""

    path: str
    rid: int
    abstract: str
    citation: str
    no_abstract: list[int]
    coding: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@pytest.fixture
def coded(tmp_path: Path, corpus: Path, cli) -> Coded:
    path = str(tmp_path / "team.sqlite")
    assert cli("--library", path, "import", str(corpus / BASELINE)).returncode == 0
    with Library.open(path, coder="alice") as lib:
        records = list(lib.records(lib.search_ids()))
        first = next(r for r in records if len(r.abstract) > 200)
        assert first.id is not None
        done = Coded(path, first.id, first.abstract, first.citation,
                     [r.id for r in records if not r.abstract.strip() and r.id is not None])
        text = first.abstract
        plans = {"alice": [Span(0, 60, "background"), Span(61, 140, "aim")],
                 "bob": [Span(0, 100, "background"), Span(101, 200, "method")],
                 CONSENSUS_CODER: [Span(0, 60, "background"), Span(101, 200, "method")]}
        for coder, spans in plans.items():
            coders.set_spans_as(lib, first.id, coder, spans)
            Library(lib.engine, lib.path, coder).set_memo(first.id, MEMOS[coder])
            done.coding[coder] = [(s.label, text[s.start:s.end]) for s in spans]
    assert done.no_abstract  # the real file has records without an abstract
    return done


def export(cli, coded: Coded, fmt: str, suffix: str, *extra: str) -> tuple[Path, str]:
    out = Path(coded.path).with_name(f"out-{fmt}{suffix}")
    done = cli("--library", coded.path, "--coder", "carol", "export", "--format", fmt, "--all",
               "--all-coders", "-o", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_ris_notes_name_each_coder_and_come_back_to_them(cli, coded: Coded, tmp_path) -> None:
    out, _ = export(cli, coded, "ris", ".ris")
    with out.open(encoding="utf-8") as f:
        entries = rispy.load(f)
    notes = next(e["notes"] for e in entries if e.get("abstract", "").startswith(
        coded.abstract[:40]))
    for coder, text in MEMOS.items():
        assert f"[litdesk memo] (coder {json.dumps(coder, ensure_ascii=False)}) " \
               f"{json.dumps(text, ensure_ascii=False)}" in notes
        for label, _ in coded.coding[coder]:
            assert any(n.startswith(f"[litdesk] {label} ") and f'(coder "{coder}")' in n
                       for n in notes)
    again = str(tmp_path / "again.sqlite")
    assert cli("--library", again, "--coder", "dora", "import", str(out)).returncode == 0
    with Library.open(again, coder="dora") as lib:
        (rid,) = [r.id for r in lib.records(lib.search_ids())
                  if r.abstract == coded.abstract]
        for coder, text in MEMOS.items():
            assert Library(lib.engine, lib.path, coder).record(rid).memo == text
            assert [(s.label, s.text) for s in coders.spans_of(lib, rid, coder)] == \
                coded.coding[coder]


def table_rows(coded: Coded, header: list[str], rows: list[list[object]]) -> list[dict]:
    return [dict(zip(header, r, strict=True)) for r in rows if str(r[0]) == str(coded.rid)]


def check_table(coded: Coded, rows: list[dict]) -> None:
    assert [r["coder"] for r in rows] == [CONSENSUS_CODER, "alice", "bob"]
    for row in rows:
        coder = row["coder"]
        cells = {label: row[label] or "" for label in LABEL_TITLES}
        assert {k: v for k, v in cells.items() if v} == dict(coded.coding[coder])
        assert str(row["memo"]).removeprefix("'") == MEMOS[coder]


def test_csv_has_a_row_per_coder(cli, coded: Coded) -> None:
    out, _ = export(cli, coded, "csv", ".csv")
    header, *rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    check_table(coded, table_rows(coded, header, rows))  # type: ignore[arg-type]


def test_xlsx_has_a_row_per_coder(cli, coded: Coded) -> None:
    out, _ = export(cli, coded, "xlsx", ".xlsx")
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    check_table(coded, table_rows(coded, header, rows))  # type: ignore[arg-type]
    memo = header.index("memo") + 1
    for cell in sheet.iter_rows(min_col=memo, max_col=memo):
        assert cell[0].data_type != "f"  # "=the method…" stays text


def test_segments_attribute_spans_and_memos(cli, coded: Coded) -> None:
    out, _ = export(cli, coded, "segments-csv", ".csv")
    rows = [r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
            if r["record_id"] == str(coded.rid)]
    for coder, coding in coded.coding.items():
        assert sorted((r["label"], r["text"]) for r in rows
                      if r["coder"] == coder and r["label"] != "memo") == sorted(coding)
        (memo,) = [r["text"] for r in rows if r["coder"] == coder and r["label"] == "memo"]
        assert memo.removeprefix("'") == MEMOS[coder]


def test_json_attributes_spans_and_memos(cli, coded: Coded) -> None:
    out, _ = export(cli, coded, "json", ".json")
    (item,) = [i for i in json.loads(out.read_text(encoding="utf-8")) if i["id"] == coded.rid]
    assert item["memos"] == [{"coder": c, "text": t} for c, t in MEMOS.items()]
    for coder, coding in coded.coding.items():
        assert sorted((s["label"], s["text"]) for s in item["spans"] if s["coder"] == coder) \
            == sorted(coding)


# -- REFI-QDA ------------------------------------------------------------------------------


@dataclass
class Source:
    name: str
    owner: str
    text: str
    codings: list[tuple[str, str, str]]  # coder, code name, coded text
    memos: list[tuple[str, str]]  # coder, text


def read_qdpx(path: Path) -> tuple[etree._Element, list[Source]]:
    """Read a .qdpx as a REFI-QDA importer does: validate, then resolve every reference."""
    archive = zipfile.ZipFile(path)
    root = etree.fromstring(archive.read("project.qde"))
    if XSD.exists():  # the schema qualitative-coding validates with (same file, CRLF aside)
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", NS)}
    notes = {n.get("guid"): (users[n.get("creatingUser")],
                             n.findtext("q:PlainTextContent", namespaces=NS))
             for n in root.iterfind("q:Notes/q:Note", NS)}
    sources = []
    for src in root.iterfind("q:Sources/q:TextSource", NS):
        member = "sources/" + src.get("plainTextPath", "").removeprefix("internal://")
        text = archive.read(member).decode("utf-8")
        codings = []
        for sel in src.iterfind("q:PlainTextSelection", NS):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            for coding in sel.iterfind("q:Coding", NS):
                code = codes[coding.find("q:CodeRef", NS).get("targetGUID")]
                codings.append((users[coding.get("creatingUser")], code, text[start:end]))
        memos = [notes[r.get("targetGUID")] for r in src.iterfind("q:NoteRef", NS)]
        sources.append(Source(src.get("name"), users[src.get("creatingUser")], text, codings,
                              memos))
    return root, sources


def mangled(name: str) -> list[str]:
    """File names readers make of a source name (qualitative-coding: the first one)."""
    return [str(Path(name).with_suffix(".txt")), Path(name).stem, name.split(".")[0],
            name.rsplit(".", 1)[0], name.casefold(), name.casefold().rsplit(".", 1)[0]]


def check_names(sources: list[Source]) -> None:
    names = [s.name for s in sources]
    for variant in zip(*(mangled(n) for n in names), strict=True):
        assert len(set(variant)) == len(names)
    assert all("/" not in n and len(n.encode()) < 250 for n in names)


def test_qdpx_carries_both_coders_and_leaves_out_empty_sources(cli, coded: Coded) -> None:
    out, said = export(cli, coded, "qdpx", ".qdpx")
    n = len(coded.no_abstract)
    assert f"{100 - n} records written" in said
    assert f"{n} records left out (no abstract" in said
    root, sources = read_qdpx(out)
    assert len(sources) == 100 - n
    assert all(s.text.strip() for s in sources)
    assert root.get("creatingUserGUID") in {u.get("guid") for u in root.iterfind(".//q:User", NS)}
    assert {s.owner for s in sources} == {"carol"}
    check_names(sources)
    (source,) = [s for s in sources if s.text == coded.abstract]
    assert source.name.startswith(coded.citation.replace(".", "").split(",")[0])
    assert source.name.endswith(f"[{coded.rid}]")
    for coder, coding in coded.coding.items():
        assert sorted((LABEL_TITLES[label], text) for label, text in coding) == sorted(
            (code, text) for who, code, text in source.codings if who == coder)
    assert source.memos == list(MEMOS.items())


def test_qdpx_of_every_corpus_file_keeps_every_source_apart(cli, corpus, tmp_path) -> None:
    path = str(tmp_path / "all.sqlite")
    files = [str(p) for p in sorted(corpus.rglob("*")) if p.suffix not in (".md", ".tsv")]
    cli("--library", path, "import", "--allow-duplicates", *files, timeout=600)
    out = tmp_path / "all.qdpx"
    done = cli("--library", path, "export", "--format", "qdpx", "--all", "-o", str(out))
    assert done.returncode == 0, done.stderr
    written = int(done.stdout.split()[0])
    _, sources = read_qdpx(out)
    assert len(sources) == written > 100
    assert all(s.text.strip() for s in sources)
    check_names(sources)  # the same papers twice (two files) and hostile names among them


def qc_command() -> str:
    found = os.environ.get("LITDESK_TEST_QC") or shutil.which("qc")
    if not found:
        pytest.skip("qualitative-coding's qc is not installed (set LITDESK_TEST_QC to its qc)")
    return found


def test_qualitative_coding_imports_the_project(cli, coded: Coded, tmp_path) -> None:
    """qualitative-coding's own importer (not a dependency: run by hand, see the README)."""
    qc = qc_command()
    out, _ = export(cli, coded, "qdpx", ".qdpx")
    project = tmp_path / "qc"
    project.mkdir()
    # Its 1.7.8 importer calls breakpoint() on every source: turn that off.
    env = {**os.environ, "PYTHONBREAKPOINT": "0"}
    done = subprocess.run([qc, "init", "--import", str(out)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    db = sqlite3.connect(project / "qualitative_coding.sqlite3")
    assert {"alice", "bob", CONSENSUS_CODER} <= {c for (c,) in db.execute("select * from coder")}
    assert {c for (c,) in db.execute("select * from code")} == set(LABEL_TITLES.values())
    _, sources = read_qdpx(out)
    assert len(list((project / "corpus").rglob("*.txt"))) == len(sources)
    coded_by = {c for (c,) in db.execute("select coder_id from coded_line")}
    assert {"alice", "bob", CONSENSUS_CODER} <= coded_by
