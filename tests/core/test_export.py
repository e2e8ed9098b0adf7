"""Export dispatcher: FORMATS, atomic export_to_path, errors, cancellation, progress, JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from litdesk.core.export import (
    FORMATS,
    ExportCancelled,
    ExportError,
    export_to_path,
    record_to_json,
    write_json,
)
from litdesk.core.model import Record, Span

ABSTRACT = 'Aim: 𝛼 and 😀.\nMethod: "quoted" & <b>.'


def sample(record_id: int = 1) -> Record:
    return Record(
        type="JOUR",
        title=f"Title {record_id}",
        authors=("Gill, Simon",),
        year=2020,
        journal="J",
        doi="10.1/x",
        abstract=ABSTRACT,
        keywords=("k1", "k2"),
        id=record_id,
        spans=(Span(0, 14, "aim", ABSTRACT[:14], "Ana"),),
        memo="m\nm2",
    )


def many(n: int) -> Iterator[Record]:
    return (sample(i) for i in range(1, n + 1))


def test_formats_table() -> None:
    assert set(FORMATS) == {"ris", "csv", "xlsx", "segments-csv", "qdpx", "json", "bibtex"}
    for writer, suffix, description in FORMATS.values():
        assert callable(writer)
        assert suffix.startswith(".")
        assert description


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_streams_with_progress(fmt: str) -> None:
    events: list[str] = []

    def records() -> Iterator[Record]:
        for record in many(3):
            events.append(f"read {record.id}")
            yield record

    writer = FORMATS[fmt][0]
    count = writer(records(), io.BytesIO(), progress=lambda n: events.append(f"done {n}"))
    assert count == 3
    assert events == ["read 1", "done 1", "read 2", "done 2", "read 3", "done 3"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_to_path_writes_the_file(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out{FORMATS[fmt][1]}"
    assert export_to_path(fmt, many(2), target) == 2
    assert target.stat().st_size > 0
    assert os.listdir(tmp_path) == [target.name]


def test_record_to_json_shape() -> None:
    data = record_to_json(sample())
    assert list(data) == [
        "id", "type", "title", "authors", "year", "journal", "doi", "pmid", "pmcid",
        "accessions", "abstract", "keywords", "spans", "memo", "memos", "status",
    ]  # fmt: skip
    assert data["authors"] == ["Gill, Simon"]
    assert data["keywords"] == ["k1", "k2"]
    assert data["spans"] == [
        {"start": 0, "end": 14, "label": "aim", "text": ABSTRACT[:14], "coder": "Ana"}
    ]
    json.dumps(data)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_json_array_parses(n: int) -> None:
    out = io.BytesIO()
    assert write_json(many(n), out) == n
    items = json.loads(out.getvalue().decode("utf-8"))
    assert items == [record_to_json(r) for r in many(n)]


def test_json_keeps_lone_surrogates_as_escapes() -> None:
    out = io.BytesIO()
    write_json([Record(id=1, title="bad \udc80 half")], out)
    assert json.loads(out.getvalue())[0]["title"] == "bad \udc80 half"


def test_unknown_format_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_to_path("docx", [], tmp_path / "x.docx")


def test_failing_writer_leaves_existing_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.ris"
    target.write_text("precious", encoding="utf-8")

    def broken() -> Iterator[Record]:
        yield sample()
        raise RuntimeError("bug in the store")

    with pytest.raises(RuntimeError, match="bug in the store"):
        export_to_path("ris", broken(), target)
    assert target.read_text(encoding="utf-8") == "precious"
    assert os.listdir(tmp_path) == ["out.ris"]


def test_disk_error_while_writing_is_an_export_error(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("precious", encoding="utf-8")

    def full() -> Iterator[Record]:
        yield sample()
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="disk is full") as info:
        export_to_path("json", full(), target)
    assert str(target) in str(info.value)
    assert target.read_text(encoding="utf-8") == "precious"
    assert os.listdir(tmp_path) == ["out.json"]


def test_cancellation_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.qdpx"
    target.write_bytes(b"old")
    seen: list[int] = []
    with pytest.raises(ExportCancelled):
        export_to_path(
            "qdpx", many(10), target, progress=seen.append, cancelled=lambda: len(seen) >= 3
        )
    assert seen == [1, 2, 3]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.qdpx"]


def test_missing_folder_names_the_path(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.csv"
    with pytest.raises(ExportError, match="folder .* does not exist") as info:
        export_to_path("csv", many(1), target)
    assert str(target) in str(info.value)


def test_target_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(ExportError, match="out.csv"):
        export_to_path("csv", many(1), tmp_path / "out.csv")
    assert os.listdir(tmp_path) == ["out.csv"]


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions only")
def test_read_only_folder_names_the_path(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod does not stop root from writing")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="permission denied") as info:
            export_to_path("ris", many(1), folder / "out.ris")
        assert str(folder / "out.ris") in str(info.value)
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions only")
def test_new_file_gets_the_umask_permissions_not_the_temp_files(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "out.ris"
    export_to_path("ris", many(1), target)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    export_to_path("csv", many(1), target)
    assert target.stat().st_mode & 0o777 == 0o640


def test_export_package_does_not_import_qt() -> None:
    code = "import sys, litdesk.core.export; print('PySide6' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False"
