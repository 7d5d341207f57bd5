"""Findings as a flat CSV (one row per finding) for analysts who work in a spreadsheet.

The columns are the findings table's (``tracecheck.findings``), headed in the report's language
with the workbook's labels (Code, Name, ...); the values are the table's (ids such as the rule name
and the canonical field stay ids), severities are written in words, and the rule-specific details
are one JSON object per finding. Text
that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is prefixed
with a single quote, the usual defence against csv formula injection.

Written for Excel: UTF-8 with a byte-order mark (without it Excel reads the file in the system's
ANSI code page, and ``años`` shows as ``aÃ±os``), and the delimiter that Excel's list separator
expects in the report's language: ``;`` for Spanish (the list separator of Spanish Windows, where
``,`` is the decimal mark), ``,`` otherwise. ``delimiter`` overrides it (``,``, ``;`` or a tab).
"""

from __future__ import annotations

from typing import TextIO

from tracecheck.findings import FINDING_COLUMNS
from tracecheck.report.encode import context_objects
from tracecheck.report.view import ReportView
from tracecheck.writers.cells import csv_safe

HEADER_LABELS = {"rule": "code", "context": "details"}  # "name" is the rule's name, as on the workbook
BOM = "\ufeff"
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}  # the names a caller may give -> the character
CHOICES = (",", ";", "tab")  # as the CLI offers them
LANGUAGE_DELIMITERS = {"es": ";"}  # Excel's list separator where the language is written; "," elsewhere


def csv_delimiter(lang: str, delimiter: str | None = None) -> str:
    """The delimiter character: ``delimiter`` (",", ";", "tab" or a tab character) when given, else the
    one Excel expects for ``lang`` (";" for Spanish, "," otherwise). ValueError for anything else."""
    if delimiter is None:
        return LANGUAGE_DELIMITERS.get(lang, ",")
    try:
        return DELIMITERS[delimiter]
    except (KeyError, TypeError):
        raise ValueError(f"csv delimiter must be one of {', '.join(CHOICES)}, not {delimiter!r}") from None


def write_findings_csv(view: ReportView, fp: TextIO, delimiter: str | None = None) -> None:
    """Write the findings of ``view`` as csv into the text file ``fp``: a byte-order mark, then the
    table separated by ``delimiter`` (default: ";" for a Spanish report, "," otherwise; see
    ``csv_delimiter``)."""
    sep = csv_delimiter(view.words.lang, delimiter)
    findings = view.report.findings
    words = view.words
    details = context_objects(findings["context"]).to_pandas()
    table = findings.drop(columns=["context"]).assign(
        severity=findings["severity"].map({s: words.severity(s) for s in findings["severity"].unique()}),
        context=details.where(details != "{}").to_numpy())
    text = [c for c in table.columns if table[c].dtype == object or str(table[c].dtype) == "str"]
    table = table.assign(**{c: table[c].map(csv_safe, na_action="ignore") for c in text})
    table.columns = [words.label(HEADER_LABELS.get(c, c)) for c in FINDING_COLUMNS]
    table[words.text("workbook", "type")] = view.finding_types(findings).to_numpy()  # to fix / batch fact / note
    fp.write(BOM)
    table.to_csv(fp, index=False, sep=sep)
