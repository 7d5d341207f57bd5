"""The JSON report (schema: docs/report.schema.json), streamed in chunks to bound memory.

Records are assembled as text: every column is encoded to JSON literals (once per distinct
value where values repeat: rule names, severities, reasons), then Arrow joins the pieces
element-wise in C++. That is several times faster than building a dict per finding.
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tracecheck.findings import FINDING_COLUMNS
from tracecheck.report.groups_json import write_groups

CHUNK = 25_000  # records per chunk: the pieces of one chunk are what writing holds in memory
SAMPLE = 2_000  # texts looked at to tell a column of many distinct texts (escaped in bulk) from a repetitive one
# 2.0: findings carry header, reason and index; context holds only typed details.
# 2.1: mapping confidence, evidence and date order; summary.fields_not_found and summary.headers_not_used;
# findings carry their sheet; batch.sheets, batch.other_sheets and batch.side_tables.
# 3.0: age buckets lose "negative" (a figure from dates out of order is unknown); rows_privately_made.
# 4.0: a duplicate finding's context no longer repeats the explanation, nor an evidence item its text:
# each pair's explanation is said once, in duplicate_groups.
REPORT_VERSION = "4.0"


def write_json(report: Any, fp: TextIO) -> None:
    """Write ``report`` (a tracecheck Report) as the JSON report into the text file ``fp``."""
    head = {"report_version": REPORT_VERSION, "batch": report.batch, "rule_pack": report.rule_pack,
            "mapping": report.mapping, "summary": report.summary}
    fp.write("{\n")
    for key, value in head.items():
        fp.write(f"{json.dumps(key)}: {_dumps(value)},\n")
    fp.write('"rows": ')
    _write_records(fp, report.rows, list(report.rows.columns))
    fp.write(',\n"findings": ')
    _write_records(fp, report.findings, [c for c in FINDING_COLUMNS if c != "context"], context="context")
    fp.write(',\n"duplicate_groups": ')
    write_groups(fp, report.duplicates)
    fp.write("\n}\n")


def _write_records(fp: TextIO, frame: pd.DataFrame, keys: list[str], *, context: str | None = None) -> None:
    fp.write("[")
    for start in range(0, len(frame), CHUNK):
        chunk = frame.iloc[start:start + CHUNK]
        pieces: list[Any] = ["{"]
        for i, key in enumerate(keys):
            pieces += [f'{"," if i else ""}{json.dumps(key)}:', literals(chunk[key])]
        if context:
            pieces += [f',{json.dumps(context)}:{{', _context(chunk[context]), "}"]
        records = pc.binary_join_element_wise(*pieces, "}", "")
        if start:
            fp.write(",\n")
        fp.write(",\n".join(records.to_pylist()))
    fp.write("]")


def context_objects(column: pd.Series) -> pa.Array:
    """Each finding's ``context`` as a JSON object text ("{}" when it holds nothing)."""
    body = _context(column)
    return pc.binary_join_element_wise("{", body, "}", "") if isinstance(body, (pa.Array, pa.ChunkedArray)) \
        else pa.array(["{" + body + "}"] * len(column), type=pa.string())


def _context(column: pd.Series) -> pa.Array | str:
    """The ``context`` object body per record: only the struct fields whose value is present."""
    struct = pa.array(column.array)  # the ArrowExtensionArray's own data (a ChunkedArray)
    struct = struct.combine_chunks() if isinstance(struct, pa.ChunkedArray) else struct
    parts = []
    for index in range(struct.type.num_fields):
        child = struct.field(index)
        if child.null_count == len(child):
            continue
        name = struct.type.field(index).name
        member = pc.binary_join_element_wise(f",{json.dumps(name)}:", _arrow_literals(child), "")
        parts.append(pc.if_else(pc.is_valid(child), member, ""))
    if not parts:
        return ""
    return pc.replace_substring_regex(pc.binary_join_element_wise(*parts, ""), "^,", "", max_replacements=1)


def _arrow_literals(values: pa.Array) -> pa.Array:
    """JSON literals of an Arrow array of numbers, booleans, text or lists of integers."""
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return pc.fill_null(pc.cast(values, pa.string()), "null")
    if pa.types.is_list(kind):
        joined = pc.binary_join(pc.cast(values, pa.list_(pa.string())), ",")
        return pc.fill_null(pc.binary_join_element_wise("[", joined, "]", ""), "null")
    return literals(pd.Series(values.to_pandas(types_mapper=pd.ArrowDtype), dtype="str"))


def literals(values: pd.Series) -> pa.Array:
    """Each value as a JSON literal (``null`` when missing), as an Arrow string array."""
    if values.dtype.kind in "iuf" and not pd.api.types.is_bool_dtype(values.dtype):  # incl. Int64 with NA
        numbers = pa.array(values, from_pandas=True)
        return pc.fill_null(pc.cast(numbers, pa.string()), "null")
    text = pd.api.types.is_string_dtype(values.dtype) and values.dtype != object
    if text and values.iloc[:SAMPLE].nunique() > SAMPLE // 4:  # messages, values: escape in bulk
        return _escape_text(values)
    codes, uniques = pd.factorize(values)  # one encoding per distinct value: rules, reasons, days...
    encoded = pa.array([_dumps(_plain(v)) for v in uniques] + ["null"], type=pa.string())
    return pc.take(encoded, pa.array(np.where(codes < 0, len(uniques), codes)))


def _escape_text(values: pd.Series) -> pa.Array:
    """Vectorised JSON string escaping for high-cardinality text (messages, values)."""
    escaped = values.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
    quoted = ('"' + escaped + '"').to_numpy(dtype=object, na_value="null")
    control = values.str.contains(r"[\x00-\x1f]", regex=True).fillna(False).to_numpy(dtype=bool)
    if control.any():  # rare: line breaks and tabs inside a cell
        quoted[control] = [json.dumps(v, ensure_ascii=False) for v in values[control]]
    return pa.array(quoted, type=pa.string())


def _dumps(value: Any) -> str:
    """Strict JSON text (no NaN or Infinity literals), non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, default=_default, allow_nan=False)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: numpy scalars as Python ones, tuples as lists, a NaN as null and
    an infinity as text (JSON has neither)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    return value


def _default(value: Any) -> Any:
    """What json cannot encode by itself: dates as ISO text, numpy scalars as numbers, and any other
    object (an index label such as a Period, Interval, Decimal or UUID) as its text."""
    if isinstance(value, np.generic):
        return _plain(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
