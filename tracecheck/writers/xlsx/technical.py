"""The workbook's Technical sheet: every number of the report's summary beside the JSON field it
comes from (so it can be checked against the JSON report), the findings per rule with their
names, all listed agencies and worst rows, and the column mapping. The Summary sheet says the
same in plain words (summary.py)."""

from __future__ import annotations

from typing import Any

from tracecheck.report.build import STRONG_LEAD_MAX_DAYS, UNUSABLE_SERIAL_RULES
from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx.style import BOLD, FILLS, GREY, TITLE, Sheet, cell, header

Item = tuple[str, Any, str, str | None]  # label, value, JSON field, cell note


def technical_sheet(ws: Sheet, view: ReportView) -> None:
    w = view.words
    ws.setup((44, 30, 44, 12, 12, 90), freeze=None)
    ws.print_setup(None)
    ws.append([cell(w.text("workbook", "technical_title"), font=TITLE)])
    sections = ((w.label("batch"), _batch_items), (w.text("workbook", "headline"), _headline_items),
                (w.text("workbook", "duplicates"), _duplicate_items), (w.text("workbook", "ages"), _age_items))
    for title, items in sections:
        ws.append([])
        ws.append([cell(title, font=BOLD), None, cell(w.text("workbook", "json"), font=GREY)])
        for label, value, key, note in items(view):
            fmt = "0.0%" if key.endswith("share") else None
            ws.append([cell(label, comment=note), cell(value, number_format=fmt), cell(key, font=GREY)])
    ws.append([])
    _by_rule_table(ws, view)
    ws.append([])
    _by_agency_table(ws, view)
    ws.append([])
    _worst_rows_table(ws, view)
    ws.append([])
    _mapping_table(ws, view)


def _batch_items(view: ReportView) -> list[Item]:
    b, p, w = view.batch, view.report.rule_pack, view.words
    facts = (("file", "source"), ("sheet", "sheet"), ("sha256", "sha256"), ("rows", "row_count"),
             ("as_of", "as_of"), ("checked_at", "checked_at"), ("version", "tracecheck_version"))
    listed = [(w.label(key), w.join(b[key]), f"batch.{key}", None) for key in ("sheets", "other_sheets", "side_tables")
              if len(b.get(key) or []) > (1 if key == "sheets" else 0)]
    return [*[(w.label(label), b[key], f"batch.{key}", None) for label, key in facts], *listed,
            *[(f"{w.text('workbook', 'dropped')}: {w.text('drop_reason', reason)}", n,
               f"summary.rows_dropped.{reason}", None) for reason, n in view.summary["rows_dropped"].items()],
            (w.label("rule_pack"), p["name"], "rule_pack.name", None),
            (w.label("rule_pack_version"), p["version"], "rule_pack.version", None)]


def _headline_items(view: ReportView) -> list[Item]:
    s, w = view.summary, view.words
    note = w.label("strong_lead_note", rules="/".join(UNUSABLE_SERIAL_RULES), days=STRONG_LEAD_MAX_DAYS)
    severities = (("errors", "error"), ("warnings", "warning"), ("infos", "info"))
    parts = (("fix_list", ("findings", "rows", "batch_level")), ("batch_facts", ("findings", "rows")))
    split = [(f"{w.text('workbook', part)}: {w.label(key)}", s[part][key], f"summary.{part}.{key}", None)
             for part, keys in parts for key in keys]
    plain = ("batch_errors", "rows_with_errors", "rows_with_warnings", "rows_usable_serial",
             "rows_missing_import_marking", "rows_obliterated", "rows_privately_made",
             "rows_traceable", "traceable_share")
    return [(w.label("requests"), s["rows"], "summary.rows", None),
            (w.label("findings"), s["findings"], "summary.findings", None),
            *[(w.label(k), s["by_severity"][sev], f"summary.by_severity.{sev}", None) for k, sev in severities],
            *split,
            *[(w.label(k), s[k], f"summary.{k}", None) for k in plain],
            *[(w.label(k), s[k], f"summary.{k}", note) for k in ("strong_leads", "strong_lead_share")]]


