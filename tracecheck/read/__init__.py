"""Read a trace-request spreadsheet (a workbook or a delimited text file; see sniff) into a :class:`RawBatch`.

The reader turns a messy, human-made sheet into one rectangular table without
judging its contents: it finds the header, drops blank rows and columns and a
trailing note block, names the columns, and keeps the row number a person sees
in the spreadsheet as the frame's index (see :mod:`tracecheck.read.shape`).

CSV values are kept as text (``"N/A"``, ``"NONE"`` and ``"NA"`` stay text);
workbook values keep their native type (str, int/float, date/datetime, bool).
Blank cells are missing (None/NaN). Problems that prevent reading the file at
all raise :class:`~tracecheck.errors.InputError`; problems *in* the data never
raise. The input file is only ever opened for reading.

This module is the public face (read_batch, read_frame, list_sheets, RawBatch,
column_letter) and only orchestrates: read_batch goes bytes -> sniff -> csv or
workbook -> shape -> limits. Each module imports only those below it:

* ``csv``: delimiter and dialect sniffing, the Arrow fast path, the pandas fallback, misaligned records;
* ``decode``: bytes to utf-8 text (utf-16 with or without a BOM, lines in another encoding, control
  characters and stray byte-order marks removed), with notes on what was mended;
* ``workbook``: calamine, choosing the sheet, the scan hook, merged cells, formulas inside the table;
* ``html_table``: a web page's table saved under a workbook's name;
* ``sniff``: file kind from the extension and from the bytes (signatures), reading the bytes;
* ``shape``: the table in a grid: its columns (not a side table), data rows, column names and letters;
* ``header``: the header row, or two rows under merged group labels;
* ``rows``: rows below the header that are no requests (repeated headers, totals, footers, notes);
* ``xlsx_layout``: merged cells and Excel tables (their totals rows);
* ``limits``: size limits (Limits), checked before and after reading;
* ``xlsx_parts``: what calamine does not tell, read from the workbook's XML parts (with ``xml_scan``,
  the defused XML parsers, ``ods`` and ``xlsb``, the guards of the other workbook formats).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.errors import InputError
from tracecheck.read.csv import _read_csv
from tracecheck.read.frame import from_arrow, plain_frame
from tracecheck.read.header import Score
from tracecheck.read.html_table import read_html
from tracecheck.read.limits import Limits, check_file, check_table, check_workbook
from tracecheck.read.notes import DroppedRow, ReadNote
from tracecheck.read.shape import _blank_cells, _column_names, _Table, column_letter
from tracecheck.read.sniff import _file_kind, _read_bytes, _refuse_mislabelled
from tracecheck.read.workbook import ALL_SHEETS, SheetsRead, _open_workbook, _read_workbook, _scan_hook, _table_formulas
from tracecheck.read.xlsx_parts import FormulaCell, SheetScan, date_system

__all__ = ["ALL_SHEETS", "SHEET_ROW_BLOCK", "DroppedRow", "Limits", "RawBatch", "ReadNote", "column_letter",
           "from_arrow", "list_sheets", "read_batch", "read_frame"]

# Rows of the k-th sheet of a batch read from several sheets (sheet="all") are numbered
# k * SHEET_ROW_BLOCK + their row in that sheet: above Excel's last row, so never ambiguous, and
# the first sheet's rows keep the numbers a person sees.
SHEET_ROW_BLOCK = 10_000_000


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
    dropped_rows: list[DroppedRow]  # rows below the header that are not requests, with the reason
    encoding: str | None
    delimiter: str | None
    formulas: tuple[FormulaCell, ...] = ()  # table cells whose formula has no saved result (read as blank)
    date_system: int = 1900  # a workbook's origin for date serial numbers (1900 or 1904)
    labels: pd.Series | None = None  # DataFrame input: the caller's index label of each row (indexed by row)
    notes: tuple[ReadNote, ...] = ()  # what the reader mended or could not read as written (become findings)
    # The sheets read, in workbook order (one, or several with sheet="all"; none for a csv or a frame).
    # Row numbers stay unique across them: a row of the k-th sheet (from 0) is k * SHEET_ROW_BLOCK + its row.
    sheets: tuple[str, ...] = ()
    other_sheets: tuple[str, ...] = ()  # sheets not read that look like batches too (named in the summary)
    side_tables: tuple[str, ...] = ()  # cells beside the data, past a blank column, not read ("N1:O6", "Mayo!N1:O6")
    header_rows: int = 1  # 2 when the header spans header_row and the row below it

    def sheet_of(self, rows: pd.Series) -> np.ndarray:
        """The sheet of each row number in ``rows`` (None for a csv or a frame; for a row-less entry,
        the sheet when only one was read)."""
        out = np.full(len(rows), None if len(self.sheets) != 1 else self.sheets[0], dtype=object)
        if len(self.sheets) > 1:
            known = rows.notna().to_numpy()
            position = (rows[known].astype("int64") // SHEET_ROW_BLOCK).to_numpy()
            out[known] = np.asarray(self.sheets, dtype=object)[np.clip(position, 0, len(self.sheets) - 1)]
        return out

    def header_by_letter(self) -> dict[str, str | None]:
        """Column letter -> the header as submitted (None for a column whose header cell was blank)."""
        out: dict[str, str | None] = {}
        for name, letter in self.column_letters.items():
            base = name.rsplit(" (", 1)[0]
            base = base if base in self.duplicate_headers else name  # "X (2)": the second "X"
            out[letter] = None if base == f"Column {letter}" else base
        return out

    def labels_of(self, rows: pd.Series) -> np.ndarray:
        """The caller's index label for each sheet row in ``rows`` (None for files and batch-level rows)."""
        out = np.full(len(rows), None, dtype=object)
        if self.labels is not None:
            known = rows.notna().to_numpy()
            out[known] = self.labels.reindex(rows[known].astype("int64")).to_numpy(dtype=object)
        return out


