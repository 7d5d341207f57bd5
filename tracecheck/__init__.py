"""tracecheck: find the problems in a firearm trace-request batch before it is submitted.

Public API::

    report = tracecheck.check("batch.xlsx")          # or a pandas DataFrame
    report.findings        # one row per finding (DataFrame)
    report.rows            # per-row status and ages (DataFrame)
    report.summary         # counts by rule and severity, traceable rows, age buckets
    report.to_json()
    report.raise_for_status("error")   # fail-fast for ETL jobs
"""

__version__ = "0.1.0"

from tracecheck.api import check  # noqa: E402
from tracecheck.errors import InputError, ReportWriteError, RulePackError, TracecheckError  # noqa: E402
from tracecheck.findings import Finding, Severity  # noqa: E402
from tracecheck.report import Report, ValidationFailed  # noqa: E402
from tracecheck.ruleset import Rule, RulePack, load_pack  # noqa: E402
from tracecheck.schema import canonical_schema  # noqa: E402
from tracecheck.writers import write_report  # noqa: E402

__all__ = [
    "__version__",
    "check",
    "canonical_schema",
    "load_pack",
    "write_report",
    "Finding",
    "InputError",
    "Report",
    "ReportWriteError",
    "Rule",
    "RulePack",
    "RulePackError",
    "Severity",
    "TracecheckError",
    "ValidationFailed",
]
