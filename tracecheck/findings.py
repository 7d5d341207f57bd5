"""The one record type for a problem found in a batch, its severity scale, and the findings table.

``Report.findings`` (a DataFrame) and the JSON report's ``findings`` list share one shape, the
same whatever rules fire, in this order (``FINDING_COLUMNS``):

========== =========== ==============================================================================
column     type        meaning
========== =========== ==============================================================================
row        Int64       the sheet row a person sees (header on row 1 for a DataFrame); null for a
                       finding about the batch as a whole
column     str         the spreadsheet column letter ("G"); null when no one column is meant
header     str         that column's header as submitted ("Nº de Serie"); null when it had none
rule       str         the rule's stable code ("TC101")
name       str         the rule's stable kebab-case name ("serial-missing")
severity   str         "error", "warning" or "info"
field      str         the canonical field ("serial_number"); null for a finding on no field
value      str         the offending cell as text
reason     str         the rule's stable reason id ("placeholder", "too_short"); null when the
                       rule has one kind of finding
message    str         the finding in words, in the report's language
index      object      the caller's index label of the row, for DataFrame or Arrow input (null
                       for files), so a finding joins back to the frame it came from
sheet      str         the worksheet of the row (null for a csv or a frame; for a batch-level
                       finding, the sheet when one was read). A batch read from several sheets
                       (``sheet="all"``) numbers the rows of its k-th sheet (from 0)
                       k × 10,000,000 + their row, so ``row`` stays unique: row 20,000,015 is
                       row 15 of the third sheet (``tracecheck.read.SHEET_ROW_BLOCK``)
context    struct      rule-specific details (days, score, related_rows, ...): one Arrow struct
                       whose fields are every context field the check kinds declare
                       (``tracecheck.checks.context_schema()``); a rule leaves the others null
========== =========== ==============================================================================

Findings are sorted by (row, rule, field), batch-level findings first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r}; expected error, warning or info") from None


SEVERITIES = ("error", "warning", "info")  # worst first: the one place the order is spelled
SEVERITY_RANK = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}  # info 1 ... error 3

FINDING_COLUMNS = ["row", "column", "header", "rule", "name", "severity", "field", "value", "reason", "message",
                   "index", "sheet", "context"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one row (or in the batch as a whole when ``row`` is None)."""

    rule: str  # stable code, e.g. "TC101"
    name: str  # kebab-case rule name, e.g. "serial-missing"
    severity: Severity
    message: str
    row: int | None  # the sheet row number a person sees, not the pandas index
    field: str | None = None  # canonical field name
    column: str | None = None  # spreadsheet column letter
    value: str | None = None  # offending cell as text
    reason: str | None = None  # stable reason id
    header: str | None = None  # the column's header as submitted
    index: Any = None  # the caller's index label (DataFrame input)
    sheet: str | None = None  # the worksheet of the row (workbook input)
    context: Mapping[str, Any] = dataclass_field(default_factory=dict)  # only the details this rule gives
