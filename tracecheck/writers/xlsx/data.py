"""The workbook's Data sheet: the cells as submitted, flagged cells filled and commented, and
tracecheck's per-row columns at the right."""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from tracecheck.findings import SEVERITY_RANK
from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.style import ADDED_FILL, FILLS, capped, cell, header, last_row, plain, setup

ADDED_COLUMNS = ("status", "request_age_days", "time_to_crime_days", "duplicate_group")


def flagged_cells(view: ReportView) -> dict[tuple[int, int], tuple[str, str]]:
    """(sheet row, position of the column in the submitted frame) -> (worst severity, comment text).
    A finding on no submitted column goes on the Row cell (position -1)."""
    findings, source = view.report.findings, view.report.source
    position = {source.column_letters[h]: i for i, h in enumerate(source.frame.columns) if h in source.column_letters}
    titles = {code: view.title(code) for code in findings["rule"].unique()}
    lines = (findings["rule"] + " " + findings["rule"].map(titles) + ": " + findings["message"]).to_numpy(dtype=object)
    cells: dict[tuple[int, int], tuple[str, str]] = {}
    for (row, letter), (severity, found) in view.cell_marks().items():
        key = (row, position.get(letter, -1) if letter is not None else -1)
        old = cells.get(key)
        text = "\n".join(lines[p] for p in found)
        if old is not None:  # a letter no header has lands on the Row cell with the column-less ones
            worse = severity if SEVERITY_RANK[severity] > SEVERITY_RANK[old[0]] else old[0]
            cells[key] = (worse, old[1] + "\n" + text)
        else:
            cells[key] = (severity, text)
    return cells


def data_sheet(ws: Any, view: ReportView, flagged: dict[tuple[int, int], tuple[str, str]], comment_budget: int
               ) -> None:
    w = view.words
    frame = view.report.source.frame
    added = view.report.rows.set_index("row").reindex(frame.index)[list(ADDED_COLUMNS)]
    setup(ws, (7, *_widths(frame), 14, 14, 14, 16), freeze="B2")
    last = get_column_letter(len(frame.columns) + len(ADDED_COLUMNS) + 1)
    ws.auto_filter.ref = f"A1:{last}{last_row(len(frame))}"
    added_names = [w.text("workbook", f"added_{c}") for c in ADDED_COLUMNS]
    ws.append([*header(ws, [w.label("row"), *frame.columns]), *header(ws, added_names, ADDED_FILL)])
    status = {s: w.text("status", s) for s in added["status"].dropna().unique()}
    budget = [comment_budget]  # comments left to write (write-only mode caps them)
    rows = (_data_row(ws, values, extra, flagged, budget, status)
            for values, extra in zip(frame.itertuples(name=None), added.itertuples(index=False, name=None)))
    capped(ws, rows, len(frame), w.text("workbook", "more_rows"))


def _data_row(ws: Any, values: tuple[Any, ...], extra: tuple[Any, ...], flagged: dict[tuple[int, int], tuple[str, str]],
              budget: list[int], status: dict[str, str]) -> list[Any]:
    """Row number, the submitted cells (flagged ones filled and commented), then the added columns."""
    row = values[0]
    out = []
    for i, value in enumerate(values, -1):  # -1: the Row cell
        mark = flagged.get((row, i))
        if mark is None:
            out.append(cell(ws, value))
            continue
        budget[0] -= 1
        out.append(cell(ws, value, fill=FILLS[mark[0]], comment=mark[1] if budget[0] >= 0 else None))
    level = extra[0]
    return [*out, cell(ws, status.get(level, level), fill=FILLS.get(level)), *(cell(ws, v) for v in extra[1:])]


def _widths(frame: pd.DataFrame, sample: int = 200) -> list[float]:
    """Width per submitted column from its header and the first rows' text, 8 to 40 characters."""
    head = frame.head(sample)
    widths = []
    for i, name in enumerate(frame.columns):
        longest = head.iloc[:, i].map(lambda v: len(str(v)) if plain(v) is not None else 0).max()
        widths.append(min(40, max(8, len(str(name)) + 2, (0 if pd.isna(longest) else longest) + 2)))
    return widths
