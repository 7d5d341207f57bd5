"""The JSON report (schema: docs/report.schema.json), streamed in chunks to bound memory."""

from __future__ import annotations

import json
from typing import Any, TextIO

import numpy as np
import pandas as pd

CHUNK = 50_000
_CORE = ["row", "column", "rule", "name", "severity", "field", "value", "message"]


def write_json(report: Any, fp: TextIO) -> None:
    from tracecheck.report import REPORT_VERSION

    head = {"report_version": REPORT_VERSION, "batch": report.batch, "rule_pack": report.rule_pack,
            "mapping": report.mapping, "summary": report.summary}
    fp.write("{\n")
    for key, value in head.items():
        fp.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, default=_default)},\n")
    fp.write('"rows": ')
    _write_records(fp, report.rows, lambda chunk: chunk)
    fp.write(',\n"findings": ')
    _write_records(fp, report.findings, _finding_chunk)
    fp.write(f',\n"duplicate_groups": {json.dumps(report.duplicate_groups, ensure_ascii=False, default=_default)}')
    fp.write("\n}\n")


def _write_records(fp: TextIO, frame: pd.DataFrame, prepare) -> None:
    fp.write("[")
    for start in range(0, len(frame), CHUNK):
        text = prepare(frame.iloc[start:start + CHUNK]).to_json(orient="records", force_ascii=False)
        if start:
            fp.write(",\n")
        fp.write(text[1:-1])
    fp.write("]")


def _finding_chunk(chunk: pd.DataFrame) -> pd.DataFrame:
    out = chunk[_CORE].copy()
    extra = [c for c in chunk.columns if c not in _CORE]
    if not extra:
        out["context"] = [{} for _ in range(len(chunk))]
        return out
    columns = [chunk[c].to_numpy(dtype=object) for c in extra]
    out["context"] = [{k: _plain(v) for k, v in zip(extra, values) if _present(v)} for values in zip(*columns)]
    return out


def _present(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    return not (isinstance(value, float) and np.isnan(value))


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
