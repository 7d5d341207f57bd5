"""Cells, styles and sheets for the workbook writer (XlsxWriter in constant_memory mode).

A ``Sheet`` writes rows in order, as XlsxWriter's constant_memory mode needs (each finished row
is written out to a temporary file and forgotten), rendered in blocks by xmlrows.FastWorksheet. A
row holds plain values, written by their type, ``Cell`` objects made by ``cell()`` for a value
with a fill, a font, a number format or a comment, or a ``Link`` to a cell. Text is always written
as a string cell: never a formula, a URL or a number, however it looks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter import Workbook
from xlsxwriter.format import Format

from tracecheck.writers.cells import ILLEGAL_CHARACTERS, MAX_CELL_TEXT, safe_cell_text
from tracecheck.writers.xlsx.xmlrows import Cell, FastWorksheet, Link, Links

_ILLEGAL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # cells.ILLEGAL_CHARACTERS in Arrow's RE2 syntax
MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included

WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


@dataclass(frozen=True)
class Font:
    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None  # RGB hex, e.g. "808080"
    underline: bool = False


FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}  # solid fills (RGB hex) per severity
HEADER_FILL = "D9D9D9"
ADDED_FILL = "E2EFDA"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
GREY = Font(color="808080", size=9)
NOTE_FONT = Font(italic=True)  # a label that carries a note (a cell comment)
LINK = Font(color="0563C1", underline=True)  # a link to a cell (xmlrows.Link)


class Book:
    """An XlsxWriter workbook writing into ``fp`` (a path or a binary file object), with one
    Format per (fill, font, number format) used."""

    def __init__(self, fp: Any) -> None:
        self.wb = Workbook(fp, WORKBOOK_OPTIONS)
        self._formats: dict[tuple[str | None, Font | None, str | None], Format] = {}

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self.wb.add_worksheet(name, worksheet_class=FastWorksheet))

    def close(self) -> None:
        """Assemble the workbook into its file (this is where most of the zip work happens)."""
        self.wb.close()

    def discard(self) -> None:
        """Remove the temporary row files of a workbook that will not be closed (an error or an
        interrupt while writing): constant_memory mode keeps one per sheet (XlsxWriter's
        ``row_data_fh`` and ``row_data_filename``) and removes it only when the workbook is closed."""
        for ws in self.wb.worksheets():
            handle, name = getattr(ws, "row_data_fh", None), getattr(ws, "row_data_filename", None)
            if handle is not None:
                handle.close()
            if name:
                with contextlib.suppress(OSError):
                    os.unlink(name)

    def format(self, style: tuple[str | None, Font | None, str | None]) -> Format:
        found = self._formats.get(style)
        if found is None:
            fill, font, number_format = style
            props: dict[str, Any] = {}
            if fill is not None:
                props.update(pattern=1, bg_color=f"#{fill}")  # solid: XlsxWriter stores bg_color as fgColor
            if font is not None:
                props.update({k: v for k, v in (("bold", font.bold), ("italic", font.italic),
                                                ("underline", font.underline)) if v})
                if font.size is not None:
                    props["font_size"] = font.size
                if font.color is not None:
                    props["font_color"] = f"#{font.color}"
            if number_format is not None:
                props["num_format"] = number_format
            found = self._formats[style] = self.wb.add_format(props)
        return found


class Sheet:
    """A worksheet filled row by row, top to bottom (``append``, or ``write_rows`` for many rows
    at given sheet rows), through FastWorksheet.put_rows."""

    def __init__(self, book: Book, ws: FastWorksheet) -> None:
        self.book, self.ws, self.row = book, ws, 0
        ws.link_attr = self._style(None, Link("", "", ""))

    def append(self, values: Iterable[Any]) -> None:
        """Write one row below the last: plain values by type, ``Cell`` objects with their style and comment."""
        self.write_rows([(self.row, list(values))])

    def write_rows(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
        """Write ``(sheet row from 0, cells)`` pairs, rows rising and below those written before;
        cells by column from A (None for an empty one)."""
        end = self.ws.put_rows(rows, self._style, self._comment)
        self.row = max(self.row, end)

    def write_block(self, rows: np.ndarray, columns: dict[int, Any], styles: Mapping[int, Sequence[Any]] | None = None,
                    comments: dict[tuple[int, int], str] | None = None) -> None:
        """Write a block of rows at once, by column: ``rows`` (0-based sheet rows, rising) and
        column index -> its values (a Series or list, one per row); ``styles`` gives a column's
        style tuple per row (None for none; see Book.format), ``comments`` (row, column) -> text.
        Text columns are rendered with Arrow, others one cell at a time (xmlrows)."""
        styles = styles or {}
        for (row, col), note in sorted((comments or {}).items()):
            self._comment(row, col, note)
        cells = {}
        rows = np.asarray(rows, dtype=np.int64)
        for col, values in columns.items():
            given = styles.get(col)
            memo: dict[Any, str] = {}
            attrs = (pa.array([memo[st] if st in memo else memo.setdefault(st, self._style(st, None))
                               for st in given], pa.string()) if given is not None else "")
            if isinstance(values, Links):
                cells[col] = self.ws.link_cells(col, rows, values)
            elif (text := _as_text(values)) is not None:
                cells[col] = self.ws.text_cells(col, rows, text, attrs)
            elif (whole := _as_whole(values)) is not None:
                cells[col] = self.ws.number_cells(col, rows, whole, attrs)
            else:
                listed = [safe_cell_text(v) if v.__class__ is str else plain(v)
                          for v in (values.tolist() if hasattr(values, "tolist") else values)]
                cells[col] = self.ws.python_cells(col, rows, listed, [
                    self._style(st, v) for st, v in zip(given if given is not None else [None] * len(listed), listed)])
        self.row = max(self.row, self.ws.put_columns(rows, cells))

    def _style(self, style: tuple[str | None, Font | None, str | None] | None, value: Any) -> str:
        if style is not None and style[2] is None and _date_format(value):
            style = (style[0], style[1], _date_format(value))
        if value.__class__ is Link:
            style = (style[0] if style else None, LINK, None)
        elif style is None:
            number_format = _date_format(value)
            if number_format is None:
                return ""
            style = (None, None, number_format)
        if style == (None, None, None):
            return ""
        return f' s="{self.book.format(style)._get_xf_index()}"'

    def _comment(self, row: int, col: int, cell: Cell | str) -> None:
        text = cell if isinstance(cell, str) else str(cell.comment)
        lines = text.splitlines() or [""]
        width = min(480, max(200, 6 * max(map(len, lines))))  # pixels
        height = min(400, 22 + 16 * sum(1 + len(line) // 80 for line in lines))
        self.ws.write_comment(row, col, safe_cell_text(text), {"author": "tracecheck", "width": width,
                                                               "height": height})

    def setup(self, widths: Iterable[float], *, freeze: str | None = "A2") -> None:
        """Column widths (characters) and frozen panes ("B2": row 1 and column A)."""
        for i, width in enumerate(widths):
            self.ws.set_column(i, i, width)
        if freeze:
            col = ord(freeze[0]) - ord("A")
            self.ws.freeze_panes(int(freeze[1:]) - 1, col)

    def print_setup(self, header_row: int | None = 1, *, one_page: bool = False) -> None:
        """Landscape, fitted to the page width (and height with ``one_page``), the header row
        (1-based) repeated on every printed page."""
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 1 if one_page else 0)
        if header_row:
            self.ws.repeat_rows(header_row - 1)

    def autofilter(self, columns: int, last: int) -> None:
        """An autofilter over ``columns`` columns from the header row down to sheet row ``last``."""
        self.ws.autofilter(0, 0, last - 1, columns - 1)


def _as_whole(values: Any) -> np.ndarray | None:
    """``values`` as float64 (NaN for missing) when they are all whole numbers below 1e15 in size
    (or missing), else None."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not (pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_float_dtype(series.dtype)):
        return None
    numbers = series.to_numpy(dtype="float64", na_value=np.nan)
    known = numbers[~np.isnan(numbers)]
    if not np.all(np.isfinite(known)) or np.any(np.abs(known) >= 1e15) or np.any(known != np.round(known)):
        return None
    if np.any((known == 0) & np.signbit(known)):
        return None  # -0.0 is written as "-0"
    return numbers


