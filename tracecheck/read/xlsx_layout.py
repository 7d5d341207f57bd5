"""How a sheet is laid out beyond its cell values: merged cells and Excel tables.

* Merged cells come from calamine (``merged_cell_ranges``, for .xlsx, .xls and .ods): a value
  merged down a block (an agency or a request date over the rows of one submission) belongs to every
  row it covers, and a label merged across columns (``Arma`` over Marca/Modelo/...) is a group label
  over the sub-labels below it.
* Excel tables (Insert > Table) come from the workbook's XML: the sheet's relationships part names
  its table parts (``xl/tables/tableN.xml``), whose ``ref``, ``headerRowCount`` and
  ``totalsRowCount`` tell where the table's header and totals rows are. A totals row is no request.

Only the small parts needed are parsed, with the standard library's parser after refusing any part
that declares a DTD (so no entity can expand), and a part that is missing, too large, malformed or
declares a DTD just gives no table: the layout is a hint, never a reason to refuse a file. Rows here
are 1-based sheet rows, columns 0-based positions.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import fromstring

from tracecheck.read.xlsx_parts import ARCHIVE_ERRORS, column_number, open_archive, sheet_parts

MAX_PART_BYTES = 4 << 20  # a relationships or table part larger than this is not read (they are a few KB)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_TABLE_TYPE = "/relationships/table"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


@dataclass(frozen=True)
class CellRange:
    """A rectangle of cells: rows ``first_row``..``last_row`` (1-based), columns ``first_col``..``last_col``
    (0-based), both ends included."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int


@dataclass(frozen=True)
class ExcelTable:
    """An Excel table: where it is, how many header rows it starts with (0 or 1) and how many totals
    rows it ends with."""

    name: str
    area: CellRange
    header_rows: int = 1
    totals_rows: int = 0

    @property
    def totals(self) -> range:
        """The sheet rows of its totals rows (empty when it has none)."""
        return range(self.area.last_row - self.totals_rows + 1, self.area.last_row + 1)


@dataclass(frozen=True)
class SheetLayout:
    """Merged ranges and Excel tables of one sheet (both empty for a csv or a plain sheet)."""

    merges: tuple[CellRange, ...] = ()
    tables: tuple[ExcelTable, ...] = ()


NO_LAYOUT = SheetLayout()


def merged_ranges(sheet: Any) -> tuple[CellRange, ...]:
    """The merged ranges of a calamine sheet (``((row, col), (row, col))`` pairs, 0-based) as CellRanges;
    none when the reader does not know them."""
    found = getattr(sheet, "merged_cell_ranges", None) or ()
    out = []
    for start, end in found:
        (r0, c0), (r1, c1) = start, end
        out.append(CellRange(int(r0) + 1, int(r1) + 1, int(c0), int(c1)))
    return tuple(out)


def excel_tables(data: bytes, sheet: str) -> tuple[ExcelTable, ...]:
    """The Excel tables on ``sheet`` of the workbook ``data`` (none for an .xls, an .ods or a damaged part)."""
    archive = open_archive(data)
    if archive is None:
        return ()
    with archive:
        try:
            entries = sheet_parts(archive).get(sheet) or ()
            if not entries:
                return ()
            tables = []
            for target in dict.fromkeys(t for part in entries for t in _table_targets(archive, part)):
                table = _table(_read_xml(archive, target))
                if table is not None:
                    tables.append(table)
            return tuple(tables)
        except (*ARCHIVE_ERRORS, ParseError, ValueError):  # PartError, a defused part
            return ()


def _table_targets(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Part names of the tables the sheet part's relationships point to."""
    folder, name = posixpath.split(part)
    rels = _read_xml(archive, posixpath.join(folder, "_rels", f"{name}.rels"))
    if rels is None:
        return []
    targets = []
    for element in rels.iter():
        if _local(element.tag) == "Relationship" and element.get("Type", "").endswith(_TABLE_TYPE):
            target = element.get("Target", "")
            if target.startswith("/"):
                targets.append(target.lstrip("/"))
            elif target:
                targets.append(posixpath.normpath(posixpath.join(folder, target)))
    return targets


def _read_xml(archive: zipfile.ZipFile, part: str) -> Element | None:
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        return None
    data = archive.read(info)
    if _DTD.search(data):  # a table part never needs one: refuse entities outright
        return None
    root: Element = fromstring(data)
    return root


def _table(root: Element | None) -> ExcelTable | None:
    if root is None or _local(root.tag) != "table":
        return None
    area = parse_ref(root.get("ref", ""))
    if area is None:
        return None
    return ExcelTable(name=root.get("displayName") or root.get("name") or "", area=area,
                      header_rows=_count(root.get("headerRowCount"), 1),
                      totals_rows=_count(root.get("totalsRowCount"), 0))


def parse_ref(ref: str) -> CellRange | None:
    """``"A1:L15"`` (or ``"B4"``) as a CellRange; None for anything else."""
    match = _REF.match(ref.strip().upper())
    if match is None:
        return None
    first_col, first_row = column_number(match.group(1)) - 1, int(match.group(2))
    last_col = column_number(match.group(3)) - 1 if match.group(3) else first_col
    last_row = int(match.group(4)) if match.group(4) else first_row
    return CellRange(min(first_row, last_row), max(first_row, last_row), min(first_col, last_col),
                     max(first_col, last_col))


def _count(text: str | None, default: int) -> int:
    try:
        return max(0, int(text)) if text is not None else default
    except ValueError:
        return default


def _local(tag: str) -> str:
    """An element's name without its namespace (``{http://...}table`` -> ``table``)."""
    return tag.rsplit("}", 1)[-1]
