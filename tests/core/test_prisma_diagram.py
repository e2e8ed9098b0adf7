"""The PRISMA 2020 flow diagram as SVG: well-formed, every number in it, untrusted names inert."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from litdesk.core.export.prisma_diagram import PrismaFlow, diagram_svg, write_diagram_svg

SVG = "{http://www.w3.org/2000/svg}"
FLOW = PrismaFlow((("medline.ris", 1234), ("embase.ris", 987)), 40, 210, 12, screened=1500,
                  excluded=1400, reasons=(("wrong population", 700), ("not primary", 500)),
                  included=80, maybe=20, unscreened=462, library="review.sqlite",
                  date="2026-12-07")


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))  # raises on anything not well-formed
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()).replace("\u00a0", " ") for t in root.iter(f"{SVG}text")]


def test_every_count_of_the_flow_is_drawn_in_its_box() -> None:
    texts = _texts(diagram_svg(FLOW))
    joined = " ".join(" ".join(t.split()) for t in texts)  # a wrapped line read as one
    for line in ("Records identified from 2 search result files", "medline.ris (n = 1,234)",
                 "embase.ris (n = 987)", "Duplicates within a file (n = 40)",
                 "Duplicates merged after review (n = 12)",
                 "Records excluded (n = 1,400)", "wrong population (n = 700)",
                 "No reason given (n = 200)", "Records included after screening (n = 80)",
                 "Marked maybe, awaiting a decision (n = 20)", "Not yet screened (n = 462)"):
        assert line in joined, line
    assert "files (n = 2,221)" in joined  # identified: the files' sum
    assert "already imported (n = 210)" in joined
    assert "(title and abstract) (n = 1,500)" in joined
    assert "(n =" not in [t.strip()[-4:] for t in texts]  # a count never split from its n


def test_a_hostile_file_name_stays_text_and_the_document_stays_xml() -> None:
    evil = '</text><script>alert(1)</script>&amp;"\x00\x1b\ud800\ufffe.ris'
    flow = PrismaFlow(((evil, 3), ("x" * 300 + ".ris", 2)), reasons=(("<b>bold</b>", 1),),
                      excluded=1, screened=1)
    svg = diagram_svg(flow)
    root = ET.fromstring(svg.encode("utf-8"))
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter("script"))
    texts = _texts(svg)
    joined = "".join(t.strip() for t in texts)
    assert '</text><script>alert(1)</script>&amp;".ris (n = 3)' in joined
    assert "<b>bold</b> (n = 1)" in joined
    # A name too long for its box is broken over lines, none longer than the box holds.
    assert max(len(t) for t in texts) < 70


def test_the_writer_writes_utf8_bytes_it_counts() -> None:
    out = io.BytesIO()
    n = write_diagram_svg(PrismaFlow((("münchen.ris", 1),)), out)
    assert n == len(out.getvalue())
    assert "münchen.ris".encode() in out.getvalue()
    assert out.getvalue().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
