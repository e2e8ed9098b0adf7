"""Screening on both engines: two screeners blind, bad decisions refused with nothing stored,
conflicts resolved into a consensus, kappa, undo, the team's reasons and terms, the ranking's
next record; on a server, each login writes only its own decisions."""

from __future__ import annotations

import pytest

from litdesk.core.screening import ScreeningError
from litdesk.store.library import Library, LibraryError

TOPICS = ["opioid prescribing in primary care", "burnout of night shift nurses",
          "opioid tapering interviews with patients", "hospital parking fees"]


def _records(make_ris, n: int = 8):
    return make_ris("s.ris", [{"TY": "JOUR", "TI": f"{TOPICS[i % 4]} study {i}",
                               "AB": f"We studied {TOPICS[i % 4]} in sample {i}."}
                              for i in range(n)])


@pytest.fixture
def screened(open_any, make_ris):
    ann = open_any(coder="ann")
    assert ann.files.import_file(_records(make_ris)).added == 8
    return ann, open_any(coder="bo"), ann.search_ids()


def test_two_screeners_screen_blind_and_reconcile(screened):
    ann, bo, ids = screened
    ann.screening.decide(ids[0], "include")
    ann.screening.decide(ids[1], "exclude", reason="Wrong population", note="children")
    ann.screening.decide(ids[2], "maybe")
    bo.screening.decide(ids[0], "exclude", reason="4")
    bo.screening.decide(ids[1], "exclude")
    # blind: each reads their own decisions only
    assert {r: d.decision for r, d in ann.screening.decisions().items()} == {
        ids[0]: "include", ids[1]: "exclude", ids[2]: "maybe"}
    assert list(bo.screening.decisions()) == [ids[0], ids[1]]
    assert bo.screening.decision(ids[0]).reason == "Wrong study design"
    assert ann.screening.decision(ids[1]).note == "children"
    assert ann.screening.stats().text() == "3 of 8 screened, 1 included"
    assert bo.screening.stats().text() == "2 of 8 screened, 0 included"
    # reconciling: the conflict, agreement, the consensus
    [conflict] = ann.screening.conflicts()
    assert conflict.record_id == ids[0]
    assert {c: d.decision for c, d in conflict.decisions.items()} == {
        "ann": "include", "bo": "exclude"}
    pair = ann.screening.agreement("ann", "bo")
    assert (pair.records, pair.compared, pair.agreement) == (2, 2, 0.5)
    assert [p.as_json()["coders"] for p in bo.screening.agreements()] == [["ann", "bo"]]
    everyone = ann.screening.stats(everyone=True)
    assert (everyone.excluded, everyone.maybe, everyone.conflicts) == (1, 1, 1)
    bo.screening.resolve(ids[0], "include", note="met the criteria")
    assert ann.screening.conflicts() == []
    assert ann.screening.consensus(ids[0]).coder == "bo"
    assert ann.screening.stats(everyone=True).included == 1
    assert bo.screening.stats().text() == "2 of 8 screened, 1 included"  # consensus wins
    ann.screening.unresolve(ids[0])
    assert [c.record_id for c in ann.screening.conflicts()] == [ids[0]]


@pytest.mark.parametrize(("record", "decision", "reason", "words"), [
    (999_999, "include", "", "no record with id 999999"),
    ("1", "include", "", "a record id is a whole number"),
    (True, "include", "", "a record id is a whole number"),
    (None, "exclude", "", "a record id is a whole number"),
    (0, "included", "", "unknown decision 'included'"),
    (0, "exclude", "Not relevant", "not in the list of exclusion reasons"),
    (0, "exclude", "9", "not in the list of exclusion reasons"),
])
def test_bad_decisions_store_nothing(screened, record, decision, reason, words):
    ann, _bo, ids = screened
    ann.screening.decide(ids[3], "include")
    target = ids[0] if record == 0 else record
    with pytest.raises(ScreeningError, match=words):
        ann.screening.decide(target, decision, reason=reason)
    assert list(ann.screening.decisions()) == [ids[3]]
    assert ann.screening.undo() == ids[3]  # the refused one never reached the undo list


def test_undo_puts_the_previous_decision_back(screened):
    ann, _bo, ids = screened
    ann.screening.decide(ids[0], "exclude", reason="1", note="first")
    first = ann.screening.decision(ids[0])
    ann.screening.decide(ids[0], "include")
    ann.screening.clear(ids[1])  # nothing there: undoable all the same
    assert ann.screening.undo() == ids[1]
    assert ann.screening.undo() == ids[0]
    assert ann.screening.decision(ids[0]) == first
    assert ann.screening.undo() == ids[0]
    assert ann.screening.decision(ids[0]) is None
    assert ann.screening.undo() is None


