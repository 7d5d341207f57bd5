"""Build the report from a checked batch: every number a person or a job sees, computed once.

The summary holds the counts and shares (traceable, usable serial, strong leads), the age
buckets, the per-agency table and the worst rows; ``rule_pack.rules`` holds each active rule's
title, fix and why from the pack actually used, in the report's language. Writers only format
these (tracecheck.report.view); none computes a number of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.catalogue import Catalogue
from tracecheck.findings import SEVERITIES
from tracecheck.mapping.table import expected_fields, fields_not_found, headers_not_used, mapped_columns
from tracecheck.matching.tables import KINDS, DuplicateTables
from tracecheck.metrics import BUCKETS, bucket_counts
from tracecheck.normalise import Batch
from tracecheck.report.model import ROW_COLUMNS, Report
from tracecheck.ruleset import RulePack

# Findings that leave a row without a serial a trace can start from, by rule and reason (whatever
# severity a pack gives them): serial-missing (any reason), serial-malformed (but label noise, which
# is cleaned away), serial-stored-as-number when digits or the whole serial are lost.
UNUSABLE_SERIAL = {"TC101": None, "TC102": {"too_short", "too_long", "repeated_character", "non_ascii",
                                            "invalid_characters"},
                   "TC103": {"scientific_notation", "date_cell", "date_text"}}
UNUSABLE_SERIAL_RULES = tuple(UNUSABLE_SERIAL)
IMPORT_MARKING_RULE = "TC110"
# The rules that decide whether a request can be traced at all (the traceable share, usable serials,
# missing import markings): the identifier family and the batch-level structure errors that leave no
# row traceable. Counted whatever --select/--ignore chose (tracecheck.api runs the ones left out).
IDENTIFICATION_FAMILIES = ("identifiers",)
IDENTIFICATION_RULES = ("TC001", "TC003")
STRONG_LEAD_MAX_DAYS = 3 * 365  # time-to-crime within three years: the statutory short time-to-crime
WORST_ROWS_KEPT = 100  # rows with errors or warnings listed in summary.worst_rows


def is_identification(rule: Any) -> bool:
    """True for a rule the traceable share is computed from (IDENTIFICATION_FAMILIES, _RULES)."""
    return bool(rule.family in IDENTIFICATION_FAMILIES or rule.code in IDENTIFICATION_RULES)


def build_report(batch: Batch, pack: RulePack, findings: pd.DataFrame, *, checked_at: dt.datetime,
                 words: Catalogue, duplicates: Any = None, identification: pd.DataFrame | None = None) -> Report:
    """The Report of ``batch`` checked with ``pack``; texts in the language of ``words``.
    ``identification``: the findings of every identification rule (is_identification), selected or
    not; default: those among ``findings``. Findings of rules marked ``fact`` (true of the gun or
    the request, nothing to correct in the sheet) are counted apart and leave a row's status alone."""
    groups = duplicates.tables if duplicates is not None else DuplicateTables.empty()
    facts = {r.code for r in pack.all_rules if r.fact}
    is_fact = findings["rule"].isin(facts).to_numpy(dtype=bool)
    light = findings[["row", "rule", "severity", "reason"]]  # the columns the counts need (no message texts)
    per_row = _per_row(light[~is_fact])
    rows = _row_table(batch, per_row, groups.group_of_row())
    raw = batch.raw
    agencies = row_agencies(batch)
    if identification is None:
        codes = {r.code for r in pack.all_rules if is_identification(r)}
        identification = light[light["rule"].isin(codes)]
    summary = {**_counts(rows, findings, identification),
               **_split(findings, is_fact, rows),
               **_leads(rows, identification, groups, batch.present("serial_number")),
               "age_buckets": {m: bucket_counts(rows[m], m) for m in BUCKETS},
               "age_medians_days": {m: _median(rows[m]) for m in BUCKETS},
               "duplicates": _duplicate_summary(groups, len(rows)),
               "rows_dropped": dict(Counter(d.reason for d in raw.dropped_rows)),
               "by_agency": _by_agency(agencies, per_row, _per_row(light[is_fact])),
               "worst_rows": _worst_rows(batch, agencies, light[~is_fact], per_row),
               "fields_not_found": fields_not_found(batch.mapping, expected_fields(pack), raw.column_letters),
               "headers_not_used": headers_not_used(batch.mapping, raw.column_letters)}
    return Report(
        batch={"source": raw.source, "sheet": raw.sheet, "sheets": list(raw.sheets),
               "other_sheets": list(raw.other_sheets), "sha256": raw.sha256, "row_count": len(batch.frame),
               "header_row": raw.header_row, "encoding": raw.encoding, "delimiter": raw.delimiter,
               "dropped_rows": [{"row": d.row, "reason": d.reason} for d in raw.dropped_rows],
               "side_tables": list(raw.side_tables),
               "date_order": batch.date_orders,
               "as_of": batch.as_of.isoformat(), "checked_at": checked_at.isoformat(timespec="seconds"),
               "lang": words.lang, "locale": words.locale, "tracecheck_version": version("tracecheck")},
        rule_pack={"name": pack.name, "version": pack.version, "digest": pack.digest,
                   "rules": [{"rule": r.code, "name": r.name, "title": r.text("title", words),
                              "severity": r.severity.value, "family": r.family, "fact": r.fact,
                              "fix": r.text("fix", words),
                              "why": r.text("why", words)} for r in pack.rules]},
        mapping=mapped_columns(batch.mapping, raw.column_letters),
        summary=summary, findings=findings, rows=rows, duplicates=groups, source=raw, canonical=batch.frame)


