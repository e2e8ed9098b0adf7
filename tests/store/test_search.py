"""Search-box text on a real library: FTS5 words, prefixes, phrases, fields, years, negation.

Whatever the researcher types must never raise (FTS5 syntax characters included), and the
full-text index must stay in step with imports, memos and deletions.
"""

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
]
OPIOID, NURSES, PAIN, COVID, CAFE = range(5)
# The index reads authors from the JSON column, where json.dumps wrote "M\u00fcller": a name
# with a non-ASCII letter cannot be found (a change to the FTS triggers or the JSON serialiser).


@pytest.fixture
def lib(library: Library, make_ris) -> Library:
    summary = import_file(library, make_ris("search.ris", RECORDS))
    assert summary.added == len(RECORDS), summary.line()
    return library


def found(lib: Library, text: str, **kw) -> set[int]:
    """Positions (in RECORDS) of the records ``text`` finds."""
    position = {rid: n for n, rid in enumerate(lib.search_ids())}
    return {position[rid] for rid in lib.search_ids(text, **kw)}


@pytest.mark.parametrize(("text", "expected"), [
    ("", {OPIOID, NURSES, PAIN, COVID, CAFE}),
    ("opioid", {OPIOID, PAIN}),
    ("opioids", {OPIOID, PAIN}),  # porter stemming both ways
    ("OPIOID", {OPIOID, PAIN}),
    ("opio*", {OPIOID, PAIN}),
    ("op*", {OPIOID, PAIN, COVID}),  # "BMJ Open"
    ("chronic pain", {OPIOID, PAIN}),  # both words, anywhere
    ('"chronic pain"', {OPIOID, PAIN}),  # the phrase: title, abstract or keyword of PAIN
    ('"pain chronic"', set()),
    ('"general practice"', {OPIOID, COVID}),
    ("author:gill", {OPIOID, NURSES}),
    ("au:gill year:2022", {OPIOID}),
    ("year:2015-2020", {NURSES, PAIN}),
    ("year:2019-", {OPIOID, NURSES, COVID}),
    ("year:2010 cafe", {CAFE}),
    ("title:pain", {PAIN}),
    ("abstract:pain", {OPIOID, PAIN}),
    ("keyword:qualitative", {NURSES}),
    ("kw:covid", {COVID}),
    ("journal:bmj", {COVID}),
    ("journal:nursing", {NURSES}),
    ("-opioid", {NURSES, COVID, CAFE}),
    ("chronic -opioid", {NURSES}),
    ("-opioid -nurses", {COVID, CAFE}),
    ("covid-19", {COVID}),  # split into the phrase "covid 19", as the index splits it
    ("muller", {COVID}),
    ("müller", {COVID}),
    ("jorg", {COVID}),  # diacritics folded: Jörg
    ("cafe", {CAFE}),
    ("naive", {CAFE}),
    ("zoe", {CAFE}),
    ("ratio:3", set()),  # an unknown field is two plain words
    ("nurses OR cafe", {NURSES, CAFE}),
    ("nurses OR cafe OR telephone", {NURSES, CAFE, COVID}),
    ("(nurses OR cafe) interview*", {NURSES, CAFE}),
    ("interview* (nurses OR opioid)", {NURSES}),
    ("opioid OR telephone year:2021-", {OPIOID, PAIN, COVID}),  # AND binds tighter
    ("(opioid OR telephone) year:2021-", {OPIOID, COVID}),
    ("opioid OR telephone AND year:2021-", {OPIOID, PAIN, COVID}),
    ("opioid OR (telephone year:2015-2020)", {OPIOID, PAIN}),
    ("author:gill OR year:2010", {OPIOID, NURSES, CAFE}),
    ("-(opioid OR nurses)", {COVID, CAFE}),
    ("nurses OR -chronic", {NURSES, COVID, CAFE}),
    ('title:pain OR "dementia care"', {PAIN, NURSES}),
    ("opioid AND nurses", set()),
    ("opioid AND chronic", {OPIOID, PAIN}),
    ("((cafe))", {CAFE}),
    ("(cafe OR (nurses OR (telephone -remote)))", {CAFE, NURSES}),
    ("telephone", {COVID}),
    ("(telephone)", {COVID}),
])
def test_search_syntax(lib, text, expected):
    assert found(lib, text) == expected


