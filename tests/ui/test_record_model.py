"""The records table model against plain Python on a few thousand generated records.

The library is built once per module by importing a generated RIS file through litdesk's own
importer, then coded through the Library API. Every expectation is computed from the
generated data in plain Python, never read back through the code under test.
"""

from __future__ import annotations

import importlib.util
import random
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from litdesk.core.model import LABELS, Span
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.views.record_model import RecordTableModel

N = 2500
SEED, WORDS = 11, 60  # short abstracts: the import stays quick
CODER = "tester"
_spec = importlib.util.spec_from_file_location(
    "gen_records", Path(__file__).resolve().parents[1] / "benchmarks" / "gen_records.py")
assert _spec is not None
assert _spec.loader is not None
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen  # dataclasses look their module up
_spec.loader.exec_module(gen)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", bare).strip()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


class Data:
    """The generated records by library id, and what was coded."""

    def __init__(self, records: dict[int, object], sections: dict[int, int], memo: dict[int, str]):
        self.records = records
        self.sections = sections
        self.memo = memo
        self._tokens: dict[tuple[int, str | None], set[str]] = {}

    def ids(self) -> list[int]:
        return sorted(self.records)

    def tokens(self, rid: int, field: str | None = None) -> set[str]:
        if (rid, field) not in self._tokens:
            self._tokens[rid, field] = self._words(rid, field)
        return self._tokens[rid, field]

    def _words(self, rid: int, field: str | None) -> set[str]:
        r = self.records[rid]
        fields = {"title": r.title, "authors": " ".join(r.authors), "abstract": r.abstract,
                  "keywords": " ".join(r.keywords), "journal": r.journal}
        if field is not None:
            return set(words(fields[field]))
        return set(words(" ".join(fields.values())))

    def key(self, column: str, rid: int) -> tuple:
        r = self.records[rid]
        if column == "author":
            return (fold(r.authors[0].split(",")[0])[:200],)
        if column == "year":
            return (r.year is not None, r.year or 0)  # no year sorts first, as NULL does
        if column == "title":
            return (fold(r.title)[:200],)
        if column == "journal":
            return (fold(r.journal)[:200],)
        return (self.sections.get(rid, 0),)

    def sorted_ids(self, column: str, descending: bool) -> list[int]:
        ordered = sorted(self.ids(), key=lambda rid: (*self.key(column, rid), rid))
        return ordered[::-1] if descending else ordered


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Data]:
    folder = tmp_path_factory.mktemp("model")
    ris = gen.write_ris(folder / "gen.ris", gen.Generator(SEED, abstract_words=WORDS).records(N))
    path = folder / "library.litdesk.sqlite"
    with Library.open(path, coder=CODER) as lib:
        summary = import_file(lib, ris)
        assert summary.added == N, summary.line()
        by_doi = {r.doi: r for r in gen.Generator(SEED, abstract_words=WORDS).records(N)}
        records = {rec.id: by_doi[rec.doi] for rec in lib.records(lib.search_ids())}
        rng = random.Random(3)
        sections: dict[int, int] = {}
        for rid in rng.sample(sorted(records), 120):
            k = rng.randint(1, len(LABELS))
            abstract = records[rid].abstract
            cuts = sorted(rng.sample(range(1, len(abstract)), k))
            lib.set_spans(rid, [Span(a, b, LABELS[i]) for i, (a, b)
                                in enumerate(zip([0, *cuts], cuts, strict=False))])
            sections[rid] = k
        memo = {rid: "Check with Zephyrine later" for rid in rng.sample(sorted(records), 5)}
        for rid, text in memo.items():
            lib.set_memo(rid, text)
    return path, Data(records, sections, memo)


@pytest.fixture(scope="module")
def populated(built):
    """The built library, shared by the tests that only read it."""
    path, data = built
    lib = Library.open(path, coder=CODER)
    yield lib, data
    lib.close()


@pytest.fixture
def mutable(built, tmp_path):
    """A copy of the built library, for a test that changes it."""
    path, data = built
    copy = tmp_path / "copy.litdesk.sqlite"
    shutil.copy(path, copy)
    lib = Library.open(copy, coder=CODER)
    yield lib, data
    lib.close()


def shown_ids(model: RecordTableModel) -> list[int]:
    return [model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(model.rowCount())]


def test_empty_library_passes_the_model_tester(qtmodeltester, library):
    model = RecordTableModel(library)
    assert model.rowCount() == 0
    qtmodeltester.check(model)
    model.set_filter("opio*", "coded")
    model.sort(RecordTableModel.TITLE, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_populated_model_passes_the_model_tester(qtmodeltester, populated):
    lib, data = populated
    model = RecordTableModel(lib)
    assert model.rowCount() == N
    qtmodeltester.check(model)
    model.set_filter(gen.COMMON, None)
    qtmodeltester.check(model)
    model.sort(RecordTableModel.YEAR, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_filter("", "partly coded")
    qtmodeltester.check(model)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", [c for c, key in enumerate(RecordTableModel.SORT_KEYS)
                                    if key not in RecordTableModel.LOCAL_SORTS])