def _row_table(batch: Batch, per_row: pd.DataFrame, group_of_row: pd.Series) -> pd.DataFrame:
    frame = batch.frame
    rows = pd.DataFrame({"row": frame.index.to_numpy(),
                         "index": batch.raw.labels_of(pd.Series(frame.index, dtype="Int64")),
                         "request_id": frame["request_id"].to_numpy()})
    counts = per_row.reindex(frame.index, fill_value=0)
    worst = np.select([counts[name].to_numpy() > 0 for name in ("errors", "warnings", "infos")], list(SEVERITIES),
                      default="ok")
    rows["status"] = worst.astype(object)
    for metric in BUCKETS:
        rows[metric] = frame[metric].array
    rows["duplicate_group"] = rows["row"].map(group_of_row).astype("str")  # missing when in no group
    return rows[ROW_COLUMNS]


def _counts(rows: pd.DataFrame, findings: pd.DataFrame, identification: pd.DataFrame) -> dict[str, Any]:
    """Counts by severity and rule, rows by status, and the traceable rows: no identification
    error on the row and none about the whole batch."""
    by_sev = findings["severity"].value_counts()
    batch_errors = int(((findings["severity"] == "error") & findings["row"].isna()).sum())
    status = rows["status"]
    errors = identification[identification["severity"] == "error"]
    blocked = errors["row"].isna().any()
    untraceable = set(errors["row"].dropna().astype("int64").tolist())
    traceable = 0 if blocked else int((~rows["row"].astype("int64").isin(untraceable)).sum())
    counts = (findings.groupby(["rule", "name", "severity"], observed=True).size().reset_index(name="count")
              if len(findings) else pd.DataFrame(columns=["rule", "name", "severity", "count"]))
    missing = findings["rule"].eq("TC101")
    return {
        "rows": len(rows),
        "findings": len(findings),
        "by_severity": {s: int(by_sev.get(s, 0)) for s in SEVERITIES},
        "by_rule": [{"rule": rule, "name": name, "severity": severity, "count": int(n)} for rule, name, severity, n in
                    zip(counts["rule"], counts["name"], counts["severity"], counts["count"])],
        "batch_errors": batch_errors,
        "rows_with_errors": int((status == "error").sum()),
        "rows_with_warnings": int((status == "warning").sum()),
        "rows_traceable": traceable,
        "traceable_share": _share(traceable, len(rows)),
        "rows_obliterated": int((missing & findings["reason"].eq("obliterated")).sum()),
        "rows_privately_made": int((missing & findings["reason"].eq("privately_made")).sum()),
    }


