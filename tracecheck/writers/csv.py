"""Findings as a flat CSV (one row per finding) for analysts who work in a spreadsheet.

Text that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is
prefixed with a single quote, the usual defence against csv formula injection.
"""

from __future__ import annotations

from typing import Any, TextIO

from tracecheck.writers.xlsx import csv_safe


def write_findings_csv(report: Any, fp: TextIO) -> None:
    findings = report.findings
    if "related_rows" in findings:  # tuples of row numbers → "3; 7"
        findings = findings.assign(related_rows=findings["related_rows"].map(
            lambda rows: "; ".join(map(str, rows)) if isinstance(rows, (list, tuple)) else rows))
    text = [c for c in findings.columns if findings[c].dtype == object or str(findings[c].dtype) == "str"]
    findings = findings.assign(**{c: findings[c].map(csv_safe, na_action="ignore") for c in text})
    findings.to_csv(fp, index=False)