def read_batch(path: str | os.PathLike, *, sheet: str | None = None, header_row: int | None = None,
               limits: Limits | None = None, sheet_score: Score | None = None) -> RawBatch:
    """Read ``path`` (.xlsx/.xlsm/.xls/.xlsb/.ods, or .csv/.txt/.tsv, or an HTML table under such a name)
    into a RawBatch.

    ``sheet`` picks a workbook sheet; ``"all"`` reads every sheet that looks like a batch and has the
    layout of the best one, as one batch (``RawBatch.sheets``; a csv ignores it). By default the
    sheet whose header scores best with ``sheet_score`` (header texts -> a number, higher is
    better: how well they map to the trace fields), else the first sheet that looks like a table,
    else the first sheet. ``header_row`` (1-based) forces the header row instead of detecting it
    (the row below joins it when it holds the sub-labels of group labels). Raises InputError when
    the file cannot be read or exceeds ``limits`` (default ``Limits()``).
    """
    limits = limits or Limits()
    shown = os.fspath(path)
    kind = _file_kind(Path(shown))
    if header_row is not None and header_row < 1:
        raise InputError(f"header row must be 1 or more, got {header_row}", path=shown)
    if kind == "csv" and sheet not in (None, ALL_SHEETS):
        raise InputError(f"sheet {sheet!r} requested, but a csv file has no sheets", path=shown)
    data = _read_bytes(Path(shown))
    check_file(data, shown, limits)
    content = _refuse_mislabelled(data, kind, shown)
    common: dict[str, Any] = {"source": Path(shown).name, "path": shown, "sha256": hashlib.sha256(data).hexdigest()}
    if content == "html":  # a web page's "export to Excel": its table is read
        if sheet is not None:
            raise InputError(f"sheet {sheet!r} requested, but the file is an HTML page with one table", path=shown)
        table, encoding = read_html(data, shown, header_row, limits)
        check_table(table.frame, shown, None, limits)
        return RawBatch(**common, **_table_fields(table), sheet=None, encoding=encoding, delimiter=None)
    if kind == "csv":
        table, encoding, delimiter, notes = _read_csv(data, shown, header_row)
        check_table(table.frame, shown, None, limits)
        return RawBatch(**common, **_table_fields(table), sheet=None,
                        encoding=encoding, delimiter=delimiter, notes=notes)
    check_workbook(data, shown, limits)
    scans: dict[str, SheetScan] = {}
    read = _read_workbook(data, shown, sheet, header_row, _scan_hook(data, shown, limits, scans), sheet_score)
    table, formulas = _stack(read, scans)
    names = tuple(name for name, _ in read.tables if name is not None)
    check_table(table.frame, shown, names[0] if len(names) == 1 else None, limits)
    return RawBatch(**common, **_table_fields(table), sheet=names[0] if len(names) == 1 else None,
                    encoding=None, delimiter=None, formulas=formulas, date_system=date_system(data),
                    sheets=names, other_sheets=read.other_sheets)


