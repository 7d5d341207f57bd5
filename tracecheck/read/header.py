"""Finding the header: the row, or the two rows under merged group labels, that names the columns.

A header is a row of labels (text that is not a number or a date) at least half as wide as the
widest row near the top. Among the first non-blank rows the reader takes the one with the most
labels; given a ``score`` (headers -> how well they map to the trace fields, built by the caller
from its rule pack), the one that maps best, then the one with the most labels. Title and note
rows above it are skipped.

A header may span two rows: group labels above sub-labels (``Arma`` over Marca/Modelo/Calibre,
``Fechas`` over Compra/Aseguramiento/Solicitud), the group label merged across its columns in a
workbook, or written once with blank cells after it in a csv. Two rows are read as one header only
when the lower row holds labels only and fills nothing but the cells under group labels (and the
cells of headers merged down over both rows): a data row fills its whole width, so it is never
taken for a sub-label row. Each column is then named by its sub-label alone, or by group label +
sub-label where the sub-label alone is ambiguous: where it repeats under another group, or, given
a ``score``, where the joined names map better (``Solicitud`` alone reads as a request number,
``Fechas Solicitud`` as the request date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.read.xlsx_layout import CellRange

HEADER_WINDOW = 30  # non-blank rows examined when looking for the header
MAX_SCORED_GROUPS = 16  # groups tried one by one with the score (each try maps the header once)

Score = Callable[[list[str]], float]  # header texts -> how well they map to the trace fields (higher is better)

_NUMBER_RE = re.compile(r"^[+-]?[$€]?\s*(\d[\d,.\s]*|[.,]\d+)([eE][+-]?\d+)?\s*%?$")
_DATE_RE = re.compile(
    r"^(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
)


@dataclass(frozen=True)
class Header:
    """The header found in a grid: sheet rows ``first``..``last`` (the same row for a one-row header)
    and the header text of every grid column (None where the column has none)."""

    first: int
    last: int
    cells: tuple[str | None, ...]

    @property
    def labels(self) -> list[str]:
        return [cell for cell in self.cells if cell]


def find_header(grid: pd.DataFrame, counts: pd.Series, *, header_row: int | None = None,
                merges: Sequence[CellRange] = (), score: Score | None = None) -> Header | None:
    """The header of ``grid`` (columns 0..n-1, index = sheet row), or None when no row looks like one.

    ``header_row`` forces its first row (the row below joins it when it is a sub-label row).
    ``merges`` are the sheet's merged ranges (group labels merged across columns); ``score`` ranks
    candidate headers by how well they map (see the module docstring)."""
    if header_row is not None:
        lines = _lines(grid, [header_row])
        return _pair(lines, header_row, merges, score) or _single(lines, header_row)
    window = counts[counts > 0].iloc[:HEADER_WINDOW]
    if window.empty:
        return None
    widest = int(window.max())
    lines = _lines(grid, [int(row) for row in window.index])
    best: Header | None = None
    best_key: tuple[float, int] = (0.0, 1)  # a header needs at least 2 labels
    for row in window.index.tolist():
        for header in (_pair(lines, int(row), merges, score), _single(lines, int(row))):
            if header is None or 2 * len(header.labels) < widest:
                continue
            texts = sum(1 for cell in header.cells if cell) if header.last > header.first else _label_count(lines, row)
            key = (score(header.labels) if score and texts > 1 else 0.0, texts)
            if key > best_key:
                best, best_key = header, key
    return best


def is_label(value: object) -> bool:
    """A non-empty text cell that does not look like a number or a date."""
    return (isinstance(value, str) and bool(value)
            and not _NUMBER_RE.match(value) and not _DATE_RE.match(value))


def header_text(value: object) -> str:
    """Header cell as text: stripped, inner whitespace collapsed; numbers/dates converted."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, (dt.date, dt.time)):
        value = value.isoformat()
    return " ".join(str(value).split())


Lines = dict[int, list[Any]]  # sheet row -> its cells, for the few rows a header may be on


