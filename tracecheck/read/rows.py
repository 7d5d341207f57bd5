"""Which rows below the header are requests: the others are dropped, each with its reason.

Decided from the row as a whole, vectorised over the table (or over the few sparse rows):

* ``repeated_header``: the header again inside the data (a report export repeats it on every page):
  at least half of the header's labels, each in its own column;
* ``table_totals``: the totals row of an Excel table (``totalsRowCount``);
* ``footer_line``: a signature, page or report line (``Elaboró``, ``Preparado por``, ``Generado por``,
  ``Página 1 de 3``, ``Printed on``...) on a sparse row;
* ``total_line``: a totals or subtotal line on a sparse row: a totals label (``Total``, ``Subtotal
  Laredo PD``, ``Grand Total``, ``Total de solicitudes: 14``) with counts, or a lone count. A label
  that only starts with the word (``Total Security Inc``, an agency) makes a total line only when
  the rest of the row is counts; beside a serial or any other text it is a request;
* ``note_block``: a block of short rows separated from the data by STRAY_MIN_GAP blank rows.

A sparse row fills at most a third of the header's columns (and at least two may be filled): a
request fills its serial, maker and dates, so a request is never dropped for one word in one cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from tracecheck.read.header import _DATE_RE, _NUMBER_RE
from tracecheck.read.notes import DroppedRow

STRAY_MIN_GAP = 3  # blank rows separating a trailing note block from the data
STRAY_MAX_CELLS = 2  # a note row has at most this many non-empty cells
SPARSE_SHARE = 3  # a footer or totals row fills at most 1/SPARSE_SHARE of the header's columns ...
SPARSE_MIN = 2  # ... or this many cells, whichever is more
SMALL = 512  # columns up to this many cells are matched in plain Python (the same patterns)

# Patterns for Python's re and for RE2 (pandas runs Arrow text through RE2), matched without case:
# no look-around, no inline flags, and no \b next to a letter outside ASCII (RE2's \b knows ASCII only).
_END = r"([^a-z0-9]|$)"
_TOTAL_LABEL = (  # a totals label beyond doubt
    r"^[^a-z0-9]*(sub\s*-?\s*totale?s?|gran(d|de)?\s+totale?s?"
    r"|totale?s?\s*(general(es)?)?\s*[:=.]?\s*[0-9]*$|totale?s?\s*(:|=|de |del |of |for |per |por |general|[0-9])"
    r"|totale?s?\s+(solicitudes|registros|armas|requests|records|rows|filas|items|casos|cases|traces|rastreos)"
    r"|(n[uú]mero|no\.|cantidad|count|conteo)\s+(de|of)\s+(solicitudes|registros|requests|records|armas))")
_TOTAL_WORD = r"^[^a-z0-9]*(sub\s*-?\s*)?totale?s?" + _END  # starts with the word: maybe a name
_FOOTER = (
    r"^[^a-z0-9]*(p[aá]g(ina|\.)?\s*[0-9]+|page\s*[0-9]+|elabor[oó]" + _END + r"|elaborad[oa]\s+por"
    r"|preparad[oa]\s+por|prepared\s+by|generad[oa]\s+(por|el|con|en)|generated\s+(by|on|at|with)"
    r"|revis[oó]" + _END + r"|revisad[oa]\s+por|reviewed\s+by|autoriz[oó]" + _END + r"|autorizad[oa]\s+por"
    r"|aprob[oó]" + _END + r"|aprobad[oa]\s+por|approved\s+by|authori[sz]ed\s+by|v\.?\s*o\.?\s*b\.?\s*o"
    r"|firma" + _END + r"|nombre\s+y\s+firma|signature|signed\s+by|atentamente|impreso|printed\s+(on|by|at)"
    r"|fecha\s+de\s+(impresi[oó]n|generaci[oó]n|emisi[oó]n)|reporte\s+generado|report\s+(generated|date|run)"
    r"|fin\s+del\s+(reporte|informe|listado)|end\s+of\s+(report|list))")
_COUNT = re.compile(r"^[0-9]{1,9}$")


def classify(data: pd.DataFrame, counts: np.ndarray, header_rows: Iterable[Sequence[object]],
             header_cells: int, totals_rows: Iterable[int] = ()) -> np.ndarray:
    """The drop reason of each row of ``data`` (rows below the header that hold something; columns are
    the table's), or None for a request. ``counts`` are the rows' filled cells, ``header_rows`` the
    header's rows as raw cell values in the table's columns."""
    reasons = np.full(len(data), None, dtype=object)
    if not len(data):
        return reasons
    repeated = np.zeros(len(data), dtype=bool)
    for cells in header_rows:
        repeated |= _repeats(data, cells)
    sparse = counts <= max(SPARSE_MIN, header_cells // SPARSE_SHARE)
    if sparse.any():
        totals, footers = _footers(data[sparse], counts[sparse], rows=len(data))
        reasons[np.flatnonzero(sparse)[totals]] = "total_line"
        reasons[np.flatnonzero(sparse)[footers]] = "footer_line"
    reasons[repeated] = "repeated_header"
    reasons[data.index.isin(list(totals_rows))] = "table_totals"
    return reasons


def note_block(rows: np.ndarray, filled: np.ndarray, header_cells: int) -> list[DroppedRow]:
    """The trailing note block among the request rows (``rows`` ascending, ``filled`` their cell counts).

    The block must follow at least one data row, be separated from it by STRAY_MIN_GAP or more
    blank rows, and contain only rows with at most STRAY_MAX_CELLS cells (fewer than the header's)."""
    limit = min(STRAY_MAX_CELLS, header_cells - 1)
    if len(rows) < 2 or limit < 1:
        return []
    long_rows = np.flatnonzero(filled > limit)
    first_gap = int(long_rows[-1]) if len(long_rows) else 0
    gaps = np.diff(rows)[first_gap:] - 1
    wide = np.flatnonzero(gaps >= STRAY_MIN_GAP)
    start = first_gap + int(wide[0]) + 1 if len(wide) else len(rows)
    return [DroppedRow(int(row), "note_block") for row in rows[start:]]


def _repeats(data: pd.DataFrame, cells: Sequence[object]) -> np.ndarray:
    """Rows holding at least half of the header's labels, each under itself (and at least two)."""
    labelled = [(i, value) for i, value in enumerate(cells) if isinstance(value, str) and value]
    out = np.zeros(len(data), dtype=bool)
    need = max(2, (len(labelled) + 1) // 2)
    if len(labelled) < need:
        return out
    # A row with `need` hits has one among any len - need + 1 of the labels: look there first.
    hits = np.zeros(len(data), dtype=np.int32)
    for i, value in labelled[:len(labelled) - need + 1]:
        hits += _equals(data.iloc[:, i], value)
    candidates = np.flatnonzero(hits)
    if not len(candidates):
        return out
    some = data.iloc[candidates]
    total = np.zeros(len(some), dtype=np.int32)
    for i, value in labelled:
        total += _equals(some.iloc[:, i], value)
    out[candidates[total >= need]] = True
    return out


def _equals(column: pd.Series, value: str) -> np.ndarray:
    if len(column) <= SMALL:  # a few cells: plain Python beats a vectorised call's set-up
        return np.fromiter((isinstance(v, str) and v == value for v in column.to_numpy(dtype=object)), dtype=bool,
                           count=len(column))
    return column.eq(value).to_numpy(dtype=bool, na_value=False)


# Cell kinds on a sparse row, most telling first.
BLANK, FOOTER, LABEL, WORD, COUNT, NUMBER, DATE, TEXT = range(8)


def _footers(sparse: pd.DataFrame, counts: np.ndarray, *, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(total line, footer line) masks over the sparse rows; ``rows`` bounds a count."""
    n = len(sparse)
    tally = {kind: np.zeros(n, dtype=np.int32) for kind in range(1, 8)}
    for i in range(sparse.shape[1]):
        kinds = _kinds(sparse.iloc[:, i], rows)
        for kind, found in tally.items():
            found += kinds == kind
    footer = tally[FOOTER] > 0
    numbers = tally[COUNT] + tally[NUMBER]
    others = tally[TEXT] + tally[DATE]
    label = (tally[LABEL] > 0) & (others <= np.where(numbers > 0, 1, 0))  # "Total" | "Laredo PD" | 5
    word = (tally[LABEL] + tally[WORD] > 0) & (tally[COUNT] > 0) & (tally[NUMBER] + others == 0)
    lone_count = (counts == 1) & (tally[COUNT] == 1)
    return ~footer & (label | word | lone_count), footer


def _kinds(column: pd.Series, rows: int) -> np.ndarray:
    """The kind of each cell of a column (BLANK ... TEXT), vectorised over its text."""
    kinds = np.full(len(column), BLANK, dtype=np.int8)
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        text = column
    else:
        values = column.to_numpy(dtype=object)
        is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
        for position in np.flatnonzero(~is_text & column.notna().to_numpy()):
            kinds[position] = _typed_kind(values[position], rows)
        text = pd.Series(values, index=column.index, dtype=object).where(is_text).astype("str")
    present = text.notna().to_numpy()
    if not present.any():
        return kinds
    kinds[present] = TEXT
    if len(text) <= SMALL:  # a few cells: plain Python beats a vectorised call's set-up
        values = text.to_numpy(dtype=object)
        for position in np.flatnonzero(present):
            kinds[position] = _text_kind(str(values[position]), rows)
        return kinds
    for kind, pattern, case in _PATTERNS:  # later kinds win
        hit = text.str.match(pattern, case=case).to_numpy(dtype=bool, na_value=False)
        if kind == COUNT:
            hit = hit & _at_most(text, rows)
        kinds[hit] = kind
    return kinds


_PATTERNS = ((DATE, _DATE_RE.pattern, True), (NUMBER, _NUMBER_RE.pattern, True), (COUNT, _COUNT.pattern, True),
             (WORD, _TOTAL_WORD, False), (LABEL, _TOTAL_LABEL, False), (FOOTER, _FOOTER, False))
_COMPILED = tuple((kind, re.compile(pattern, 0 if case else re.IGNORECASE)) for kind, pattern, case in _PATTERNS)


def _text_kind(text: str, rows: int) -> int:
    """The kind of one text cell, as _kinds decides it for a whole column."""
    found = TEXT
    for kind, pattern in _COMPILED:
        if pattern.match(text) and (kind != COUNT or (len(text) <= 9 and int(text) <= rows)):
            found = kind
    return found


def _at_most(text: pd.Series, rows: int) -> np.ndarray:
    numbers = pd.to_numeric(text.where(text.str.len() <= 9), errors="coerce")
    return (numbers <= rows).to_numpy(dtype=bool, na_value=False)


def _typed_kind(value: object, rows: int) -> int:
    """Kind of a workbook cell that is not text: a number (a count when a whole number up to ``rows``), a date."""
    if isinstance(value, bool):
        return TEXT
    if isinstance(value, (int, float, np.integer, np.floating)):
        whole = float(value).is_integer() and 0 <= float(value) <= rows
        return COUNT if whole else NUMBER
    if isinstance(value, (dt.date, dt.time, np.datetime64)):
        return DATE
    return TEXT
