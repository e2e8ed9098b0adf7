"""One write path: background work and the coder's writes share a library without anyone
stopping anyone, on both engines.

The suggestion check runs on a thread while an import runs on another and the coder tags on
the main thread: every change lands, and the check waits for the import instead of failing.
A main-thread write that waits too
long behind one (a long import) is refused with a message, not frozen for good.
"""

from __future__ import annotations

import threading
import time

import pytest

from litdesk.store.errors import LibraryError
from litdesk.store.importer import import_file

STRUCTURED = ("Background: Opioids are prescribed often. Aim: To explore GPs' views. "
              "Methods: Interviews with 20 GPs. Results: Three themes. Conclusion: Support.")


def _records(n: int, title: str) -> list[dict[str, object]]:
    return [{"TY": "JOUR", "TI": f"{title} {i}", "AB": f"{STRUCTURED} {title} {i}."}
            for i in range(n)]


def test_check_import_and_tags_at_once_all_land(any_library, make_ris):
    lib = any_library
    import_file(lib, make_ris("first.ris", _records(600, "First")))
    ids = lib.search_ids()
    errors: list[BaseException] = []
    checked: list[int] = []

    def run(job) -> None:
        try:
            job()
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    second = make_ris("second.ris", _records(400, "Second"))
    check = threading.Thread(target=run, args=(lambda: checked.append(
        lib.suggestions.check_pending()),))
    importing = threading.Thread(target=run, args=(lambda: import_file(lib, second),))
    check.start()
    importing.start()
    for n, rid in enumerate(ids[:40]):  # the coder tags meanwhile, on the main thread
        lib.tag(rid, 0, 10, "background")
        if n == 20:
            importing.join()
    check.join(120)
    importing.join(120)
    assert not errors, errors
    assert all(lib.spans(rid) for rid in ids[:40]), "every tag was saved"
    assert lib.count() == 1000
    lib.suggestions.check_pending()  # the second import's records, if the check ended first
    assert len(lib.search_ids(status="suggested")) == 1000 - 40
    assert checked
    assert checked[0] >= 600


def test_a_tag_behind_a_long_background_write_is_refused_in_time(any_library, make_ris):
    lib = any_library
    import_file(lib, make_ris("one.ris", _records(1, "Only")))
    rid = lib.search_ids()[0]
    lib.write_path.timeout_s = 0.3
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:  # an import's transaction, say
        with lib.session() as s, s.begin():
            holding.set()
            release.wait(10)

    other = threading.Thread(target=long_write)
    other.start()
    holding.wait(10)
    start = time.perf_counter()
    with pytest.raises(LibraryError, match="busy saving other changes"):
        lib.tag(rid, 0, 10, "aim")
    waited = time.perf_counter() - start
    release.set()
    other.join()
    assert waited < 5
    assert lib.spans(rid) == []
    lib.tag(rid, 0, 10, "aim")  # once it is over, the tag goes through
    assert [s.label for s in lib.spans(rid)] == ["aim"]
