"""What the workbook reader (calamine) does not tell us, read from the xlsx zip's XML parts.

* which part holds which sheet, and the size a sheet *claims* (for the limits, before unpacking);
* how far a sheet really reaches (the <dimension> it claims may lie, and calamine allocates a dense
  grid up to the farthest cell, so one cell at XFD1048576 would ask for terabytes);
* cells holding a formula without a saved result: calamine reads them as blank, so a value the
  author saw in Excel silently disappears;
* the workbook's date system (1900 or 1904), the origin of date serial numbers.

Works on the file's bytes (never the path) and reads only the parts it needs. Regular expressions,
not an XML parser: the parts can be large, the patterns are fixed by the file format, and any
namespace prefix (``<x:c>``) is accepted.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>]")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_BYTE_ATTRIBUTE = re.compile(rb'\s([\w:]+)="([^"]*)"')
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_REFERENCE = re.compile(rb"^([A-Z]{1,3})(\d+)$")
_CELL_NO_REF = re.compile(rb"<c(?:>|/>|\s+(?!r=))")  # a cell tag whose first attribute is not r=
_NS_CELL_NO_REF = re.compile(rb":c(?:>|/>|\s+(?!r=))")  # the same with a namespace prefix (<x:c ...>)
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>]")
# r="7" (a row) or r="C7" (a cell) with exactly n digits; a cell reference with exactly n letters.
# They start with the literal r=" (no \b or \s before it) so that the regex engine can skip ahead
# fast; another attribute ending in r would at worst make the bound larger.
# Excel stops at row 1,048,576 and column XFD, but a hostile file need not: 8+ digits and 4+ letters
# are searched first, as one group each.
_ROW_NUMBER = {n: re.compile(rb'r="[A-Z]*(\d{%d%s})"' % (n, b"," if n == 8 else b"")) for n in range(1, 9)}
_COLUMN_LETTERS = {n: re.compile(rb'r="([A-Z]{%d%s})\d' % (n, b"," if n == 4 else b"")) for n in range(1, 5)}
_DATE1904 = re.compile(r'<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"')
_CELL_LOOKBACK = 512  # bytes before a <f> searched for its <c ...> start tag
EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS = 1_048_576, 16_384  # row 1048576, column XFD
# Errors a damaged archive can raise while a part is read; the workbook reader then reports it.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError,
                  NotImplementedError, KeyError, UnicodeError)


@dataclass(frozen=True)
class FormulaCell:
    """A cell whose formula has no saved result: ``row`` (1-based), column ``letter``, ``formula`` text
    (``"=A2&B2"``; ``"="`` for a cell sharing another cell's formula)."""

    row: int
    letter: str
    formula: str


def open_archive(data: bytes) -> zipfile.ZipFile | None:
    """The workbook as a zip, or None when it is not one (an old .xls, or a damaged file)."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ARCHIVE_ERRORS:  # NotImplementedError too: a damaged "version needed" field (found by fuzzing)
        return None


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name (xl/worksheets/sheetN.xml), from the workbook and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for attributes in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTRIBUTE.findall(attributes))
        targets[attrs.get("Id")] = attrs.get("Target", "").lstrip("/")
    parts = {}
    for attributes in _SHEET.findall(workbook):
        attrs = dict(_ATTRIBUTE.findall(attributes))
        target = targets.get(attrs.get("r:id"), "")
        parts[attrs.get("name", "?")] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def date_system(data: bytes) -> int:
    """1904 for a workbook saved with the 1904 date system (``<workbookPr date1904="1"/>``), else 1900.

    calamine already converts date-formatted cells; this matters for plain numbers that stand
    for dates (serial 45000 is 2023-03-15 in the 1900 system and 2027-03-16 in the 1904 one).
    """
    archive = open_archive(data)
    if archive is None:
        return 1900
    with archive:
        try:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        except ARCHIVE_ERRORS:
            return 1900
    return 1904 if _DATE1904.search(workbook) else 1900


def claimed_size(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(rows, columns) from the sheet's <dimension ref="A1:XFD1048576"/>, reading only its start."""
    try:
        with archive.open(part) as handle:
            head = handle.read(4096)
    except KeyError:
        return 0, 0
    match = _DIMENSION.search(head)
    if not match:
        return 0, 0
    last_col, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
    return int(last_row or 0), column_number(last_col.decode() if last_col else "")


def column_number(letters: str) -> int:
    """1-based column number of a column letter ('A' -> 1, 'AA' -> 27); 0 for ''."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number


@dataclass(frozen=True)
class SheetScan:
    """What one pass over a sheet's XML found: the highest row and column any cell or row names
    (the reader allocates a dense grid that large), and the formula cells without a saved result."""

    rows: int
    columns: int
    formulas: tuple[FormulaCell, ...]
    cells: int = 0  # cell elements stored in the sheet (an upper bound on its values)


EMPTY_SCAN = SheetScan(0, 0, ())


def scan_sheet(data: bytes, sheet: str) -> SheetScan:
    """Scan ``sheet`` of the workbook ``data`` (EMPTY_SCAN for an .xls or a part that cannot be read:
    the workbook reader reports a damaged file)."""
    archive = open_archive(data)
    if archive is None:
        return EMPTY_SCAN
    with archive:
        try:
            part = sheet_parts(archive).get(sheet)
            xml = archive.read(part) if part else b""
        except ARCHIVE_ERRORS:
            return EMPTY_SCAN
    return SheetScan(_highest_row(xml), _highest_column(xml) + _cells_without_reference(xml),
                     tuple(_uncached_formulas(xml)), cells=xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b":c "))


def _cells_without_reference(xml: bytes) -> int:
    """The most cells in one row, when some cell has no r="..." (calamine then places it after the
    previous cell, so a row of 20,000 such cells is 20,000 columns wide); 0 in the usual case where
    every cell tag starts with its reference. Two literal-prefixed searches keep the usual case fast."""
    if not (_CELL_NO_REF.search(xml) or _NS_CELL_NO_REF.search(xml)):
        return 0
    return max((len(_ANY_CELL.findall(row)) for row in _ROW_START.split(xml)), default=0)


def _highest_row(xml: bytes) -> int:
    """The highest row number in any r="..." (rows and cells)."""
    return _highest(xml, [_ROW_NUMBER[n] for n in range(8, 0, -1)], int) or 0


def _highest_column(xml: bytes) -> int:
    """The highest column of any cell reference; 26 (column Z) when every reference has a single
    letter, an upper bound that is enough here."""
    found = _highest(xml, [_COLUMN_LETTERS[n] for n in (4, 3, 2)], lambda code: column_number(code.decode()))
    return found if found is not None else (26 if _COLUMN_LETTERS[1].search(xml) else 0)


def _highest(xml: bytes, longest_first: list[re.Pattern], value: Callable[[bytes], int]) -> int | None:
    """The largest ``value`` among the matches of the first pattern that matches at all (longest
    numbers or letter codes first, so only the few longest references become Python objects)."""
    for pattern in longest_first:
        found = pattern.findall(xml)
        if found:
            return max(value(text) for text in set(found))
    return None


def _uncached_formulas(xml: bytes) -> list[FormulaCell]:
    """A formula cell normally stores its last result in ``<v>``; programs that write workbooks
    without calculating them (scripts, some exports) leave it out or empty. An empty ``<v>`` of a
    text-typed cell (``t="str"``) is a saved empty-text result and does not count. Cells without
    an ``r="C2"`` reference are skipped (their position would need the whole row's layout)."""
    cells = []
    for match in _FORMULA.finditer(xml):
        cell = _enclosing_cell(xml, match.start())
        if cell is not None and (found := _uncached(cell)) is not None:
            cells.append(found)
    return cells


def _enclosing_cell(xml: bytes, position: int) -> bytes | None:
    window_start = max(0, position - _CELL_LOOKBACK)
    starts = list(_CELL_START.finditer(xml, window_start, position))
    end = _CELL_END.search(xml, position)
    if not starts or end is None:
        return None
    return xml[starts[-1].start():end.end()]


def _uncached(cell: bytes) -> FormulaCell | None:
    tag_end = cell.find(b">")
    attrs = dict(_BYTE_ATTRIBUTE.findall(cell[:tag_end]))
    reference = _REFERENCE.match(attrs.get(b"r", b""))
    if reference is None:
        return None
    value = _VALUE.search(cell)
    if value is not None and (value.group(1) or attrs.get(b"t") in (b"str", b"inlineStr")):
        return None
    formula = _FORMULA_TEXT.search(cell)
    text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace")) if formula else ""
    return FormulaCell(int(reference.group(2)), reference.group(1).decode(), f"={text}")
