"""The batch report: what was checked, the findings, per-row metrics and the summary numbers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.errors import EXIT_FINDINGS, TracecheckError
from tracecheck.findings import SEVERITY_RANK, Finding, Severity
from tracecheck.matching.tables import DuplicateTables
from tracecheck.report.encode import write_json

# The per-row table (Report.rows and the JSON's "rows"), in order.
ROW_COLUMNS = ["row", "index", "request_id", "status", "request_age_days", "time_to_crime_days",
               "submission_lag_days", "duplicate_group"]
FAIL_LEVELS = ("error", "warning", "info", "never")


class ValidationFailed(TracecheckError):
    """Raised by ``Report.raise_for_status`` when a batch has findings at or above the level."""

    exit_code = EXIT_FINDINGS

    def __init__(self, report: Report, level: str) -> None:
        self.report = report
        self.level = level
        counts = report.summary["by_severity"]
        errors, warnings = counts["error"], counts["warning"]
        said = f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}"
        super().__init__(f"{said} (failing at {level})",
                         path=report.batch["source"])


@dataclass
class Report:
    """One batch's report. ``findings`` and ``rows`` are DataFrames in the shapes documented in
    ``tracecheck.findings`` (FINDING_COLUMNS) and ``ROW_COLUMNS``; ``batch``, ``rule_pack``,
    ``mapping`` and ``summary`` are the JSON report's objects (docs/report.schema.json).
    ``duplicates`` holds the duplicate groups as three tables (groups, members, pairs: see
    ``tracecheck.matching.tables``); ``duplicate_groups`` gives them as the JSON's objects.
    Texts (messages, rule titles, fixes, evidence) are in ``lang``."""

    batch: dict[str, Any]
    rule_pack: dict[str, Any]
    mapping: list[dict[str, Any]]
    summary: dict[str, Any]
    findings: pd.DataFrame
    rows: pd.DataFrame
    duplicates: DuplicateTables = field(default_factory=DuplicateTables.empty)
    # Not part of the JSON: what the workbook and HTML writers need besides the numbers.
    source: Any = field(default=None, repr=False)  # tracecheck.read.RawBatch: the cells as submitted
    canonical: pd.DataFrame | None = field(default=None, repr=False)  # the normalised table (agency, dates...)
    # checked with a history store: the requests as History.record stores them (history.requests.request_frame)
    history_requests: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def duplicate_groups(self) -> list[dict[str, Any]]:
        """Every duplicate group as in the JSON report's ``duplicate_groups`` (a list built on each
        call: for a large batch, read ``duplicates.groups`` / ``.pairs`` instead)."""
        return self.duplicates.records()

    @property
    def lang(self) -> str:
        return str(self.batch.get("lang", "en"))

    @property
    def locale(self) -> str | None:
        return self.batch.get("locale")

    @property
    def worst_severity(self) -> str | None:
        counts = self.summary["by_severity"]
        return next((level for level in sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__, reverse=True)
                     if counts.get(level)), None)

    def has_findings_at(self, level: str) -> bool:
        """True when some finding is at or above ``level`` (error, warning, info; never: False)."""
        if level == "never":
            return False
        worst = self.worst_severity
        return worst is not None and SEVERITY_RANK[worst] >= SEVERITY_RANK[Severity.parse(level).value]

    def raise_for_status(self, level: str = "error") -> Report:
        """Raise ValidationFailed if any finding is at or above ``level``; else return self.
        ValueError for a level other than error, warning, info or never."""
        if level not in FAIL_LEVELS:
            raise ValueError(f"level must be one of {', '.join(FAIL_LEVELS)}")
        if self.has_findings_at(level):
            raise ValidationFailed(self, level)
        return self

    def iter_findings(self) -> Iterator[Finding]:
        """Each finding as a ``Finding`` record; its context holds only the details the rule gave."""
        findings = self.findings
        contexts = findings["context"].array
        plain = findings.drop(columns=["context"]).astype(object).where(findings.drop(columns=["context"]).notna(),
                                                                        None)
        for position, rec in enumerate(plain.to_dict("records")):
            context = contexts[position] or {}
            yield Finding(rule=rec["rule"], name=rec["name"], severity=Severity(rec["severity"]),
                          message=rec["message"], row=_opt_int(rec["row"]), field=rec["field"], column=rec["column"],
                          value=rec["value"], reason=rec["reason"], header=rec["header"], index=rec["index"],
                          sheet=rec["sheet"],
                          context={k: v for k, v in context.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """The JSON report as Python objects (docs/report.schema.json)."""
        document: dict[str, Any] = json.loads(self.to_json())
        return document

    def to_json(self) -> str:
        """The JSON report the CLI writes (docs/report.schema.json)."""
        buffer = io.StringIO()
        write_json(self, buffer)
        return buffer.getvalue()


def _opt_int(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)
