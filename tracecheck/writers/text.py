"""The short terminal summary printed to stderr after each batch (in the report's language)."""

from __future__ import annotations

from pathlib import Path

from tracecheck.findings import SEVERITY_RANK
from tracecheck.report.view import ReportView

WORST_ROWS = 5
TITLE_WIDTH = 36


def summary_text(view: ReportView, written: list[Path], *, sheet_all: bool = False) -> str:
    """The headline, duplicates, the history store (when the batch was checked with one), findings per
    rule, the worst rows and the reports written.
    ``sheet_all``: the batch was read with --sheet all (the other sheets are those of another layout)."""
    s, w = view.summary, view.words
    sev = s["by_severity"]
    lines = [w.text("terminal", "headline", source=view.batch["source"], rows=w.number(s["rows"]),
                    findings=w.number(s["findings"]), errors=w.number(sev["error"]),
                    warnings=w.number(sev["warning"]), infos=w.number(sev["info"]),
                    traceable=w.number(s["rows_traceable"]), share=w.percent(s["traceable_share"]))]
    lines += ["  " + line for line in _sheet_lines(view, sheet_all)]
    fix, facts = s["fix_list"], s["batch_facts"]
    lines.append("  " + w.text("terminal", "split", fix=w.number(fix["findings"]), fix_rows=w.number(fix["rows"]),
                               facts=w.number(facts["findings"]), fact_rows=w.number(facts["rows"])))
    lines.append("  " + w.text("terminal", "leads", usable=w.number(s["rows_usable_serial"]),
                               usable_share=w.percent(s["usable_serial_share"]), strong=w.number(s["strong_leads"]),
                               strong_share=w.percent(s["strong_lead_share"]),
                               import_missing=w.number(s["rows_missing_import_marking"])))
    dup = s["duplicates"]
    if any(dup["groups"].values()):
        lines.append("  " + w.text("terminal", "duplicates", groups=w.number(dup["groups"]["duplicate-request"]),
                                   remain=w.number(dup["requests_after_removing_duplicates"])))
    if view.history is not None:
        found = view.history
        lines.append("  " + w.text("terminal", "history", requests=found.requests, batches=found.batches,
                                   store=found.store, prior=found.prior_duplicate_rows))
    head = (w.label("code"), w.label("rule"), w.label("severity"), w.label("count"))
    lines.append(f"  {head[0]:<6} {head[1]:<{TITLE_WIDTH}} {head[2]:<12} {head[3]:>8}")
    fact_rules = view.facts()
    order = sorted(s["by_rule"], key=lambda e: (e["rule"] in fact_rules, -SEVERITY_RANK.get(e["severity"], 0),
                                                e["rule"]))
    for i, entry in enumerate(order):
        if entry["rule"] in fact_rules and (i == 0 or order[i - 1]["rule"] not in fact_rules):
            lines.append("  " + w.text("terminal", "facts_heading"))
        title = _cut(view.title(entry["rule"]), TITLE_WIDTH)
        lines.append(f"  {entry['rule']:<6} {title:<{TITLE_WIDTH}} {w.severity(entry['severity']):<12} "
                     f"{w.number(entry['count']):>8}")
    worst = view.worst_rows(WORST_ROWS)
    if worst:
        lines.append("  " + w.text("terminal", "worst_rows"))
        lines += ["    " + w.text("terminal", "worst_row", row=view.row_label(entry["row"]),
                                  rules=w.join(view.title(code) for code in entry["rules"])) for entry in worst]
    if view.dropped():
        lines.append("  " + w.text("terminal", "dropped", reasons=view.dropped()))
    lines += _mapping_lines(view)
    lines += ["  " + w.text("terminal", "report", path=path) for path in written]
    return "\n".join(lines)


def _mapping_lines(view: ReportView) -> list[str]:
    """The expected fields no header feeds, each with its best candidate as a ready ``--map`` option,
    and the headers no field uses."""
    s, w = view.summary, view.words
    lines = []
    if s["fields_not_found"]:
        lines.append("  " + w.text("terminal", "not_found"))
        for entry in s["fields_not_found"]:
            name = f"{entry['field']} ({w.field(entry['field'])})"
            lines.append("    " + (w.text("terminal", "not_found_candidate", field=name, header=entry["candidate"],
                                          column=entry["column"] or "?", option=entry["map"])
                                   if entry["candidate"] else w.text("terminal", "not_found_none", field=name)))
    if s["headers_not_used"]:
        headers = [w.text("terminal", "not_used_compound", header=f'"{e["header"]}"', fields=w.join(e["fields"]))
                   if e["status"] == "compound" else f'"{e["header"]}"' for e in s["headers_not_used"]]
        lines.append("  " + w.text("terminal", "not_used", headers=w.join(headers)))
    return lines


def _sheet_lines(view: ReportView, sheet_all: bool) -> list[str]:
    """The sheet checked (or the sheets checked together), the other sheets that look like batches,
    and the cells beside the data that were not read."""
    b, w = view.batch, view.words
    lines = []
    sheets = b.get("sheets") or []
    if len(sheets) > 1:
        lines.append(w.text("terminal", "sheets", sheets=w.join(sheets), block=w.number(view.row_block)))
    elif b.get("sheet"):
        lines.append(w.text("terminal", "sheet", sheet=b["sheet"]))
    if b.get("other_sheets"):
        key = "other_sheets_layout" if sheet_all else "other_sheets"  # --sheet all left them out: their columns differ
        lines.append(w.text("terminal", key, sheets=w.join(b["other_sheets"])))
    if b.get("side_tables"):
        lines.append(w.text("terminal", "side_tables", ranges=w.join(b["side_tables"])))
    return lines


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