def _as_text(values: Any) -> pa.Array | None:
    """``values`` as an Arrow string array when they are all text or missing, else None."""
    if isinstance(values, pd.Series) and not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return None
    try:
        text = pa.array(values, pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return pc.replace_substring_regex(text, _ILLEGAL_RE2, "\ufffd")  # as safe_cell_text does


def plain(value: Any) -> Any:
    """A pandas/numpy scalar as a value a cell can hold (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return plain(value.item())
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    if isinstance(value, (str, int, float, bool, dt.date, dt.time, dt.timedelta)):
        return safe_cell_text(value)
    return safe_cell_text(str(value))


def column_values(series: pd.Series) -> list[Any]:
    """A column's values ready for cells: missing as None, numpy scalars as Python ones, and text
    made safe (safe_cell_text). Which texts need that is found for the whole column at once, so
    only those few are cleaned one by one."""
    values = [v if v.__class__ is str else plain(v) for v in series.tolist()]
    try:
        strings = series.str
    except AttributeError:  # not a text column
        return values
    needs = strings.contains(ILLEGAL_CHARACTERS.pattern, regex=True, na=False) | (strings.len() > MAX_CELL_TEXT)
    for i in np.flatnonzero(needs.to_numpy(dtype=bool, na_value=False)).tolist():
        values[i] = safe_cell_text(values[i])
    return values


ROW_BLOCK = 20_000  # rows made ready at a time (column_values): bounds the memory of the Python values


def row_blocks(n: int) -> Iterator[slice]:
    """Slices of ROW_BLOCK positions covering ``n`` rows."""
    size = ROW_BLOCK
    return (slice(start, min(start + size, n)) for start in range(0, n, size))


def cell(value: Any, *, fill: str | None = None, font: Font | None = None, comment: str | None = None,
         number_format: str | None = None) -> Any:
    """A plain value when no styling is needed, else a Cell (styled or commented)."""
    value = plain(value)
    number_format = number_format or _date_format(value)
    if comment and fill is None and font is None:
        font = NOTE_FONT
    if fill is None and font is None and comment is None and number_format is None:
        return value
    return Cell(value, (fill, font, number_format), comment)


def _date_format(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    if isinstance(value, dt.timedelta):
        return "[h]:mm:ss"
    return "hh:mm:ss" if isinstance(value, dt.time) else None


def header(names: Iterable[str], fill: str = HEADER_FILL) -> list[Any]:
    return [cell(name, fill=fill, font=BOLD) for name in names]


def last_row(n: int) -> int:
    """Sheet row of the last of ``n`` data rows under a header, within Excel's limit."""
    return n + 1 if n <= MAX_SHEET_ROWS - 1 else MAX_SHEET_ROWS - 1


def capped(ws: Sheet, rows: Iterable[Sequence[Any]], n: int, more_rows: str) -> None:
    """Append rows up to Excel's sheet limit; the ``more_rows`` line (with {n}) says how many were left out."""
    room = MAX_SHEET_ROWS - 2  # header row + the "more rows" line
    for i, row in enumerate(rows):
        if i == room and n > room + 1:
            ws.append([cell(more_rows.format(n=f"{n - room:,}"), font=BOLD)])
            return
        ws.append(row)
