"""Workbooks (.xlsx, .xlsm, .xls) through calamine: open, choose the sheet, read and shape its grid.

Without a requested sheet, the first visible worksheet that looks like a table is read (hidden
sheets and chart sheets are skipped). Before calamine touches a sheet, the scan hook reads from
the sheet's XML (tracecheck.read.xlsx_parts) how far its cells really reach, so that a far-away
cell is refused before calamine allocates the grid, and which cells hold a formula without a
saved result; those inside the table are reported with the batch.

Workbook values keep their native type (str, int/float, date/datetime, bool); text is stripped
and blank cells are missing.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import python_calamine

from tracecheck.errors import InputError
from tracecheck.read.limits import Limits, check_extent
from tracecheck.read.shape import _empty_table, _shape, _Table
from tracecheck.read.sniff import _one_line
from tracecheck.read.xlsx_parts import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, FormulaCell, SheetScan, scan_sheet
from tracecheck.read.xml_scan import PartError


def _open_workbook(data: bytes, shown: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise InputError("workbook is password-protected", path=shown) from None
    except (python_calamine.CalamineError, ValueError, OSError) as err:
        raise InputError(f"not a readable workbook ({_one_line(err)})", path=shown) from None


def _scan_hook(data: bytes, shown: str, limits: Limits, scans: dict[str, SheetScan]) -> Callable[[str], None]:
    """The ``scan`` that _read_workbook calls before calamine touches a sheet: how far the sheet
    really reaches (refused beyond Excel's last row or column, or over ``limits``) and its formulas
    without a saved result, kept in ``scans`` by sheet name."""

    def scan(name: str) -> None:
        if name not in scans:
            try:
                scans[name] = found = scan_sheet(data, name)
            except PartError as err:  # the guard cannot measure it, so calamine must not read it
                raise InputError(f"damaged workbook: {err}; open it in a spreadsheet program and save it again",
                                 path=shown, sheet=name) from None
            if found.rows > EXCEL_MAX_ROWS or found.columns > EXCEL_MAX_COLUMNS:
                raise InputError(f"damaged or not written by Excel: a cell reaches row {found.rows:,}, column "
                                 f"{found.columns:,}, beyond Excel's last ({EXCEL_MAX_ROWS:,} rows, "
                                 f"{EXCEL_MAX_COLUMNS:,} columns)", path=shown, sheet=name)
            check_extent(found.rows, found.columns, shown, name, limits, stored=found.cells)

    return scan


def _read_workbook(data: bytes, shown: str, sheet: str | None, header_row: int | None,
                   scan: Callable[[str], None]) -> tuple[_Table, str | None]:
    """Shape the requested sheet, or the first table-like visible worksheet.

    Without ``sheet``, hidden sheets (often lookup lists for drop-downs) and
    chart sheets are skipped; if no visible worksheet looks like a table, the
    first of them (else the first sheet of any kind) is used.
    """
    with _open_workbook(data, shown) as workbook:
        names = list(workbook.sheet_names)
        if sheet is not None:
            if sheet not in names:
                available = ", ".join(repr(name) for name in names) or "none"
                raise InputError(f"sheet {sheet!r} not found; available: {available}",
                                 path=shown)
            scan(sheet)
            return _shape(_sheet_grid(workbook, sheet, shown), header_row, shown, sheet), sheet
        candidates = _visible_worksheets(workbook) or names[:1]
        fallback = None
        for name in candidates:
            scan(name)
            table = _shape(_sheet_grid(workbook, name, shown), header_row, shown, name)
            if table.looks_like_table:
                return table, name
            fallback = fallback or (table, name)
        return fallback or (_empty_table(), None)


def _table_formulas(scans: dict[str, SheetScan], sheet: str | None, table: _Table) -> tuple[FormulaCell, ...]:
    """The formula cells without a saved result that lie inside the table (header row and data rows),
    from the scan of ``sheet`` (none if it was not scanned)."""
    cells = list(scans[sheet].formulas) if sheet in scans else []
    if not cells or table.header_row is None:
        return ()
    rows = set(table.frame.index) | {table.header_row}
    letters = set(table.column_letters.values())
    return tuple(cell for cell in cells if cell.row in rows and cell.letter in letters)


def _visible_worksheets(workbook: python_calamine.CalamineWorkbook) -> list[str]:
    return [meta.name for meta in workbook.sheets_metadata
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
            and meta.typ == python_calamine.SheetTypeEnum.WorkSheet]


def _sheet_grid(workbook: python_calamine.CalamineWorkbook, name: str,
                shown: str) -> pd.DataFrame:
    """All cells of a sheet from A1 on (empty rows/columns kept), rows indexed from 1."""
    try:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, ValueError, OSError) as err:
        raise InputError(f"cannot read sheet ({_one_line(err)})", path=shown,
                         sheet=name) from None
    cleaned = [[(v.strip() or None) if isinstance(v, str) else v for v in row] for row in rows]
    width = max((len(row) for row in cleaned), default=0)
    grid = pd.DataFrame(cleaned, columns=range(width), dtype=object)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid
