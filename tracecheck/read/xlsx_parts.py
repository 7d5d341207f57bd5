"""What the workbook reader (calamine) does not tell us, read from the xlsx zip's XML parts.

* which part holds which sheet, and the size a sheet *claims* (for the limits, before unpacking);
* how far a sheet really reaches (the <dimension> it claims may lie, and calamine allocates a dense
  grid up to the farthest cell, so one cell at XFD1048576 would ask for terabytes);
* cells holding a formula without a saved result: calamine reads them as blank, so a value the
  author saw in Excel silently disappears;
* the workbook's date system (1900 or 1904), the origin of date serial numbers.

Works on the file's bytes (never the path) and reads only the parts it needs. workbook.xml and the
relationship parts are parsed with a real (defused) XML parser, so any quoting, spacing, attribute
order or namespace prefix is understood. A sheet can be large, so its extent comes first from a byte
scan that accepts the whole attribute grammar (``r = 'A1'``, ``x:c``, lower-case letters) and is an
upper bound as long as every cell names its position; when one does not (or anything else is
unexpected), the sheet is streamed through expat (tracecheck.read.xml_scan) following calamine's
own rules. A part the guard cannot read is refused (PartError), never waved through. .ods and
.xlsb workbooks are measured by tracecheck.read.ods and tracecheck.read.xlsb.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tracecheck.read import ods, xlsb
from tracecheck.read.xml_scan import PartError, local, parse_part, sheet_extent

_DIMENSION = re.compile(rb"<(?:[^\s<>/!?]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']"
                        rb"([A-Za-z]+)?(\d+)?(?::([A-Za-z]+)(\d+))?[\"']")
_FORMULA = re.compile(rb"<(?:[^\s<>/!?]*:)?f[\s/>]")
_CELL_START = re.compile(rb"<(?:[^\s<>/!?]*:)?c[\s>]")
_CELL_END = re.compile(rb"</(?:[^\s<>/!?]*:)?c\s*>")
_BYTE_ATTRIBUTE = re.compile(rb"\s([^\s=<>/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_FORMULA_TEXT = re.compile(rb"<(?:[^\s<>/!?]*:)?f\b[^>]*?(?:/>|>(.*?)</(?:[^\s<>/!?]*:)?f\s*>)", re.S)
_VALUE = re.compile(rb"<(?:[^\s<>/!?]*:)?v\b[^>]*?(?:/>|>(.*?)</(?:[^\s<>/!?]*:)?v\s*>)", re.S)
_REFERENCE = re.compile(rb"^([A-Za-z]{1,3})(\d+)$")
# Every cell start tag (any prefix), and those whose first attribute is r (as every known writer puts it).
_ANY_CELL = re.compile(rb"<(?:[^\s<>/!?]*:)?c[\s/>]")
_CELL_WITH_R = re.compile(rb"<(?:[^\s<>/!?]*:)?c\s+r\s*=\s*[\"']")
# r="7" (a row) or r='C7' (a cell) with exactly n digits; a cell reference with exactly n letters; any
# quote, spacing around =, case, or prefix before r (x:r counts too: an upper bound). They start with
# the literal r so the regex engine can skip ahead fast; another attribute ending in r would at worst
# make the bound larger. Excel stops at row 1,048,576 and column XFD, but a hostile file need not:
# 8+ digits and 4+ letters are searched first, as one group each.
_ROW_NUMBER = {n: re.compile(rb"r\s*=\s*[\"'][A-Za-z]*(\d{%d%s})[\"']" % (n, b"," if n == 8 else b""))
               for n in range(1, 9)}
_COLUMN_LETTERS = {n: re.compile(rb"r\s*=\s*[\"']([A-Za-z]{%d%s})\d" % (n, b"," if n == 4 else b""))
                   for n in range(1, 5)}
_CELL_LOOKBACK = 512  # bytes before a <f> searched for its <c ...> start tag
EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS = 1_048_576, 16_384  # row 1048576, column XFD
# Errors a damaged archive can raise while a part is read; the workbook reader then reports it.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError,
                  NotImplementedError, KeyError, UnicodeError)
_OFFICE_DOCUMENT = "/relationships/officeDocument"


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


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, tuple[str, ...]]:
    """Sheet name -> the archive entries calamine may read it from (xl/worksheets/sheetN.xml), from
    workbook.xml and its relationships, parsed as XML.

    calamine finds workbook.xml in xl/ (recent versions: where _rels/.rels points) and entries by name
    ignoring case and backslashes, so every entry any of those rules gives is listed. A sheet whose
    entry is missing gets no entries (the scan then refuses it); PartError for a workbook or
    relationship part that is not well-formed XML or declares entities."""
    names = _entry_names(archive)
    parts: dict[str, set[str]] = {}
    for folder in _workbook_folders(archive, names):
        workbook = _read_entries(archive, names, f"{folder}workbook.xml")
        if workbook is None:
            continue
        rels = _read_entries(archive, names, f"{folder}_rels/workbook.xml.rels")
        targets = _targets(parse_part(rels, f"{folder}_rels/workbook.xml.rels")) if rels is not None else {}
        for sheet in parse_part(workbook, f"{folder}workbook.xml").iter():
            if local(sheet.tag) != "sheet":
                continue
            found = parts.setdefault(sheet.get("name", "?"), set())
            for key, value in sheet.attrib.items():
                if local(key) == "id":  # r:id, whatever the prefix (calamine matches the local name)
                    for target in targets.get(value, ()):
                        found.update(_entries_of(names, _target_paths(folder, target)))
    return {name: tuple(sorted(found)) for name, found in parts.items()}


def _entry_names(archive: zipfile.ZipFile) -> dict[str, list[str]]:
    """Entry name as calamine looks it up (lower case, forward slashes) -> the entries so named."""
    names: dict[str, list[str]] = {}
    for name in archive.namelist():
        names.setdefault(name.replace("\\", "/").lower(), []).append(name)
    return names


def _entries_of(names: dict[str, list[str]], paths: set[str]) -> set[str]:
    return {entry for path in paths for entry in names.get(path.replace("\\", "/").lower(), [])}


def _read_entries(archive: zipfile.ZipFile, names: dict[str, list[str]], path: str) -> bytes | None:
    entries = sorted(_entries_of(names, {path}))
    return archive.read(entries[0]) if entries else None


def _workbook_folders(archive: zipfile.ZipFile, names: dict[str, list[str]]) -> list[str]:
    """xl/, and the folder of the officeDocument that _rels/.rels names (recent calamine reads that)."""
    folders = ["xl/"]
    rels = _read_entries(archive, names, "_rels/.rels")
    if rels is not None:
        for targets in _targets(parse_part(rels, "_rels/.rels"), _OFFICE_DOCUMENT).values():
            for target in targets:
                folder = target[:target.rfind("/") + 1].lstrip("/")
                if folder not in folders:
                    folders.append(folder)
    return folders


def _targets(rels: object, kind: str = "") -> dict[str, list[str]]:
    """Relationship Id -> its Targets (of relationships whose Type ends with ``kind``)."""
    targets: dict[str, list[str]] = {}
    for element in rels.iter():  # type: ignore[attr-defined]
        if local(element.tag) == "Relationship" and element.get("Type", "").endswith(kind):
            targets.setdefault(element.get("Id", ""), []).append(element.get("Target", ""))
    return targets


def _target_paths(folder: str, target: str) -> set[str]:
    """Where calamine versions look for a relationship target: absolute (leading /), under the
    workbook's folder, or as written when it already starts with xl/; ../ resolved or not."""
    paths = {target[1:] if target.startswith("/") else f"{folder}{target}"}
    if target.startswith("xl/"):
        paths.add(target)
    return paths | {posixpath.normpath(p) for p in paths}


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
            workbook = _read_entries(archive, _entry_names(archive), "xl/workbook.xml")
            root = parse_part(workbook, "xl/workbook.xml") if workbook is not None else None
        except ARCHIVE_ERRORS:
            return 1900
    for element in root.iter() if root is not None else ():
        if local(element.tag) == "workbookPr" and element.get("date1904") in ("1", "true"):
            return 1904
    return 1900


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
    return int(last_row or 0), column_number(last_col.decode().upper() if last_col else "")


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
    """Scan ``sheet`` of the workbook ``data``: EMPTY_SCAN for an .xls (not a zip: calamine checks
    its sizes itself) or a sheet the workbook does not declare; PartError for a damaged archive, a
    declared sheet whose part is missing, or XML the guard cannot read (never a guess)."""
    archive = open_archive(data)
    if archive is None:
        return EMPTY_SCAN
    with archive:
        try:
            scans = [_extent_only(xlsb.sheet_extent(archive, sheet))] if xlsb.is_xlsb(archive) else []
            scans += [_extent_only(ods.sheet_extent(archive, sheet))] if ods.is_ods(archive) else []
            parts = sheet_parts(archive).get(sheet)
            if parts is not None and not parts:
                raise PartError("its part is missing from the workbook")
            scans += [_scan_xml(archive.read(part), part) for part in parts or ()]
        except PartError:
            raise
        except ARCHIVE_ERRORS as err:
            raise PartError(f"damaged workbook ({type(err).__name__})") from None
    # calamine reads the file as one of these formats; the largest extent is the bound
    return max(scans, key=lambda scan: (scan.rows * scan.columns, scan.rows, scan.columns), default=EMPTY_SCAN)


