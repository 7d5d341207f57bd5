"""The report as every writer sees it: the numbers, the rules' texts, and what to list first.

``ReportView(report)`` reads only the Report: the JSON's summary numbers, the rule titles, fixes
and whys of the pack that was used (in the report's language), and lookups from a sheet row to
its request id, agency and findings. Writers (terminal, csv, HTML, workbook) format what it gives
and decide nothing, so they cannot disagree with each other or with the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.catalogue import Catalogue, catalogue
from tracecheck.findings import SEVERITY_RANK
from tracecheck.read import SHEET_ROW_BLOCK
from tracecheck.report.compare import Comparison, comparison
from tracecheck.report.model import Report
from tracecheck.text import first_sentence

KIND_ORDER = {"duplicate-request": 0, "re-recovery": 1, "possible-duplicate": 2}


class ReportView:
    """What writers show of ``report``, with ``words`` (default: the report's own language)."""

    def __init__(self, report: Report, words: Catalogue | None = None) -> None:
        self.report = report
        self.words = words or catalogue(report.lang, report.locale)
        self.summary: dict[str, Any] = report.summary
        self.batch: dict[str, Any] = report.batch
        self.rules: dict[str, dict[str, Any]] = {r["rule"]: r for r in report.rule_pack["rules"]}

    # ------------------------------------------------------------------ rules

    def title(self, code: str) -> str:
        """A rule's title in the report's language (its code when the pack does not know it)."""
        return str(self.rules.get(code, {}).get("title") or code)

    def why(self, code: str) -> str:
        """The first sentence of a rule's "why"."""
        return first_sentence(str(self.rules.get(code, {}).get("why") or ""))

    def fix(self, code: str) -> str:
        return str(self.rules.get(code, {}).get("fix") or "")

    def facts(self) -> set[str]:
        """Codes of the rules whose findings are batch facts (nothing to correct in the sheet)."""
        return {code for code, rule in self.rules.items() if rule.get("fact")}

    def finding_types(self, findings: pd.DataFrame) -> pd.Series:
        """Per finding, in words: a batch fact (a fact rule's), to fix (an error or a warning, as
        summary.fix_list counts them) or a note (info)."""
        w = self.words
        kind = np.where(findings["rule"].isin(self.facts()), "type_fact",
                        np.where(findings["severity"].isin(("error", "warning")), "type_fix", "type_note"))
        words = {k: w.text("workbook", k) for k in ("type_fact", "type_fix", "type_note")}
        return pd.Series(kind, index=findings.index).map(words)

    # ------------------------------------------------------------------ history

    @cached_property
    def history(self) -> Comparison | None:
        """How the batch compares with the earlier batches of its history store (report.compare), worked
        out once; None when it was checked without a store."""
        return comparison(self.report)

    # ------------------------------------------------------------------ rows

    @property
    def row_block(self) -> int:
        """Rows of the k-th sheet of a batch read from several sheets are numbered k * row_block + their row."""
        return SHEET_ROW_BLOCK

    def row_label(self, row: int) -> str:
        """A row as a person finds it: its number, after its sheet's name when several sheets were read
        together (``Febrero!2`` for the report's row 10,000,002)."""
        sheets = self.batch.get("sheets") or []
        if len(sheets) < 2:
            return str(row)
        k, within = divmod(int(row), SHEET_ROW_BLOCK)
        return f"{sheets[k]}!{within}" if k < len(sheets) else str(row)

    # ------------------------------------------------------------------ lists, worst first

    def worst_rows(self, n: int) -> list[dict[str, Any]]:
        """The first ``n`` rows with an error or a warning, worst first (summary.worst_rows)."""
        return list(self.summary["worst_rows"][:n])

    def agencies(self, n: int) -> list[tuple[int, dict[str, Any]]]:
        """(position in summary.by_agency, entry) of the first ``n`` agencies with an error or a warning."""
        listed = [(i, a) for i, a in enumerate(self.summary["by_agency"]) if a["errors"] or a["warnings"]]
        return listed[:n]

    def groups(self, cap: int) -> list[dict[str, Any]]:
        """Up to ``cap`` duplicate groups, taken in turn from each kind so every kind shows up (groups
        to review first within a kind), listed by kind; as the JSON's group objects, with each evidence
        item's text (only these groups' text is looked at)."""
        duplicates = self.report.duplicates
        table = duplicates.groups
        kind = table["kind"].map(KIND_ORDER).fillna(9).to_numpy(dtype=int)
        later = table["confidence"].ne("review").to_numpy(dtype=int)
        order = np.lexsort((np.arange(len(table)), later, kind))
        queues = [order[kind[order] == k].tolist() for k in sorted(set(kind.tolist()))]
        picked: list[int] = []
        while len(picked) < cap and any(queues):
            for queue in queues:
                if queue and len(picked) < cap:
                    picked.append(queue.pop(0))
        picked.sort(key=lambda p: (kind[p], later[p], p))
        return duplicates.records(picked, texts=True)

    @staticmethod
    def sureness(group: dict[str, Any]) -> str:
        """How sure a group is, as the key of its words in the catalogue's ``confidence`` section: "flag"
        (same gun) or "review" (probably the same gun — review). A possible duplicate matches rows
        without a usable serial (TC203: "may be the same firearm"), so it is never more than "review",
        whatever its ``confidence``."""
        return "review" if group["kind"] == "possible-duplicate" else str(group["confidence"])

    def dropped(self) -> str:
        """The rows not checked as requests, counted by reason in words ("" when none)."""
        w = self.words
        return w.join(f"{w.number(n)} ({w.text('drop_reason', reason)})"
                      for reason, n in self.summary["rows_dropped"].items())

    # ------------------------------------------------------------------ rows and findings

    def requests(self, rows: set[int]) -> dict[int, str]:
        """Sheet row -> request id, for the rows given that have one."""
        table = self.report.rows
        mine = table[table["row"].isin(list(rows))]
        return {int(r): str(i) for r, i in zip(mine["row"], mine["request_id"]) if isinstance(i, str) and i}

    def member_value(self, row: int, field: str) -> Any:
        """A request's canonical value of ``field`` (a date as parsed, else as submitted); None if absent."""
        return self.member_values([row], [field])[field][0]

    def member_values(self, rows: list[int], fields: Iterable[str], *, named: bool = False) -> dict[str, list[Any]]:
        """Field -> the canonical value of each of ``rows`` (sheet rows), as ``member_value`` gives
        it, looked up for all rows at once. With ``named``, the agency is given under the name the
        pack's ``agency_aliases`` table gives it, as summary.by_agency and worst_rows name it
        ("Fiscalía General de la República" for a cell "FGR"); else as submitted."""
        canonical = self.report.canonical
        out: dict[str, list[Any]] = {}
        for field in fields:
            if canonical is None or field not in canonical.columns:
                out[field] = [None] * len(rows)
                continue
            name = f"{field}__name"  # the agency under its name in the pack's alias table
            values = canonical[name if named and name in canonical.columns else field].reindex(rows)
            raw = f"{field}__raw"
            if raw in canonical.columns:
                values = values.astype(object).where(values.notna(), canonical[raw].reindex(rows))
            out[field] = [_member(v) for v in values.tolist()]
        return out

    def batch_findings(self, n: int) -> pd.DataFrame:
        """The first ``n`` findings about the batch as a whole (no row)."""
        findings = self.report.findings
        return findings[findings["row"].isna()].head(n)

    def findings_of(self, rows: list[int]) -> dict[int, pd.DataFrame]:
        """Each listed row's findings, in report order."""
        findings = self.report.findings
        mine = findings[findings["row"].isin(rows)]
        return {int(r): group for r, group in mine.groupby(mine["row"].astype("int64"), sort=False)}

    def cell_marks(self) -> dict[tuple[int, str | None], tuple[str, list[int]]]:
        """(sheet row, column letter) -> (worst severity, positions of its findings in report.findings),
        for every row-level finding; a finding on no column has letter None."""
        findings = self.report.findings
        rows = findings["row"].to_numpy(dtype="float64", na_value=np.nan)
        letters = findings["column"].astype(object).where(findings["column"].notna(), None).to_numpy()
        severities = findings["severity"].to_numpy(dtype=object)
        marks: dict[tuple[int, str | None], tuple[str, list[int]]] = {}
        for position in np.flatnonzero(~np.isnan(rows)).tolist():
            key = (int(rows[position]), letters[position])
            worst, found = marks.get(key, (severities[position], []))
            if SEVERITY_RANK[severities[position]] > SEVERITY_RANK[worst]:
                worst = severities[position]
            found.append(position)
            marks[key] = (worst, found)
        return marks


def _member(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    return None if _missing(value) else value


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))
