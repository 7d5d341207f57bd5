"""Workbooks (.xlsx, .xlsm, .xls) through calamine: open, choose the sheet, read and shape its grid.

Choosing the sheet (without a requested one): hidden sheets and chart sheets are skipped. Given a
``score`` (headers -> how well they map to the trace fields), every visible worksheet is shaped and
the one whose header scores best is read (ties: the first), so an instructions or summary sheet
placed first is passed over; without a score, the first visible worksheet that looks like a table.
The other sheets that look like batches (a table whose header scores at least half the best's) are
named, so the caller can say they were not checked. ``sheet="all"`` reads every sheet that looks like
a batch and has the chosen sheet's layout (the same headers in the same columns), as one batch;
InputError when no sheet does. A forced ``header_row`` applies to each sheet; sheets that end above
it are passed over (InputError when every sheet does).

Before calamine touches a sheet, the scan hook reads from the sheet's XML (tracecheck.read.xlsx_parts)
how far its cells really reach, so that a far-away cell is refused before calamine allocates the
grid, and which cells hold a formula without a saved result; those inside the table are reported
with the batch. Cells merged down a block (several rows) give their value to every row they cover,
in the merge's first column; the totals rows of Excel tables are dropped (tracecheck.read.xlsx_layout).

Workbook values keep their native type (str, int/float, date/datetime, bool); text is stripped
and blank cells are missing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import python_calamine

from tracecheck.errors import InputError
from tracecheck.read.header import Score
from tracecheck.read.limits import Limits, check_extent
from tracecheck.read.shape import _empty_table, _shape, _Table
from tracecheck.read.sniff import _one_line
from tracecheck.read.xlsx_layout import CellRange, SheetLayout, excel_tables, merged_ranges
from tracecheck.read.xlsx_parts import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, FormulaCell, SheetScan, scan_sheet
from tracecheck.read.xml_scan import PartError

ALL_SHEETS = "all"  # sheet= value that reads every sheet of the chosen sheet's layout (unless a sheet is so named)
BATCH_SHARE = 0.5  # a sheet looks like a batch when its header scores at least this share of the best's


@dataclass(frozen=True)
class SheetsRead:
    """What the workbook reader read: ``tables`` as (sheet name, table) in workbook order (one unless
    ``sheet="all"``; the sheet None when the workbook has none), and ``other_sheets``, the sheets not
    read that look like batches too."""

    tables: list[tuple[str | None, _Table]]
    other_sheets: tuple[str, ...] = ()


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
                   scan: Callable[[str], None], score: Score | None = None) -> SheetsRead:
    """Shape the requested sheet, the best of the visible worksheets, or (``sheet="all"``) every
    sheet of the best one's layout; see the module docstring. InputError for an unknown sheet."""
    with _open_workbook(data, shown) as workbook:
        names = list(workbook.sheet_names)
        if sheet is not None and (sheet != ALL_SHEETS or sheet in names):
            if sheet not in names:
                available = ", ".join(repr(name) for name in names) or "none"
                raise InputError(f"sheet {sheet!r} not found; available: {available}", path=shown)
            scan(sheet)
            table = _shape_sheet(workbook, data, sheet, shown, header_row, score)
            assert table is not None  # without short_ok, a sheet too short for header_row raises
            return SheetsRead([(sheet, table)])
        candidates = _visible_worksheets(workbook) or names[:1]
        every = sheet == ALL_SHEETS
        seen: list[_Seen] = []
        tables: dict[str, _Table] = {}
        for name in candidates:
            scan(name)
            table = _shape_sheet(workbook, data, name, shown, header_row, score, short_ok=True)
            if table is None:  # too short for the requested header row: not a candidate
                continue
            if score is None and not every and table.looks_like_table:
                return SheetsRead([(name, table)])  # without a score: the first table-like sheet
            seen.append(_Seen(name, table.looks_like_table, table.score or 0.0, table.column_letters))
            tables[name] = table
            if not every:  # only the best so far stays in memory
                best = _best(seen).name
                tables = {best: tables[best]}
        if not seen and header_row is not None and candidates:
            raise InputError(f"header row {header_row} is beyond the last row of every sheet", path=shown)
        read = _choose(seen, tables, every, scored=score is not None)
        if not read.tables:
            where, other = (f" on row {header_row}", " or another --header-row") if header_row else ("", "")
            raise InputError(f"no sheet has a header{where} that names the trace fields; choose the sheet "
                             f"with --sheet NAME{other}", path=shown)
        return read


