"""HTML tables: a web page's "export to Excel" (an HTML page saved under an .xls name) read as a table.

The page is decoded (byte-order mark, else ``<meta charset>``, else utf-8, else cp1252) and parsed by
the standard library's HTMLParser, which never raises on broken markup and keeps no tree: only the
cells of each ``<table>`` are kept, as text (``<br>`` is a line break, other whitespace collapses as a
browser shows it; entities and stray ``&`` as a browser reads them). The table with the most cells
is the batch (layout tables around it are smaller). ``colspan`` and ``rowspan`` are honoured as a
spreadsheet opens them (the value in the first cell, the covered cells blank), within the limits
HTML itself sets (1,000 columns, 65,534 rows per span). Row numbers are the table's row numbers, so
the header is row 1 as when Excel opens the file.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

import pandas as pd

from tracecheck.errors import InputError
from tracecheck.read.limits import Limits
from tracecheck.read.shape import _shape, _Table
from tracecheck.read.sniff import utf16_order

MAX_COLSPAN, MAX_ROWSPAN = 1_000, 65_534  # the HTML standard's own clamps
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def decode_html(data: bytes) -> tuple[str, str]:
    """The page as text, and the name of its encoding."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, "replace"), name
    order = utf16_order(data)
    if order:
        return data[:len(data) // 2 * 2].decode(order, "replace"), order
    declared = _CHARSET.search(data[:4096])
    names = [declared.group(1).decode("ascii", "replace").lower()] if declared else []
    for name in [*names, "utf-8"]:
        try:
            return data.decode(name), codecs.lookup(name).name
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace"), "cp1252"


def html_grid(text: str, max_columns: int, max_cells: int) -> pd.DataFrame:
    """The largest table of the page as a grid of text cells (columns 0..n-1, rows indexed from 1).
    TableTooLarge when a row is wider than ``max_columns`` or the grid holds more than ``max_cells``."""
    parser = _Tables(max_columns, max_cells)
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.done + parser.stack if t.rows]
    if not tables:
        return pd.DataFrame()
    rows = max(tables, key=lambda t: sum(len(r) for r in t.rows)).rows
    width = max(len(row) for row in rows)
    if width * len(rows) > max_cells:
        raise TableTooLarge(f"the table is {len(rows):,} rows by {width:,} columns, over the limit of "
                            f"{max_cells:,} cells (--limit max_cells=...)")
    grid = pd.DataFrame([row + [None] * (width - len(row)) for row in rows], columns=range(width), dtype=object)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid


class TableTooLarge(ValueError):
    """The table is wider or larger than the limits allow (the reader refuses it)."""


class _HtmlTable:
    def __init__(self, max_columns: int, max_cells: int) -> None:
        self.rows: list[list[str | None]] = []
        self.covered: dict[int, int] = {}  # column -> the last row a rowspan above covers it to
        self.cell: list[str] | None = None
        self.position = 0
        self.max_columns = max_columns
        self.max_cells = max_cells  # counted while parsing: spans can make a small page a huge grid
        self.cells = 0

    def new_row(self) -> None:
        self.close_cell()
        self.rows.append([])

    def new_cell(self, colspan: int, rowspan: int) -> None:
        self.close_cell()
        if not self.rows:
            self.rows.append([])
        row, here = self.rows[-1], len(self.rows) - 1
        while self.covered.get(len(row), -1) >= here:  # cells a rowspan above covers
            row.append(None)
            self.cells += 1
        if len(row) + colspan > self.max_columns:
            raise TableTooLarge(f"a row of the table is wider than the limit of {self.max_columns:,} columns "
                                "(--limit max_columns=...)")
        self.cells += colspan
        if self.cells > self.max_cells:
            raise TableTooLarge(f"a table of the page holds more than the limit of {self.max_cells:,} cells "
                                "(--limit max_cells=...)")
        if rowspan > 1:
            for column in range(len(row), len(row) + colspan):
                self.covered[column] = max(self.covered.get(column, -1), here + rowspan - 1)
        row.append("")
        row.extend([None] * (colspan - 1))
        self.cell = []
        self.position = len(row) - colspan

    def close_cell(self) -> None:
        if self.cell is not None and self.rows:
            text = "\n".join(" ".join(line.split()) for line in "".join(self.cell).split("\n")).strip()
            self.rows[-1][self.position] = text or None
        self.cell = None


class _Tables(HTMLParser):
    def __init__(self, max_columns: int, max_cells: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_columns, self.max_cells = max_columns, max_cells
        self.stack: list[_HtmlTable] = []
        self.done: list[_HtmlTable] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.stack.append(_HtmlTable(self.max_columns, self.max_cells))
        elif not self.stack:
            return
        elif tag == "tr":
            self.stack[-1].new_row()
        elif tag in ("td", "th"):
            named = dict(attrs)
            self.stack[-1].new_cell(_span(named.get("colspan"), MAX_COLSPAN), _span(named.get("rowspan"), MAX_ROWSPAN))
        elif tag == "br" and self.stack[-1].cell is not None:
            self.stack[-1].cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            return
        if tag == "table":
            table = self.stack.pop()
            table.close_cell()
            self.done.append(table)
        elif tag in ("td", "th", "tr"):
            self.stack[-1].close_cell()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1].cell is not None:
            self.stack[-1].cell.append(data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        for table in self.stack:
            table.close_cell()


def _span(value: str | None, limit: int) -> int:
    try:
        return min(max(int((value or "1").strip()), 1), limit)
    except ValueError:
        return 1


def read_html(data: bytes, shown: str, header_row: int | None, limits: Limits) -> tuple[_Table, str]:
    """Decode, parse and shape the page's table; InputError when it has none or is too large."""
    text, encoding = decode_html(data)
    try:
        grid = html_grid(text, limits.max_columns, limits.max_cells)
    except TableTooLarge as err:
        raise InputError(f"HTML page with an .xls name: {err}", path=shown) from None
    if grid.empty:
        raise InputError("is an HTML page without a table; open it in a spreadsheet program and save it as .xlsx",
                         path=shown)
    return _shape(grid, header_row, shown, None), encoding
