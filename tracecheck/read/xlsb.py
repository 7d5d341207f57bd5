"""Excel binary workbooks (.xlsb): how far a sheet's cells reach, before calamine reads it.

An .xlsb is a zip like an .xlsx, but its parts are sequences of binary records (MS-XLSB 2.1.4): a
record type (1-2 bytes of 7 bits) and a length (1-4 bytes of 7 bits), then the data. calamine takes
a cell's row from the last row record (BrtRowHdr, type 0) and its column from the cell record's first
four bytes (any 32-bit number), then allocates the grid up to the farthest cell, so the records are
walked here the same way and the farthest cell is measured first. Sheets are found as calamine
finds them: BrtBundleSh records of xl/workbook.bin and the targets in xl/_rels/workbook.bin.rels.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from tracecheck.read.xml_scan import PartError, local, parse_part

_CELL_RECORDS = frozenset(range(0x0002, 0x000C))  # BrtCellRk ... BrtFmlaError: the cells calamine reads
_ROW_RECORD, _SHEET_RECORD = 0x0000, 0x009C  # BrtRowHdr, BrtBundleSh


def is_xlsb(archive: zipfile.ZipFile) -> bool:
    return "xl/workbook.bin" in archive.namelist()


def records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(type, start, end) of each whole record of a part (a truncated last record is left out)."""
    position, size = 0, len(data)
    while position < size:
        kind = data[position]
        position += 1
        if kind & 0x80:
            if position >= size:
                break
            kind = (kind & 0x7F) | ((data[position] & 0x7F) << 7)
            position += 1
        length, shift = 0, 0
        for _ in range(4):
            if position >= size:
                return
            byte = data[position]
            position += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if position + length > size:
            break
        yield kind, position, position + length
        position += length


def sheet_extent(archive: zipfile.ZipFile, sheet: str) -> tuple[int, int, int]:
    """(rows, columns, cells) of the sheet's farthest cell; (0, 0, 0) for a sheet the workbook does not
    declare; PartError when its part is missing."""
    parts = sheet_parts(archive).get(sheet)
    if parts is None:
        return 0, 0, 0
    try:
        data = archive.read(parts)
    except KeyError:
        raise PartError(f"its part {parts} is missing from the workbook") from None
    return _extent(data)


def _extent(data: bytes) -> tuple[int, int, int]:
    row, rows, columns, cells = 0, 0, 0, 0
    for kind, start, end in records(data):
        if kind == _ROW_RECORD and end - start >= 4:
            row = int.from_bytes(data[start:start + 4], "little")
        elif kind in _CELL_RECORDS and end - start >= 4:
            cells += 1
            rows = max(rows, row + 1)
            columns = max(columns, int.from_bytes(data[start:start + 4], "little") + 1)
    return rows, columns, cells


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part (xl/worksheets/sheet1.bin), as calamine resolves it."""
    try:
        workbook = archive.read("xl/workbook.bin")
    except KeyError:
        return {}
    targets: dict[str, str] = {}
    try:
        rels = parse_part(archive.read("xl/_rels/workbook.bin.rels"), "xl/_rels/workbook.bin.rels")
    except KeyError:
        rels = None
    for element in rels.iter() if rels is not None else ():
        if local(element.tag) == "Relationship" and element.get("Id") is not None:
            targets[element.get("Id", "")] = element.get("Target", "")
    parts = {}
    for kind, start, end in records(workbook):
        if kind == _SHEET_RECORD:
            relation, offset = _wide_string(workbook, start + 8, end)
            name, _ = _wide_string(workbook, offset, end)
            if relation is not None and name is not None:
                parts[name] = f"xl/{targets.get(relation, '')}"
    return parts


def _wide_string(data: bytes, start: int, end: int) -> tuple[str | None, int]:
    """An XLWideString (32-bit character count, then UTF-16LE) at ``start``; None if null or cut."""
    if start + 4 > end:
        return None, end
    count = int.from_bytes(data[start:start + 4], "little")
    if count == 0xFFFFFFFF or start + 4 + 2 * count > end:
        return None, start + 4
    return data[start + 4:start + 4 + 2 * count].decode("utf-16-le", "replace"), start + 4 + 2 * count
