"""Cells, styles and sheet set-up for the workbook writer (openpyxl, normal or write-only mode)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

import pandas as pd
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from tracecheck.writers.cells import is_formula_like, safe_cell_text

MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included

FILLS = {sev: PatternFill("solid", start_color=rgb, end_color=rgb)
         for sev, rgb in (("error", "FFC7CE"), ("warning", "FFEB9C"), ("info", "DDEBF7"))}
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
ADDED_FILL = PatternFill("solid", start_color="E2EFDA", end_color="E2EFDA")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
GREY = Font(color="808080", size=9)
NOTE_FONT = Font(italic=True)  # a label that carries a note


def text_cell(ws: Any, value: str) -> Cell:
    """A cell holding ``value`` as a string, even when it starts like a formula."""
    cell = WriteOnlyCell(ws)
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    return cell


def plain(value: Any) -> Any:
    """A pandas/numpy scalar as a value openpyxl can store (None when missing)."""
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


def cell(ws: Any, value: Any, *, fill: PatternFill | None = None, font: Font | None = None,
         comment: str | None = None, number_format: str | None = None) -> Any:
    """A plain value when no styling is needed, else a Cell (styled, commented, or forced text)."""
    value = plain(value)
    number_format = number_format or _date_format(value)
    if comment and fill is None and font is None:
        # A write-only sheet reuses an unstyled Cell for the next value of the row, comment and
        # all; a styled one it leaves alone. So a commented cell always has a style.
        font = NOTE_FONT
    if fill is None and font is None and comment is None and number_format is None and not is_formula_like(value):
        return value
    out = Cell(ws, row=1, column=1, style_array=_style_array(ws, fill, font, number_format))
    out.value = value
    if is_formula_like(value):
        out.data_type = "s"  # text, never a formula
    if comment:
        out.comment = _comment(comment)
    return out


def _date_format(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    return "hh:mm:ss" if isinstance(value, dt.time) else None


_STYLE_ARRAYS: WeakKeyDictionary[Any, dict[Any, Any]] = WeakKeyDictionary()  # workbook -> {key: StyleArray}


def _style_array(ws: Any, fill: PatternFill | None, font: Font | None, number_format: str | None) -> Any:
    """The style of a (fill, font, number format), looked up once per workbook: setting .fill
    on each cell hashes the fill every time (about 7% of the time on a 100,000-row batch)."""
    styles = _STYLE_ARRAYS.setdefault(ws.parent, {})
    key = (id(fill), id(font), number_format)  # fills and fonts are the module's constants
    if key not in styles:
        template = WriteOnlyCell(ws)
        if fill is not None:
            template.fill = fill
        if font is not None:
            template.font = font
        if number_format is not None:
            template.number_format = number_format
        styles[key] = template._style  # type: ignore[attr-defined]  # openpyxl's style array (no public name)
    return styles[key]


def _comment(text: str) -> Comment:
    lines = text.splitlines() or [""]
    comment = Comment(safe_cell_text(text), "tracecheck")
    comment.width = min(480, max(200, 6 * max(map(len, lines))))
    comment.height = min(400, 22 + 16 * sum(1 + len(line) // 80 for line in lines))
    return comment


def setup(ws: Any, widths: Iterable[float], *, freeze: str | None = "A2") -> None:
    """Column widths and frozen panes: set before any row (write-only sheets need that)."""
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if freeze:
        ws.freeze_panes = freeze


def header(ws: Any, names: Iterable[str], fill: PatternFill = HEADER_FILL) -> list[Any]:
    return [cell(ws, name, fill=fill, font=BOLD) for name in names]


def last_row(n: int) -> int:
    """Sheet row of the last of ``n`` data rows under a header, within Excel's limit."""
    return n + 1 if n <= MAX_SHEET_ROWS - 1 else MAX_SHEET_ROWS - 1


def capped(ws: Any, rows: Iterator[list[Any]], n: int, more_rows: str) -> None:
    """Append rows up to Excel's sheet limit; the ``more_rows`` line (with {n}) says how many were left out."""
    room = MAX_SHEET_ROWS - 2  # header row + the "more rows" line
    for i, row in enumerate(rows):
        if i == room and n > room + 1:
            ws.append([cell(ws, more_rows.format(n=f"{n - room:,}"), font=BOLD)])
            return
        ws.append(row)