def _extent_only(extent: tuple[int, int, int]) -> SheetScan:
    rows, columns, cells = extent
    return SheetScan(rows, columns, (), cells=cells)


def _scan_xml(xml: bytes, part: str) -> SheetScan:
    """One sheet part: the byte scan when every cell names its position first, else expat."""
    formulas = tuple(_uncached_formulas(xml))
    if not _unusual(xml):
        return SheetScan(_highest_row(xml), _highest_column(xml), formulas, cells=xml.count(b"<c ") + xml.count(b"<c>"))
    cells = len(_ANY_CELL.findall(xml))
    if len(_CELL_WITH_R.findall(xml)) == cells:  # every cell names its position: the byte scan is a bound
        return SheetScan(_highest_row(xml), _highest_column(xml), formulas, cells=cells)
    rows, columns, cells = sheet_extent(xml, part)
    return SheetScan(rows, columns, formulas, cells=cells)


def _unusual(xml: bytes) -> bool:
    """Not written the way Excel, LibreOffice and the usual libraries write a sheet: some cell tag
    without r="..." as its first attribute (<c>, <c s="1" r="A1">, single quotes, a prefix)."""
    return xml.count(b'<c r="') != xml.count(b"<c ") + xml.count(b"<c>") or b":c" in xml or b"<c\t" in xml \
        or b"<c\n" in xml or b"<c\r" in xml or b"<c/" in xml


def _highest_row(xml: bytes) -> int:
    """The highest row number in any r="..." (rows and cells)."""
    return _highest(xml, [_ROW_NUMBER[n] for n in range(8, 0, -1)], int) or 0


def _highest_column(xml: bytes) -> int:
    """The highest column of any cell reference; 26 (column Z) when every reference has a single
    letter, an upper bound that is enough here."""
    found = _highest(xml, [_COLUMN_LETTERS[n] for n in (4, 3, 2)], lambda code: column_number(code.decode().upper()))
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
    attrs = {name: double or single for name, double, single in _BYTE_ATTRIBUTE.findall(cell[:tag_end])}
    reference = _REFERENCE.match(attrs.get(b"r", b""))
    if reference is None:
        return None
    value = _VALUE.search(cell)
    if value is not None and (value.group(1) or attrs.get(b"t") in (b"str", b"inlineStr")):
        return None
    formula = _FORMULA_TEXT.search(cell)
    text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace")) if formula else ""
    return FormulaCell(int(reference.group(2)), reference.group(1).decode().upper(), f"={text}")
