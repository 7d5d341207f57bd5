"""Where each submitted cell sits in the workbook report: the same letter and row number as in
the file the analyst sent, so "row 10, column G" in the Findings sheet is cell G10 of the Data
sheet. tracecheck's own columns go to the right of the submitted ones; a batch read from several
sheets gets one Data sheet per sheet read."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx import style
from tracecheck.writers.xlsx.xmlrows import Links

ADDED_COLUMNS = ("status", "request_age_days", "time_to_crime_days", "duplicate_group")
_NOT_IN_NAMES = re.compile(r"[\[\]:*?/\\]")  # characters Excel does not allow in sheet names


@dataclass(frozen=True)
class DataLayout:
    """``sheets``: the Data sheet name per sheet read (one for a csv); ``positions``: column
    index (0 = A) per submitted column letter; ``status``: index of the first added column;
    ``header_row``: the header's sheet row (1-based)."""

    sheets: tuple[str, ...]
    positions: dict[str, int]
    status: int
    header_row: int
    block: int

    @classmethod
    def of(cls, view: ReportView, taken: set[str]) -> DataLayout:
        """The layout for ``view``'s batch; sheet names avoid ``taken`` (the other sheets)."""
        source, w = view.report.source, view.words
        positions = {letter: xl_cell_to_rowcol(f"{letter}1")[1] for letter in source.column_letters.values()}
        read = list(view.batch.get("sheets") or [])
        base = w.text("workbook", "sheet_data")
        names = [base] if len(read) < 2 else [_sheet_name(f"{base} {s}", taken) for s in read]
        return cls(tuple(names), positions, max(positions.values(), default=-1) + 1, source.header_row or 1,
                   view.row_block)

    def place(self, rows: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(Data sheet position, sheet row from 1) of each report row number in ``rows``; rows
        past Excel's last row get sheet row 0 (not shown)."""
        numbers = rows.to_numpy(dtype="int64")
        k, within = np.divmod(numbers, self.block)
        k = np.clip(k, 0, len(self.sheets) - 1)
        return k, np.where(within <= style.MAX_SHEET_ROWS, within, 0)

    def column(self, letter: str | None) -> int:
        """Column index of a submitted letter; the status column for a finding on no column."""
        return self.positions.get(letter, self.status) if letter is not None else self.status

    def links(self, rows: pd.Series, letters: pd.Series) -> Links:
        """A link to each finding's cell: ``rows`` report row numbers (missing for a finding about
        the batch: no link), ``letters`` submitted column letters (missing or unknown: the row's
        status cell). Rows past Excel's last row get no link."""
        numbers = rows.to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(numbers)
        k, within = np.divmod(np.where(known, numbers, 0).astype(np.int64), self.block)
        known &= (within <= style.MAX_SHEET_ROWS) & (within > 0) & (k < len(self.sheets))
        column = letters.astype(object).where(letters.isin(list(self.positions)), xl_col_to_name(self.status))
        sheets = np.asarray(self.sheets, dtype=object)[np.clip(k, 0, len(self.sheets) - 1)]
        refs = pc.binary_join_element_wise(pa.array(column.to_numpy(dtype=object), pa.string()),
                                           pc.cast(pa.array(within), pa.string()), "")
        return Links(pa.array(np.where(known, sheets, None), pa.string()), refs, len(self.sheets) > 1)


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unused sheet name (31 characters at most)."""
    clean = _NOT_IN_NAMES.sub("_", name)[:31]
    out, n = clean, 2
    while out.lower() in {t.lower() for t in taken}:
        out = f"{clean[:28]} {n}"
        n += 1
    taken.add(out)
    return out