def _stack(read: SheetsRead, scans: dict[str, SheetScan]) -> tuple[_Table, tuple[FormulaCell, ...]]:
    """The table of the one sheet read, or the tables of several stacked into one, rows numbered
    k * SHEET_ROW_BLOCK + their row (dropped rows and formula cells alike), side tables named by sheet."""
    if len(read.tables) == 1:
        name, table = read.tables[0]
        return table, _table_formulas(scans, name, table)
    frames, dropped, formulas, side = [], [], [], []
    for k, (name, table) in enumerate(read.tables):
        offset = k * SHEET_ROW_BLOCK
        frames.append(table.frame.set_axis(table.frame.index + offset))
        dropped += [DroppedRow(d.row + offset, d.reason) for d in table.dropped_rows]
        formulas += [replace(f, row=f.row + offset) for f in _table_formulas(scans, name, table)]
        side += [f"{name}!{area}" for area in table.side_tables]
    first = read.tables[0][1]
    stacked = replace(first, frame=pd.concat(frames), dropped_rows=dropped, side_tables=tuple(side))
    return stacked, tuple(formulas)


def list_sheets(path: str | os.PathLike) -> list[str]:
    """Names of the worksheets of a workbook, in workbook order."""
    shown = os.fspath(path)
    if _file_kind(Path(shown)) != "xlsx":
        raise InputError("only workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) have sheets", path=shown)
    workbook = _open_workbook(_read_bytes(Path(shown)), shown)
    with workbook:
        return list(workbook.sheet_names)


def _table_fields(table: _Table) -> dict[str, Any]:
    return {"frame": table.frame, "header_row": table.header_row,
            "column_letters": table.column_letters,
            "duplicate_headers": table.duplicate_headers, "dropped_rows": table.dropped_rows,
            "side_tables": table.side_tables, "header_rows": table.header_rows}


def read_frame(frame: pd.DataFrame, *, name: str | None = None, rows: np.ndarray | None = None) -> RawBatch:
    """Wrap an in-memory table as a batch: header on row 1, first data row is row 2. Each row keeps
    the caller's index label (``RawBatch.labels``), so findings can be joined back to ``frame``.
    ``rows``: the sheet row of each row when ``frame`` is a part of a larger table (tracecheck.spark);
    such a part has no digest of its own (``sha256`` empty)."""
    positions = list(range(len(frame.columns)))
    unique, duplicates = _column_names(list(frame.columns), positions)  # "X (2)", "Column F" as for files
    data = plain_frame(frame).set_axis(unique, axis=1).reset_index(drop=True)
    data.index = data.index + 2 if rows is None else pd.Index(np.asarray(rows, dtype=np.int64))
    labels = pd.Series(frame.index.to_numpy(dtype=object), index=data.index, dtype=object)
    if len(data.columns):  # rows with no value at all are not requests, as in a sheet
        blank = np.logical_and.reduce([_blank_cells(data[c]) for c in data.columns])
        data, labels = data[~blank], labels[~blank]
    digest = ("" if rows is not None else
              hashlib.sha256(pd.util.hash_pandas_object(data.astype(str), index=True).to_numpy().tobytes()).hexdigest())
    return RawBatch(frame=data, source=name or "<dataframe>", path=name or "<dataframe>", sheet=None,
                    sha256=digest, header_row=1, column_letters={h: column_letter(i) for i, h in enumerate(unique)},
                    duplicate_headers=duplicates, dropped_rows=[], encoding=None, delimiter=None, labels=labels)
