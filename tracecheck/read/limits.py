"""Size limits for input files, checked before and after reading, so that a hostile or broken
file gives a clear error instead of a hang or an exhausted machine.

Every limit is a parameter with a safe default (``Limits()``); the CLI sets them with
``--limit NAME=VALUE``. Exceeding one raises InputError naming the file (and sheet).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from tracecheck.errors import InputError
from tracecheck.read import ods
from tracecheck.read.xlsx_parts import (
    ARCHIVE_ERRORS,
    claimed_size,
    open_archive,
    sheet_parts,
)
from tracecheck.read.xml_scan import PartError


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 1024  # size of the file on disk
    max_unpacked_mb: float = 2048  # total uncompressed size of a workbook's parts (zip bombs)
    max_unpack_ratio: float = 200  # uncompressed / compressed size of a workbook
    max_rows: int = 5_000_000  # data rows of the table read
    max_columns: int = 2_000  # columns a sheet claims or a table has
    max_cell_chars: int = 1_000_000  # characters in one cell
    max_cells: int = 60_000_000  # rows x columns of the grid a sheet reaches (about 2 GB while reading)
    max_empty_ratio: float = 50  # grid cells per stored cell, for grids over 1M cells (a stray far cell)

    @classmethod
    def parse(cls, pairs: dict[str, str]) -> Limits:
        """From ``{"max_rows": "100000"}``; unknown names raise ValueError naming the known ones."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(pairs) - set(known))
        if unknown:
            raise ValueError(f"unknown limit {unknown[0]!r}; known: {', '.join(known)}")
        values: dict[str, Any] = {}
        for name, text in pairs.items():
            try:
                number = float(text) if known[name] == "float" else int(text)
            except (TypeError, ValueError):
                raise ValueError(f"limit {name} must be a number, got {text!r}") from None
            if not number > 0 or number == float("inf"):
                raise ValueError(f"limit {name} must be a number above 0, got {text!r}")
            values[name] = number
        return cls(**values)


def check_file(data: bytes, shown: str, limits: Limits) -> None:
    if len(data) > limits.max_file_mb * 1e6:
        raise InputError(f"file is {len(data) / 1e6:,.0f} MB, over the limit of {limits.max_file_mb:,.0f} MB "
                         f"(--limit max_file_mb=...)", path=shown)


def check_workbook(data: bytes, shown: str, limits: Limits) -> None:
    """Refuse zip bombs and sheets that claim absurd dimensions, before a reader unpacks anything."""
    archive = open_archive(data)
    if archive is None:
        return  # not a zip (old .xls, or corrupt): the workbook reader reports it
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > limits.max_unpacked_mb * 1e6 or unpacked > limits.max_unpack_ratio * max(len(data), 1):
            raise InputError(f"workbook would unpack to {unpacked / 1e6:,.0f} MB from {len(data) / 1e6:,.1f} MB "
                             f"(limits {limits.max_unpacked_mb:,.0f} MB, ratio {limits.max_unpack_ratio:,.0f}); "
                             f"refusing it as a possible zip bomb", path=shown)
        try:
            claims = {sheet: max((claimed_size(archive, part) for part in parts), default=(0, 0))
                      for sheet, parts in sheet_parts(archive).items()}
            tables = ods.table_extents(archive) if ods.is_ods(archive) else {}
        except PartError as err:
            raise InputError(f"damaged workbook: {err}; open it in a spreadsheet program and save it again",
                             path=shown) from None
        except ARCHIVE_ERRORS:
            return  # a damaged archive: the workbook reader reports it as unreadable
        for sheet, (rows, columns, stored) in tables.items():  # calamine builds every table of an .ods at once
            check_extent(rows, columns, shown, sheet, limits, stored=stored)
        for sheet, (rows, columns) in claims.items():
            if columns > limits.max_columns or rows > limits.max_rows + 1:
                raise InputError(f"sheet claims {rows:,} rows x {columns:,} columns, over the limits "
                                 f"({limits.max_rows:,} rows, {limits.max_columns:,} columns)", path=shown, sheet=sheet)


SPARSE_CHECK_FROM = 1_000_000  # grid cells; below this even an almost empty grid is cheap to read


def check_extent(rows: int, columns: int, shown: str, sheet: str, limits: Limits, stored: int = 0) -> None:
    """The rows and columns a sheet's cells really reach (not what it claims): the workbook reader
    allocates that whole grid, so one far-away cell must not make it ask for terabytes, nor a
    stray cell on the last row turn a small sheet into seconds and gigabytes of blank cells."""
    grid = rows * columns
    if columns > limits.max_columns or rows > limits.max_rows + 1 or grid > limits.max_cells:
        raise InputError(f"sheet has cells up to row {rows:,} and column {columns:,} ({grid:,} cells to "
                         f"read), over the limits ({limits.max_rows:,} rows, {limits.max_columns:,} columns, "
                         f"{limits.max_cells:,} cells; --limit ...)", path=shown, sheet=sheet)
    if stored and grid > SPARSE_CHECK_FROM and grid > limits.max_empty_ratio * stored:
        raise InputError(f"sheet reaches row {rows:,} and column {columns:,} but stores only {stored:,} cells: "
                         f"probably a stray value far from the data; delete it (or --limit max_empty_ratio=...)",
                         path=shown, sheet=sheet)


def check_table(frame: pd.DataFrame, shown: str, sheet: str | None, limits: Limits) -> None:
    """Rows, columns and cell length of the table actually read."""
    if len(frame) > limits.max_rows:
        raise InputError(f"{len(frame):,} data rows, over the limit of {limits.max_rows:,}", path=shown, sheet=sheet)
    if len(frame.columns) > limits.max_columns:
        raise InputError(f"{len(frame.columns):,} columns, over the limit of {limits.max_columns:,}",
                         path=shown, sheet=sheet)
    for column in frame.columns:
        lengths = frame[column].astype("str").str.len()
        if len(lengths) and lengths.max() > limits.max_cell_chars:
            row = int(frame.index[int(lengths.fillna(-1).to_numpy().argmax())])
            raise InputError(f"cell holds {int(lengths.max()):,} characters, over the limit of "
                             f"{limits.max_cell_chars:,}", path=shown, sheet=sheet, row=row, column=str(column))
