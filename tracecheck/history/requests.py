"""What the history store keeps of a checked batch: per request its matching keys, and the
quality numbers of the batch and of each agency for ``history trend``.

``request_frame`` runs with the check (the batch's requests, matched against the store and kept on
the Report for ``History.record``); ``quality`` reads the finished report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.matching.keys import key_columns
from tracecheck.read import SHEET_ROW_BLOCK
from tracecheck.redact import PERSONAL_FIELDS
from tracecheck.report.build import IMPORT_MARKING_RULE, unusable_serial_rows
from tracecheck.report.compare import prior_rows

QUALITY_COLUMNS = ("rows", "usable_serial", "missing_import_marking", "duplicate_rows", "prior_duplicate_rows",
                   "request_age_median", "repeated_rows")


def request_frame(batch: Any, reference: Any, *, store_rows: bool = False, redacted: bool = False) -> pd.DataFrame:
    """One row per request of ``batch`` (a normalised Batch), indexed by sheet row: the key columns
    (``tracecheck.matching.keys.KEY_COLUMNS``), ``request_id``, ``agency_name`` (the pack's alias
    name), ``sheet``, ``row_label`` (``Febrero!12`` when several sheets were read), the submitted
    serial, maker, model and caliber (``shown_*``, for evidence) and, with ``store_rows``,
    ``row_data``: the submitted values of the mapped fields as JSON, purchaser and possessor names
    only when ``redacted`` (as keyed hashes), never as written."""
    frame = batch.frame
    out = key_columns(frame, reference, reference.matching, reference.calibers)
    out["request_id"] = _text(frame["request_id"])
    agency = frame["agency__name"] if "agency__name" in frame else frame["agency"]
    out["agency_name"] = _text(agency)
    rows = pd.Series(frame.index, index=frame.index)
    out["sheet"] = batch.raw.sheet_of(rows)
    several = len(batch.raw.sheets) > 1
    within = (frame.index.to_numpy() % SHEET_ROW_BLOCK).astype(str)
    out["row_label"] = (out["sheet"].astype(str) + "!" + within) if several else frame.index.astype(str)
    for name, column in (("serial", "serial_number"), ("maker", "manufacturer"), ("model", "model"),
                         ("caliber", "caliber")):
        out[f"shown_{name}"] = _text(frame[column])
    out["row_data"] = _row_data(batch, redacted) if store_rows else None
    return out


def batch_identity(sha256: str, sheet: str | None, sheets: list[str] | tuple[str, ...]) -> str:
    """A batch's identity in the store: the SHA-256 of its file; for a workbook, of the file and the
    sheets read (``Julio`` and ``Agosto`` of one workbook, checked one at a time, are two batches;
    the same sheets of the same bytes are one, under any file name)."""
    read = list(sheets) or ([sheet] if sheet else [])
    if not read:
        return sha256
    return hashlib.sha256("\0".join([sha256, *read]).encode("utf-8")).hexdigest()


def quality(report: Any, requests: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame]:
    """The batch's quality numbers (QUALITY_COLUMNS) and the same per agency (a frame indexed by
    agency name, "" for rows without one): requests, usable serials and missing import markings (as
    the report's summary counts them), rows in a duplicate-request group, rows that repeat an
    earlier batch's request (prior-duplicate findings but re-recoveries), rows that are either (each
    once), median request age."""
    findings = report.findings
    rows = report.rows.set_index("row")
    flags = pd.DataFrame(index=requests.index)
    flags["rows"] = 1
    flags["usable_serial"] = ~requests.index.isin(unusable_serial_rows(findings)) & _serial_present(report)
    marking = findings["rule"].eq(IMPORT_MARKING_RULE)
    flags["missing_import_marking"] = requests.index.isin(findings.loc[marking, "row"].dropna().astype("int64"))
    group = rows["duplicate_group"].reindex(requests.index).astype("str")
    flags["duplicate_rows"] = group.str.startswith("DR").fillna(False).to_numpy(dtype=bool)
    flags["prior_duplicate_rows"] = requests.index.isin(list(prior_rows(findings)))
    flags["repeated_rows"] = flags["duplicate_rows"] | flags["prior_duplicate_rows"]
    age = rows["request_age_days"].reindex(requests.index).astype("float64")
    agency = requests["agency_name"].fillna("").to_numpy(dtype=object)
    counts = flags.astype("int64").groupby(agency).sum()
    counts["request_age_median"] = age.groupby(agency).median()
    totals: dict[str, Any] = {c: int(flags[c].sum()) for c in flags.columns}
    median = age.median()
    totals["request_age_median"] = None if np.isnan(median) else float(median)
    return totals, counts


def _serial_present(report: Any) -> bool:
    """Whether the batch had a serial-number column (without one, no serial is usable)."""
    return any(m.get("field") == "serial_number" for m in report.mapping)


def _text(values: pd.Series) -> np.ndarray:
    """Text values, None for missing or blank."""
    text = values.astype("str")
    return text.where(text.str.strip().ne("") & text.notna(), None).astype(object).to_numpy()


def _row_data(batch: Any, redacted: bool) -> np.ndarray:
    """Per row, the submitted values of the mapped fields as JSON text (names only when redacted)."""
    frame = batch.frame
    fields = [c for c in frame.columns if "__" not in c and batch.present(c)
              and (redacted or c not in PERSONAL_FIELDS)]
    shown = pd.DataFrame({f: frame[f"{f}__raw"] if f"{f}__raw" in frame else frame[f] for f in fields})
    shown = shown.astype("str").astype(object).where(shown.notna(), None)
    return np.array([json.dumps(dict(zip(fields, values)), ensure_ascii=False)
                     for values in shown.itertuples(index=False, name=None)], dtype=object)
