"""tracecheck: find the problems in a firearm trace-request batch before it is submitted.

Public API::

    report = tracecheck.check("batch.xlsx")          # or a pandas DataFrame / pyarrow Table
    report.findings        # one row per finding (DataFrame, columns in tracecheck.findings)
    report.rows            # per-row status and ages (DataFrame)
    report.summary         # counts by rule and severity, traceable rows, age buckets
    report.to_json()
    report.raise_for_status("error")   # fail-fast for ETL jobs
    tracecheck.write_report(report, "out", "all")
    with tracecheck.History("history.sqlite") as history:   # or "postgresql://user@host/db"
        report = tracecheck.check("batch.xlsx", history=history)   # + TC204 prior duplicates
        history.record(report)

The names below are imported on first use, so ``tracecheck --help`` and ``import tracecheck``
stay fast (no pandas until a batch is checked).
"""

from __future__ import annotations

import importlib
import warnings
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

# With the spark extra installed, pandera imports pyspark.pandas, which warns on every start that it does
# not support pandas 3; tracecheck uses Spark SQL only (tracecheck.spark), never pyspark.pandas.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

try:
    __version__ = version("tracecheck")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

_EXPORTS = {
    "check": "tracecheck.api",
    "canonical_schema": "tracecheck.schema",
    "load_pack": "tracecheck.ruleset",
    "write_report": "tracecheck.writers",
    "Finding": "tracecheck.findings",
    "History": "tracecheck.history",
    "HistoryError": "tracecheck.errors",
    "InputError": "tracecheck.errors",
    "Limits": "tracecheck.read.limits",
    "Report": "tracecheck.report.model",
    "ReportWriteError": "tracecheck.errors",
    "Rule": "tracecheck.ruleset",
    "RulePack": "tracecheck.ruleset",
    "RulePackError": "tracecheck.errors",
    "Severity": "tracecheck.findings",
    "TracecheckError": "tracecheck.errors",
    "ValidationFailed": "tracecheck.report.model",
}

__all__ = ["__version__", "check", "canonical_schema", "load_pack", "write_report", "Finding", "History",
           "HistoryError", "InputError", "Limits", "Report", "ReportWriteError", "Rule", "RulePack", "RulePackError",
           "Severity", "TracecheckError", "ValidationFailed"]

if TYPE_CHECKING:
    from tracecheck.api import check
    from tracecheck.errors import HistoryError, InputError, ReportWriteError, RulePackError, TracecheckError
    from tracecheck.findings import Finding, Severity
    from tracecheck.history import History
    from tracecheck.read.limits import Limits
    from tracecheck.report.model import Report, ValidationFailed
    from tracecheck.ruleset import Rule, RulePack, load_pack
    from tracecheck.schema import canonical_schema
    from tracecheck.writers import write_report


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracecheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
