"""The workbook's Data sheet(s): the cells as submitted, at their own letters and row numbers
(layout.DataLayout), flagged cells filled and commented, and tracecheck's per-row columns at the
right. A finding on no submitted column marks the row's status cell."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tracecheck.findings import SEVERITY_RANK
from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.layout import ADDED_COLUMNS, DataLayout
from tracecheck.writers.xlsx.style import (
    ADDED_FILL,
    BOLD,
    FILLS,
    HEADER_FILL,
    Book,
    Sheet,
    cell,
    plain,
    row_blocks,
)

Flagged = dict[tuple[int, int], tuple[str, list[int]]]  # (report row, column index) -> (worst severity, findings)


def flagged_cells(view: ReportView, layout: DataLayout) -> Flagged:
    """(report row, column index in the Data sheet) -> (worst severity, positions of its findings
    in report.findings)."""
    cells: Flagged = {}
    for (row, letter), (severity, found) in view.cell_marks().items():
        key = (row, layout.column(letter))
        old = cells.get(key)
        if old is not None:  # a letter no header has lands on the status cell with the column-less ones
            worse = severity if SEVERITY_RANK[severity] > SEVERITY_RANK[old[0]] else old[0]
            cells[key] = (worse, old[1] + found)
        else:
            cells[key] = (severity, found)
    return cells


def _comment(view: ReportView, found: list[int]) -> str:
    """The comment of a flagged cell: one line per finding (code, title, message)."""
    findings = view.report.findings
    return "\n".join(f"{code} {view.title(code)}: {message}"
                     for code, message in zip(findings["rule"].iloc[found], findings["message"].iloc[found]))


def data_sheets(book: Book, view: ReportView, layout: DataLayout, flagged: Flagged, comment_budget: int) -> None:
    """One Data sheet per sheet read, in order."""
    frame = view.report.source.frame
    added = view.report.rows.set_index("row").reindex(frame.index)[list(ADDED_COLUMNS)]
    sheet_of, within = layout.place(frame.index.to_series())
    by_row: dict[int, list[tuple[int, str, list[int]]]] = {}
    for (row, col), (severity, found) in sorted(flagged.items()):
        by_row.setdefault(row, []).append((col, severity, found))
    left = comment_budget
    for k, name in enumerate(layout.sheets):
        mine = np.flatnonzero((sheet_of == k) & (within > 0))
        ws = book.sheet(name)
        _head(ws, view, layout, frame, int(within[mine].max()) if len(mine) else layout.header_row)
        for block in row_blocks(len(mine)):
            at = mine[block]
            left = _rows(ws, view, layout, frame.iloc[at], added.iloc[at], within[at] - 1, by_row, left)


def _head(ws: Sheet, view: ReportView, layout: DataLayout, frame: pd.DataFrame, last_row: int) -> None:
    w, source = view.words, view.report.source
    widths = dict(zip((layout.positions[source.column_letters[h]] for h in frame.columns), _widths(frame)))
    widths.update({layout.status + i: width for i, width in enumerate((22, 14, 14, 16))})
    last = layout.status + len(ADDED_COLUMNS) - 1
    ws.setup([widths.get(i, 8) for i in range(last + 1)], freeze=None)
    ws.ws.freeze_panes(layout.header_row, 0)
    ws.ws.autofilter(layout.header_row - 1, 0, max(layout.header_row, last_row) - 1, last)
    ws.print_setup(layout.header_row)
    head: list[Any] = [None] * (last + 1)
    submitted = source.header_by_letter()
    for header, letter in source.column_letters.items():
        head[layout.positions[letter]] = cell(submitted.get(letter) or header, fill=HEADER_FILL, font=BOLD)
    for i, name in enumerate(ADDED_COLUMNS):
        head[layout.status + i] = cell(w.text("workbook", f"added_{name}"), fill=ADDED_FILL, font=BOLD)
    ws.write_rows([(layout.header_row - 1, head)])


def _rows(ws: Sheet, view: ReportView, layout: DataLayout, part: pd.DataFrame, extra: pd.DataFrame,
          rows: np.ndarray, by_row: dict[int, list[tuple[int, str, list[int]]]], left: int) -> int:
    """Write one block of rows (``rows``: their 0-based sheet rows); returns the comments still allowed."""
    w, letters = view.words, view.report.source.column_letters
    columns: dict[int, Any] = {layout.positions[letters[h]]: part[h] for h in part.columns}
    status = extra["status"].astype(object)
    columns[layout.status] = status.map(lambda level: w.text("status", level) if isinstance(level, str) else None)
    for i, name in enumerate(ADDED_COLUMNS[1:], start=1):
        columns[layout.status + i] = [plain(v) for v in extra[name].tolist()]
    styles: dict[int, list[Any]] = {layout.status: [(FILLS.get(s), None, None) if isinstance(s, str) else None
                                                    for s in status.tolist()]}
    comments: dict[tuple[int, int], str] = {}
    for i, row in enumerate(part.index.tolist()):
        for col, severity, found in by_row.get(int(row), ()):
            if col not in styles:
                styles[col] = [None] * len(part)
            styles[col][i] = (FILLS[severity], None, None)
            left -= 1
            if left >= 0:
                comments[(int(rows[i]), col)] = _comment(view, found)
    ws.write_block(rows, columns, styles, comments)
    return left


def _widths(frame: pd.DataFrame, sample: int = 200) -> list[float]:
    """Width per submitted column from its header and the first rows' text, 8 to 40 characters."""
    head = frame.head(sample)
    widths = []
    for i, name in enumerate(frame.columns):
        longest = head.iloc[:, i].map(lambda v: len(str(v)) if plain(v) is not None else 0).max()
        widths.append(min(40, max(8, len(str(name)) + 2, (0 if pd.isna(longest) else longest) + 2)))
    return widths
