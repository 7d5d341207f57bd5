"""The report layer: the Report model, how it is built, its JSON encoding and the view writers read.

``build.build_report`` computes every number once; ``model.Report`` holds them (and serialises
itself through ``encode``); ``view.ReportView`` is what every writer formats.
"""

from tracecheck.report.build import build_report
from tracecheck.report.encode import REPORT_VERSION
from tracecheck.report.model import ROW_COLUMNS, Report, ValidationFailed

__all__ = ["REPORT_VERSION", "ROW_COLUMNS", "Report", "ValidationFailed", "build_report"]
