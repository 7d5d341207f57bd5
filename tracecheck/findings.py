"""The one record type for a problem found in a batch, and its severity scale."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any, Mapping


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.value]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r}; expected error, warning or info") from None


SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}

# The fixed columns of the findings table (Report.findings), in order; context columns follow.
# `column` is the spreadsheet column letter; `field` the canonical field name; `row` the sheet
# row (missing for a batch-level finding).
FINDING_COLUMNS = ["row", "column", "rule", "name", "severity", "field", "value", "message"]


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
    context: Mapping[str, Any] = dataclass_field(default_factory=dict)
