"""REFI-QDA export: schema validity, positions, GUID stability, users and source names."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from litdesk.core.export.qdpx import write_qdpx
from litdesk.core.model import LABEL_COLOURS, LABELS, Record, Span

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
XSD = SHARED / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
ABSTRACT = 'Background: 𝛼 & β < γ "quoted" 😀.\nAim: to test\tthings.\n\nResults: 𝛼𝛼 > 0 & done.'


def span(text: str, label: str, coder: str = "", abstract: str = ABSTRACT) -> Span:
    start = abstract.index(text)
    return Span(start, start + len(text), label, text, coder)


def sample(**fields: object) -> Record:
    base: dict[str, object] = {
        "id": 42,
        "title": "T",
        "authors": ("Gill, Simon",),
        "year": 2020,
        "abstract": ABSTRACT,
        "spans": (
            span('Background: 𝛼 & β < γ "quoted" 😀.', "background", "Ana María"),
            span("Aim: to test\tthings.\n", "aim", "rev 2 <&>"),
            span("Results: 𝛼𝛼 > 0 & done.", "results"),
        ),
        "memo": 'Memo with <xml> & "quotes"\nand a second line 😀',
    }
    base.update(fields)
    return Record(**base)  # type: ignore[arg-type]


def export(records: list[Record]) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_qdpx(records, out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def project(archive: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(archive.read("project.qde"))


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not XSD.exists():
        pytest.skip(f"REFI-QDA schema not found at {XSD} (../shared is not checked out)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_project_validates_against_the_refi_schema(schema: etree.XMLSchema) -> None:
    twin = sample(id=43, spans=())
    root = project(export([sample(), twin, sample(id=44, abstract="", spans=(), memo="")]))
    schema.assertValid(root)
    assert root.get("origin", "").startswith("litdesk ")


def test_empty_export_validates(schema: etree.XMLSchema) -> None:
    root = project(export([]))
    schema.assertValid(root)
    assert root.find("q:Sources", NS) is None


def test_positions_slice_the_source_text() -> None:
    record = sample()
    archive = export([record])
    (source,) = project(archive).iterfind(".//q:TextSource", NS)
    guid = source.get("guid")
    assert source.get("plainTextPath") == f"internal://{guid}.txt"
    raw = archive.read(f"sources/{guid}.txt")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    text = raw.decode("utf-8")
    assert text == ABSTRACT
    selections = source.findall("q:PlainTextSelection", NS)
    assert len(selections) == 3
    for selection, expected in zip(selections, record.spans, strict=True):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert text[start:end] == expected.text
        assert selection.get("name") == expected.text  # attribute newlines/tabs survive
    assert source.get("name") == "Gill, 2020"
    assert source.findtext("q:Description", namespaces=NS) == record.memo


def test_crlf_abstract_is_written_with_lf_and_offsets_follow() -> None:
    abstract = "Aim: one.\r\nMethod: two.\r\nResults: three."
    spans = (span("Method: two.", "method", abstract=abstract),
             span("Results: three.", "results", abstract=abstract))  # fmt: skip
    archive = export([Record(id=1, abstract=abstract, spans=spans)])
    (source,) = project(archive).iterfind(".//q:TextSource", NS)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    assert text == abstract.replace("\r\n", "\n")
    for selection, expected in zip(source, spans, strict=True):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert text[start:end] == expected.text


def test_codes_users_and_references() -> None:
    root = project(export([sample()]))
    codes = root.findall(".//q:Code", NS)
    assert [c.get("color") for c in codes] == [LABEL_COLOURS[label] for label in LABELS]
    assert [c.get("name") for c in codes] == [
        "Background",
        "Aim",
        "Method",
        "Results",
        "Conclusion",
    ]
    users = {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)}
    assert set(users) == {"Ana María", "rev 2 <&>", "litdesk"}
    code_guids = {c.get("guid") for c in codes}
    for element in root.iterfind(".//q:PlainTextSelection", NS):
        coding = element.find("q:Coding", NS)
        assert coding is not None
        assert element.get("creatingUser") in users.values()
        assert coding.get("creatingUser") == element.get("creatingUser")
        assert coding.find("q:CodeRef", NS).get("targetGUID") in code_guids  # type: ignore[union-attr]
    guids = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids))


def test_default_user_when_nobody_coded() -> None:
    root = project(export([sample(spans=())]))
    assert [u.get("name") for u in root.iterfind(".//q:User", NS)] == ["litdesk"]


def test_guids_are_stable_across_exports() -> None:
    def guids() -> list[str | None]:
        return [e.get("guid") for e in project(export([sample(), sample(id=7)])).iter()]

    first, second = guids(), guids()
    assert first == second
    assert any(first)


def test_duplicate_citations_get_distinct_names() -> None:
    root = project(export([sample(), sample(id=43), sample(id=44)]))
    names = [s.get("name") for s in root.iterfind(".//q:TextSource", NS)]
    assert names == ["Gill, 2020", "Gill, 2020 (2)", "Gill, 2020 (3)"]


def test_control_characters_and_bad_spans_do_not_break_the_xml(schema: etree.XMLSchema) -> None:
    abstract = "Form\x0cfeed and \x02 stx. End."
    spans = (Span(0, 9, "aim", coder="c"), Span(10, 99, "method"), Span(5, 9, "aim", coder="c"))
    archive = export([Record(id=1, abstract=abstract, spans=spans, memo="bell\x07")])
    root = project(archive)
    schema.assertValid(root)
    (source,) = root.iterfind(".//q:TextSource", NS)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    assert len(text) == len(abstract)
    assert "\ufffd" in text
    assert len(source.findall("q:PlainTextSelection", NS)) == 2  # the out-of-range one dropped


@st.composite
def coded_records(draw: st.DrawFn) -> Record:
    abstract = draw(st.text(st.characters(exclude_characters="\r"), min_size=1, max_size=200))
    cuts = sorted(draw(st.sets(st.integers(0, len(abstract)), min_size=2, max_size=6)))
    spans = tuple(
        Span(a, b, draw(st.sampled_from(LABELS)), abstract[a:b], draw(st.text(max_size=10)))
        for a, b in itertools.pairwise(cuts)
    )
    return Record(id=1, abstract=abstract, spans=spans, memo=draw(st.text(max_size=50)))


@settings(max_examples=60)
@given(coded_records())
def test_any_abstract_gives_a_valid_project_with_exact_positions(record: Record) -> None:
    if not XSD.exists():
        pytest.skip(f"REFI-QDA schema not found at {XSD}")
    archive = export([record])
    root = project(archive)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    (source,) = root.iterfind(".//q:TextSource", NS)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    assert len(text) == len(record.abstract)
    selections = source.findall("q:PlainTextSelection", NS)
    assert len(selections) == len(record.spans)
    for selection, span in zip(selections, record.spans, strict=True):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert (start, end) == (span.start, span.end)
        assert all(a == b or a == "\ufffd" for a, b in zip(text[start:end], span.text, strict=True))
