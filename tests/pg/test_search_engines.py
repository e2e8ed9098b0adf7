"""The search box on both engines: FTS5 on SQLite and tsvector + GIN on PostgreSQL must find
the same records for the same text (stemming, prefixes, phrases, fields, years, negation,
diacritics), sort them the same way, and never raise whatever is typed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litdesk.store.importer import import_file
from litdesk.store.library import Library

RECORDS = [
    {"TY": "JOUR", "TI": "Opioid prescribing in general practice", "AU": ["Gill, Simon"],
     "PY": "2022", "JO": "British Journal of General Practice",
     "AB": "Chronic pain is managed with opioids.", "KW": ["analgesics", "primary care"]},
    {"TY": "JOUR", "TI": "Nurses and dementia care", "AU": ["Ahmed, Sara", "Gill, Ann"],
     "PY": "2019", "JO": "Nursing Times", "AB": "Interviews with nurses about chronic care.",
     "KW": ["qualitative"]},
    {"TY": "JOUR", "TI": "Patients' views of pain clinics", "AU": ["Zhou, Li"], "PY": "2015",
     "JO": "Pain", "AB": "Pain that is chronic was discussed; opioid tapering.",
     "KW": ["chronic pain"]},
    {"TY": "JOUR", "TI": "Covid-19 and general practice", "AU": ["Müller, Jörg"], "PY": "2021",
     "JO": "BMJ Open", "AB": "Remote consultations (telephone) rose sharply.",
     "KW": ["covid-19"]},
    {"TY": "JOUR", "TI": "Café culture and wellbeing", "AU": ["Dubois, Zoë"], "PY": "2010",
     "JO": "Social Science & Medicine", "AB": "Naïve coffee drinkers were interviewed.",
     "KW": ["wellbeing"]},
    {"TY": "JOUR", "TI": "An undated editorial", "AU": ["Ōtsuka, Ken"],
     "JO": "Editorials", "AB": "Version 3.5 of https://example.org/tool was used; e-mail a@b.com."},
]
OPIOID, NURSES, PAIN, COVID, CAFE, UNDATED = range(6)


@pytest.fixture
def lib(any_library: Library, make_ris) -> Library:
    summary = import_file(any_library, make_ris("search.ris", RECORDS))
    assert summary.added == len(RECORDS), summary.line()
    return any_library


def found(lib: Library, text: str, **kw) -> set[int]:
    position = {rid: n for n, rid in enumerate(lib.search_ids())}
    return {position[rid] for rid in lib.search_ids(text, **kw)}


@pytest.mark.parametrize(("text", "expected"), [
    ("", {OPIOID, NURSES, PAIN, COVID, CAFE, UNDATED}),
    ("opioid", {OPIOID, PAIN}),
    ("opioids", {OPIOID, PAIN}),  # stemming both ways
    ("OPIOID", {OPIOID, PAIN}),
    ("opio*", {OPIOID, PAIN}),
    ("op*", {OPIOID, PAIN, COVID}),  # "BMJ Open"
    ("interview*", {NURSES, CAFE}),
    ("chronic pain", {OPIOID, PAIN}),
    ('"chronic pain"', {OPIOID, PAIN}),
    ('"pain chronic"', set()),  # no phrase across fields or keywords either
    ('"general practice"', {OPIOID, COVID}),
    ("author:gill", {OPIOID, NURSES}),
    ("au:gill year:2022", {OPIOID}),
    ("author:ann", {NURSES}),
    ("title:gill", set()),
    ("year:2015-2020", {NURSES, PAIN}),
    ("year:2019-", {OPIOID, NURSES, COVID}),
    ("year:2010 cafe", {CAFE}),
    ("title:pain", {PAIN}),
    ("abstract:pain", {OPIOID, PAIN}),
    ("keyword:qualitative", {NURSES}),
    ("kw:covid", {COVID}),
    ("journal:bmj", {COVID}),
    ("journal:nursing", {NURSES}),
    ("-opioid", {NURSES, COVID, CAFE, UNDATED}),
    ("chronic -opioid", {NURSES}),
    ("-opioid -nurses", {COVID, CAFE, UNDATED}),
    ("covid-19", {COVID}),
    ("19", {COVID}),
    ("muller", {COVID}),
    ("müller", {COVID}),
    ("jorg", {COVID}),  # diacritics folded
    ("jör*", {COVID}),
    ("author:otsuka", {UNDATED}),
    ("cafe", {CAFE}),
    ("café", {CAFE}),
    ("naive", {CAFE}),
    ("zoe", {CAFE}),
    ("and", {NURSES, COVID, CAFE}),  # no stop words: "and" is a word like any other
    ("ratio:3", set()),
    ("(telephone)", {COVID}),
    ('"3.5"', {UNDATED}),  # split as FTS5 splits it
    ("example", {UNDATED}),
    ("mail", {UNDATED}),
    ("nurses OR cafe", {NURSES, CAFE}),
    ("(nurses OR cafe) interview*", {NURSES, CAFE}),
    ("opioid OR telephone year:2021-", {OPIOID, PAIN, COVID}),  # AND binds tighter
    ("(opioid OR telephone) year:2021-", {OPIOID, COVID}),
    ("opioid OR (telephone year:2015-2020)", {OPIOID, PAIN}),
    ("author:gill OR year:2010", {OPIOID, NURSES, CAFE}),
    ("-(opioid OR nurses)", {COVID, CAFE, UNDATED}),
    ("nurses OR -chronic", {NURSES, COVID, CAFE, UNDATED}),
    ('title:pain OR "dementia care"', {PAIN, NURSES}),
    ("(cafe OR (nurses OR (telephone -remote)))", {CAFE, NURSES}),
])
def test_search_syntax(lib, text, expected):
    assert found(lib, text) == expected


@pytest.mark.parametrize("text", [
    '"', '""', "AND", "NOT", "(", "*", "**", "opio**", "-", "-*", ":", "author:", "author:*",
    "^", "'", "opioid'", "a'b", "year:", "year:abcd", "year:2022-2019", "\\", "%", "_", "%_%",
    "memo:%", "memo:_", "\x00", "😀", "a" * 2000, '"unclosed phrase', "x & y | !z", "a <-> b",
    "a:*", "'a':*", "title:\"chronic pain\" -\"opioid",
])
def test_awkward_text_never_raises(lib, text):
    for sort in ("id", "title", "progress"):
        ids = lib.search_ids(text, sort=sort)
        assert len(ids) == len(set(ids))
        assert set(ids) <= set(lib.search_ids())
    lib.search_ids(text, status="not coded", descending=True)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from('ab "*-:()^+{}&|!<>AND OR year author 2020 é\\\''),
               max_size=30))
def test_any_typing_never_raises(lib, text):
    lib.search_ids(text)


@pytest.mark.parametrize("sort", ["id", "author", "year", "title", "journal", "progress"])
def test_sort_orders_agree(lib, sort):
    ids = lib.search_ids(sort=sort)
    rows = {r.id: r for r in lib.rows(ids)}
    assert lib.search_ids(sort=sort, descending=True) == ids[::-1]
    if sort == "year":  # an undated record first, as SQLite orders NULL
        assert [rows[i].year for i in ids] == [None, 2010, 2015, 2019, 2021, 2022]
    if sort == "title":
        assert [rows[i].title[:3] for i in ids] == ["An ", "Caf", "Cov", "Nur", "Opi", "Pat"]


def test_memo_and_status_filters(lib):
    rid = lib.search_ids("cafe")[0]
    lib.set_memo(rid, "Ask the Zanzibar team; 50% done")
    assert lib.search_ids("zanzibar") == [rid]
    assert lib.search_ids("memo:50%") == [rid]
    assert lib.search_ids("memo:a_k") == []
    assert lib.search_ids("title:zanzibar") == []
    lib.tag(rid, 0, 5, "aim")
    assert lib.search_ids(status="partly coded") == [rid]
    lib.set_done(rid, True)
    assert lib.search_ids("zanzibar", status="coded", sort="progress") == [rid]
    assert rid not in lib.search_ids(status="not coded")


def test_index_follows_edits_deletions_and_undo(lib, make_ris):
    before = lib.search_ids("opioid")
    summary = import_file(lib, make_ris("more.ris", [
        {"TY": "JOUR", "TI": "Opioid stewardship", "AB": "Tapering.", "DO": "10.1/x"}]))
    new = (set(lib.search_ids("opioid")) - set(before)).pop()
    snapshot = lib.delete_records([new, before[0]])
    assert lib.search_ids("opioid") == before[1:]
    assert lib.search_ids("stewardship") == []
    lib.restore_records(snapshot)
    assert lib.search_ids("stewardship") == [new]
    lib.remove_batch(summary.batch_id)
    assert lib.search_ids("stewardship") == []
    assert lib.search_ids("opioid") == before
