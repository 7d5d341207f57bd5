"""In-memory input (a pandas DataFrame or a pyarrow Table) as cells the checks can read.

A frame is checked as it is, except for values no spreadsheet cell can hold and no check can
compare, and text a file reader would not give: an empty or all-space text is a blank cell (as in a
csv or workbook); sparse columns become dense; durations, periods and intervals become their text; lists,
dicts, sets and arrays in a cell become their text; bytes are decoded as UTF-8 (bad bytes become
U+FFFD). The caller's frame is never modified.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_COMPOUND = (list, dict, set, frozenset, tuple, np.ndarray)
_TEXT_KINDS = ("mixed", "bytes", "mixed-integer", "unknown-array", "timedelta", "period", "interval")


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column made of plain cell values (see the module docstring)."""
    columns = {i: _plain_column(frame.iloc[:, i]) for i in range(frame.shape[1])}
    out = pd.DataFrame(columns, index=frame.index)
    out.columns = frame.columns
    return out


def from_arrow(table: Any) -> pd.DataFrame:
    """A pyarrow Table as a DataFrame: binary columns decoded, nested and duration columns as text."""
    return plain_frame(table.to_pandas())


def _plain_column(column: pd.Series) -> pd.Series:
    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        column = column.sparse.to_dense()  # type: ignore[attr-defined]  # the sparse accessor
        dtype = column.dtype
    if isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype)) or pd.api.types.is_timedelta64_dtype(dtype):
        return column.astype(object).where(column.notna(), None).map(_text, na_action="ignore")
    if isinstance(dtype, pd.ArrowDtype) and not _plain_arrow(dtype):
        return column.astype(object).map(_text, na_action="ignore")
    if isinstance(dtype, pd.CategoricalDtype):
        column = column.astype(object)
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in _TEXT_KINDS:
        column = column.map(_cell, na_action="ignore")
    if pd.api.types.is_string_dtype(column.dtype) and pd.api.types.infer_dtype(column, skipna=True) == "string":
        return column.where(column.str.strip().str.len() > 0)  # "" and "  " are blank cells, as in a file
    return column


def _plain_arrow(dtype: pd.ArrowDtype) -> bool:
    """Arrow types the checks read as they are: text, numbers, booleans, dates and timestamps."""
    import pyarrow as pa

    kind = dtype.pyarrow_dtype
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
                or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_date(kind)
                or pa.types.is_timestamp(kind) or pa.types.is_decimal(kind))


def _cell(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)) or isinstance(value, _COMPOUND):
        return _text(value)
    if isinstance(value, (pd.Timedelta, pd.Period, pd.Interval)) or type(value).__name__ == "timedelta":
        return _text(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return str(value)
