"""The workbook's Data sheet: the cells as submitted, flagged cells filled and commented, and
tracecheck's per-row columns at the right."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from tracecheck.findings import SEVERITY_RANK
from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.style import (
    ADDED_FILL,
    FILLS,
    Sheet,
    capped,
    cell,
    column_values,
    header,
    last_row,
    plain,
    row_blocks,
)

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


def data_sheet(ws: Sheet, view: ReportView, flagged: dict[tuple[int, int], tuple[str, str]], comment_budget: int
               ) -> None:
    w = view.words
    frame = view.report.source.frame
    added = view.report.rows.set_index("row").reindex(frame.index)[list(ADDED_COLUMNS)]
    ws.setup((7, *_widths(frame), 14, 14, 14, 16), freeze="B2")
    ws.autofilter(len(frame.columns) + len(ADDED_COLUMNS) + 1, last_row(len(frame)))
    added_names = [w.text("workbook", f"added_{c}") for c in ADDED_COLUMNS]
    ws.append([*header([w.label("row"), *frame.columns]), *header(added_names, ADDED_FILL)])
    status = {level: cell(w.text("status", level), fill=FILLS.get(level))
              for level in added["status"].dropna().unique()}
    by_row: dict[int, dict[int, tuple[str, str]]] = {}
    for (row, position), mark in flagged.items():
        by_row.setdefault(row, {})[position + 1] = mark  # + 1: column A is the Row cell
    capped(ws, _data_rows(frame, added, status, by_row, comment_budget), len(frame), w.text("workbook", "more_rows"))


def _data_rows(frame: pd.DataFrame, added: pd.DataFrame, status: dict[str, Any],
               by_row: dict[int, dict[int, tuple[str, str]]], comment_budget: int) -> Iterator[Sequence[Any]]:
    """Row number, the submitted cells (flagged ones filled, and commented while the budget lasts),
    then the added columns; made ready a block of rows at a time (column_values)."""
    left = comment_budget
    for block in row_blocks(len(frame)):
        part, extra = frame.iloc[block], added.iloc[block]
        columns = [column_values(part.index.to_series()),
                   *(column_values(part.iloc[:, i]) for i in range(part.shape[1])),
                   [status.get(level, level) for level in column_values(extra["status"])],
                   *(column_values(extra[c]) for c in ADDED_COLUMNS[1:])]
        for values in zip(*columns):
            marks = by_row.get(values[0])
            if marks is None:
                yield values
                continue
            out = list(values)
            for i in sorted(marks):
                severity, text = marks[i]
                left -= 1
                out[i] = cell(out[i], fill=FILLS[severity], comment=text if left >= 0 else None)
            yield out


def _widths(frame: pd.DataFrame, sample: int = 200) -> list[float]:
    """Width per submitted column from its header and the first rows' text, 8 to 40 characters."""
    head = frame.head(sample)
    widths = []
    for i, name in enumerate(frame.columns):
        longest = head.iloc[:, i].map(lambda v: len(str(v)) if plain(v) is not None else 0).max()
        widths.append(min(40, max(8, len(str(name)) + 2, (0 if pd.isna(longest) else longest) + 2)))
    return widths