def test_sort_order_matches_python(populated, column, descending):
    lib, data = populated
    model = RecordTableModel(lib)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(column, order)
    expected = data.sorted_ids(RecordTableModel.SORT_KEYS[column], descending)
    assert model.ids == expected
    assert shown_ids(model)[:50] == expected[:50]
    model.sort(-1, order)  # Qt's "unsorted": import order
    assert model.ids == data.ids()


def test_rows_show_the_generated_values(populated):
    lib, data = populated
    model = RecordTableModel(lib)
    for row in (0, 1, 777, N // 2, N - 1):  # far apart: several windows are fetched
        r = data.records[model.record_id(row)]
        assert model.index(row, model.TITLE).data() == r.title
        assert model.index(row, model.YEAR).data() == (str(r.year) if r.year else "")
        assert model.index(row, model.JOURNAL).data() == r.journal
        assert model.index(row, model.AUTHOR).data().startswith(r.authors[0].split(",")[0])
        sections = data.sections.get(model.record_id(row), 0)
        progress = model.index(row, model.PROGRESS).data()
        assert progress in ("suggested", "uncoded") if sections == 0 else (
            progress == f"partly coded {sections}/5" or progress.startswith("coded"))


def hits(data: Data, test) -> list[int]:
    return [rid for rid in data.ids() if test(rid)]


def test_search_results_match_python(populated):
    lib, data = populated
    model = RecordTableModel(lib)
    common = set(gen.COMMON_FORMS)
    cases = {
        gen.COMMON: hits(data, lambda i: bool(data.tokens(i) & common)),
        gen.COMMON + "s": hits(data, lambda i: bool(data.tokens(i) & common)),  # stemming
        "opio*": hits(data, lambda i: any(w.startswith("opio") for w in data.tokens(i))),
        gen.RARE: hits(data, lambda i: gen.RARE in data.tokens(i)),
        f"-{gen.COMMON}": hits(data, lambda i: not data.tokens(i) & common),
        "author:gill": hits(data, lambda i: "gill" in data.tokens(i, "authors")),
        f"{gen.COMMON} year:2000-2010": hits(
            data, lambda i: bool(data.tokens(i) & common)
            and data.records[i].year is not None and 2000 <= data.records[i].year <= 2010),
        "zephyrine": sorted(data.memo),
        "memo:zephyrine": sorted(data.memo),
    }
    assert 0.2 * N < len(cases[gen.COMMON]) < 0.4 * N  # the generator's promise
    for text, expected in cases.items():
        model.set_filter(text, None)
        assert model.ids == expected, text
        assert model.rowCount() == len(expected)


def test_search_with_sort_and_status(populated):
    lib, data = populated
    model = RecordTableModel(lib)
    model.sort(model.TITLE, Qt.SortOrder.DescendingOrder)
    model.set_filter(gen.COMMON, None)
    common = set(gen.COMMON_FORMS)
    wanted = set(hits(data, lambda i: bool(data.tokens(i) & common)))
    assert model.ids == [i for i in data.sorted_ids("title", True) if i in wanted]
    model.set_filter("", "partly coded")
    partly = {rid for rid, k in data.sections.items() if k < len(LABELS)}
    assert model.ids == [i for i in data.sorted_ids("title", True) if i in partly]
    model.set_filter("", "coded")
    coded = {rid for rid, k in data.sections.items() if k == len(LABELS)}
    assert set(model.ids) == coded


def test_requery_signals_and_lookups(qtbot, mutable):
    lib, data = mutable
    model = RecordTableModel(lib)
    with qtbot.waitSignal(model.rowsRequeried), qtbot.waitSignal(model.modelReset):
        model.set_filter(gen.RARE, None)
    rid = model.record_id(0)
    assert model.row_of(rid) == 0
    assert model.row_of(-5) is None
    assert model.record_id(model.rowCount()) is None
    with qtbot.assertNotEmitted(model.modelReset):
        model.set_filter(gen.RARE, None)  # unchanged: no reset
        model.sort(-1)
    with qtbot.waitSignal(model.dataChanged) as changed:
        lib.set_spans(rid, [Span(0, 5, "aim")])
        model.refresh_record(rid)
    assert changed.args[0].row() == 0
    assert model.index(0, model.PROGRESS).data() == "partly coded 1/5"


def test_window_fetch_is_bounded(populated, monkeypatch):
    lib, _ = populated
    model = RecordTableModel(lib)
    asked: list[int] = []
    real = lib.rows
    monkeypatch.setattr(lib, "rows", lambda ids: asked.append(len(ids)) or real(ids))
    for row in range(0, N, 7):
        model.index(row, model.TITLE).data()
    assert max(asked) <= model.WINDOW
    assert sum(asked) < 3 * N  # windows, not one query per row
    assert len(model._cache) <= model.CACHE
