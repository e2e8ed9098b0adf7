"""Evidence table as an Excel workbook, written row by row (openpyxl write-only mode)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, Final

from litdesk.core.export.prisma import HEADER, SHEET, PrismaCounts
from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.export.table import TABLE_COLUMNS, Cell, looks_like_formula, table_rows
from litdesk.core.model import LABELS, Record

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder

#: Excel refuses cells longer than this.
MAX_CELL: Final[int] = 32767
_WIDE: Final[frozenset[str]] = frozenset({"title", "memo", *LABELS})
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: What XML 1.0 does not allow in a sheet (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL: Final = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def write_xlsx(
    records: Iterable[Record],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    counts: PrismaCounts | None = None,
) -> int:
    """Write the evidence table (:data:`TABLE_COLUMNS`) of ``records`` to ``out``; the count.

    With ``counts``, a second sheet (:data:`~litdesk.core.export.prisma.SHEET`) holds them: the
    library's name and the date, then one ``count, value`` row per count.

    Text that a spreadsheet would run as a formula is written as an explicit string cell
    with Excel's "quote prefix", so it shows (and reads back) as the text itself.
    """
    # openpyxl is imported here, not with the module: the app and CLI start without it.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet("Evidence")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(TABLE_COLUMNS, start=1):
        _columns(sheet)[get_column_letter(index)].width = 50 if name in _WIDE else 14
    header = []
    for name in TABLE_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for record in each_record(records, progress, cancelled):
        for row in table_rows(record):
            sheet.append([_cell(sheet, value, WriteOnlyCell, wrap) for value in row])
        count += 1
    if counts is not None:
        sheet = workbook.create_sheet(SHEET)
        _counts_sheet(sheet, counts, lambda v: _cell(sheet, v, WriteOnlyCell, wrap),
                      lambda v: WriteOnlyCell(sheet, value=v), Font(bold=True))
    workbook.save(out)
    return count


def _columns(sheet: WriteOnlyWorksheet) -> DimensionHolder[str, ColumnDimension]:
    """The sheet's column widths. A write-only sheet has them (``Worksheet._setup`` makes
    them), but types-openpyxl leaves them out of its WriteOnlyWorksheet."""
    columns: DimensionHolder[str, ColumnDimension] = sheet.column_dimensions  # type: ignore[attr-defined]
    return columns


def _counts_sheet(sheet: WriteOnlyWorksheet, counts: PrismaCounts, text: Any, make: Any,
                  bold: Any) -> None:
    """The library's name and the date, a blank row, then ``count, value`` rows."""
    _columns(sheet)["A"].width = 28
    _columns(sheet)["B"].width = 24

    def heading(name: str) -> Any:
        cell = make(name)
        cell.font = bold
        return cell

    sheet.append([heading("library"), text(counts.library)])
    sheet.append([heading("date"), text(counts.date)])
    sheet.append([])
    sheet.append([heading(name) for name in HEADER])
    for name, value in counts.counts.items():
        sheet.append([text(name), int(value)])


def _cell(sheet: WriteOnlyWorksheet, value: Cell, make: Any, wrap: Any) -> Any:
    if value == "":
        return None  # a blank cell, rather than an empty inline-string element
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in the XML of a sheet; replace them one for one.
    text = _SURROGATE.sub("\ufffd", _ILLEGAL.sub("\ufffd", value))
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    cell = make(sheet, value=text)
    if looks_like_formula(text):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
    if "\n" in text or len(text) > 50:
        cell.alignment = wrap
    return cell
