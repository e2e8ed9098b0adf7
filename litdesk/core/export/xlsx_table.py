"""Evidence table as an Excel workbook, written row by row (openpyxl write-only mode)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, Final

from litdesk.core.export.streaming import Cancelled, Progress, each_record
from litdesk.core.export.table import TABLE_COLUMNS, Cell, looks_like_formula, table_rows
from litdesk.core.model import LABELS, Record

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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
) -> int:
    """Write the evidence table (:data:`TABLE_COLUMNS`) of ``records`` to ``out``; the count.

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
        sheet.column_dimensions[get_column_letter(index)].width = 50 if name in _WIDE else 14
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
    workbook.save(out)
    return count


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
