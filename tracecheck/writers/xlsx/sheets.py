"""The workbook's Findings sheet (one row per finding) and Duplicates sheet (one block per group)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.style import BOLD, FILLS, Sheet, capped, cell, column_values, header, last_row, row_blocks

FINDING_COLUMNS = ("row", "column", "header", "field", "value", "code", "name", "rule", "severity", "message", "fix")
FINDING_WIDTHS = (8, 8, 22, 18, 28, 8, 26, 30, 12, 80, 70)
DUPLICATE_FIELDS = ("request_id", "agency", "serial_number", "manufacturer", "model", "caliber", "recovery_date")


def findings_sheet(ws: Sheet, view: ReportView) -> None:
    findings, w = view.report.findings, view.words
    ws.setup(FINDING_WIDTHS)
    ws.autofilter(len(FINDING_COLUMNS), last_row(len(findings)))
    ws.append(header([w.label(k) for k in FINDING_COLUMNS]))
    codes = findings["rule"].unique().tolist()
    titles = {code: view.title(code) for code in codes}
    fixes = {code: view.fix(code) for code in codes}
    fields = {f: w.field(f) for f in findings["field"].dropna().unique()}
    severities = {s: cell(w.severity(s), fill=FILLS.get(s)) for s in findings["severity"].dropna().unique()}
    rows = (values for block in row_blocks(len(findings))
            for values in _finding_rows(findings.iloc[block], titles, fixes, fields, severities))
    capped(ws, rows, len(findings), w.text("workbook", "more_rows"))


def _finding_rows(findings: pd.DataFrame, titles: dict[str, str], fixes: dict[str, str], fields: dict[str, str],
                  severities: dict[str, Any]) -> Iterator[Sequence[Any]]:
    row, letter, head, field, value, rule, name, severity, message = (
        column_values(findings[k]) for k in ("row", "column", "header", "field", "value", "rule", "name", "severity",
                                             "message"))
    return zip(row, letter, head, [fields.get(f) for f in field], value, rule, name, [titles[c] for c in rule],
               [severities.get(s, s) for s in severity], message, [fixes[c] for c in rule])


MAX_GROUPS = 5_000  # groups laid out on the Duplicates sheet (about a dozen sheet rows each)


def duplicates_sheet(ws: Sheet, view: ReportView) -> None:
    """One block per group: the members side by side, then each pair's explanation. At most
    ``MAX_GROUPS`` groups (taken from every kind, ReportView.groups); the Summary sheet says how
    many more there are, and the Data sheet's duplicate-group column names every member's group."""
    groups = view.groups(MAX_GROUPS)
    widths = max((len(g["rows"]) for g in groups), default=2)
    ws.setup((22, *[24] * widths, 100), freeze=None)
    if not groups:
        ws.append([view.words.text("workbook", "no_groups")])
    members = sorted({r for g in groups for r in g["rows"]})
    values = view.member_values(members, DUPLICATE_FIELDS)
    at = {r: k for k, r in enumerate(members)}
    for group in groups:
        for row in _group_block(group, view, values, at):
            ws.append(row)
        ws.append([])


def _group_block(group: dict[str, Any], view: ReportView, values: dict[str, list[Any]], at: dict[int, int]
                 ) -> Iterator[list[Any]]:
    """Header line, the members side by side (one column each), then each pair's explanation."""
    w = view.words
    fill = FILLS["warning"] if group["confidence"] == "flag" else FILLS["info"]
    yield [cell(group["id"], font=BOLD, fill=fill), cell(w.text("kind", group["kind"]), fill=fill),
           cell(w.text("confidence", group["confidence"]), fill=fill), cell(group["score"], fill=fill)]
    yield [cell(w.label("row"), font=BOLD), *[cell(r, font=BOLD) for r in group["rows"]]]
    for name in DUPLICATE_FIELDS:
        column = values[name]
        yield [cell(w.field(name), font=BOLD), *[cell(column[at[row]]) for row in group["rows"]]]
    for pair in group["pairs"]:
        a, b = pair["rows"]
        yield [cell(f"{w.label('pair')} {a}-{b}"), pair["score"], cell(pair["explanation"])]
