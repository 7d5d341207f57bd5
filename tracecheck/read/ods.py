"""OpenDocument spreadsheets (.ods, LibreOffice): how far each table reaches, before calamine reads it.

calamine builds every table of an .ods when it opens the file, expanding ``number-rows-repeated``
and ``number-columns-repeated`` (LibreOffice writes one element for a run of equal cells), so a
small file can ask for a grid of 100 million cells. content.xml is streamed through a defused expat
parser (tracecheck.read.xml_scan) that follows calamine's rules: trailing empty cells and rows do not
count, a repeated non-empty cell or row counts once per repeat, rows stop at Excel's 1,048,576 and
columns at 16,384 as calamine caps them. The result is an upper bound of the grid calamine allocates.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from tracecheck.read.xml_scan import PartError, local, stream

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # calamine's caps on repeated rows and columns
# A cell with one of these attributes holds a value even when it has no text (a number, a date, a formula).
_VALUE_ATTRIBUTES = frozenset({"value-type", "value", "formula", "date-value", "time-value", "boolean-value",
                               "string-value"})


def is_ods(archive: zipfile.ZipFile) -> bool:
    """The archive is what calamine opens as .ods: a ``mimetype`` entry naming a spreadsheet."""
    try:
        with archive.open("mimetype") as handle:
            return handle.read(len(MIMETYPE)) == MIMETYPE
    except KeyError:
        return False


def table_extents(archive: zipfile.ZipFile) -> dict[str, tuple[int, int, int]]:
    """Every table (sheet) of content.xml: (rows, columns, stored cells) of the grid calamine builds."""
    try:
        content = archive.read("content.xml")
    except KeyError:
        return {}  # calamine refuses it
    tables: dict[str, tuple[int, int, int]] = {}
    scan = _Scan()

    def start(name: str, attrs: dict[str, str]) -> None:
        kind = local(name)
        if kind == "table" and scan.table is None:
            scan.open(attrs.get("table:name", attrs.get("name", "?")))
        elif scan.table is not None:
            scan.start(kind, attrs)

    def end(name: str) -> None:
        if scan.table is not None and local(name) == "table" and scan.depth == 0:
            previous = tables.get(scan.table, (0, 0, 0))
            tables[scan.table] = (max(previous[0], scan.rows), max(previous[1], scan.columns),
                                  previous[2] + scan.stored)
            scan.table = None
        elif scan.table is not None:
            scan.end(local(name))

    stream(content, "content.xml", start, end)
    return tables


def sheet_extent(archive: zipfile.ZipFile, sheet: str) -> tuple[int, int, int]:
    """(rows, columns, stored cells) of one table; (0, 0, 0) when there is none of that name."""
    return table_extents(archive).get(sheet, (0, 0, 0))


@dataclass
class _Scan:
    """The state of the scan inside one table (see the module docstring)."""

    table: str | None = None
    rows: int = 0  # rows up to the last one holding a value (repeats included)
    columns: int = 0  # the widest row, up to its last value
    stored: int = 0  # cells holding a value (repeats included)
    row: int = 0  # rows so far (repeats included)
    depth: int = 0  # > 0 inside a cell: nested rows, cells and tables belong to the cell
    row_repeats: int = 1
    width: int = 0  # columns pushed in this row (values, and the empty cells before them)
    pending: int = 0  # empty cells not pushed yet (pushed only if a value follows)
    row_has_value: bool = False
    cell: dict[str, int] = field(default_factory=dict)

    def open(self, name: str) -> None:
        self.table, self.rows, self.columns, self.stored, self.row, self.depth = name, 0, 0, 0, 0, 0

    def start(self, kind: str, attrs: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            self.cell["content"] = 1
        elif kind == "table-row":
            repeats = _count(attrs, "number-rows-repeated")
            self.row_repeats = min(repeats, max(MAX_ROWS - self.row, 0))
            self.width, self.pending, self.row_has_value = 0, 0, False
        elif kind in ("table-cell", "covered-table-cell"):
            self.depth = 1
            has_value = any(local(key) in _VALUE_ATTRIBUTES for key in attrs)
            self.cell = {"repeats": _count(attrs, "number-columns-repeated"), "content": int(has_value)}

    def end(self, kind: str) -> None:
        if self.depth > 1:
            self.depth -= 1
        elif self.depth == 1:
            self.depth = 0
            self._cell_done()
        elif kind == "table-row":
            self.row += self.row_repeats
            if self.row_has_value:
                self.rows = max(self.rows, self.row)
                self.columns = max(self.columns, self.width)

    def _cell_done(self) -> None:
        repeats = self.cell["repeats"]
        if not self.cell["content"]:
            self.pending = min(repeats, max(MAX_COLUMNS - self.width - self.pending, 0)) + self.pending
            return
        self.width += min(self.pending, max(MAX_COLUMNS - self.width, 0))
        self.pending = 0
        pushed = min(repeats, max(MAX_COLUMNS - self.width, 0))
        self.width += pushed
        self.stored += pushed * self.row_repeats
        self.row_has_value = self.row_has_value or pushed > 0


def _count(attrs: dict[str, str], name: str) -> int:
    """A repeat count (``table:number-rows-repeated``); 1 when absent, PartError when calamine could
    not read it either."""
    for key, value in attrs.items():
        if local(key) == name:
            try:
                return max(int(value.strip()), 0)
            except ValueError:
                raise PartError(f"content.xml: {name}={value[:20]!r} is not a number") from None
    return 1
