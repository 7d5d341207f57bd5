"""The report as Parquet tables, for warehouse loads: findings, rows, duplicate groups and pairs.

``--format parquet`` writes four files next to each other (``<stem>.report.<table>.parquet``),
each atomically, each with the report's head (report_version, batch, rule pack, summary) as JSON
in the file's key-value metadata under ``tracecheck``. The numbers are those of the JSON report;
the column-by-column schema is documented in ``docs/parquet.md``:

* ``findings``: the JSON's findings (``context`` stays a typed struct; ``index`` is text);
* ``rows``: the per-row table (ROW_COLUMNS);
* ``duplicate_groups``: one row per group with its ``rows`` as a list;
* ``duplicate_pairs``: one row per scored pair inside a group: the two rows, the score, the level
  and weight of each field, and the explanation.

Tables are built by pyarrow from the report's columns (no Python object per record) and written
with zstd compression.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tracecheck.findings import FINDING_COLUMNS
from tracecheck.matching.tables import FIELDS

TABLES = ("findings", "rows", "duplicate_groups", "duplicate_pairs")
_TEXT = {"str", "string", "object"}


def table_paths(report_json_path: Path) -> dict[str, Path]:
    """The four files for a report whose JSON would be ``<stem>.report.json``."""
    stem = report_json_path.name.removesuffix(".report.json")
    return {name: report_json_path.with_name(f"{stem}.report.{name}.parquet") for name in TABLES}


def tables(report: Any) -> dict[str, pa.Table]:
    """The report's four Arrow tables, each carrying the report head as metadata."""
    from tracecheck.report.encode import REPORT_VERSION, _dumps

    head = _dumps({"report_version": REPORT_VERSION, "batch": report.batch,
                   "rule_pack": {k: report.rule_pack[k] for k in ("name", "version", "digest")},
                   "summary": report.summary})
    built = {"findings": _findings(report.findings), "rows": _frame(report.rows, index_as_text=True),
             "duplicate_groups": _groups(report.duplicates), "duplicate_pairs": _pairs(report.duplicates)}
    return {name: table.replace_schema_metadata({"tracecheck": head}) for name, table in built.items()}


def write_table(table: pa.Table, fp: BinaryIO) -> None:
    pq.write_table(table, fp, compression="zstd")


def _findings(findings: pd.DataFrame) -> pa.Table:
    plain = _frame(findings[[c for c in FINDING_COLUMNS if c != "context"]], index_as_text=True)
    context = pa.array(findings["context"].array)
    context = context.combine_chunks() if isinstance(context, pa.ChunkedArray) else context
    return plain.append_column("context", context)


def _frame(frame: pd.DataFrame, *, index_as_text: bool = False) -> pa.Table:
    """Columns as Arrow: text as string, whole numbers as int64 (nullable), other numbers as float64.
    ``index`` (a DataFrame's own labels, of any type) is written as text."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if name == "index" and index_as_text:
            values = values.astype(object).map(lambda v: None if v is None or v is pd.NA else str(v))
            columns[name] = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        elif str(values.dtype) in _TEXT:
            columns[name] = pa.array(values.astype("str"), type=pa.string(), from_pandas=True)
        elif values.dtype.kind in "iu" or str(values.dtype) in {"Int64", "Int32"}:
            columns[name] = pa.array(values, type=pa.int64(), from_pandas=True)
        else:
            columns[name] = pa.array(values, from_pandas=True)
    return pa.table(columns)


def _groups(duplicates: Any) -> pa.Table:
    groups = duplicates.groups
    sizes = groups["size"].to_numpy(dtype=np.int64)
    offsets = pa.array(np.r_[0, np.cumsum(sizes)].astype(np.int32))
    rows = pa.ListArray.from_arrays(offsets, pa.array(duplicates.members["row"].to_numpy(dtype=np.int64)))
    return pa.table({"group": pa.array(groups["group"].astype("str"), type=pa.string()),
                     "kind": pa.array(groups["kind"].astype("str"), type=pa.string()),
                     "confidence": pa.array(groups["confidence"].astype("str"), type=pa.string()),
                     "score": pa.array(groups["score"].to_numpy(dtype=float)),
                     "size": pa.array(sizes), "rows": rows,
                     "weakest_a": pa.array(groups["weakest_a"], type=pa.int64(), from_pandas=True),
                     "weakest_b": pa.array(groups["weakest_b"], type=pa.int64(), from_pandas=True)})


def _pairs(duplicates: Any) -> pa.Table:
    pairs = duplicates.pairs
    columns: dict[str, pa.Array] = {"group": pa.array(pairs["group"].astype("str"), type=pa.string()),
                                    "a": pa.array(pairs["a"].to_numpy(dtype=np.int64)),
                                    "b": pa.array(pairs["b"].to_numpy(dtype=np.int64)),
                                    "score": pa.array(pairs["score"].to_numpy(dtype=float))}
    for field in FIELDS:  # the level only where the explanation speaks of the field, as in the JSON
        said = pairs[f"t_{field}"].notna().to_numpy()
        level = pairs[field].astype("str").where(said)
        columns[f"{field}_level"] = pa.array(level, type=pa.string(), from_pandas=True)
        columns[f"{field}_weight"] = pa.array(pairs[f"w_{field}"].to_numpy(dtype=float), mask=~said)
    columns["explanation"] = pa.array(pairs["explanation"].astype("str"), type=pa.string(), from_pandas=True)
    return pa.table(columns)


def read_head(path: str | Path) -> dict[str, Any]:
    """The report head stored in one of the Parquet files (report_version, batch, rule_pack, summary)."""
    metadata = pq.read_schema(path).metadata or {}
    head: dict[str, Any] = json.loads(metadata[b"tracecheck"])
    return head
