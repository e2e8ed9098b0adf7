"""The PRISMA 2020 flow diagram (identification and screening) drawn as SVG by plain Python."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import IO, Final
from xml.sax.saxutils import escape, quoteattr

from litdesk.core.words import counted

#: The diagram's width in CSS pixels (its height follows from what it holds).
WIDTH: Final[int] = 880
_FONT: Final[str] = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
_SIZE: Final[int] = 13  # font size of the boxes' text
_LINE: Final[int] = 18  # line height
_PAD: Final[int] = 10  # padding inside a box
_GAP: Final[int] = 34  # vertical space between rows (room for an arrow)
_MIN_ROW: Final[int] = 96  # room for the longest stage label, turned
_BAND_X, _BAND_W = 12, 34  # the blue stage labels on the left
_MAIN_X, _MAIN_W = 62, 400  # the left column of boxes
_SIDE_X, _SIDE_W = 506, 362  # the right column (records removed or excluded)
_CHAR_W: Final[float] = 0.64  # a generous mean glyph width, in ems, for wrapping
#: Characters XML 1.0 cannot hold at all, escaped or not (C0 controls but tab and newline,
#: lone surrogates, U+FFFE/U+FFFF): dropped from untrusted names.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[^\S\u00a0]+")  # any run of white space but a no-break space
_YELLOW, _BLUE, _INK = "#fbe5a2", "#c5d9ef", "#1a1a1a"


@dataclass(frozen=True)
class PrismaFlow:
    """The numbers of the identification and screening stages of a PRISMA 2020 flow.

    ``sources``: (file name, records read from it), in import order. Records screened are
    those with a decision; ``screened == included + excluded + maybe + conflicts`` (records
    the screeners decided differently, awaiting a consensus); ``reasons`` break the
    excluded records down ((reason, n), most frequent first; a record excluded without a
    reason is left out of them).
    """

    sources: tuple[tuple[str, int], ...] = ()
    duplicates_in_files: int = 0
    duplicates_in_library: int = 0
    merged: int = 0
    screened: int = 0
    excluded: int = 0
    reasons: tuple[tuple[str, int], ...] = ()
    included: int = 0
    maybe: int = 0
    conflicts: int = 0
    unscreened: int = 0
    library: str = ""
    date: str = ""

    @property
    def identified(self) -> int:
        """Records read from every source file."""
        return sum(n for _name, n in self.sources)

    @property
    def removed(self) -> int:
        """Records removed before screening (duplicates of every kind)."""
        return self.duplicates_in_files + self.duplicates_in_library + self.merged


def clean(text: str) -> str:
    """``text`` as a diagram may show it: characters XML cannot hold dropped, spaces collapsed."""
    return _SPACES.sub(" ", _NOT_XML.sub("", text)).strip()


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines that fit ``width`` pixels (long names broken wherever they must be);
    ``indent`` starts each line (and two spaces more each line after the first)."""
    chars = max(8, int((width - 2 * _PAD) / (_SIZE * _CHAR_W)))
    return textwrap.wrap(clean(text), chars - len(indent), initial_indent=indent,
                         subsequent_indent=indent + "  ", break_long_words=True,
                         break_on_hyphens=True) or [""]


def _n(value: int) -> str:
    """``(n = 1,234)`` held together (no-break spaces: never split over two lines)."""
    return f"(n\u00a0=\u00a0{value:,})"


def _lines(flow: PrismaFlow) -> dict[str, list[tuple[str, bool]]]:
    """Each box's lines of text, as (line, bold)."""
    def para(text: str, bold: bool = False, width: int = _MAIN_W,
             item: bool = False) -> list[tuple[str, bool]]:
        return [(line, bold) for line in _wrap(text, width, "  " if item else "")]

    files = len(flow.sources)
    ident = para(f"Records identified from {files:,} search result file"
                 f"{'' if files == 1 else 's'} {_n(flow.identified)}:", True)
    for name, n in flow.sources:
        ident += para(f"{clean(name) or '(unnamed file)'} {_n(n)}", item=True)
    removed = para("Records removed before screening:", True, _SIDE_W)
    removed += para(f"Duplicates within a file {_n(flow.duplicates_in_files)}",
                    width=_SIDE_W, item=True)
    removed += para(f"Duplicates of records already imported {_n(flow.duplicates_in_library)}",
                    width=_SIDE_W, item=True)
    removed += para(f"Duplicates merged after review {_n(flow.merged)}",
                    width=_SIDE_W, item=True)
    screened = para(f"Records screened (title and abstract) {_n(flow.screened)}", True)
    if flow.unscreened:
        screened += para(f"Not yet screened {_n(flow.unscreened)}")
    excluded = para(f"Records excluded {_n(flow.excluded)}", True, _SIDE_W)
    for reason, n in flow.reasons:
        excluded += para(f"{clean(reason) or '(no reason)'} {_n(n)}", width=_SIDE_W,
                         item=True)
    unexplained = flow.excluded - sum(n for _r, n in flow.reasons)
    if flow.reasons and unexplained > 0:
        excluded += para(f"No reason given {_n(unexplained)}", width=_SIDE_W, item=True)
    included = para(f"Records included after screening {_n(flow.included)}", True)
    if flow.maybe:
        included += para(f"Marked maybe, awaiting a decision {_n(flow.maybe)}")
    if flow.conflicts:
        included += para(f"Screeners disagree, awaiting consensus {_n(flow.conflicts)}")
    return {"ident": ident, "removed": removed, "screened": screened, "excluded": excluded,
            "included": included}


