"""Sheet rows rendered as worksheet XML in blocks, for XlsxWriter's constant_memory mode.

XlsxWriter spends about 6 microseconds on each cell it writes (argument checks, a cell object, the
row table, escaping with several regular expressions, one file write per tag): 25 s for the four
million cells of a 100,000-row batch's workbook. ``FastWorksheet.put_rows`` takes whole rows
instead and writes each as one ``<row>`` element, the same XML XlsxWriter writes for the same cells
(inline strings, ``<v>`` numbers with ``.16G``, Excel date serials, booleans, styles by format
index; tests/test_writer_xlsx.py compares the two byte for byte). Everything else, the styles,
comments (VML), panes, filters, print setup and the zip package, stays XlsxWriter's.

One deliberate difference: XlsxWriter writes a string that starts with ``<r>`` and ends with
``</r>`` into the sheet unescaped (its rich-string form), so submitted text of that shape would
break the workbook's XML; here every string is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from tracecheck.writers.cells import ILLEGAL_CHARACTERS, MAX_CELL_TEXT

# Text that needs more than writing as is: XML's & < >, control characters, literal _xHHHH_
# (which Excel would read as an escape) and leading or trailing white space.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# The same for Arrow's RE2, a little wider (any Unicode space at either end): a match is only
# rendered one by one, the exact way.
_SPECIAL_RE2 = (r"[&<>\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_|^[\s\pZ\x{85}\x0b]|"
                r"[\s\pZ\x{85}\x0b]$")
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")

SHARED_FROM = 256  # rows in a block from which a column with few distinct texts uses shared strings
Style = Callable[[Any, Any], str]  # (style of the cell or None, value) -> ' s="n"' or ""


class Cell:
    """A value with its style (fill, font, number format; see style.Book.format) and an optional comment."""

    __slots__ = ("value", "style", "comment")

    def __init__(self, value: Any, style: tuple[Any, Any, Any], comment: str | None) -> None:
        self.value, self.style, self.comment = value, style, comment


class Link:
    """A link to a cell of this workbook, written as a HYPERLINK formula showing ``text``
    (a formula, not a worksheet hyperlink: Excel keeps at most 65,530 of those per sheet)."""

    __slots__ = ("sheet", "ref", "text")

    def __init__(self, sheet: str, ref: str, text: str) -> None:
        self.sheet, self.ref, self.text = sheet, ref, text

    def formula(self) -> str:
        sheet = self.sheet.replace("'", "''")
        return f'HYPERLINK("#\'{sheet}\'!{self.ref}","{self.text.replace(chr(34), chr(34) * 2)}")'


class Links:
    """A column of links: per row the Data sheet's name (null: no link) and the cell reference;
    with ``several`` the shown text names the sheet too ("Mayo!H7")."""

    __slots__ = ("sheets", "refs", "several")

    def __init__(self, sheets: pa.Array, refs: pa.Array, several: bool) -> None:
        self.sheets, self.refs, self.several = sheets, refs, several


def escaped_text(text: str) -> tuple[str, bool]:
    """``text`` as it goes between ``<t>`` tags, and whether it needs xml:space="preserve"."""
    if not _SPECIAL.search(text):
        return text, False
    text = ILLEGAL_CHARACTERS.sub("\ufffd", text)  # as cells.safe_cell_text: XML cannot hold them
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _LITERAL_ESCAPE.sub(r"_x005F\1", text))
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _EDGE_SPACE.search(text) is not None
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


class FastWorksheet(Worksheet):
    """XlsxWriter's worksheet that also takes whole rows as XML (``put_rows``)."""

    def __init__(self) -> None:
        super().__init__()
        self._letters: list[str] = []  # column names by index
        self.previous_row: int = 0  # XlsxWriter's: the row its constant_memory mode has pending
        self.link_attr = ""  # the style attribute of link cells (set by the writer's Sheet)

    def letter(self, col: int) -> str:
        letters = self._letters
        while len(letters) <= col:
            letters.append(xl_col_to_name(len(letters)))
        return letters[col]

    def put_columns(self, rows: np.ndarray, columns: dict[int, pa.Array]) -> int:
        """Write a block of rows given as columns: ``rows`` (0-based sheet rows, rising, below
        those written before) and column index -> that column's cell XML per row (from
        ``text_cells`` or ``python_cells``; "" for no cell). Comments and styles are the caller's
        (register comments first: XlsxWriter takes none for a row already written). Returns the
        row after the last one."""
        if not len(rows):
            return self.previous_row
        first, last = int(rows[0]), int(rows[-1])
        if first < self.previous_row or first in self.table:
            raise ValueError(f"row {first + 1} comes after rows already written")
        if self.table:
            self._write_single_row(first)
        numbers = pc.cast(pa.array(rows + 1), pa.string())
        cells = [columns[c] for c in sorted(columns)]
        xml = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")
        self.fh.write("".join(xml.to_pylist()))
        self._check_dimensions(first, min(columns))
        self._check_dimensions(last, max(columns))
        self.previous_row = last + 1
        return last + 1

    def text_cells(self, col: int, rows: np.ndarray, values: pa.Array, attrs: pa.Array | str = "") -> pa.Array:
        """Cell XML for text ``values`` (a string array; null or "" is no cell unless it has a
        style) in column ``col`` at ``rows`` (0-based), each with its style attribute."""
        letter, numbers = self.letter(col), pc.cast(pa.array(rows + 1), pa.string())
        empty = pc.fill_null(pc.equal(values, ""), True)
        blank = pc.binary_join_element_wise('<c r="', letter, numbers, '"', attrs, "/>", "")
        blank = pc.if_else(pc.equal(attrs, "") if isinstance(attrs, pa.Array) else attrs == "", "", blank)
        encoded = pc.dictionary_encode(values)
        if len(values) >= SHARED_FROM and len(encoded.dictionary) * 4 <= len(values):
            return pc.if_else(empty, blank, self._shared_cells(letter, numbers, encoded, attrs))
        out = pc.binary_join_element_wise('<c r="', letter, numbers, '"', attrs, ' t="inlineStr"><is><t>', values,
                                          "</t></is></c>", "")
        out = pc.if_else(empty, blank, out)
        special = pc.or_(pc.fill_null(pc.match_substring_regex(values, _SPECIAL_RE2), False),
                         pc.greater(pc.fill_null(pc.utf8_length(values), 0), MAX_CELL_TEXT // 2))
        at = np.flatnonzero(special.to_numpy(zero_copy_only=False))
        if len(at):  # escaped (or cut to Excel's length) one by one
            texts, styles = values.take(at).to_pylist(), _take(attrs, at)
            exact = [self._cell_xml(f"{letter}{int(rows[i]) + 1}", t, str, a) for i, t, a in zip(at, texts, styles)]
            out = pc.replace_with_mask(out, _mask(len(out), at), pa.array(exact, pa.string()))
        return out

    def _shared_cells(self, letter: str, numbers: pa.Array, encoded: pa.DictionaryArray, attrs: pa.Array | str
                      ) -> pa.Array:
        """Cells of a column with few distinct texts, as references into the workbook's shared
        string table (XlsxWriter writes the table and escapes its strings)."""
        table = self.str_table
        index = [table._get_shared_string_index(_utf16_truncate(t, MAX_CELL_TEXT) if len(t) > MAX_CELL_TEXT // 2
                                                else t) for t in encoded.dictionary.to_pylist()]
        table.count += max(0, len(encoded) - encoded.null_count - len(index))
        shared = pc.take(pa.array([str(i) for i in index], pa.string()), encoded.indices)
        return pc.binary_join_element_wise('<c r="', letter, numbers, '"', attrs, ' t="s"><v>', shared, "</v></c>", "")

    def number_cells(self, col: int, rows: np.ndarray, values: np.ndarray, attrs: pa.Array | str = "") -> pa.Array:
        """Cell XML for whole numbers (float64, NaN for no cell, all below 1e15 in size: written
        as XlsxWriter's ``.16G`` writes them)."""
        letter, numbers = self.letter(col), pc.cast(pa.array(rows + 1), pa.string())
        known = ~np.isnan(values)
        digits = pc.cast(pa.array(np.where(known, values, 0).astype(np.int64)), pa.string())
        out = pc.binary_join_element_wise('<c r="', letter, numbers, '"', attrs, "><v>", digits, "</v></c>", "")
        return pc.if_else(pa.array(known), out, "")

    def link_cells(self, col: int, rows: np.ndarray, links: Links) -> pa.Array:
        """Cell XML for a column of links (no cell where a link's sheet is null), each written as
        ``Link`` writes one."""
        encoded = pc.dictionary_encode(links.sheets)
        names = encoded.dictionary.to_pylist()

        def per_sheet(make: Callable[[str], str]) -> pa.Array:
            return pc.take(pa.array([escaped_text(make(n))[0] for n in names], pa.string()), encoded.indices)

        formula = per_sheet(lambda n: "HYPERLINK(\"#'" + n.replace("'", "''") + "'!")
        quoted = per_sheet(lambda n: (n + "!").replace('"', '""') if links.several else "")
        shown = per_sheet(lambda n: n + "!" if links.several else "")
        letter, numbers = self.letter(col), pc.cast(pa.array(rows + 1), pa.string())
        out = pc.binary_join_element_wise('<c r="', letter, numbers, '"', self.link_attr, ' t="str"><f>', formula,
                                          links.refs, '","', quoted, links.refs, '")</f><v>', shown, links.refs,
                                          "</v></c>", "")
        return pc.fill_null(out, "")

    def python_cells(self, col: int, rows: np.ndarray, values: list[Any], attrs: list[str] | str = "") -> pa.Array:
        """Cell XML for values of any kind (numbers, dates, booleans, Links, text; None is no
        cell unless it has a style), rendered one by one."""
        letter, styles = self.letter(col), attrs if isinstance(attrs, list) else [attrs] * len(values)
        return pa.array([self._cell_xml(f"{letter}{r + 1}", v, v.__class__, a)
                         for r, v, a in zip(rows.tolist(), values, styles)], pa.string())

    def put_rows(self, rows: Iterable[tuple[int, Sequence[Any]]], style: Style,
                 comment: Callable[[int, int, Any], None]) -> int:
        """Write ``(row, cells)`` pairs (0-based sheet rows, rising; cells by column from A, None for
        an empty one) as row elements. ``style(cell_style, value)`` gives a cell's style attribute;
        a cell object with a ``comment`` is handed to ``comment(row, col, cell)`` before its row is
        written. Returns the row after the last one written (later rows may follow)."""
        if not self.constant_memory:
            raise ValueError("put_rows needs a workbook in constant_memory mode")
        out: list[str] = []
        first = last = -1
        for row, cells in rows:
            if first < 0:
                first = row
                if row < self.previous_row or row in self.table:
                    raise ValueError(f"row {row + 1} comes after rows already written")
                if self.table:  # a row XlsxWriter's own calls left pending goes out first
                    self._write_single_row(row)
            xml = self._row_xml(row, cells, style, comment)
            if xml:
                out.append(xml)
            last = row
            if len(out) >= 2_000:
                self.fh.write("".join(out))
                out.clear()
        if first < 0:
            return self.previous_row
        self.fh.write("".join(out))
        self._check_dimensions(first, 0)
        self.previous_row = last + 1  # nothing pending: the next write starts a new row
        return last + 1

    def _row_xml(self, row: int, cells: Sequence[Any], style: Style, comment: Callable[[int, int, Any], None]) -> str:
        r = row + 1
        letters = self._letters if len(self._letters) >= len(cells) else [self.letter(c) for c in range(len(cells))]
        parts = []
        written = []
        for col, value in enumerate(cells):
            kind = value.__class__
            if kind is str and value and not _SPECIAL.search(value) and len(value) <= MAX_CELL_TEXT:  # most cells
                parts.append(f'<c r="{letters[col]}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
                written.append(col)
                continue
            if value is None:
                continue
            attr = ""
            if kind is Cell:
                if value.comment:
                    comment(row, col, value)
                attr = style(value.style, value.value)
                value = value.value
                kind = value.__class__
            elif kind is not str and kind is not int and kind is not float:
                attr = style(None, value)
            xml = self._cell_xml(f"{letters[col]}{r}", value, kind, attr)
            if xml:
                parts.append(xml)
                written.append(col)
        if not parts:
            return ""
        self._check_dimensions(row, written[0])
        self._check_dimensions(row, written[-1])
        return f'<row r="{r}">{"".join(parts)}</row>'

    def _cell_xml(self, ref: str, value: Any, kind: type, attr: str) -> str:
        if kind is str:
            if not value:  # empty text is an empty cell (XlsxWriter would write an empty string)
                return f'<c r="{ref}"{attr}/>' if attr else ""
            if len(value) > MAX_CELL_TEXT:
                value = _utf16_truncate(value, MAX_CELL_TEXT)
            text, preserve = escaped_text(value)
            space = ' xml:space="preserve"' if preserve else ""
            return f'<c r="{ref}"{attr} t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if kind is bool:
            return f'<c r="{ref}"{attr} t="b"><v>{int(value)}</v></c>'
        if kind is int or kind is float:
            if not math.isfinite(value):
                return self._cell_xml(ref, str(value), str, attr)  # Excel has no NaN or infinity
            return f'<c r="{ref}"{attr}><v>{value:.16G}</v></c>'
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            return f'<c r="{ref}"{attr}><v>{self._convert_date_time(value):.16G}</v></c>'
        if kind is Link:
            text, _ = escaped_text(value.text)
            formula, _ = escaped_text(value.formula())
            return f'<c r="{ref}"{attr} t="str"><f>{formula}</f><v>{text}</v></c>'
        if value is None:
            return f'<c r="{ref}"{attr}/>' if attr else ""
        if hasattr(value, "item"):  # numpy scalars
            value = value.item()
            return self._cell_xml(ref, value, value.__class__, attr)
        if value is pd.NA or value is pd.NaT:
            return f'<c r="{ref}"{attr}/>' if attr else ""
        return self._cell_xml(ref, str(value), str, attr)


def _take(attrs: pa.Array | str, at: np.ndarray) -> list[str]:
    return attrs.take(at).to_pylist() if isinstance(attrs, pa.Array) else [attrs] * len(at)


def _mask(n: int, at: np.ndarray) -> pa.Array:
    mask = np.zeros(n, dtype=bool)
    mask[at] = True
    return pa.array(mask)
