"""Cells, styles and sheets for the workbook writer (XlsxWriter in constant_memory mode).

A ``Sheet`` appends rows in order, as XlsxWriter's constant_memory mode needs (each finished row
is written out to a temporary file and forgotten). A row holds plain values, written by their
type, or ``Cell`` objects made by ``cell()`` for a value with a fill, a font, a number format or a
comment. Text is always written as a string cell (``write_string``): never a formula, a URL or a
number, however it looks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from tracecheck.writers.cells import ILLEGAL_CHARACTERS, MAX_CELL_TEXT, safe_cell_text

MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included

WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


@dataclass(frozen=True)
class Font:
    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None  # RGB hex, e.g. "808080"


FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}  # solid fills (RGB hex) per severity
HEADER_FILL = "D9D9D9"
ADDED_FILL = "E2EFDA"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
GREY = Font(color="808080", size=9)
NOTE_FONT = Font(italic=True)  # a label that carries a note (a cell comment)


class Cell:
    """A value with its style (fill, font, number format) and an optional comment."""

    __slots__ = ("value", "style", "comment")

    def __init__(self, value: Any, style: tuple[str | None, Font | None, str | None], comment: str | None) -> None:
        self.value, self.style, self.comment = value, style, comment


# Text XlsxWriter would change on the way into the sheet XML: XML's & < >, control characters
# and non-characters it escapes as _xHHHH_, literal _xHHHH_ it escapes in turn, and leading or
# trailing white space (xml:space="preserve"). Cells holding such text take XlsxWriter's own path.
_SPECIAL_TEXT = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")


class FastWorksheet(Worksheet):
    """XlsxWriter's worksheet with a shorter path for its commonest cells in constant_memory mode:
    plain text and numbers, written as the same XML XlsxWriter writes for them (inline strings,
    ``<v>`` with ``.16G``), without its general escaping (a few regular expressions per cell,
    ~40% of the writing time). Anything else goes through ``Worksheet._write_cell``;
    tests/test_writer_xlsx.py checks that both paths write the same sheet."""

    def __init__(self) -> None:
        super().__init__()
        self._letters: list[str] = []  # column names by index

    def write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> int:
        """XlsxWriter's write_string for (row, column) numbers only: without the decorator that
        also takes "A1" references (about 4% of the writing time in a profile)."""
        result: int = self._write_string(row, col, string, cell_format)
        return result

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        kind = cell.__class__.__name__
        fmt = cell.format
        if (kind != "String" and kind != "Number") or (fmt is None and (row in self.row_info or col in self.col_info
                                                                         and self.col_info[col].column_format)):
            return super()._write_cell(row, col, cell)
        letters = self._letters
        while len(letters) <= col:
            letters.append(xl_col_to_name(len(letters)))
        style = f' s="{fmt._get_xf_index()}"' if fmt else ""
        if kind == "Number":
            self.fh.write(f'<c r="{letters[col]}{row + 1}"{style}><v>{cell.number:.16G}</v></c>')
        elif not self.constant_memory or _SPECIAL_TEXT.search(cell.string):
            super()._write_cell(row, col, cell)
        else:
            self.fh.write(f'<c r="{letters[col]}{row + 1}"{style} t="inlineStr"><is><t>{cell.string}</t></is></c>')
        return None


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
                props.update({k: v for k, v in (("bold", font.bold), ("italic", font.italic)) if v})
                if font.size is not None:
                    props["font_size"] = font.size
                if font.color is not None:
                    props["font_color"] = f"#{font.color}"
            if number_format is not None:
                props["num_format"] = number_format
            found = self._formats[style] = self.wb.add_format(props)
        return found


class Sheet:
    """A worksheet filled row by row, top to bottom (``append``)."""

    def __init__(self, book: Book, ws: Any) -> None:
        self.book, self.ws, self.row = book, ws, 0

    def append(self, values: Iterable[Any]) -> None:
        """Write one row: plain values by type, ``Cell`` objects with their style and comment."""
        row, write, write_string = self.row, self._write, self.ws.write_string
        for col, value in enumerate(values):
            kind = value.__class__
            if kind is str:  # most cells: the fast path
                write_string(row, col, value)
            elif value is None:
                continue
            elif kind is Cell:
                style = value.style
                fmt = self.book.format(style) if style != (None, None, None) else None
                write(row, col, value.value, fmt)
                if value.comment:
                    self._comment(row, col, value.comment)
            else:
                write(row, col, value, None)
        self.row = row + 1

    def _write(self, row: int, col: int, value: Any, fmt: Format | None) -> None:
        ws, kind = self.ws, value.__class__
        if kind is str:
            ws.write_string(row, col, value, fmt)
        elif kind is int or kind is float:
            if kind is float and not math.isfinite(value):
                ws.write_string(row, col, str(value), fmt)  # Excel has no NaN or infinity
            else:
                ws.write_number(row, col, value, fmt)
        elif value is None:
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif kind is bool:
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (dt.date, dt.time, dt.timedelta)):
            ws.write_datetime(row, col, value, fmt or self.book.format((None, None, _date_format(value))))
        else:  # numpy and pandas scalars, subclasses of str, int or float, anything else as its text
            cleaned = plain(value)
            if cleaned is value:
                cleaned = float(value) if isinstance(value, (int, float)) else str(value)
            self._write(row, col, cleaned, fmt)

    def _comment(self, row: int, col: int, text: str) -> None:
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

    def autofilter(self, columns: int, last: int) -> None:
        """An autofilter over ``columns`` columns from the header row down to sheet row ``last``."""
        self.ws.autofilter(0, 0, last - 1, columns - 1)


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
