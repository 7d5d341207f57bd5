"""Types for check parameters: a check kind's keyword-only signature is its parameter schema.

The rule pack loader (tracecheck.ruleset) builds a pydantic model from each check function's
keyword-only parameters and their type hints, and validates a rule's ``params`` with it when the
pack loads. This module only names the types; it knows nothing about packs or pydantic.

* ``FieldName`` marks a ``str`` that names a canonical field; the loader checks it against the
  pack's fields (rules/columns.yml ``fields:``).
* ``Pattern`` marks a ``str`` that is a regular expression; the loader refuses one that does not compile.
* ``DateField`` and ``Metric`` are closed sets: the date fields the reader parses, and the
  day-count measures ``tracecheck.metrics`` computes. Tests keep them in step with
  ``tracecheck.schema.DATE_FIELDS`` and ``tracecheck.metrics.METRIC_SPANS``.
* ``Years``, ``Days`` and ``Length`` are numbers with a sensible range (annotated-types bounds,
  which the loader enforces): a limit of -5 years or 10^300 days is a pack error, not a crash.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le


class FieldRef:
    """Annotated marker: the string names a canonical field of the pack."""

    def __repr__(self) -> str:
        return "FieldRef()"


FIELD = FieldRef()
FieldName = Annotated[str, FIELD]


class PatternRef:
    """Annotated marker: the string is a regular expression (Python ``re`` syntax); the loader compiles it."""

    def __repr__(self) -> str:
        return "PatternRef()"


Pattern = Annotated[str, PatternRef()]
DateField = Literal["purchase_date", "recovery_date", "request_date"]
Metric = Literal["request_age_days", "time_to_crime_days", "submission_lag_days"]
Years = Annotated[float, Gt(0), Le(150)]  # a span in calendar years
Days = Annotated[int, Ge(0), Le(150 * 366)]  # a span in days
Length = Annotated[int, Ge(1), Le(100)]  # a number of characters
Score = Annotated[float, Ge(0), Le(100)]  # a rapidfuzz similarity, 0-100
Count = Annotated[int, Ge(1), Le(20)]  # a small number of items (suggestions shown)
