"""The workbook's Findings sheet (one row per finding) and Duplicates sheet (one block per group)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.utils import get_column_letter

from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.style import BOLD, FILLS, capped, cell, header, last_row, setup

FINDING_COLUMNS = ("row", "column", "header", "field", "value", "code", "name", "rule", "severity", "message", "fix")
FINDING_WIDTHS = (8, 8, 22, 18, 28, 8, 26, 30, 12, 80, 70)
DUPLICATE_FIELDS = ("request_id", "agency", "serial_number", "manufacturer", "model", "caliber", "recovery_date")


def findings_sheet(ws: Any, view: ReportView) -> None:
    findings, w = view.report.findings, view.words
    setup(ws, FINDING_WIDTHS)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_COLUMNS))}{last_row(len(findings))}"
    ws.append(header(ws, [w.label(k) for k in FINDING_COLUMNS]))
    codes = findings["rule"].unique().tolist()
    titles = {code: view.title(code) for code in codes}
    fixes = {code: view.fix(code) for code in codes}
    fields = {f: w.field(f) for f in findings["field"].dropna().unique()}
    columns = [findings[k].astype(object).to_numpy() for k in
               ("row", "column", "header", "field", "value", "rule", "name", "severity", "message")]
    rows = ([cell(ws, row), cell(ws, letter), cell(ws, head), cell(ws, fields.get(field)), cell(ws, value),
             cell(ws, code), cell(ws, name), cell(ws, titles[code]),
             cell(ws, w.severity(severity), fill=FILLS.get(severity)), cell(ws, message), cell(ws, fixes[code])]
            for row, letter, head, field, value, code, name, severity, message in zip(*columns))
    capped(ws, rows, len(findings), w.text("workbook", "more_rows"))


def duplicates_sheet(ws: Any, view: ReportView) -> None:
    groups = view.report.duplicate_groups
    widths = max((len(g["rows"]) for g in groups), default=2)
    setup(ws, (22, *[24] * widths, 100), freeze=None)
    if not groups:
        ws.append([view.words.text("workbook", "no_groups")])
    for group in groups:
        for row in _group_block(ws, group, view):
            ws.append(row)
        ws.append([])


def _group_block(ws: Any, group: dict[str, Any], view: ReportView) -> Iterator[list[Any]]:
    """Header line, the members side by side (one column each), then each pair's explanation."""
    w = view.words
    fill = FILLS["warning"] if group["confidence"] == "flag" else FILLS["info"]
    yield [cell(ws, group["id"], font=BOLD, fill=fill), cell(ws, w.text("kind", group["kind"]), fill=fill),
           cell(ws, w.text("confidence", group["confidence"]), fill=fill), cell(ws, group["score"], fill=fill)]
    yield [cell(ws, w.label("row"), font=BOLD), *[cell(ws, r, font=BOLD) for r in group["rows"]]]
    for name in DUPLICATE_FIELDS:
        yield [cell(ws, w.field(name), font=BOLD), *[cell(ws, view.member_value(row, name)) for row in group["rows"]]]
    for pair in group["pairs"]:
        a, b = pair["rows"]
        yield [cell(ws, f"{w.label('pair')} {a}-{b}"), pair["score"], cell(ws, pair["explanation"])]
