"""Evidence table (CSV, XLSX) and coded segments CSV: contents, encoding, formula injection."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import openpyxl
import pytest

from litdesk.core.export.csv_table import write_csv
from litdesk.core.export.segments_csv import write_segments_csv
from litdesk.core.export.table import SEGMENT_COLUMNS, TABLE_COLUMNS, coding_status
from litdesk.core.export.xlsx_table import write_xlsx
from litdesk.core.model import LABELS, Record, Span

ABSTRACT = "Background one. Aim 𝛼. Method.\nMore method. Results 😀."
DANGEROUS = ['=HYPERLINK("http://evil","click")', "+1", "-1", "@SUM(A1:A2)", "\tx", "\rx"]


def span(text: str, label: str, coder: str = "") -> Span:
    start = ABSTRACT.index(text)
    return Span(start, start + len(text), label, text, coder)


def record(**fields: object) -> Record:
    base: dict[str, object] = {
        "id": 1,
        "title": "A title, with comma",
        "authors": ("Gill, Simon", "Doe, Jane"),
        "year": 2021,
        "journal": "BMJ",
        "doi": "10.1/abc",
        "abstract": ABSTRACT,
        "spans": (
            span("Method.", "method", "a"),
            span("More method.", "method", "a"),
            span("Aim 𝛼.", "aim", "a"),
        ),
        "memo": "memo line 1\nline 2",
    }
    base.update(fields)
    return Record(**base)  # type: ignore[arg-type]


def csv_rows(writer: object, records: list[Record]) -> list[list[str]]:
    out = io.BytesIO()
    assert writer(records, out) == len(records)  # type: ignore[operator]
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(records: list[Record]) -> list[tuple[object, ...]]:
    out = io.BytesIO()
    assert write_xlsx(records, out) == len(records)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def test_status_counts_labels() -> None:
    assert coding_status(Record()) == "uncoded"
    assert coding_status(record()) == "partly coded"
    assert coding_status(replace(record(), status="suggested")) == "suggested"  # the store's
    every = tuple(Span(i, i + 1, label) for i, label in enumerate(LABELS))
    assert coding_status(Record(abstract="abcde", spans=every)) == "coded"


def test_csv_evidence_table() -> None:
    header, row = csv_rows(write_csv, [record()])
    assert header == list(TABLE_COLUMNS)
    assert header == [
        "id", "authors", "year", "title", "journal", "doi", "coder", "background", "aim",
        "method", "results", "conclusion", "memo", "status",
    ]  # fmt: skip
    values = dict(zip(header, row, strict=True))
    assert values["id"] == "1"
    assert values["authors"] == "Gill, Simon; Doe, Jane"
    assert values["year"] == "2021"
    assert values["coder"] == "a"
    assert values["aim"] == "Aim 𝛼."
    assert values["method"] == "Method. … More method."
    assert values["background"] == ""
    assert values["memo"] == "memo line 1\nline 2"
    assert values["status"] == "partly coded"


def test_xlsx_evidence_table() -> None:
    header, row = xlsx_rows([record(year=None)])
    assert header == TABLE_COLUMNS
    values = dict(zip(header, row, strict=True))
    assert values["id"] == 1
    assert values["year"] is None
    assert values["background"] is None  # empty cells are blank, not empty strings
    assert values["method"] == "Method. … More method."
    assert values["memo"] == "memo line 1\nline 2"


def test_xlsx_replaces_characters_excel_cannot_hold() -> None:
    (_, row) = xlsx_rows([record(title="bell\x07here", memo="x" * 40000)])
    assert row[TABLE_COLUMNS.index("title")] == "bell\ufffdhere"
    assert len(row[TABLE_COLUMNS.index("memo")]) == 32767  # type: ignore[arg-type]


def test_segments_csv_one_row_per_span() -> None:
    header, *rows = csv_rows(write_segments_csv, [record()])
    assert header == list(SEGMENT_COLUMNS)
    assert rows[0] == ["1", "Gill & Doe, 2021", "a", "aim", "16", "22", "Aim 𝛼."]
    assert [r[3] for r in rows] == ["aim", "method", "method", "memo"]
    assert rows[2][6] == "More method."
    assert rows[3] == ["1", "Gill & Doe, 2021", "", "memo", "", "", "memo line 1\nline 2"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cells_cannot_become_formulas(value: str) -> None:
    _, row = csv_rows(write_csv, [record(title=value, memo=value, authors=(value,))])
    for column in ("title", "memo", "authors"):
        assert row[TABLE_COLUMNS.index(column)] == "'" + value
    assert row[TABLE_COLUMNS.index("journal")] == "BMJ"


def test_segments_csv_cells_cannot_become_formulas() -> None:
    abstract = "=1+1 -2 @x"
    spans = (Span(0, 4, "aim", coder="+evil"), Span(5, 7, "method"), Span(8, 10, "results"))
    _, *rows = csv_rows(write_segments_csv, [Record(id=1, abstract=abstract, spans=spans)])
    assert [r[6] for r in rows] == ["'=1+1", "'-2", "'@x"]
    assert rows[0][2] == "'+evil"


@pytest.mark.parametrize("value", DANGEROUS)
def test_xlsx_cells_are_text_not_formulas(value: str) -> None:
    out = io.BytesIO()
    write_xlsx([record(title=value)], out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=TABLE_COLUMNS.index("title") + 1)
    assert cell.data_type == "s"
    assert cell.value == value
    assert cell.quotePrefix


def two_coders() -> Record:
    return record(
        spans=(span("Method.", "method", "bob"), span("Aim 𝛼.", "aim", "alice"),
               span("More method.", "method", "alice"), span("Method.", "method", "consensus")),
        coder="alice", memo="alice memo",
        memos=(("consensus", "=agreed"), ("alice", "alice memo"), ("bob", "bob memo")),
    )  # fmt: skip


def test_each_coder_gets_a_row_consensus_first() -> None:
    for header, *rows in (csv_rows(write_csv, [two_coders()]), xlsx_rows([two_coders()])):
        table = [dict(zip(header, row, strict=True)) for row in rows]
        assert [r["coder"] for r in table] == ["consensus", "alice", "bob"]
        assert [r["method"] for r in table] == ["Method.", "More method.", "Method."]
        assert [r["aim"] or "" for r in table] == ["", "Aim 𝛼.", ""]
        assert [r["memo"] for r in table][1:] == ["alice memo", "bob memo"]
        assert table[0]["memo"] in ("'=agreed", "=agreed")  # neutralised in CSV, text in XLSX
        assert [r["status"] for r in table] == ["partly coded"] * 3
        assert all(str(r["id"]) == "1" for r in table)


def test_segments_attribute_every_span_and_memo() -> None:
    _, *rows = csv_rows(write_segments_csv, [two_coders()])
    spans = [(r[2], r[3], r[6]) for r in rows if r[3] != "memo"]
    assert sorted(spans) == sorted([("alice", "aim", "Aim 𝛼."), ("bob", "method", "Method."),
                                    ("consensus", "method", "Method."),
                                    ("alice", "method", "More method.")])
    memos = [(r[2], r[4], r[5], r[6]) for r in rows if r[3] == "memo"]
    assert memos == [("consensus", "", "", "'=agreed"), ("alice", "", "", "alice memo"),
                     ("bob", "", "", "bob memo")]
