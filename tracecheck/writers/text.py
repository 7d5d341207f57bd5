"""The short terminal summary printed to stderr after each batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

WORST_ROWS = 5


def summary_text(report: Any, written: list[Path]) -> str:
    s = report.summary
    sev = s["by_severity"]
    share = f"{s['traceable_share']:.0%}"
    lines = [f"{report.batch['source']}: {s['rows']} rows, {s['findings']} findings "
             f"({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info); "
             f"{s['rows_traceable']} rows look traceable ({share})"]
    for entry in sorted(s["by_rule"], key=lambda e: (-_rank(e["severity"]), e["rule"])):
        lines.append(f"  {entry['rule']}  {entry['name']:<28} {entry['severity']:<8} {entry['count']:>8}")
    worst = _worst_rows(report)
    if worst:
        lines.append("  worst rows: " + "; ".join(worst))
    for path in written:
        lines.append(f"  report: {path}")
    return "\n".join(lines)


def _rank(severity: str) -> int:
    return {"error": 3, "warning": 2, "info": 1}.get(severity, 0)


def _worst_rows(report: Any) -> list[str]:
    findings = report.findings
    row_level = findings[findings["row"].notna() & findings["severity"].isin(["error", "warning"])]
    if row_level.empty:
        return []
    counts = row_level.groupby(["row", "severity"]).size().unstack(fill_value=0)
    for level in ("error", "warning"):
        if level not in counts:
            counts[level] = 0
    top = counts.sort_values(["error", "warning"], ascending=False, kind="stable").head(WORST_ROWS)
    names = row_level.groupby("row")["name"].agg(lambda n: ", ".join(dict.fromkeys(n)))
    return [f"row {int(r)} ({names[r]})" for r in top.index]
