"""The workbook report read back by a real spreadsheet program: LibreOffice (headless) opens it,
recomputes the link formulas, exports every sheet as csv and prints it to PDF. Under CI=true a
missing LibreOffice fails the test (.ci/run installs the Debian package libreoffice-calc)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import require_client  # noqa: E402  (tests/conftest.py)

import tracecheck
from tracecheck.report.view import ReportView
from tracecheck.writers import write_atomic
from tracecheck.writers.xlsx import write_xlsx

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SOFFICE = Path(shutil.which("soffice") or "/usr/bin/soffice")
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # -1: every sheet


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[tracecheck.Report, Path, dict[str, list[list[str]]], int]:
    """(report, workbook, sheet name -> rows as LibreOffice computed them, printed page count)."""
    soffice = require_client("LibreOffice", SOFFICE, "apt-get install libreoffice-calc")
    out = tmp_path_factory.mktemp("lo")
    report = tracecheck.check(EXAMPLES / "fiscalia_titled.xlsx", as_of="2026-11-22")
    book = out / "report.xlsx"
    write_atomic(book, lambda fp: write_xlsx(ReportView(report), fp), binary=True)
    profile = f"-env:UserInstallation=file://{out / 'profile'}"  # a throw-away LibreOffice profile
    for target in (ALL_SHEETS_CSV, "pdf"):
        subprocess.run([str(soffice), profile, "--headless", "--convert-to", target, "--outdir", str(out), str(book)],
                       check=True, capture_output=True, timeout=180)
    sheets = {}
    for path in out.glob("report-*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            sheets[path.stem.removeprefix("report-")] = list(csv.reader(fh))
    pages = len(re.findall(rb"/Type\s*/Page[^s]", (out / "report.pdf").read_bytes()))
    return report, book, sheets, pages


def test_libreoffice_opens_every_sheet(exported):
    _, book, sheets, _ = exported
    assert set(sheets) == set(openpyxl.load_workbook(book).sheetnames) == {
        "Summary", "Findings", "Duplicates", "Data", "Technical"}


def test_each_finding_link_and_coordinates_name_the_cell_holding_its_value(exported):
    """LibreOffice computes each link formula to the cell it names, and in LibreOffice's Data sheet
    that cell (same letter, same row as the submitted file) holds the value the finding quotes."""
    report, _, sheets, _ = exported
    findings, data = sheets["Findings"], sheets["Data"]
    head = findings[0]
    at = {name: head.index(name) for name in ("Cell", "Row", "Column", "Header", "Value")}
    checked = 0
    for line in findings[1:]:
        row, letter = line[at["Row"]], line[at["Column"]]
        if not row or not letter:
            continue
        assert line[at["Cell"]] == f"{letter}{row}"
        column = openpyxl.utils.column_index_from_string(letter) - 1
        assert data[report.source.header_row - 1][column] == line[at["Header"]]
        if line[at["Value"]] and not re.fullmatch(r"\d{4}-\d\d-\d\d", line[at["Value"]]):  # dates: shown by format
            assert data[int(row) - 1][column] == line[at["Value"]], (letter, row)
        checked += 1
    assert checked > 50


def test_printed_workbook_is_a_few_pages_with_a_one_page_summary(exported):
    """The 80-row example printed 60 pages before the page setup (Findings columns spread over
    many pages); now every sheet fits its width and the Summary fits one page."""
    report, _, sheets, pages = exported
    assert pages <= 10
    summary = sheets["Summary"]
    assert summary[0][0].startswith("tracecheck report: fiscalia_titled.xlsx")
    assert any(r and r[0] == "Problems to fix (errors and warnings)" and r[1] == str(report.summary["fix_list"]
                                                                                     ["findings"]) for r in summary)
