"""The batch report: what was checked, the findings, per-row metrics and the summary."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np
import pandas as pd

from tracecheck import __version__
from tracecheck.findings import FINDING_COLUMNS, SEVERITY_RANK, Finding, Severity
from tracecheck.metrics import BUCKETS, bucket_counts
from tracecheck.normalise import Batch
from tracecheck.ruleset import RulePack

REPORT_VERSION = "1.0"
ROW_COLUMNS = ["row", "request_id", "status", "request_age_days", "time_to_crime_days", "submission_lag_days",
               "duplicate_group"]
FAIL_LEVELS = ("error", "warning", "info", "never")


class ValidationFailed(Exception):
    """Raised by ``Report.raise_for_status`` when a batch has findings at or above the level."""

    def __init__(self, report: "Report", level: str) -> None:
        self.report = report
        counts = report.summary["by_severity"]
        super().__init__(f"{report.batch['source']}: {counts['error']} errors, {counts['warning']} warnings "
                         f"(failing at {level})")


@dataclass
class Report:
    batch: dict[str, Any]
    rule_pack: dict[str, Any]
    mapping: list[dict[str, Any]]
    summary: dict[str, Any]
    findings: pd.DataFrame  # one row per finding; CORE columns then context columns
    rows: pd.DataFrame  # one row per data row: ROW_COLUMNS
    duplicate_groups: list[dict[str, Any]] = field(default_factory=list)
    # Not part of the JSON: what the workbook and HTML writers need besides the numbers.
    source: Any = field(default=None, repr=False)  # tracecheck.read.RawBatch: the cells as submitted
    canonical: pd.DataFrame | None = field(default=None, repr=False)  # the normalised table (agency, dates...)

    @property
    def worst_severity(self) -> str | None:
        levels = self.findings["severity"].dropna().unique() if len(self.findings) else []
        return max(levels, key=SEVERITY_RANK.__getitem__) if len(levels) else None

    def has_findings_at(self, level: str) -> bool:
        if level == "never":
            return False
        worst = self.worst_severity
        return worst is not None and SEVERITY_RANK[worst] >= SEVERITY_RANK[Severity.parse(level).value]

    def raise_for_status(self, level: str = "error") -> "Report":
        """Raise ValidationFailed if any finding is at or above ``level``; else return self."""
        if level not in FAIL_LEVELS:
            raise ValueError(f"level must be one of {', '.join(FAIL_LEVELS)}")
        if self.has_findings_at(level):
            raise ValidationFailed(self, level)
        return self

    def iter_findings(self) -> Iterator[Finding]:
        core = set(FINDING_COLUMNS)
        for rec in self.findings.to_dict("records"):
            yield Finding(rule=rec["rule"], name=rec["name"], severity=Severity(rec["severity"]),
                          message=rec["message"], row=_opt_int(rec["row"]), field=_opt(rec["field"]),
                          column=_opt(rec["column"]), value=_opt(rec["value"]),
                          context={k: v for k, v in rec.items() if k not in core and _opt(v) is not None})

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.to_json())

    def to_json(self) -> str:
        from tracecheck.writers.json import write_json  # late: the writer imports this module

        buffer = io.StringIO()
        write_json(self, buffer)
        return buffer.getvalue()


def _opt(value: Any) -> Any:
    return None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else value


def _opt_int(value: Any) -> int | None:
    value = _opt(value)
    return None if value is None else int(value)


def build_report(batch: Batch, pack: RulePack, findings: pd.DataFrame, *, checked_at: dt.datetime,
                 duplicates: Any = None, lang: str = "en") -> Report:
    groups = duplicates.groups if duplicates is not None else []
    rows = _row_table(batch, findings, duplicates.group_of_row() if duplicates is not None else {})
    raw = batch.raw
    return Report(
        batch={"source": raw.source, "sheet": raw.sheet, "sha256": raw.sha256, "row_count": len(batch.frame),
               "header_row": raw.header_row, "encoding": raw.encoding, "delimiter": raw.delimiter,
               "dropped_rows": list(raw.dropped_rows), "date_order": batch.date_orders,
               "as_of": batch.as_of.isoformat(), "checked_at": checked_at.isoformat(timespec="seconds"),
               "tracecheck_version": __version__},
        rule_pack={"name": pack.name, "version": pack.version, "digest": pack.digest,
                   "rules": [{"rule": r.code, "name": r.name, "severity": r.severity.value, "family": r.family,
                              "fix": r.fix_for(lang)} for r in pack.rules]},
        mapping=[{"field": c.field, "header": c.header, "column": raw.column_letters.get(c.header),
                  "method": c.method, "score": c.score} for c in batch.mapping.columns],
        summary={**_summary(rows, findings), "duplicates": _duplicate_summary(groups, len(rows))},
        findings=findings,
        rows=rows,
        duplicate_groups=groups,
        source=raw,
        canonical=batch.frame,
    )


def _row_table(batch: Batch, findings: pd.DataFrame, group_of_row: dict[int, str]) -> pd.DataFrame:
    frame = batch.frame
    rows = pd.DataFrame({"row": frame.index.to_numpy(), "request_id": frame["request_id"].to_numpy()})
    rank = pd.Series(0, index=frame.index)
    row_level = findings[findings["row"].notna()]
    if len(row_level):
        worst = row_level["severity"].map(SEVERITY_RANK).groupby(row_level["row"].astype("int64")).max()
        rank.loc[worst.index] = worst.to_numpy()
    labels = np.array(["ok", "info", "warning", "error"], dtype=object)
    rows["status"] = labels[rank.to_numpy()]
    for metric in BUCKETS:
        rows[metric] = frame[metric].array
    rows["duplicate_group"] = rows["row"].map(group_of_row).astype("str")  # missing when in no group
    return rows


def _duplicate_summary(groups: list[dict], n_rows: int) -> dict[str, Any]:
    """Group counts by kind and confidence, and how many requests remain once duplicates go."""
    flagged = [g for g in groups if g["kind"] == "duplicate-request" and g["confidence"] == "flag"]
    counts = {kind: sum(1 for g in groups if g["kind"] == kind)
              for kind in ("duplicate-request", "re-recovery", "possible-duplicate")}
    return {"groups": counts,
            "review_groups": sum(1 for g in groups if g["kind"] == "duplicate-request" and g["confidence"] == "review"),
            "duplicate_rows": sum(len(g["rows"]) for g in flagged),
            "requests_after_removing_duplicates": n_rows - sum(len(g["rows"]) - 1 for g in flagged)}


def _summary(rows: pd.DataFrame, findings: pd.DataFrame) -> dict[str, Any]:
    by_sev = findings["severity"].value_counts()
    batch_errors = int(((findings["severity"] == "error") & findings["row"].isna()).sum())
    status = rows["status"]
    traceable = 0 if batch_errors else int((status != "error").sum())
    counts = (findings.groupby(["rule", "name", "severity"], observed=True).size().reset_index(name="count")
              if len(findings) else pd.DataFrame(columns=["rule", "name", "severity", "count"]))
    obliterated = findings.get("reason", pd.Series(dtype=object)).eq("obliterated") & findings["rule"].eq("TC101")
    return {
        "rows": len(rows),
        "findings": len(findings),
        "by_severity": {s: int(by_sev.get(s, 0)) for s in ("error", "warning", "info")},
        "by_rule": [{"rule": r.rule, "name": r.name, "severity": r.severity, "count": int(r.count)}
                    for r in counts.itertuples()],
        "batch_errors": batch_errors,
        "rows_with_errors": int((status == "error").sum()),
        "rows_with_warnings": int((status == "warning").sum()),
        "rows_traceable": traceable,
        "traceable_share": round(traceable / len(rows), 4) if len(rows) else 0.0,
        "rows_obliterated": int(obliterated.sum()),
        "age_buckets": {m: bucket_counts(rows[m], m) for m in BUCKETS},
        "age_medians_days": {m: _median(rows[m]) for m in BUCKETS},
    }


def _median(values: pd.Series) -> float | None:
    valid = values.dropna()
    return float(valid.median()) if len(valid) else None
