"""Has-suggestions flags are worked out after an import, and never lost on the way."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from litdesk.core.sections import suggest_sections
from litdesk.store import suggestions
from litdesk.store.copy import copy_library
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.store.pending import PENDING_KEY, as_ranges, normal, without
from litdesk.store.suggestions import check_pending, pending

STRUCTURED = ("Background: Opioids are prescribed often. Aim: To explore GPs' views. "
              "Methods: Interviews with 20 GPs. Results: Three themes. Conclusion: Support.")
PLAIN = "An unstructured abstract about results that were mixed and methods we used."


def _records(n: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        abstract = STRUCTURED if rng.random() < 0.4 else PLAIN
        out.append({"TY": "JOUR", "TI": f"Paper {i}", "PY": "2021", "AB": f"{abstract} ({i})"})
    return out


def _statuses(lib: Library) -> dict[int, str]:
    return {r.id: r.status for r in lib.rows(lib.search_ids())}


def test_import_leaves_flags_pending_and_the_check_sets_them_as_suggest_sections_would(
        library, make_ris):
    summary = import_file(library, make_ris("a.ris", _records(60)))
    assert summary.added == 60
    assert pending(library) == [(1, 60)]
    assert set(_statuses(library).values()) == {"uncoded"}  # not known yet, not wrong
    assert check_pending(library) == 60
    assert pending(library) == []
    for record in library.records(library.search_ids()):
        expected = "suggested" if suggest_sections(record.abstract) else "uncoded"
        assert _statuses(library)[record.id] == expected
    assert 10 < len(library.search_ids(status="suggested")) < 50


def test_a_cancelled_check_keeps_the_rest_pending(library, make_ris, monkeypatch):
    monkeypatch.setattr(suggestions, "CHECK_CHUNK", 7)
    import_file(library, make_ris("a.ris", _records(30)))
    calls = []
    n = check_pending(library, progress=calls.append, cancelled=lambda: len(calls) >= 2)
    assert n == 14
    assert calls == [7, 14]
    assert pending(library) == [(15, 30)]
    assert check_pending(library) == 16
    assert pending(library) == []


def test_two_imports_and_a_deletion_inside_a_pending_range(library, make_ris):
    import_file(library, make_ris("a.ris", _records(10)))
    import_file(library, make_ris("b.ris", [
        {"TY": "JOUR", "TI": f"Other {i}", "AB": f"{STRUCTURED} ({i})"} for i in range(5)]))
    assert pending(library) == [(1, 15)]  # consecutive imports: one range
    library.delete_records([3, 4, 12])
    assert check_pending(library) == 12
    assert pending(library) == []
    assert all(_statuses(library)[i] == "suggested" for i in (11, 13, 14, 15))


def test_restored_records_are_checked_again(library, make_ris):
    import_file(library, make_ris("a.ris", [{"TY": "JOUR", "TI": "S", "AB": STRUCTURED}]))
    snapshot = library.delete_records([1])
    check_pending(library)  # the record is gone: its range is used up
    assert pending(library) == []
    library.restore_records(snapshot)
    assert pending(library) == [(1, 1)]
    check_pending(library)
    assert _statuses(library)[1] == "suggested"


@pytest.mark.parametrize("note", ["not json", "[[1]]", '{"a": 1}', "[[5, 2]]", "[['x', 3]]"])
def test_a_damaged_note_costs_only_the_flags(library, make_ris, note):
    import_file(library, make_ris("a.ris", _records(5)))
    library.set_meta(PENDING_KEY, note)
    assert pending(library) == []
    assert check_pending(library) == 0
    assert library.count() == 5
    import_file(library, make_ris("b.ris", [{"TY": "JOUR", "TI": "S", "AB": STRUCTURED}]))
    assert pending(library) == [(6, 6)]  # a new import starts a good note again
    check_pending(library)
    assert _statuses(library)[6] == "suggested"


def test_a_copy_keeps_what_is_still_to_be_checked(library, make_ris, tmp_path):
    import_file(library, make_ris("a.ris", _records(8)))
    with Library.open(tmp_path / "merge.sqlite", coder="tester") as dest:
        import_file(dest, make_ris("b.ris", [{"TY": "JOUR", "TI": "Mine", "AB": PLAIN}]))
        check_pending(dest)
        copy_library(library, dest, merge=True)
        assert pending(dest) == [(2, 9)]
        check_pending(dest)
        check_pending(library)
        flags = {r.title: r.status for r in dest.rows(dest.search_ids())}
        assert flags == {r.title: r.status for r in library.rows(library.search_ids())} | {
            "Mine": "uncoded"}


def test_ranges():
    assert as_ranges([5, 1, 2, 3, 7, 6]) == [(1, 3), (5, 7)]
    assert normal([(4, 9), (1, 3), (20, 20), (8, 12)]) == [(1, 12), (20, 20)]
    assert without([(1, 10)], 3, 5) == [(1, 2), (6, 10)]
    assert without([(1, 10), (20, 30)], 5, 25) == [(1, 4), (26, 30)]
    assert without([(1, 3)], 1, 3) == []


def test_cli_commands_that_show_status_work_the_flags_out(tmp_path, make_ris):
    lib = str(tmp_path / "cli.sqlite")
    ris = make_ris("a.ris", [{"TY": "JOUR", "TI": "Structured", "AB": STRUCTURED},
                             {"TY": "JOUR", "TI": "Plain", "AB": PLAIN}])

    def litdesk(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "litdesk", "--library", lib, *args],
                              capture_output=True, text=True, check=True, timeout=120).stdout

    litdesk("import", str(ris))
    listed = litdesk("list")
    assert "Structured  [suggested]" in listed
    assert "Plain  [uncoded]" in listed
