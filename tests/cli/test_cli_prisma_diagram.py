"""`litdesk counts --diagram FILE`: the PRISMA flow diagram, SVG or PNG, written as exports are."""

from __future__ import annotations

import os
import stat
import struct
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli.test_cli_prisma_export import ARTICLE, OTHER, POSTER

SVG = "{http://www.w3.org/2000/svg}"


def _library(cli, tmp_path: Path, make_ris, medline: str = "medline.ris") -> str:
    lib = str(tmp_path / "review.sqlite")
    files = (make_ris(medline, [ARTICLE, OTHER, ARTICLE]),
             make_ris("embase.ris", [POSTER, ARTICLE, OTHER]))
    out = cli("--library", lib, "import", *map(str, files))
    assert out.returncode == 0, out.stderr
    return lib


def _text(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return " ".join(" ".join("".join(t.itertext()).replace("\u00a0", " ").split())
                    for t in root.iter(f"{SVG}text"))


def test_the_svg_names_each_file_and_the_duplicates_removed(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris)
    out = cli("--library", lib, "counts", "--diagram", str(tmp_path / "flow.svg"))
    assert out.returncode == 0, out.stderr
    assert f"PRISMA flow diagram written to {tmp_path / 'flow.svg'}" in out.stdout
    text = _text((tmp_path / "flow.svg").read_bytes())
    assert "Records identified from 2 search result files (n = 6)" in text
    assert "medline.ris (n = 3)" in text
    assert "embase.ris (n = 3)" in text
    assert "Duplicates within a file (n = 1)" in text
    assert "Duplicates of records already imported (n = 2)" in text


def test_a_png_is_drawn_at_print_resolution(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris)
    out = cli("--library", lib, "counts", "--diagram", str(tmp_path / "flow.png"),
              env={k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")})
    assert out.returncode == 0, out.stderr
    data = (tmp_path / "flow.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 2000
    assert height > 800
    assert b"pHYs" in data  # its resolution is stated, so a word processor sizes it right


def test_a_hostile_file_name_is_text_in_the_svg(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris, medline="<script>alert(1)<&>.ris")
    out = cli("--library", lib, "counts", "--diagram", "-")
    assert out.returncode == 0, out.stderr
    assert "<script>" not in out.stdout
    assert "&lt;script&gt;alert(1)&lt;&amp;&gt;.ris" in out.stdout
    assert "<script>alert(1)<&>.ris (n = 3)" in _text(out.stdout.encode())


@pytest.mark.parametrize("where", ["library", "journal", "missing folder", "folder"])
def test_a_destination_it_must_not_write_is_refused_and_nothing_changes(cli, tmp_path,
                                                                       make_ris, where):
    lib = _library(cli, tmp_path, make_ris)
    before = Path(lib).read_bytes()
    dest = {"library": lib, "journal": lib + "-journal",
            "missing folder": str(tmp_path / "no" / "such" / "flow.svg"),
            "folder": str(tmp_path)}[where]
    out = cli("--library", lib, "counts", "--diagram", dest)
    assert out.returncode == 1
    assert out.stderr.startswith("litdesk: ")
    assert dest in out.stderr
    assert "Traceback" not in out.stderr
    assert Path(lib).read_bytes() == before
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_gets_the_svg_and_stays_a_pipe(cli, tmp_path, make_ris):
    lib = _library(cli, tmp_path, make_ris)
    fifo = tmp_path / "flow.svg"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    out = cli("--library", lib, "counts", "--diagram", str(fifo))
    reader.join(60)
    assert out.returncode == 0, out.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert "medline.ris (n = 3)" in _text(got[0])


def test_the_screening_stage_counts_final_decisions_and_reasons(cli, tmp_path, make_ris):
    from litdesk.store.library import Library

    lib = _library(cli, tmp_path, make_ris)
    with Library.open(lib, coder="ana") as opened:  # the window's and the CLI's facade
        first, second, third = opened.search_ids("")
        opened.screening.decide(first, "include")
        opened.screening.decide(second, "exclude", "Wrong population")
        opened.screening.decide(third, "exclude", coder="bea")
        opened.screening.decide(third, "include", coder="cem")  # a conflict: no final yet
    out = cli("--library", lib, "counts", "--diagram", str(tmp_path / "flow.svg"))
    assert out.returncode == 0, out.stderr
    text = _text((tmp_path / "flow.svg").read_bytes())
    assert "Records screened (title and abstract) (n = 3)" in text
    assert "Records excluded (n = 1) Wrong population (n = 1)" in text
    assert "Records included after screening (n = 1)" in text
    assert "Screeners disagree, awaiting consensus (n = 1)" in text
    assert "Not yet screened" not in text
