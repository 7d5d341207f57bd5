"""Shaping: one rectangular table found in a raw grid of cells, without judging its contents.

The grid comes from the csv or the workbook reader (columns 0..n-1, index = the row number a
person sees in the spreadsheet). Here:

* the header is found automatically (title and note rows above it are skipped);
* blank rows inside the data are dropped, but every kept row keeps the row
  number a person sees in the spreadsheet (the frame's index);
* columns with neither a header nor any data are dropped; a column with data but
  a blank header is called ``"Column <LETTER>"``;
* a block of short note rows ("Prepared by: ...") separated from the data by
  three or more blank rows is dropped and reported in ``dropped_rows`` (reason ``note_block``);
* duplicate headers are kept and renamed ``"X (2)"``, ``"X (3)"``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracecheck.errors import InputError
from tracecheck.read.notes import DroppedRow

HEADER_WINDOW = 30  # non-blank rows examined when looking for the header
STRAY_MIN_GAP = 3  # blank rows separating a trailing note block from the data
STRAY_MAX_CELLS = 2  # a note row has at most this many non-empty cells

_NUMBER_RE = re.compile(r"^[+-]?[$€]?\s*(\d[\d,.\s]*|[.,]\d+)([eE][+-]?\d+)?\s*%?$")
_DATE_RE = re.compile(
    r"^(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
)


@dataclass(frozen=True)
class _Table:
    """The shape-related part of a RawBatch, found in a raw grid."""

    frame: pd.DataFrame
    header_row: int | None
    column_letters: dict[str, str]
    duplicate_headers: list[str]
    dropped_rows: list[DroppedRow]

    @property
    def looks_like_table(self) -> bool:
        return self.header_row is not None and len(self.frame) > 0


def _shape(grid: pd.DataFrame, header_row: int | None, shown: str,
           sheet: str | None) -> _Table:
    """Find header, data rows and columns in a raw grid (columns 0..n-1, index = row number)."""
    filled = grid.notna()
    counts = filled.sum(axis=1) if grid.size else pd.Series(dtype="int64")
    if header_row is None:
        header_row = _detect_header(grid, counts)
    elif header_row > len(grid):
        raise InputError(f"header row {header_row} is beyond the last row ({len(grid)})",
                         path=shown, sheet=sheet)
    if header_row is None:
        return _empty_table()
    header = grid.loc[header_row]
    data_mask, dropped = _data_rows(counts, header_row, int(header.notna().to_numpy().sum()))
    keep = (header.notna() | filled.loc[data_mask].any(axis=0)).to_numpy()
    positions = [int(p) for p in np.flatnonzero(keep)]
    names, duplicates = _column_names([header.iloc[p] for p in positions], positions)
    frame = grid.iloc[data_mask, positions]  # a new frame (copy-on-write)
    frame.columns = names
    letters = {name: column_letter(p) for name, p in zip(names, positions)}
    return _Table(frame, header_row, letters, duplicates, dropped)


def _empty_table() -> _Table:
    frame = pd.DataFrame(index=pd.Index([], dtype="int64"))
    return _Table(frame, None, {}, [], [])


def _detect_header(grid: pd.DataFrame, counts: pd.Series) -> int | None:
    """Row number of the header among the first non-blank rows, or None."""
    window = counts[counts > 0].iloc[:HEADER_WINDOW]
    if window.empty:
        return None
    widest = int(window.max())
    best_row, best_texts = None, 1  # a header needs at least 2 text cells
    for row, filled in zip(window.index.tolist(), window.tolist()):
        texts = sum(1 for value in grid.loc[row].tolist() if _is_label(value))
        if texts > best_texts and 2 * int(filled) >= widest:
            best_row, best_texts = int(row), texts
    return best_row


def _is_label(value: object) -> bool:
    """A non-empty text cell that does not look like a number or a date."""
    return (isinstance(value, str) and bool(value)
            and not _NUMBER_RE.match(value) and not _DATE_RE.match(value))


def _data_rows(counts: pd.Series, header_row: int,
               header_cells: int) -> tuple[np.ndarray, list[DroppedRow]]:
    """Mask of data rows below the header, and the row numbers of a trailing note block."""
    below = (counts.index > header_row) & (counts > 0).to_numpy()
    rows = counts.index.to_numpy()[below]
    filled = counts.to_numpy()[below]
    start = _stray_start(rows, filled, min(STRAY_MAX_CELLS, header_cells - 1))
    dropped = [DroppedRow(int(row), "note_block") for row in rows[start:]]
    if dropped:
        below &= counts.index.to_numpy() < dropped[0].row
    return below, dropped


def _stray_start(rows: np.ndarray, filled: np.ndarray, limit: int) -> int:
    """Index into ``rows`` where a trailing block of short note rows starts (len if none).

    The block must follow at least one data row, be separated from it by
    STRAY_MIN_GAP or more blank rows, and contain only rows with <= ``limit`` cells.
    """
    if len(rows) < 2 or limit < 1:
        return len(rows)
    long_rows = np.flatnonzero(filled > limit)
    first_gap = int(long_rows[-1]) if len(long_rows) else 0
    gaps = np.diff(rows)[first_gap:] - 1
    wide = np.flatnonzero(gaps >= STRAY_MIN_GAP)
    return first_gap + int(wide[0]) + 1 if len(wide) else len(rows)


def _column_names(header: list[object], positions: list[int]) -> tuple[list[str], list[str]]:
    """Frame column names from header cells; blanks -> 'Column F', repeats -> 'X (2)'."""
    names: list[str] = []
    duplicates: list[str] = []
    used: set[str] = set()
    for value, position in zip(header, positions):
        base = _header_text(value) or f"Column {column_letter(position)}"
        name, copy = base, 1
        while name in used:
            copy += 1
            name = f"{base} ({copy})"
        if copy > 1 and base not in duplicates:
            duplicates.append(base)
        used.add(name)
        names.append(name)
    return names, duplicates


def _header_text(value: object) -> str:
    """Header cell as text: stripped, inner whitespace collapsed; numbers/dates converted."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, (dt.date, dt.time)):
        value = value.isoformat()
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> 'A', 26 -> 'AA')."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _blank_cells(column: pd.Series) -> np.ndarray:
    """Missing, or text that is only whitespace (vectorised)."""
    blank = column.isna().to_numpy()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        blank = blank | column.astype("str").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    return blank