@pytest.mark.parametrize("text", [
    '"', '""', '"""', "AND", "OR", "NOT", "NEAR", "a AND", "AND OR NOT", "(", ")", "((",
    "*", "**", "opio**", "-", "--", "-*", ":", "::", "author:", "author:*", ":gill",
    "title:(", "^", "^opioid", "+", "{", "}", "[", "]", "'", "opioid'", "a'b", "NEAR(a b)",
    "col:val:x", "year:", "year:abcd", "year:2022-2019", "year:99999", "\\", "%", "_", "%_%",
    "memo:%", "memo:_", "\x00", "\t\n", "😀", "𝛼", "a" * 2000, "-" * 50, '"unclosed phrase',
    'author:"gill', "title:\"chronic pain\" -\"opioid", "AND(", "OR)", "x NOT", "NOT x",
])
def test_awkward_text_never_raises(lib, text):
    for sort in ("id", "title", "progress"):
        ids = lib.search_ids(text, sort=sort)
        assert len(ids) == len(set(ids))
        assert set(ids) <= set(lib.search_ids())
    lib.search_ids(text, status="not coded", descending=True)


def test_fts_operators_are_searched_as_words(lib, make_ris):
    import_file(lib, make_ris("ops.ris", [
        {"TY": "JOUR", "TI": "Rock AND roll OR NOT near", "AB": "x"}]))
    rock = lib.search_ids("rock")
    assert len(rock) == 1
    assert len(lib.search_ids("AND")) == 4  # the word "and", in four titles
    for text in ("roll AND", "NEAR", "NOT near", "rock OR", "OR NOT", "title:NEAR"):
        assert lib.search_ids(text) == rock, text


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from('ab "*-:()^+{}AND OR NOT year author 2020 é'),
               max_size=30))
def test_any_typing_never_raises(lib, text):
    lib.search_ids(text)


def test_sort_and_direction_on_search_results(lib):
    ids = lib.search_ids("chronic", sort="year")
    years = [r.year for r in lib.rows(ids)]
    assert years == sorted(years)
    assert lib.search_ids("chronic", sort="year", descending=True) == ids[::-1]
    assert lib.search_ids("opioid", descending=True) == sorted(lib.search_ids("opioid"))[::-1]
    with pytest.raises(ValueError, match="sort key"):
        lib.search_ids("x", sort="nonsense")


def test_memo_words_are_searched_and_follow_edits(lib):
    rid = lib.search_ids("cafe")[0]
    assert lib.search_ids("zanzibar") == []
    lib.set_memo(rid, "Ask the Zanzibar team; 50% done")
    assert lib.search_ids("zanzibar") == [rid]
    assert lib.search_ids("memo:zanzibar") == [rid]
    assert lib.search_ids("title:zanzibar") == []
    assert lib.search_ids("memo:50") == [rid]
    assert lib.search_ids("memo:a_k") == []  # LIKE wildcards are literal ("_" is a word character)
    assert lib.search_ids('memo:"zanzibar team"') == [rid]
    lib.set_memo(rid, "")
    assert lib.search_ids("zanzibar") == []


def test_tagging_keeps_the_index(lib):
    rid = lib.search_ids("telephone")[0]
    lib.tag(rid, 0, 6, "background")
    lib.set_done(rid, True)
    assert lib.search_ids("telephone") == [rid]
    assert lib.search_ids("telephone", status="coded") == [rid]
    assert lib.search_ids("telephone", status="not coded") == []


def test_index_follows_imports_and_deletions(lib, make_ris):
    before = lib.search_ids("opioid")
    import_file(lib, make_ris("more.ris", [
        {"TY": "JOUR", "TI": "Opioid stewardship", "AB": "Tapering.", "DO": "10.1/x"}]))
    after = lib.search_ids("opioid")
    assert len(after) == len(before) + 1
    new = (set(after) - set(before)).pop()
    assert lib.search_ids("stewardship") == [new]
    snapshot = lib.delete_records([new, before[0]])
    assert lib.search_ids("opioid") == before[1:]
    assert lib.search_ids("stewardship") == []
    lib.restore_records(snapshot)
    assert lib.search_ids("opioid") == after
    assert lib.search_ids("stewardship") == [new]
    with lib.engine.connect() as conn:  # FTS5's own check of the index against its content
        conn.exec_driver_sql("INSERT INTO record_fts(record_fts) VALUES ('integrity-check')")


def test_undoing_an_import_removes_its_words(lib, make_ris):
    summary = import_file(lib, make_ris("batch.ris", [
        {"TY": "JOUR", "TI": "Quokka behaviour", "AB": "Marsupials."}]))
    assert len(lib.search_ids("quokka")) == 1
    lib.remove_batch(summary.batch_id)
    assert lib.search_ids("quokka") == []
    assert lib.search_ids("marsupials") == []