@dataclass(frozen=True)
class _Seen:
    """What choosing a sheet needs to remember of a sheet once its table is let go."""

    name: str
    looks_like_table: bool
    score: float
    letters: dict[str, str]


def _best(seen: Sequence[_Seen]) -> _Seen:
    """The sheet whose table scores best (a table-like sheet first; ties: the first)."""
    return max(seen, key=lambda s: (s.looks_like_table, s.score))


def _choose(seen: list[_Seen], tables: dict[str, _Table], every: bool, *, scored: bool) -> SheetsRead:
    if not seen:
        return SheetsRead([(None, _empty_table())])
    best = _best(seen)
    if not best.looks_like_table:
        return SheetsRead([(best.name, tables[best.name])])
    batches = [s for s in seen if s.looks_like_table and (not scored or 0 < s.score >= BATCH_SHARE * best.score)]
    if not every:
        return SheetsRead([(best.name, tables[best.name])], tuple(s.name for s in batches if s is not best))
    same = [s for s in batches if s.letters == best.letters]
    return SheetsRead([(s.name, tables[s.name]) for s in same], tuple(s.name for s in batches if s not in same))


def _table_formulas(scans: dict[str, SheetScan], sheet: str | None, table: _Table) -> tuple[FormulaCell, ...]:
    """The formula cells without a saved result that lie inside the table (header rows and data rows),
    from the scan of ``sheet`` (none if it was not scanned)."""
    cells = list(scans[sheet].formulas) if sheet in scans else []
    if not cells or table.header_row is None:
        return ()
    rows = set(table.frame.index) | set(range(table.header_row, table.header_row + table.header_rows))
    letters = set(table.column_letters.values())
    return tuple(cell for cell in cells if cell.row in rows and cell.letter in letters)


def _visible_worksheets(workbook: python_calamine.CalamineWorkbook) -> list[str]:
    return [meta.name for meta in workbook.sheets_metadata
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
            and meta.typ == python_calamine.SheetTypeEnum.WorkSheet]


def _shape_sheet(workbook: python_calamine.CalamineWorkbook, data: bytes, name: str, shown: str,
                 header_row: int | None, score: Score | None, *, short_ok: bool = False) -> _Table | None:
    """The sheet's table; None when ``short_ok`` and the sheet ends above ``header_row``."""
    grid, merges = _sheet_grid(workbook, name, shown)
    if short_ok and header_row is not None and header_row > len(grid):
        return None
    layout = SheetLayout(merges=merges, tables=excel_tables(data, name))
    return _shape(_fill_down(grid, merges), header_row, shown, name, layout=layout, score=score)


def _sheet_grid(workbook: python_calamine.CalamineWorkbook, name: str,
                shown: str) -> tuple[pd.DataFrame, tuple[CellRange, ...]]:
    """All cells of a sheet from A1 on (empty rows/columns kept), rows indexed from 1; and its merged ranges."""
    try:
        found = workbook.get_sheet_by_name(name)
        rows = found.to_python(skip_empty_area=False)
        merges = merged_ranges(found)
    except (python_calamine.CalamineError, ValueError, OSError) as err:
        raise InputError(f"cannot read sheet ({_one_line(err)})", path=shown,
                         sheet=name) from None
    cleaned = [[(v.strip() or None) if isinstance(v, str) else v for v in row] for row in rows]
    width = max((len(row) for row in cleaned), default=0)
    grid = pd.DataFrame(cleaned, columns=range(width), dtype=object)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid, merges


def _fill_down(grid: pd.DataFrame, merges: Sequence[CellRange]) -> pd.DataFrame:
    """The value of each cell merged down several rows given to every row of the merge, in its first
    column (a block merged across columns too keeps the other columns blank: they are other fields)."""
    down = [m for m in merges if m.last_row > m.first_row and m.first_col < grid.shape[1]
            and m.first_row <= len(grid)]
    if not down:
        return grid
    grid = grid.copy()
    for column in sorted({m.first_col for m in down}):
        values = grid[column].to_numpy(dtype=object, copy=True)
        for m in (m for m in down if m.first_col == column):
            top = values[m.first_row - 1]
            if top is not None and not (isinstance(top, float) and np.isnan(top)):
                values[m.first_row:min(m.last_row, len(values))] = top
        grid[column] = values
    return grid
