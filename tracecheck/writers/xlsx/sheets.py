"""The workbook's Findings sheet (one row per finding, each linked to its cell in the Data
sheet) and Duplicates sheet (one filterable table, one line per request in a group)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.layout import DataLayout
from tracecheck.writers.xlsx.style import FILLS, Sheet, header, last_row, row_blocks

FINDING_COLUMNS = ("cell", "row", "column", "header", "field", "value", "severity", "type", "code", "rule", "message",
                   "fix")
FINDING_WIDTHS = (10, 8, 8, 22, 18, 28, 12, 12, 8, 30, 80, 70)
DUPLICATE_FIELDS = ("agency", "request_id", "serial_number", "manufacturer", "model", "caliber", "recovery_date")
DUPLICATE_COLUMNS = ("duplicate_group", "kind", "confidence", "score", "cell", "row", *DUPLICATE_FIELDS, "evidence")
DUPLICATE_WIDTHS = (12, 20, 28, 8, 10, 8, 26, 16, 18, 18, 16, 12, 14, 90)
MAX_GROUPS = 5_000  # groups listed on the Duplicates sheet (the Data sheet names every member's group)


def findings_sheet(ws: Sheet, view: ReportView, layout: DataLayout) -> None:
    """Row, column and header as submitted; the cell column links to that cell of the Data sheet
    (the status cell for a finding on no column). Findings past Excel's last row are left out
    (the Summary says how many)."""
    findings, w = view.report.findings, view.words
    codes = findings["rule"].unique().tolist()
    shown = min(len(findings), last_row(len(findings)) - 1)
    ws.setup(FINDING_WIDTHS)
    ws.autofilter(len(FINDING_COLUMNS), shown + 1)
    ws.print_setup()
    ws.append(header([w.label(k) if k != "type" else w.text("workbook", "type") for k in FINDING_COLUMNS]))
    titles, fixes = {c: view.title(c) for c in codes}, {c: view.fix(c) for c in codes}
    fields = {f: w.field(f) for f in findings["field"].dropna().unique()}
    several = len(layout.sheets) > 1
    for block in row_blocks(shown):
        part = findings.iloc[block]
        links = layout.links(part["row"], part["column"])
        rows = part["row"].astype("Float64")
        shown_rows = ([view.row_label(int(r)) if pd.notna(r) else None for r in rows.tolist()] if several
                      else [int(r) if pd.notna(r) else None for r in rows.tolist()])
        severity = part["severity"].astype(object)
        ws.write_block(np.arange(block.start, block.stop) + 1, {
            0: links, 1: shown_rows, 2: part["column"], 3: part["header"], 4: part["field"].map(fields),
            5: part["value"], 6: severity.map(w.severity), 7: view.finding_types(part), 8: part["rule"],
            9: part["rule"].map(titles), 10: part["message"], 11: part["rule"].map(fixes)},
            styles={6: [(FILLS.get(s), None, None) for s in severity.tolist()]})


def duplicates_sheet(ws: Sheet, view: ReportView, layout: DataLayout) -> None:
    """One line per request in each group: the group, its kind and confidence, the request's cell
    in the Data sheet, its agency, request id and identifying fields, and the evidence that ties it
    to an earlier member. At most ``MAX_GROUPS`` groups (taken from every kind, ReportView.groups);
    the Summary sheet says how many more there are."""
    w = view.words
    groups = view.groups(MAX_GROUPS)
    ws.setup(DUPLICATE_WIDTHS)
    ws.print_setup()
    if not groups:
        ws.append([w.text("workbook", "no_groups")])
        return
    members = [(g, r) for g in groups for r in g["rows"]]
    ws.autofilter(len(DUPLICATE_COLUMNS), len(members) + 1)
    ws.append(header([w.field(k) if k in DUPLICATE_FIELDS else w.label(k) for k in DUPLICATE_COLUMNS]))
    rows = sorted({r for _, r in members})
    values = view.member_values(rows, DUPLICATE_FIELDS)
    at = {r: k for k, r in enumerate(rows)}
    several = len(layout.sheets) > 1
    links = layout.links(pd.Series([r for _, r in members], dtype="float64"), pd.Series([None] * len(members)))
    flagged = [view.sureness(g) == "flag" for g, _ in members]
    columns: dict[int, Any] = {
        0: [g["id"] for g, _ in members], 1: [w.text("kind", g["kind"]) for g, _ in members],
        2: [w.text("confidence", view.sureness(g)) for g, _ in members], 3: [g["score"] for g, _ in members],
        4: links, 5: [view.row_label(r) if several else r for _, r in members],
        **{6 + i: [values[f][at[r]] for _, r in members] for i, f in enumerate(DUPLICATE_FIELDS)},
        6 + len(DUPLICATE_FIELDS): [_evidence(g, r, w.label("pair")) for g, r in members]}
    fills = [(FILLS["warning"] if f else FILLS["info"], None, None) for f in flagged]
    ws.write_block(np.arange(1, len(members) + 1), columns, {2: fills})


def _evidence(group: dict[str, Any], row: int, pair_label: str) -> str | None:
    """What ties ``row`` to its group: the best-scored pair joining it to a member listed before
    it (else to any member), as "Rows 2-7: explanation". None for the group's first member."""
    if row == group["rows"][0]:
        return None
    earlier = set(group["rows"][:group["rows"].index(row)])
    mine = [p for p in group["pairs"] if row in p["rows"]]
    best = max([p for p in mine if earlier & set(p["rows"])] or mine, key=lambda p: p["score"], default=None)
    if best is None:
        return None
    a, b = best["rows"]
    return f"{pair_label} {a}-{b}: {best['explanation']}"