def test_the_teams_reasons_and_terms(screened):
    ann, bo, ids = screened
    assert [r.key for r in ann.screening.reasons()] == ["1", "2", "3", "4", "5", "6"]
    ann.screening.add_reason("Conference abstract", "c")
    bo.screening.decide(ids[0], "exclude", reason="C")
    with pytest.raises(ScreeningError, match="already the key"):
        ann.screening.add_reason("Other", "1")
    ann.screening.edit_reason("conference abstract", "Abstract only", "a")
    assert bo.screening.decision(ids[0]).reason == "Abstract only"
    assert ann.screening.reasons()[-1].name == "Abstract only"
    ann.screening.remove_reason("Abstract only")
    assert bo.screening.decision(ids[0]).reason == "Abstract only"  # kept on the decision
    with pytest.raises(ScreeningError, match="not in the list"):
        bo.screening.decide(ids[1], "exclude", reason="a")
    ann.screening.set_term("Opioid", "include")
    ann.screening.set_term("  parking   fees", "exclude")
    assert bo.screening.terms() == {"opioid": "include", "parking fees": "exclude"}
    ann.screening.set_term("opioid", None)
    with pytest.raises(ScreeningError, match="inclusion or exclusion"):
        ann.screening.set_term("pain", "maybe")
    assert bo.screening.terms() == {"parking fees": "exclude"}


def test_next_follows_the_ranking_once_there_is_an_include_and_an_exclude(screened):
    ann, bo, ids = screened
    assert ann.screening.next() == ids[0]  # no model yet: the first unscreened
    ann.screening.decide(ids[0], "include")  # opioid prescribing
    ann.screening.decide(ids[3], "exclude")  # parking fees
    proposed = ann.screening.next()
    assert proposed in (ids[2], ids[4])  # about opioids: 'opioid' was included
    relevance = ann.screening.relevance(wait=5)
    assert relevance[ids[4]] > relevance[ids[7]]
    assert bo.screening.next() == ids[0]  # bo's ranking learns from bo's decisions only
    for rid in ids:
        ann.screening.decide(rid, "exclude")
    assert ann.screening.next() is None


def test_asks_piled_up_before_a_refit_starts_still_rank_every_record(screened):
    """The window's warm-up and its first look at the relevance both ask for a fit; when the
    second ask came before the refit thread started, the fit was made on no records at all
    (seen in the app on a real review: no relevance, no ranking). The refit thread is held
    back here by the lock it takes first, as a busy machine holds it back."""
    from litdesk.store.ranking import LibraryRanking, _Coder

    ann, _, ids = screened
    ann.screening.decide(ids[0], "include")
    ann.screening.decide(ids[3], "exclude")
    rk = LibraryRanking(ann)
    st = rk._coders.setdefault("ann", _Coder())
    with st.done:
        rk.changed("ann")  # reads the records, starts the refit (which waits for the lock)
        rk.changed("ann")  # asks again before the refit began
    relevance = rk.relevance("ann", wait=10)
    assert sorted(relevance) == sorted(ids)
    assert relevance[ids[4]] > relevance[ids[7]]  # opioids, as the include was


def test_each_login_screens_as_itself(logins, server_url, pg_with_login, make_ris):
    with Library.open(server_url, coder="owner") as owner:
        owner.files.import_file(_records(make_ris, 2))
        for name in logins:
            owner.team.grant(name)
        rid = owner.search_ids()[0]
    ann_name, bo_name = logins
    with Library.open(pg_with_login(server_url, ann_name)) as ann, \
            Library.open(pg_with_login(server_url, bo_name)) as bo:
        ann.screening.decide(rid, "include")
        bo.screening.decide(rid, "exclude", reason="1")
        bo.screening.add_reason("Duplicate publication", "d")  # the list is the team's
        ann.screening.resolve(rid, "include")  # anyone may record the consensus
        with pytest.raises(LibraryError):
            bo.screening.decide(rid, "exclude", coder=ann_name)  # never as someone else
        assert ann.screening.decision(rid).decision == "include"
        assert ann.screening.agreement(ann_name, bo_name).records == 1


def test_the_filter_shows_the_coders_screening_state(screened):
    ann, bo, ids = screened
    ann.screening.decide(ids[0], "include")
    ann.screening.decide(ids[1], "exclude")
    ann.screening.decide(ids[2], "maybe")
    bo.screening.decide(ids[3], "include")  # bo's decision: not in ann's view
    assert ann.search_ids(status="included") == [ids[0]]
    assert ann.search_ids(status="excluded") == [ids[1]]
    assert ann.search_ids(status="maybe") == [ids[2]]
    assert ann.search_ids(status="unscreened") == ids[3:]
    assert ann.search_ids("opioid", status="unscreened") == [ids[4], ids[6]]
    bo.screening.resolve(ids[1], "include")  # the consensus wins over ann's own
    assert ann.search_ids(status="included") == [ids[0], ids[1]]
    assert bo.search_ids(status="included", sort="title") == sorted(
        [ids[1], ids[3]], key=lambda i: ann.record(i).title)
    # final decisions: the consensus, else what everyone who decided agrees on
    assert ann.screening.included(ids) == [ids[0], ids[1], ids[3]]
    assert bo.screening.stopping().screened == 1


def test_prisma_counts_name_each_file(any_library, make_ris):
    any_library.files.import_file(_records(make_ris, 3))
    any_library.files.import_file(make_ris("more.ris", [{"TY": "JOUR", "TI": "Other"}]))
    ids = any_library.search_ids()
    any_library.screening.decide(ids[0], "exclude", reason="2")
    flow = any_library.screening.prisma()
    assert (flow["identified: s.ris"], flow["identified: more.ris"],
            flow["records identified"]) == (3, 1, 4)
    assert (flow["excluded: Wrong intervention or exposure"],
            flow["records awaiting screening"]) == (1, 3)