def _lines(grid: pd.DataFrame, rows: list[int]) -> Lines:
    """The cells of ``rows`` and of the row below each (when in the grid), taken from the grid at once."""
    wanted = sorted({r for row in rows for r in (row, row + 1) if r in grid.index})
    values = grid.loc[wanted].to_numpy(dtype=object).tolist() if wanted else []
    return dict(zip(wanted, values))


def _label_count(lines: Lines, row: int) -> int:
    return sum(1 for value in lines[row] if is_label(value))


def _single(lines: Lines, row: int) -> Header:
    return Header(row, row, tuple(header_text(v) or None for v in lines.get(row, ())))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value == ""


def _pair(lines: Lines, top: int, merges: Sequence[CellRange], score: Score | None) -> Header | None:
    """Rows ``top`` and ``top + 1`` as one header, or None when they are not group labels over sub-labels."""
    if top + 1 not in lines or top not in lines:
        return None
    upper, lower = lines[top], lines[top + 1]
    if any(not _blank(v) and not is_label(v) for v in upper + lower):
        return None
    groups = _groups(upper, lower, top, merges)
    if not groups:
        return None
    grouped = {c for c0, c1 in groups for c in range(c0, c1 + 1)}
    labelled_outside = False
    for c, (up, low) in enumerate(zip(upper, lower)):
        if c in grouped or (_blank(up) and _blank(low)):
            continue
        if not _blank(up) and not _blank(low) and header_text(up) != header_text(low):
            return None  # a value under a header of its own: the lower row is data
        labelled_outside = True
    if not labelled_outside and len(groups) < 2:
        return None  # one label over the whole width is a title, not a group
    return Header(top, top + 1, _names(upper, lower, groups, score))


def _groups(upper: list[object], lower: list[object], top: int, merges: Sequence[CellRange]) -> list[tuple[int, int]]:
    """Column spans (first, last) of group labels in ``upper`` with at least two sub-labels below:
    a label merged across columns on that row, or a label followed by blank cells over sub-labels."""
    width = len(upper)
    spans = [(m.first_col, min(m.last_col, width - 1)) for m in merges
             if m.first_row == top == m.last_row and m.last_col > m.first_col and m.first_col < width]
    covered = {c for c0, c1 in spans for c in range(c0, c1 + 1)}
    c = 0
    while c < width:
        if c in covered or _blank(upper[c]) or _blank(lower[c]):
            c += 1
            continue
        end = c
        while end + 1 < width and end + 1 not in covered and _blank(upper[end + 1]) and not _blank(lower[end + 1]):
            end += 1
        if end > c:
            spans.append((c, end))
        c = end + 1
    return sorted(span for span in spans if not _blank(upper[span[0]])
                  and sum(not _blank(lower[i]) for i in range(span[0], span[1] + 1)) >= 2)


def _names(upper: list[object], lower: list[object], groups: list[tuple[int, int]],
           score: Score | None) -> tuple[str | None, ...]:
    """Header text per column: standalone headers as written, sub-labels alone or joined to their group label."""
    base = [header_text(up) or header_text(low) or None for up, low in zip(upper, lower)]
    alone: dict[int, str] = {}
    joined: dict[int, str] = {}
    for c0, c1 in groups:
        label = header_text(upper[c0])
        for c in range(c0, c1 + 1):
            sub = header_text(lower[c])
            alone[c] = sub or label
            joined[c] = f"{label} {sub}" if sub and sub != label else label
    repeated = {name for name, n in Counter([*alone.values(), *(b for i, b in enumerate(base) if i not in alone
                                                                 and b)]).items() if n > 1}
    use_joined = [any(alone[c] in repeated for c in range(c0, c1 + 1)) for c0, c1 in groups]

    def build(choice: list[bool]) -> tuple[str | None, ...]:
        names = list(base)
        for (c0, c1), join in zip(groups, choice):
            for c in range(c0, c1 + 1):
                names[c] = joined[c] if join else alone[c]
        return tuple(names)

    if score is not None:
        best = score([n for n in build(use_joined) if n])
        for i in range(min(len(groups), MAX_SCORED_GROUPS)):
            trial = [*use_joined[:i], not use_joined[i], *use_joined[i + 1:]]
            value = score([n for n in build(trial) if n])
            if value > best:
                use_joined, best = trial, value
    return build(use_joined)
