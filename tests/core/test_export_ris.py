"""RIS export and the litdesk N1 notes format: round trips through rispy and decode_notes."""

from __future__ import annotations

import dataclasses
import io
import json

import rispy
from hypothesis import given
from hypothesis import strategies as st

from litdesk.core.export.ris import fields_to_tags, write_ris
from litdesk.core.litdesk_notes import decode_notes, encode_notes, strip_notes
from litdesk.core.model import LABELS, Record, Span

ABSTRACT = "Background: 𝛼-synuclein 😀 & <tags>.\nAim: to see.\nMethod: we looked."


def _spans(text: str, cuts: list[tuple[int, int, str, str]]) -> tuple[Span, ...]:
    return tuple(Span(s, e, label, text[s:e], coder) for s, e, label, coder in cuts)


def coded(**changes: object) -> Record:
    aim, method = ABSTRACT.index("Aim"), ABSTRACT.index("Method")
    record = Record(
        type="JOUR",
        title="Nurses and 𝛼",
        authors=("Gill, Simon", "Doe, Jane"),
        year=2022,
        abstract=ABSTRACT,
        id=3,
        tags=(
            ("TY", "JOUR"),
            ("TI", "Nurses and 𝛼"),
            ("AU", "Gill, Simon"),
            ("ZZ", "vendor value"),
            ("AU", "Doe, Jane"),
            ("PY", "2022"),
            ("AB", ABSTRACT),
            ("N1", "An ordinary note"),
            ("KW", "nursing"),
        ),
        spans=_spans(
            ABSTRACT,
            [
                (0, aim - 1, "background", "Ana María (2nd)"),
                (aim, method - 1, "aim", ""),
                (method, len(ABSTRACT), "method", 'x "quoted" 🙂'),
            ],
        ),
        memo='First line\nsecond line with 😀 and "quotes"',
    )
    return dataclasses.replace(record, **changes)


def ris_text(records: list[Record]) -> str:
    out = io.BytesIO()
    assert write_ris(records, out) == len(records)
    return out.getvalue().decode("utf-8")


def reread(record: Record) -> Record:
    """Write ``record`` as RIS, read it with rispy and rebuild its tags (N1 in order)."""
    (entry,) = rispy.loads(ris_text([record]))
    notes = tuple(("N1", n) for n in entry.get("notes", []))
    return dataclasses.replace(record, tags=notes, spans=(), memo="")


def test_rispy_reads_every_record_and_field() -> None:
    second = coded(id=4, title="Second", tags=())
    entries = rispy.loads(ris_text([coded(), second]))
    assert len(entries) == 2
    first = entries[0]
    assert first["type_of_reference"] == "JOUR"
    assert first["title"] == "Nurses and 𝛼"
    assert first["authors"] == ["Gill, Simon", "Doe, Jane"]
    assert first["year"] == "2022"
    assert first["keywords"] == ["nursing"]
    assert first["unknown_tag"] == {"ZZ": ["vendor value"]}
    # rispy joins continuation lines with a space: a line break counts as one character
    assert first["abstract"] == ABSTRACT.replace("\n", " ")
    assert first["notes"][0] == "An ordinary note"
    assert entries[1]["title"] == "Second"
    assert entries[1]["authors"] == ["Gill, Simon", "Doe, Jane"]


def test_original_tags_written_in_order_then_notes_then_er() -> None:
    lines = ris_text([coded()]).split("\n")
    tags = [line[:2] for line in lines if line[2:6] == "  - "]
    assert tags[:9] == ["TY", "TI", "AU", "ZZ", "AU", "PY", "AB", "N1", "KW"]
    assert tags[9:] == ["N1"] * 4 + ["ER"]
    assert lines[-3:] == ["ER  - ", "", ""]


def test_record_without_tags_gets_tags_from_fields() -> None:
    record = coded(tags=(), doi="10.1/x", journal="J", keywords=("a", "b"), pages="3-9")
    tags = fields_to_tags(record)
    assert tags[0] == ("TY", "JOUR")
    assert ("DO", "10.1/x") in tags
    assert ("SP", "3") in tags
    assert ("EP", "9") in tags
    assert [v for t, v in tags if t == "KW"] == ["a", "b"]
    (entry,) = rispy.loads(ris_text([record]))
    assert entry["doi"] == "10.1/x"
    assert entry["journal_name"] == "J"


def test_continuation_line_that_looks_like_a_tag_stays_in_the_value() -> None:
    record = coded(tags=(("TY", "JOUR"), ("AB", "first\nER  - not the end\nlast")))
    (entry,) = rispy.loads(ris_text([record]))
    assert entry["abstract"] == "first ER  - not the end last"


def test_notes_round_trip_through_rispy() -> None:
    record = coded()
    back, spans, memo = decode_notes(reread(record))
    assert spans == sorted(record.spans, key=lambda s: s.start)
    assert [s.coder for s in spans] == ["Ana María (2nd)", "", 'x "quoted" 🙂']
    assert memo == {"": record.memo}
    assert back.tags == (("N1", "An ordinary note"),)


def test_reexport_does_not_duplicate_notes() -> None:
    record = coded()
    again = dataclasses.replace(record, tags=record.tags + tuple(encode_notes(record)))
    assert ris_text([again]) == ris_text([record])
    assert strip_notes(again.tags) == list(record.tags)


def test_note_format_is_readable() -> None:
    notes = [value for _, value in encode_notes(coded())]
    aim = ABSTRACT.index("Aim")
    head = f'[litdesk] background 0-{aim - 1} (coder "Ana María (2nd)"): '
    assert notes[0] == head + ABSTRACT[: aim - 1]
    assert notes[1] == f"[litdesk] aim {aim}-{aim + 12}: Aim: to see."
    assert notes[-1] == '[litdesk memo] "First line\\nsecond line with 😀 and \\"quotes\\""'


