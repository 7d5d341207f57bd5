"""The short terminal summary printed to stderr after each batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

WORST_ROWS = 5


def summary_text(report: Any, written: list[Path]) -> str:
    s = report.summary
    sev = s["by_severity"]
    share = f"{s['traceable_share']:.0%}"
    lines = [f"{report.batch['source']}: {s['rows']} rows, {s['findings']} findings "
             f"({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info); "
             f"{s['rows_traceable']} rows look traceable ({share})"]
    dup = s.get("duplicates")
    if dup and any(dup["groups"].values()):
        lines.append(f"  duplicates: {dup['groups']['duplicate-request']} groups; "
                     f"{dup['requests_after_removing_duplicates']} requests remain after removing them")
    lines.append(f"  {'rule':<6} {'name':<28} {'severity':<8} {'count':>8}")
    for entry in sorted(s["by_rule"], key=lambda e: (-_rank(e["severity"]), e["rule"])):
        lines.append(f"  {entry['rule']:<6} {entry['name']:<28} {entry['severity']:<8} {entry['count']:>8}")
    worst = _worst_rows(report)
    if worst:
        lines.append("  worst rows:")
        lines += [f"    {text}" for text in worst]
    for path in written:
        lines.append(f"  report: {path}")
    return "\n".join(lines)


def _rank(severity: str) -> int:
    return {"error": 3, "warning": 2, "info": 1}.get(severity, 0)


def _worst_rows(report: Any) -> list[str]:
    """The rows with the most errors (then warnings), with the names of the rules they break."""
    findings = report.findings
    rows = findings["row"].to_numpy(dtype="float64", na_value=np.nan)
    severity = findings["severity"].to_numpy(dtype=object)
    weight = np.where(severity == "error", 1_000_000, np.where(severity == "warning", 1, 0))
    keep = ~np.isnan(rows) & (weight > 0)
    if not keep.any():
        return []
    score = pd.Series(weight[keep]).groupby(rows[keep].astype("int64")).sum()
    top = score.sort_index().sort_values(ascending=False, kind="stable").head(WORST_ROWS).index
    mine = findings[np.isin(rows, top.to_numpy())]
    names = mine.groupby(mine["row"].astype("int64"))["name"].agg(lambda n: ", ".join(dict.fromkeys(n)))
    return [f"row {int(r)} ({names[r]})" for r in top]
