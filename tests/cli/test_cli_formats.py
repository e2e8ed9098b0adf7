"""The installed command imports every export format, and BibTeX goes out and comes back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ui.test_import_formats_gui import FORMATS, needs_corpus, one_file_per_format


@needs_corpus
@pytest.mark.parametrize("row", one_file_per_format(), ids=lambda r: r["format"])
def test_cli_imports_each_format(cli, tmp_path, row):
    lib = str(tmp_path / "lib.sqlite")
    out = cli("--library", lib, "import", str(FORMATS / row["file"]))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"({row['records_expected']} read, " in out.stdout
    records = json.loads(cli("--library", lib, "list", "--json").stdout)
    assert 0 < len(records) <= int(row["records_expected"])
    assert sum(1 for r in records if r["abstract"]) <= int(row["with_abstract"])


BIB = r"""@article{Mueller2021,
  author = {M{\"u}ller, Anna and {World Health Organization}},
  title = {{COVID}-19 and night shifts: 50\% of nurses \& more},
  journal = {Journal of Advanced Nursing}, year = {2021}, volume = {7}, number = {2},
  pages = {10--20}, doi = {10.1000/xyz.1}, keywords = {nursing; shift work},
  abstract = {Background: Night work.

Methods: Interviews.}, month = {jan},
}
@incollection{Li2019, author = {Li, Wei}, title = {Third}, booktitle = {A Book}, year = 2019}
"""


def test_bibtex_to_library_to_bibtex_to_library_keeps_records_and_fields(cli, tmp_path):
    source = tmp_path / "refs.bib"
    source.write_text(BIB, encoding="utf-8")
    first, second = str(tmp_path / "one.sqlite"), str(tmp_path / "two.sqlite")
    assert cli("--library", first, "import", str(source)).returncode == 0
    exported = tmp_path / "out.bib"
    out = cli("--library", first, "export", "--format", "bibtex", "--all", "-o", str(exported))
    assert out.returncode == 0, out.stderr
    assert "month = {jan}" in exported.read_text(encoding="utf-8")
    assert cli("--library", second, "import", str(exported)).returncode == 0

    def listed(lib: str) -> list[dict[str, object]]:
        rows = json.loads(cli("--library", lib, "list", "--json").stdout)
        return [{k: v for k, v in r.items() if k != "id"} for r in rows]

    before, after = listed(first), listed(second)
    assert after == before
    assert before[0]["authors"] == ["Müller, Anna", "World Health Organization"]
    assert before[0]["title"] == "COVID-19 and night shifts: 50% of nurses & more"
    assert before[0]["abstract"] == "Background: Night work.\nMethods: Interviews."
    assert before[1]["type"] == "CHAP"


def test_cli_refuses_a_file_in_no_format_it_reads_and_changes_nothing(cli, tmp_path):
    lib = str(tmp_path / "lib.sqlite")
    notes = Path(tmp_path / "notes.txt")
    notes.write_text("my search notes\n", encoding="utf-8")
    out = cli("--library", lib, "import", str(notes))
    assert out.returncode == 1
    assert "notes.txt" in out.stdout
    assert "MEDLINE" in out.stdout
    assert "BibTeX" in out.stdout
    assert json.loads(cli("--library", lib, "list", "--json").stdout) == []