def _box(x: int, y: int, w: int, lines: list[tuple[str, bool]], h: int) -> list[str]:
    out = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#ffffff" stroke="{_INK}" '
           'stroke-width="1.2"/>']
    for i, (line, bold) in enumerate(lines):
        weight = ' font-weight="bold"' if bold else ""
        out.append(f'<text x="{x + _PAD}" y="{y + _PAD + _SIZE + i * _LINE}"{weight} '
                   f'xml:space="preserve">{escape(line)}</text>')
    return out


def _band(y: int, h: int, label: str) -> str:
    cx, cy = _BAND_X + _BAND_W / 2, y + h / 2
    return (f'<rect x="{_BAND_X}" y="{y}" width="{_BAND_W}" height="{h}" rx="8" '
            f'fill="{_BLUE}" stroke="{_INK}" stroke-width="0.8"/>'
            f'<text x="{cx}" y="{cy}" transform="rotate(-90 {cx} {cy})" text-anchor="middle" '
            f'dominant-baseline="central" font-weight="bold">{escape(label)}</text>')


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{_INK}" stroke-width="1.4" '
            'marker-end="url(#arrow)"/>')


def diagram_svg(flow: PrismaFlow) -> str:
    """The PRISMA 2020 flow diagram of ``flow`` as an SVG document (every name escaped)."""
    boxes = _lines(flow)
    body: list[str] = []
    top = 14
    head_h = 34
    body.append(f'<rect x="{_MAIN_X}" y="{top}" width="{_SIDE_X + _SIDE_W - _MAIN_X}" '
                f'height="{head_h}" rx="6" fill="{_YELLOW}" stroke="{_INK}" stroke-width="0.8"/>')
    body.append(f'<text x="{(_MAIN_X + _SIDE_X + _SIDE_W) / 2}" y="{top + head_h / 2}" '
                'text-anchor="middle" dominant-baseline="central" font-weight="bold" '
                'font-size="15">Identification of studies via databases and registers</text>')
    y = top + head_h + 20
    rows = (("Identification", "ident", "removed"), ("Screening", "screened", "excluded"),
            ("Included", "included", None))
    previous_bottom: int | None = None
    for label, main, side in rows:
        main_h = 2 * _PAD + len(boxes[main]) * _LINE
        side_h = 2 * _PAD + len(boxes[side]) * _LINE if side else 0
        h = max(main_h, side_h, _MIN_ROW)
        body.append(_band(y, h, label))
        body += _box(_MAIN_X, y, _MAIN_W, boxes[main], h)
        if side:
            body += _box(_SIDE_X, y, _SIDE_W, boxes[side], h)
            body.append(_arrow(_MAIN_X + _MAIN_W, y + h / 2, _SIDE_X - 2, y + h / 2))
        if previous_bottom is not None:
            cx = _MAIN_X + _MAIN_W / 2
            body.append(_arrow(cx, previous_bottom, cx, y - 2))
        previous_bottom = y + h
        y += h + _GAP
    foot = ""
    if flow.library or flow.date:
        said = " · ".join(clean(part) for part in (flow.library, flow.date) if part)
        foot = (f'<text x="{_MAIN_X}" y="{y - _GAP + 22}" font-size="10" fill="#555555">'
                f'{escape("litdesk · " + said)}</text>')
        y += 10
    height = y - _GAP + 20
    title = escape(f"PRISMA 2020 flow diagram: {counted(flow.identified, 'record')} identified, "
                   f"{flow.included:,} included")
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family={quoteattr(_FONT)} '
        f'font-size="{_SIZE}" fill="{_INK}">',
        f"<title>{title}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{_INK}"/></marker></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        *body, foot, "</svg>", ""])


def write_diagram_svg(flow: PrismaFlow, out: IO[bytes]) -> int:
    """Write the diagram of ``flow`` to ``out`` as UTF-8 SVG; the bytes written."""
    data = diagram_svg(flow).encode("utf-8")
    out.write(data)
    return len(data)
