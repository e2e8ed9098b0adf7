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

from litdesk.core.export.qdpx import guid, source_name, write_qdpx
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
    assert source.get("name") == "Gill, 2020 [42]"
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
    root = project(export([sample(), sample(id=43), sample(id=None), sample(id=None, title="2")]))
    names = [s.get("name") for s in root.iterfind(".//q:TextSource", NS)]
    assert names == ["Gill, 2020 [42]", "Gill, 2020 [43]", "Gill, 2020", "Gill, 2020 (2)"]


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
    if not record.abstract.strip():  # nothing to code: left out, never an empty source
        assert root.find(".//q:TextSource", NS) is None
        return
    (source,) = root.iterfind(".//q:TextSource", NS)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    assert len(text) == len(record.abstract)
    selections = source.findall("q:PlainTextSelection", NS)
    assert len(selections) == len(record.spans)
    for selection, span in zip(selections, record.spans, strict=True):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert (start, end) == (span.start, span.end)
        assert all(a == b or a == "\ufffd" for a, b in zip(text[start:end], span.text, strict=True))


def test_records_without_an_abstract_are_left_out_and_counted(schema: etree.XMLSchema) -> None:
    out = io.BytesIO()
    records = [sample(id=1, abstract="", spans=()), sample(), sample(id=3, abstract=" \n\t")]
    count = write_qdpx([r for r in records], out)
    assert (count, count.left_out) == (1, 2)
    assert "no abstract" in count.reason
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    schema.assertValid(project(archive))
    texts = [i for i in archive.infolist() if i.filename.startswith("sources/")]
    assert len(texts) == 1
    assert all(i.file_size > 0 for i in texts)
    assert len(project(archive).findall(".//q:TextSource", NS)) == 1


HOSTILE_AUTHORS = [
    ("Visser, A.", "Lee, B.", "Ng, C."), ("Visser, A.",), ("VISSER, A.",), ("St. John, A.",),
    ("J.R.R. Tolkien",), ("a/b\\c:d*e?f\"g<h>i|j",), ("..",), (".",), ("x\x00\x1f\x7f",),
    ("Ä" * 300,), ("😀" * 100,), (),
]  # fmt: skip


def mangled(name: str) -> list[str]:
    """What readers do to a source name to make a file name of it."""
    return [
        str(Path(name).with_suffix(".txt")),
        Path(name).stem,
        name.split(".")[0],
        name.rsplit(".", 1)[0],
        name.casefold(),
    ]


def test_source_names_stay_distinct_whatever_a_reader_does_with_them() -> None:
    records = [Record(id=i, authors=a, year=2016) for i, a in enumerate(HOSTILE_AUTHORS, 1)]
    records += [Record(id=i + 100, authors=a) for i, a in enumerate(HOSTILE_AUTHORS, 1)]
    names = [source_name(r) for r in records]
    assert source_name(records[0]) == "Visser et al, 2016 [1]"
    for variant in zip(*(mangled(n) for n in names), strict=True):
        assert len(set(variant)) == len(names), variant
    for name in names:
        assert "/" not in name
        assert "\\" not in name
        assert "." not in name
        assert len(name.encode("utf-8")) + len(".txt") <= 255
        assert name == name.strip()
        assert Path(name).with_suffix(".txt").name == name + ".txt"


def test_every_memo_is_a_note_by_its_coder(schema: etree.XMLSchema) -> None:
    memos = (("consensus", "agreed <&>"), ("alice", "alice's\nmemo 😀"), ("bob", "bob: see p. 3"))
    record = sample(coder="alice", memos=memos, memo="alice's\nmemo 😀")
    root = project(export([record]))
    schema.assertValid(root)
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    notes = root.findall("q:Notes/q:Note", NS)
    assert [(users[n.get("creatingUser")], n.findtext("q:PlainTextContent", namespaces=NS))
            for n in notes] == list(memos)
    assert [n.get("name") for n in notes] == [
        f"Memo by {coder} on Gill, 2020 [42]" for coder, _ in memos
    ]
    (source,) = root.iterfind(".//q:TextSource", NS)
    refs = [r.get("targetGUID") for r in source.findall("q:NoteRef", NS)]
    assert refs == [n.get("guid") for n in notes]
    description = source.findtext("q:Description", namespaces=NS)
    for coder, text in memos:
        assert f"Memo by {coder}:\n{text}" in description


def test_one_coder_export_keeps_its_memo_as_description_and_note() -> None:
    root = project(export([sample(coder="alice")]))
    (source,) = root.iterfind(".//q:TextSource", NS)
    assert source.findtext("q:Description", namespaces=NS) == sample().memo
    (note,) = root.findall("q:Notes/q:Note", NS)
    assert note.get("creatingUser") == guid("user", "alice")


def test_sources_and_project_are_owned_by_the_exporting_coder(schema: etree.XMLSchema) -> None:
    root = project(export([sample(coder="alice"), sample(id=43, coder="alice", spans=())]))
    schema.assertValid(root)
    alice = guid("user", "alice")
    assert root.get("creatingUserGUID") == alice
    assert alice in {u.get("guid") for u in root.iterfind(".//q:User", NS)}
    assert [s.get("creatingUser") for s in root.iterfind(".//q:TextSource", NS)] == [alice] * 2
