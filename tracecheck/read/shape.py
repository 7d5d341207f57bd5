"""Shaping: one rectangular table found in a raw grid of cells, without judging its contents.

The grid comes from the csv or the workbook reader (columns 0..n-1, index = the row number a
person sees in the spreadsheet). Here:

* the header is found automatically (title and note rows above it are skipped; a header over two
  rows under merged group labels is read as one; see :mod:`tracecheck.read.header`);
* the table's columns run from the header's to the last with data; a second table beside the data,
  past a blank column (monthly counts, a legend), is no part of it: a block of columns past a blank
  column belongs to the table only when it holds something on at least half of the data's rows;
  the blocks left out are listed in ``side_tables`` (``"N1:O6"``);
* rows below the header that are no requests are dropped, each with its reason in ``dropped_rows``
  (repeated headers, totals and footer lines, an Excel table's totals row, a trailing note block;
  see :mod:`tracecheck.read.rows`); blank rows are skipped (there is nothing in them to lose);
  every kept row keeps the row number a person sees in the spreadsheet (the frame's index);
* columns with neither a header nor any data are dropped; a column with data but a blank header
  is called ``"Column <LETTER>"``; duplicate headers are kept and renamed ``"X (2)"``, ``"X (3)"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracecheck.errors import InputError
from tracecheck.read.header import Header, Score, find_header, header_text
from tracecheck.read.notes import DroppedRow
from tracecheck.read.rows import classify, note_block
from tracecheck.read.xlsx_layout import NO_LAYOUT, SheetLayout

SIDE_TABLE_SHARE = 0.5  # a block past a blank column filling fewer of the data's rows than this is a side table


@dataclass(frozen=True)
class _Table:
    """The shape-related part of a RawBatch, found in a raw grid."""

    frame: pd.DataFrame
    header_row: int | None
    column_letters: dict[str, str]
    duplicate_headers: list[str]
    dropped_rows: list[DroppedRow]
    header_rows: int = 1  # 2 for a header over two rows (header_row and the row below it)
    side_tables: tuple[str, ...] = ()  # ranges beside the data, past a blank column, not read as part of it
    score: float | None = field(default=None, compare=False)  # how well the header maps (when a score was given)

    @property
    def looks_like_table(self) -> bool:
        return self.header_row is not None and len(self.frame) > 0


def _shape(grid: pd.DataFrame, header_row: int | None, shown: str, sheet: str | None, *,
           layout: SheetLayout = NO_LAYOUT, score: Score | None = None) -> _Table:
    """Find header, data rows and columns in a raw grid (columns 0..n-1, index = row number).

    ``layout`` gives a workbook sheet's merged ranges and Excel tables; ``score`` ranks candidate
    headers by how well they map to the trace fields. InputError when ``header_row`` is beyond the grid."""
    if header_row is not None and header_row > len(grid):
        raise InputError(f"header row {header_row} is beyond the last row ({len(grid)})", path=shown, sheet=sheet)
    filled = grid.notna().to_numpy()
    counts = pd.Series(filled.sum(axis=1), index=grid.index) if grid.size else pd.Series(dtype="int64")
    header = find_header(grid, counts, header_row=header_row, merges=layout.merges, score=score)
    if header is None:
        return _empty_table()
    below = grid.index.to_numpy() > header.last
    keep = np.array([bool(cell) for cell in header.cells], dtype=bool) | filled[below].any(axis=0)
    positions, side_tables = _columns(filled[below], keep, grid.index.to_numpy()[below], header)
    cells = filled[:, positions].sum(axis=1) if side_tables else counts.to_numpy()
    content = below & (cells > 0)
    header_cells = sum(1 for p in positions if header.cells[p])
    totals = [row for table in layout.tables for row in table.totals if row > header.last]
    head_rows = [[grid.at[row, p] for p in positions] for row in range(header.first, header.last + 1)]
    data = grid.iloc[np.flatnonzero(content), positions]  # a new frame (copy-on-write)
    reasons = classify(data, cells[content], head_rows, header_cells, totals)
    requests = pd.isna(reasons)
    dropped = [DroppedRow(int(row), str(reason)) for row, reason in zip(data.index[~requests], reasons[~requests])]
    notes = note_block(data.index.to_numpy()[requests], cells[content][requests], header_cells)
    if notes:
        requests &= data.index.to_numpy() < notes[0].row
        dropped = sorted([*dropped, *notes], key=lambda d: d.row)
    columns = list(range(len(positions)))
    if dropped:  # a column filled only by dropped rows is no column of the table
        kept_rows = np.flatnonzero(content)[requests]
        used = np.asarray(filled[kept_rows][:, positions].any(axis=0), dtype=bool)
        columns = [i for i, p in enumerate(positions) if header.cells[p] or used[i]]
        positions = [positions[i] for i in columns]
    names, duplicates = _column_names([header.cells[p] for p in positions], positions)
    frame = data if requests.all() else data.iloc[np.flatnonzero(requests)]
    frame = frame if len(columns) == frame.shape[1] else frame.iloc[:, columns]
    frame.columns = names
    letters = {name: column_letter(p) for name, p in zip(names, positions)}
    return _Table(frame, header.first, letters, duplicates, dropped, header_rows=header.last - header.first + 1,
                  side_tables=side_tables, score=score(header.labels) if score else None)


def _empty_table() -> _Table:
    frame = pd.DataFrame(index=pd.Index([], dtype="int64"))
    return _Table(frame, None, {}, [], [])


def _columns(below: np.ndarray, keep: np.ndarray, rows: np.ndarray,
             header: Header) -> tuple[list[int], tuple[str, ...]]:
    """Positions of the table's columns, and the ranges of side tables left out.

    Kept columns form blocks separated by blank columns; the block with the most header labels is
    the data. Another block beside it (with a label on the header row, or cells between the data's
    first and last rows) joins it only when it fills at least SIDE_TABLE_SHARE of the data's rows."""
    positions = [int(p) for p in np.flatnonzero(keep)]
    blocks = _blocks(positions)
    if len(blocks) < 2:
        return positions, ()
    main = max(blocks, key=lambda b: (sum(1 for p in b if header.cells[p]), -b[0]))
    main_rows = np.asarray(below[:, main].any(axis=1), dtype=bool)
    if not main_rows.any():
        return positions, ()
    span = np.zeros(main_rows.shape[0], dtype=np.bool_)  # from the data's first row to its last
    span[np.flatnonzero(main_rows)[0]:np.flatnonzero(main_rows)[-1] + 1] = True
    kept, side = list(main), []
    for block in blocks:
        if block is main:
            continue
        rows_filled = np.asarray(below[:, block].any(axis=1), dtype=bool)
        beside = any(header.cells[p] for p in block) or (rows_filled & span).any()
        if not beside or (rows_filled & main_rows).sum() >= SIDE_TABLE_SHARE * main_rows.sum():
            kept += block  # below the data (a note: the rows decide), or part of the table
        else:
            side.append(_area(block, rows[rows_filled], header))
    return sorted(kept), tuple(side)


def _blocks(positions: list[int]) -> list[list[int]]:
    blocks: list[list[int]] = []
    for p in positions:
        if blocks and p == blocks[-1][-1] + 1:
            blocks[-1].append(p)
        else:
            blocks.append([p])
    return blocks


def _area(block: list[int], rows: np.ndarray, header: Header) -> str:
    """The A1 range a side table covers (from the header row when it has a label there)."""
    first = header.first if any(header.cells[p] for p in block) else int(rows.min()) if len(rows) else header.first
    last = int(rows.max()) if len(rows) else header.last
    return f"{column_letter(block[0])}{first}:{column_letter(block[-1])}{last}"


def _column_names(header: list[object], positions: list[int]) -> tuple[list[str], list[str]]:
    """Frame column names from header cells; blanks -> 'Column F', repeats -> 'X (2)'."""
    names: list[str] = []
    duplicates: list[str] = []
    used: set[str] = set()
    for value, position in zip(header, positions):
        base = header_text(value) or f"Column {column_letter(position)}"
        name, copy = base, 1
        while name in used:
            copy += 1
            name = f"{base} ({copy})"
        if copy > 1 and base not in duplicates:
            duplicates.append(base)
        used.add(name)
        names.append(name)
    return names, duplicates


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