def _split(findings: pd.DataFrame, is_fact: np.ndarray, rows: pd.DataFrame) -> dict[str, Any]:
    """The fix list (errors and warnings an analyst can correct in the sheet) apart from the batch
    facts (findings of rules marked ``fact``: true of the guns or the requests, nothing to correct)."""
    severe = findings["severity"].isin(("error", "warning")).to_numpy(dtype=bool)
    no_row = findings["row"].isna().to_numpy(dtype=bool)
    fact_rows = findings["row"].to_numpy(dtype="float64", na_value=np.nan)[is_fact]
    return {"fix_list": {"findings": int((~is_fact & severe).sum()),
                         "rows": int(rows["status"].isin(("error", "warning")).sum()),
                         "batch_level": int((~is_fact & severe & no_row).sum())},
            "batch_facts": {"findings": int(is_fact.sum()), "rows": len(np.unique(fact_rows[~np.isnan(fact_rows)]))}}


def _leads(rows: pd.DataFrame, findings: pd.DataFrame, groups: DuplicateTables, serial_present: bool
           ) -> dict[str, Any]:
    """Usable serials, missing import markings and strong leads: a usable serial, not a later copy in
    a flagged duplicate-request group, and a time-to-crime of 0 to STRONG_LEAD_MAX_DAYS days. Without a
    serial column no row has a usable serial."""
    row_numbers = rows["row"].astype("int64")
    usable = ~row_numbers.isin(unusable_serial_rows(findings)).to_numpy()
    usable &= serial_present
    members = groups.members
    flagged = members[members["kind"].eq("duplicate-request") & members["confidence"].eq("flag")]
    later_copies = flagged.loc[flagged["group"].duplicated(), "row"]  # every member but a group's first row
    ttc = rows["time_to_crime_days"].astype("float64")
    short = ((ttc >= 0) & (ttc <= STRONG_LEAD_MAX_DAYS)).to_numpy()
    strong = int((usable & ~row_numbers.isin(later_copies).to_numpy() & short).sum())
    marking = findings["rule"].eq(IMPORT_MARKING_RULE) & findings["row"].notna()
    n = len(rows)
    return {"rows_usable_serial": int(usable.sum()), "usable_serial_share": _share(int(usable.sum()), n),
            "rows_missing_import_marking": int(findings.loc[marking, "row"].nunique()),
            "strong_leads": strong, "strong_lead_share": _share(strong, n)}


def unusable_serial_rows(findings: pd.DataFrame) -> np.ndarray:
    """The sheet rows whose serial no trace can start from (UNUSABLE_SERIAL), each once."""
    unusable = pd.Series(False, index=findings.index)
    for rule, reasons in UNUSABLE_SERIAL.items():
        hit = findings["rule"].eq(rule)
        unusable |= hit & (findings["reason"].isin(reasons) if reasons else True)
    unusable &= findings["row"].notna()
    return np.unique(findings.loc[unusable, "row"].to_numpy(dtype="int64"))


def _duplicate_summary(groups: DuplicateTables, n_rows: int) -> dict[str, Any]:
    """Group counts by kind and confidence, and how many requests remain once duplicates go."""
    table = groups.groups
    request = table["kind"].eq("duplicate-request")
    flagged = table[request & table["confidence"].eq("flag")]
    counts = {kind: int(table["kind"].eq(kind).sum()) for kind in KINDS}
    size = flagged["size"].to_numpy(dtype="int64")
    return {"groups": counts,
            "review_groups": int((request & table["confidence"].eq("review")).sum()),
            "duplicate_rows": int(size.sum()),
            "requests_after_removing_duplicates": n_rows - int((size - 1).sum())}


