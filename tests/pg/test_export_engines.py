"""Exports from either engine go through the same guard; a server library owns no files."""

from __future__ import annotations

from pathlib import Path

import pytest

from litdesk.core.export import ExportError
from litdesk.store.export import export_library
from litdesk.store.importer import import_file
from litdesk.store.library import Library


def test_a_library_refuses_only_its_own_files(any_library: Library, seed: Path,
                                              tmp_path: Path) -> None:
    import_file(any_library, seed)
    ids = any_library.search_ids()
    out = tmp_path / "out.ris"
    assert export_library(any_library, "ris", ids, out) == 1
    assert out.read_text(encoding="utf-8").startswith("TY  - ")
    if any_library.engine.dialect.name == "sqlite":
        with pytest.raises(ExportError, match="it is the library"):
            export_library(any_library, "csv", ids, any_library.path)
        assert any_library.count() == 1
    else:  # its "path" is an address, not a file: no spelling of it is one of its files
        assert any_library.own_file(str(any_library.path)) is None
        assert any_library.own_file(out) is None


def test_a_workbook_carries_the_prisma_counts_on_both_engines(any_library: Library, seed: Path,
                                                              tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from litdesk.store.merging import counts

    import_file(any_library, seed)
    import_file(any_library, seed)  # a certain duplicate against the library
    out = tmp_path / "out.xlsx"
    assert export_library(any_library, "xlsx", any_library.search_ids(), out) == 1
    book = openpyxl.load_workbook(out, read_only=True)  # holds the file open until closed
    rows = list(book["PRISMA counts"].iter_rows(values_only=True))
    book.close()
    assert rows[0] == ("library", any_library.path.name)
    figures = dict(rows[4:])
    assert figures == counts(any_library).as_json()
    assert figures["duplicates_in_library"] == 1
