"""Findings as a flat CSV (one row per finding) for analysts who work in a spreadsheet."""

from __future__ import annotations

from typing import Any, TextIO


def write_findings_csv(report: Any, fp: TextIO) -> None:
    report.findings.to_csv(fp, index=False)
