"""The workbook's Summary sheet, in plain words on one printed page: what to fix before sending,
the batch facts (nothing to correct), how traceable the batch is, duplicates (and, when the batch was
checked with a history store, one line about it), median ages, the
findings per rule with what to do, and the agencies with the most to fix. Every number comes from
the report's summary; the Technical sheet shows each beside its JSON field."""

from __future__ import annotations

from typing import Any

from tracecheck.report.build import STRONG_LEAD_MAX_DAYS, UNUSABLE_SERIAL_RULES
from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.style import BOLD, FILLS, GREY, TITLE, Sheet, cell, header

AGENCIES_SHOWN = 10  # agencies on the Summary (the Technical sheet and the JSON list more)
PERCENT = "0.0%"


def summary_sheet(ws: Sheet, view: ReportView, notes: list[str]) -> None:
    s, w, b = view.summary, view.words, view.batch
    ws.setup((46, 14, 12, 90, 12), freeze=None)
    ws.print_setup(None, one_page=True)
    where = b["source"] + (f" ({w.label('sheet')}: {b['sheet']})" if b.get("sheet") else "")
    ws.append([cell(f"{w.text('workbook', 'title')}: {where}", font=TITLE)])
    ws.append([cell(w.text("workbook", "checked", rows=w.number(s["rows"]), as_of=b["as_of"],
                           pack=f"{view.report.rule_pack['name']} {view.report.rule_pack['version']}"), font=GREY)])
    fix, facts, dup = s["fix_list"], s["batch_facts"], s["duplicates"]
    _section(ws, w.text("workbook", "fix_list"), fill=FILLS["error"] if fix["findings"] else None, items=[
        (w.text("workbook", "fix_findings"), fix["findings"], None),
        (w.text("workbook", "fix_rows"), fix["rows"], None),
        (w.text("workbook", "rows_with_errors"), s["rows_with_errors"], None)])
    _section(ws, w.text("workbook", "batch_facts"), items=[
        (w.text("workbook", "fact_findings"), facts["findings"], None),
        (w.text("workbook", "fact_rows"), facts["rows"], None)])
    note = w.label("strong_lead_note", rules="/".join(UNUSABLE_SERIAL_RULES), days=STRONG_LEAD_MAX_DAYS)
    _section(ws, w.text("workbook", "traceability"), items=[
        (w.label("rows_traceable"), s["rows_traceable"], s["traceable_share"]),
        (w.label("rows_usable_serial"), s["rows_usable_serial"], s["usable_serial_share"]),
        (w.label("rows_missing_import_marking"), s["rows_missing_import_marking"], None),
        (cell(w.label("strong_leads"), comment=note), s["strong_leads"], s["strong_lead_share"])])
    _section(ws, w.text("workbook", "duplicates"), items=[
        *[(f'{w.label("duplicate_groups")}: {w.text("kind", kind)}', n, None) for kind, n in dup["groups"].items()],
        (w.label("review_groups"), dup["review_groups"], None),
        (w.label("after_duplicates"), dup["requests_after_removing_duplicates"], None)])
    if view.history is not None:
        found = view.history
        ws.append([cell(w.text("workbook", "history", store=found.store, batches=found.batches,
                               requests=found.requests, prior=found.prior_duplicate_rows))])
    _section(ws, w.text("workbook", "median_ages"), items=[
        (w.text("metric", metric), days, None) for metric, days in s["age_medians_days"].items()])
    ws.append([])
    _by_rule(ws, view)
    ws.append([])
    _agencies(ws, view)
    if notes:
        ws.append([])
        ws.append([cell(w.text("workbook", "notes"), font=BOLD)])
        for text in notes:
            ws.append([cell(text, fill=FILLS["warning"])])


def _section(ws: Sheet, title: str, items: list[tuple[Any, Any, float | None]], fill: str | None = None) -> None:
    """A bold title, then one line per item: label, number and (when given) its share."""
    ws.append([])
    ws.append([cell(title, font=BOLD, fill=fill)])
    for label, value, share in items:
        ws.append([label if not isinstance(label, str) else cell(label), cell(value),
                   cell(share, number_format=PERCENT) if share is not None else None])


def _by_rule(ws: Sheet, view: ReportView) -> None:
    """The rules that found something, to fix first and then the batch facts, with what to do."""
    w = view.words
    facts = view.facts()
    ws.append([cell(w.text("workbook", "by_rule"), font=BOLD)])
    ws.append(header([w.label("rule"), w.label("severity"), w.label("count"), w.text("workbook", "what_to_do")]))
    entries = view.summary["by_rule"]
    for part in (False, True):
        mine = [e for e in entries if (e["rule"] in facts) == part]
        if part and mine:
            ws.append([cell(w.text("workbook", "batch_facts"), font=BOLD)])
        for e in mine:
            ws.append([cell(f"{e['rule']} {view.title(e['rule'])}"),
                       cell(w.severity(e["severity"]), fill=FILLS.get(e["severity"])), e["count"],
                       cell(view.fix(e["rule"]))])


def _agencies(ws: Sheet, view: ReportView) -> None:
    w = view.words
    listed = view.agencies(AGENCIES_SHOWN)
    ws.append([cell(w.text("workbook", "agencies"), font=BOLD)])
    if not listed:
        ws.append([cell(w.text("workbook", "no_agency_problems"))])
        return
    ws.append(header([w.label("agency"), w.label("requests"), w.label("errors"), w.label("warnings"),
                      w.text("workbook", "facts_column")]))
    for _, a in listed:
        ws.append([cell(a["agency"] or w.label("no_agency")), a["requests"], a["errors"], a["warnings"],
                   a.get("facts", 0)])
