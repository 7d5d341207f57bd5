"""Findings as a flat CSV (one row per finding) for analysts who work in a spreadsheet."""

from __future__ import annotations

from typing import Any, TextIO


def write_findings_csv(report: Any, fp: TextIO) -> None:
    findings = report.findings
    if "related_rows" in findings:  # tuples of row numbers → "3; 7"
        findings = findings.assign(related_rows=findings["related_rows"].map(
            lambda rows: "; ".join(map(str, rows)) if isinstance(rows, (list, tuple)) else rows))
    findings.to_csv(fp, index=False)