def _duplicate_items(view: ReportView) -> list[Item]:
    d, w = view.summary["duplicates"], view.words
    counts = (("review_groups", "review_groups"), ("duplicate_rows", "duplicate_rows"),
              ("after_duplicates", "requests_after_removing_duplicates"))
    return [*[(f"{w.label('duplicate_groups')}: {w.text('kind', kind)}", n, f"summary.duplicates.groups.{kind}", None)
              for kind, n in d["groups"].items()],
            *[(w.label(label), d[key], f"summary.duplicates.{key}", None) for label, key in counts]]


def _age_items(view: ReportView) -> list[Item]:
    s, w = view.summary, view.words
    items: list[Item] = []
    for metric, counts in s["age_buckets"].items():
        name = w.text("metric", metric)
        items += [(f"{name}: {w.text('bucket', bucket)}", n, f"summary.age_buckets.{metric}.{bucket}", None)
                  for bucket, n in counts.items()]
        items.append((f"{name}: {w.label('median')}", s["age_medians_days"][metric],
                      f"summary.age_medians_days.{metric}", None))
    return items


TABLE_ROWS = 100  # agencies and worst rows listed on the Summary sheet (all of them are in the JSON)


def _by_agency_table(ws: Sheet, view: ReportView) -> None:
    """Agencies with the most errors, then warnings (summary.by_agency)."""
    w = view.words
    ws.append([cell(w.text("page", "by_agency"), font=BOLD), None, cell("summary.by_agency", font=GREY)])
    ws.append(header([w.label(k) for k in ("agency", "requests", "errors", "warnings", "infos")]))
    for entry in view.summary["by_agency"][:TABLE_ROWS]:
        ws.append([cell(entry["agency"] or w.label("no_agency")), entry["requests"], entry["errors"],
                   entry["warnings"], entry["infos"]])


def _worst_rows_table(ws: Sheet, view: ReportView) -> None:
    """The rows with the most errors, then warnings (summary.worst_rows), with their rules' titles."""
    w = view.words
    ws.append([cell(w.text("page", "worst_rows"), font=BOLD), None, cell("summary.worst_rows", font=GREY)])
    ws.append(header([w.label(k) for k in ("row", "request_id", "agency", "errors", "warnings", "findings")]))
    for entry in view.worst_rows(TABLE_ROWS):
        ws.append([entry["row"], cell(entry["request_id"]), cell(entry["agency"]), entry["errors"],
                   entry["warnings"], cell(w.join(view.title(code) for code in entry["rules"]))])


def _by_rule_table(ws: Sheet, view: ReportView) -> None:
    w = view.words
    ws.append([cell(w.text("workbook", "by_rule"), font=BOLD)])
    ws.append(header([w.label(k) for k in ("code", "rule", "name", "severity", "count", "why")]))
    for item in view.summary["by_rule"]:
        ws.append([item["rule"], cell(view.title(item["rule"])), item["name"],
                   cell(w.severity(item["severity"]), fill=FILLS.get(item["severity"])), item["count"],
                   cell(view.why(item["rule"]))])


def _mapping_table(ws: Sheet, view: ReportView) -> None:
    """Which header feeds each field (report mapping), then the fields not found with their best
    candidate and ``--map`` option, and the headers no field uses."""
    w = view.words
    ws.append([cell(w.label("mapping"), font=BOLD), None, cell("mapping", font=GREY)])
    ws.append(header([w.label(k) for k in ("field", "header", "column", "method", "confidence")]))
    for m in view.report.mapping:
        ws.append([cell(m["field"]), cell(m["header"]), m["column"], w.text("mapping_method", m["method"]),
                   cell(m["confidence"], number_format="0%")])
    if view.summary["fields_not_found"]:
        ws.append([cell(w.label("not_found"), font=BOLD), None, cell("summary.fields_not_found", font=GREY)])
        ws.append(header([w.label(k) for k in ("field", "best_candidate", "column", "map_option")]))
        for f in view.summary["fields_not_found"]:
            ws.append([cell(f["field"]), cell(f["candidate"] or w.label("no_candidate")), f["column"],
                       cell(f["map"])])
    if view.summary["headers_not_used"]:
        ws.append([cell(w.label("not_used"), font=BOLD), None, cell("summary.headers_not_used", font=GREY)])
        ws.append(header([w.label(k) for k in ("header", "column", "status", "field")]))
        for h in view.summary["headers_not_used"]:
            ws.append([cell(h["header"]), h["column"], w.text("header_status", h["status"]),
                       cell(", ".join(h["fields"]) or h["candidate"])])