def test_long_span_text_is_truncated_but_recovered() -> None:
    abstract = "Intro. " + "word " * 100 + "end."
    span = Span(7, len(abstract), "results", abstract[7:], "c")
    record = Record(abstract=abstract, spans=(span,))
    (note,) = encode_notes(record)
    assert note[1].endswith("…")
    assert len(note[1].split(": ", 1)[1]) == 201
    assert decode_notes(dataclasses.replace(record, tags=(note,)))[1] == [span]


def test_span_is_relocated_when_the_abstract_shifted() -> None:
    record = coded()
    notes = tuple(encode_notes(record))
    moved = dataclasses.replace(record, abstract="PREFIX " + ABSTRACT, tags=notes)
    _, spans, _ = decode_notes(moved)
    assert [(s.start - 7, s.end - 7) for s in spans] == [(s.start, s.end) for s in record.spans]
    assert all(moved.abstract[s.start : s.end] == s.text for s in spans)


def test_relocation_tolerates_whitespace_changes_and_drops_lost_spans() -> None:
    abstract = "Aims:  to see\n  what happens. Results: none."
    aim = Span(7, 29, "aim", abstract[7:29], "")
    gone = Span(30, 44, "results", abstract[30:44], "")
    notes = tuple(encode_notes(Record(abstract=abstract, spans=(aim, gone))))
    changed = Record(abstract="Aims: to see what happens. Conclusion: none.", tags=notes)
    _, spans, _ = decode_notes(changed)
    assert [(s.label, s.text) for s in spans] == [("aim", "to see what happens.")]


def test_mangled_notes_are_left_alone() -> None:
    tags = (("N1", "[litdesk] nonsense 5-1: x"), ("N1", "[litdesk memo] not json"))
    back, spans, memo = decode_notes(Record(abstract="abc", tags=tags))
    assert back.tags == tags
    assert spans == []
    assert memo == {}


def test_notes_merged_by_endnote_or_wrapped_by_zotero_are_read() -> None:
    record = coded()
    values = [v for _, v in encode_notes(record)]
    merged = ("N1", "Keep me\n" + "\n".join(values))
    html = "".join(f"<p>{v.replace('&', '&amp;').replace('<', '&lt;')}</p>" for v in values)
    for tag in (merged, ("N1", f'<div data-schema-version="9">{html}</div>')):
        back, spans, memo = decode_notes(dataclasses.replace(record, tags=(tag,)))
        assert spans == list(record.spans)
        assert memo == {"": record.memo}
    assert decode_notes(dataclasses.replace(record, tags=(merged,)))[0].tags == (("N1", "Keep me"),)


@st.composite
def coded_records(draw: st.DrawFn) -> Record:
    abstract = draw(st.text(min_size=1, max_size=300))
    cuts = sorted(draw(st.sets(st.integers(0, len(abstract)), min_size=2, max_size=8)))
    spans = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        label = draw(st.sampled_from(LABELS))
        spans.append(Span(start, end, label, abstract[start:end], draw(st.text(max_size=20))))
    tags = (("TY", "JOUR"), ("AB", abstract.replace("\r", "")))
    return Record(abstract=abstract, spans=tuple(spans), memo=draw(st.text()), tags=tags)


@given(coded_records())
def test_any_coding_round_trips_through_ris(record: Record) -> None:
    back = reread(record)
    _, spans, memo = decode_notes(dataclasses.replace(back, abstract=record.abstract))
    assert spans == list(record.spans)
    assert memo == ({"": record.memo} if record.memo else {})


def test_memo_json_escapes_line_separators() -> None:
    (note,) = encode_notes(Record(memo="a\u2028b\x85c\nd"))
    assert "\u2028" not in note[1]
    assert "\x85" not in note[1]
    assert "\n" not in note[1]
    assert json.loads(note[1].removeprefix("[litdesk memo] ")) == "a\u2028b\x85c\nd"


@given(coded_records(), st.text(max_size=300))
def test_decoding_against_another_abstract_never_crashes(record: Record, other: str) -> None:
    notes = tuple(encode_notes(record))
    _, spans, memo = decode_notes(Record(abstract=other, tags=notes))
    assert memo == ({"": record.memo} if record.memo else {})
    for span in spans:
        assert 0 <= span.start < span.end <= len(other)
        assert other[span.start : span.end] == span.text


def test_every_coders_memo_is_a_note_naming_its_coder() -> None:
    memos = (("consensus", "agreed"), ("Ana María", 'line 1\nline 2 "q" 😀'), ("bob", ""))
    record = coded(memos=memos[:2], memo="ignored when memos are given")
    (entry,) = rispy.loads(ris_text([record]))
    memo_notes = [n for n in entry["notes"] if n.startswith("[litdesk memo]")]
    assert memo_notes == ['[litdesk memo] (coder "consensus") "agreed"',
                          '[litdesk memo] (coder "Ana María") "line 1\\nline 2 \\"q\\" 😀"']
    _, _, back = decode_notes(reread(record))
    assert back == dict(memos[:2])


def test_mangled_memo_coders_are_left_alone() -> None:
    tags = (("N1", '[litdesk memo] (coder 5) "x"'), ("N1", '[litdesk memo] (coder "a")"x"'))
    back, _, memos = decode_notes(Record(abstract="abc", tags=tags))
    assert back.tags == tags
    assert memos == {}