def row_agencies(batch: Batch) -> pd.Series:
    """Each row's agency under the name the pack's ``agency_aliases`` gives it ("FGR" and "Fiscalía
    General de la República" are one agency), else as written; "" when blank. Indexed by sheet row."""
    frame = batch.frame
    agency = frame["agency__name" if "agency__name" in frame.columns else "agency"].astype("str").fillna("")
    return agency.where(agency.str.strip().ne(""), "")


def _per_row(findings: pd.DataFrame) -> pd.DataFrame:
    """Row-level findings per row and severity (index: sheet row; columns errors, warnings, infos).
    Counted with numpy (pandas' crosstab takes a Python path per row: 17 s on 1.6M findings)."""
    mine = findings["row"].notna().to_numpy()
    rows = findings["row"].to_numpy(dtype="float64", na_value=np.nan)[mine].astype(np.int64)
    severity = findings["severity"].to_numpy(dtype=object)[mine]
    numbers, inverse = np.unique(rows, return_inverse=True)
    counts = {name: np.bincount(inverse, weights=severity == level, minlength=len(numbers)).astype(np.int64)
              for level, name in zip(SEVERITIES, ("errors", "warnings", "infos"))}
    return pd.DataFrame(counts, index=pd.Index(numbers, name="row"))


def _by_agency(agencies: pd.Series, per_row: pd.DataFrame, facts: pd.DataFrame) -> list[dict[str, Any]]:
    """Requests, row-level findings to fix and batch facts per agency, the agencies with the most
    errors (then warnings) first."""
    table = per_row.reindex(agencies.index, fill_value=0).groupby(agencies.to_numpy()).sum()
    table["requests"] = agencies.value_counts().reindex(table.index, fill_value=0)
    table["facts"] = facts.sum(axis=1).reindex(agencies.index, fill_value=0).groupby(agencies.to_numpy()).sum()
    table = table.rename_axis("agency").reset_index()
    table = table.sort_values(["errors", "warnings", "agency"], ascending=[False, False, True], kind="stable")
    return [{"agency": r["agency"] or None, **{k: int(r[k]) for k in ("requests", "errors", "warnings", "infos",
                                                                      "facts")}}
            for r in table.to_dict("records")]


def _worst_rows(batch: Batch, agencies: pd.Series, findings: pd.DataFrame, per_row: pd.DataFrame
                ) -> list[dict[str, Any]]:
    """Up to WORST_ROWS_KEPT rows with an error or a warning: most errors, then warnings, then info,
    then sheet order; with the codes of the rules they break, in finding order."""
    table = per_row[(per_row["errors"] > 0) | (per_row["warnings"] > 0)].reset_index()
    table = table.sort_values(["errors", "warnings", "infos", "row"], ascending=[False, False, False, True],
                              kind="stable").head(WORST_ROWS_KEPT)
    mine = findings[findings["row"].isin(table["row"])]
    rules = _rules_by_row(mine)
    request_ids = batch.frame["request_id"]
    return [{"row": int(r["row"]), "request_id": _text(request_ids.get(r["row"])),
             "agency": _text(agencies.get(r["row"])), **{k: int(r[k]) for k in ("errors", "warnings", "infos")},
             "rules": rules[int(r["row"])]} for r in table.to_dict("records")]


def _rules_by_row(findings: pd.DataFrame) -> dict[int, list[str]]:
    """Sheet row -> the codes of its findings' rules, each once, in finding order."""
    out: dict[int, list[str]] = {}
    for row, code in zip(findings["row"].astype("int64").tolist(), findings["rule"].tolist()):
        codes = out.setdefault(row, [])
        if code not in codes:
            codes.append(code)
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _median(values: pd.Series) -> float | None:
    valid = values.dropna()
    return float(valid.median()) if len(valid) else None
