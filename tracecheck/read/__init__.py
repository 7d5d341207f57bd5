"""Read a trace-request spreadsheet (.xlsx or .csv) into a :class:`RawBatch`.

The reader turns a messy, human-made sheet into one rectangular table without
judging its contents:

* the header is found automatically (title and note rows above it are skipped);
* blank rows inside the data are dropped, but every kept row keeps the row
  number a person sees in the spreadsheet (the frame's index);
* columns with neither a header nor any data are dropped; a column with data but
  a blank header is called ``"Column <LETTER>"``;
* a block of short note rows ("Prepared by: ...") separated from the data by
  three or more blank rows is dropped and reported in ``dropped_rows``;
* duplicate headers are kept and renamed ``"X (2)"``, ``"X (3)"``.

CSV values are kept as text (``"N/A"``, ``"NONE"`` and ``"NA"`` stay text);
workbook values keep their native type (str, int/float, date/datetime, bool).
Blank cells are missing (None/NaN). Problems that prevent reading the file at
all raise :class:`~tracecheck.errors.InputError`; problems *in* the data never
raise. The input file is only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import python_calamine

from tracecheck.errors import InputError
from tracecheck.read.csv import _read_csv
from tracecheck.read.limits import Limits, check_extent, check_file, check_table, check_workbook
from tracecheck.read.shape import _Table, _blank_cells, _column_names, _empty_table, _shape, column_letter
from tracecheck.read.sniff import _file_kind, _one_line, _read_bytes, _refuse_mislabelled
from tracecheck.read.xlsx_parts import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, FormulaCell, SheetScan, date_system, scan_sheet


@dataclass(frozen=True)
class RawBatch:
    """One sheet (or csv file) read as a table; see the module docstring."""

    frame: pd.DataFrame
    source: str
    path: str
    sheet: str | None
    sha256: str
    header_row: int | None
    column_letters: dict[str, str]
    duplicate_headers: list[str]
    dropped_rows: list[int]
    encoding: str | None
    delimiter: str | None
    formulas: tuple[FormulaCell, ...] = ()  # table cells whose formula has no saved result (read as blank)
    date_system: int = 1900  # a workbook's origin for date serial numbers (1900 or 1904)


# --------------------------------------------------------------------------- public API


def read_batch(path: str | os.PathLike, *, sheet: str | None = None,
               header_row: int | None = None, limits: Limits | None = None) -> RawBatch:
    """Read ``path`` (.xlsx/.xlsm/.xls or .csv/.txt/.tsv) into a RawBatch.

    ``sheet`` picks a workbook sheet (default: the first sheet that looks like a
    table, else the first sheet). ``header_row`` (1-based) forces the header row
    instead of detecting it. Raises InputError when the file cannot be read or
    exceeds ``limits`` (default ``Limits()``).
    """
    limits = limits or Limits()
    shown = os.fspath(path)
    kind = _file_kind(Path(shown))
    if header_row is not None and header_row < 1:
        raise InputError(f"header row must be 1 or more, got {header_row}", path=shown)
    if kind == "csv" and sheet is not None:
        raise InputError(f"sheet {sheet!r} requested, but a csv file has no sheets", path=shown)
    data = _read_bytes(Path(shown))
    check_file(data, shown, limits)
    _refuse_mislabelled(data, kind, shown)
    common = {"source": Path(shown).name, "path": shown,
              "sha256": hashlib.sha256(data).hexdigest()}
    if kind == "csv":
        table, encoding, delimiter = _read_csv(data, shown, header_row)
        check_table(table.frame, shown, None, limits)
        return RawBatch(**common, **_table_fields(table), sheet=None,
                        encoding=encoding, delimiter=delimiter)
    check_workbook(data, shown, limits)
    scans: dict[str, SheetScan] = {}

    def scan(name: str) -> None:  # before calamine touches a sheet: how far it reaches, and its formulas
        if name not in scans:
            scans[name] = found = scan_sheet(data, name)
            if found.rows > EXCEL_MAX_ROWS or found.columns > EXCEL_MAX_COLUMNS:
                raise InputError(f"damaged or not written by Excel: a cell reaches row {found.rows:,}, column "
                                 f"{found.columns:,}, beyond Excel's last ({EXCEL_MAX_ROWS:,} rows, "
                                 f"{EXCEL_MAX_COLUMNS:,} columns)", path=shown, sheet=name)
            check_extent(found.rows, found.columns, shown, name, limits, stored=found.cells)

    table, sheet_name = _read_workbook(data, shown, sheet, header_row, scan)
    check_table(table.frame, shown, sheet_name, limits)
    formulas = _table_formulas(list(scans[sheet_name].formulas) if sheet_name in scans else [], table)
    return RawBatch(**common, **_table_fields(table), sheet=sheet_name,
                    encoding=None, delimiter=None, formulas=formulas, date_system=date_system(data))


def list_sheets(path: str | os.PathLike) -> list[str]:
    """Names of the worksheets of a workbook, in workbook order."""
    shown = os.fspath(path)
    if _file_kind(Path(shown)) != "xlsx":
        raise InputError("only workbooks (.xlsx, .xlsm, .xls) have sheets", path=shown)
    workbook = _open_workbook(_read_bytes(Path(shown)), shown)
    with workbook:
        return list(workbook.sheet_names)


def _table_fields(table: _Table) -> dict:
    return {"frame": table.frame, "header_row": table.header_row,
            "column_letters": table.column_letters,
            "duplicate_headers": table.duplicate_headers, "dropped_rows": table.dropped_rows}


def read_frame(frame: pd.DataFrame, *, name: str | None = None) -> RawBatch:
    """Wrap an in-memory table as a batch: header on row 1, first data row is row 2."""
    positions = list(range(len(frame.columns)))
    unique, duplicates = _column_names(list(frame.columns), positions)  # "X (2)", "Column F" as for files
    data = frame.set_axis(unique, axis=1).reset_index(drop=True)
    data.index = data.index + 2
    if len(data.columns):  # rows with no value at all are not requests, as in a sheet
        blank = np.logical_and.reduce([_blank_cells(data[c]) for c in data.columns])
        data = data[~blank]
    digest = hashlib.sha256(pd.util.hash_pandas_object(data.astype(str), index=True).to_numpy().tobytes()).hexdigest()
    return RawBatch(frame=data, source=name or "<dataframe>", path=name or "<dataframe>", sheet=None,
                    sha256=digest, header_row=1, column_letters={h: column_letter(i) for i, h in enumerate(unique)},
                    duplicate_headers=duplicates, dropped_rows=[], encoding=None, delimiter=None)


# --------------------------------------------------------------------------- workbooks


def _open_workbook(data: bytes, shown: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise InputError("workbook is password-protected", path=shown) from None
    except (python_calamine.CalamineError, ValueError, OSError) as err:
        raise InputError(f"not a readable workbook ({_one_line(err)})", path=shown) from None


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


def _table_formulas(cells: list[FormulaCell], table: _Table) -> tuple[FormulaCell, ...]:
    """The formula cells without a saved result that lie inside the table (header row and data rows)."""
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
