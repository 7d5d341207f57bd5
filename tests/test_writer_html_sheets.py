"""The HTML report of a batch read from several sheets (--sheet all): rows as a person finds them."""

from __future__ import annotations

import io
import re

import openpyxl

import tracecheck
from tracecheck.report.view import ReportView
from tracecheck.writers.html import write_html


def test_worst_rows_name_the_sheet_of_a_batch_read_from_several(tmp_path):
    """With --sheet all a row is numbered k × 10,000,000 + its row; the page shows "Febrero!12"
    (view.row_label), as the terminal and the workbook do, never the internal number."""
    book = openpyxl.Workbook()
    head = ["Request ID", "Agency", "Manufacturer", "Model", "Caliber", "Type", "Serial Number", "Recovery Date"]
    for k, name in enumerate(("Enero", "Febrero")):
        ws = book.active if k == 0 else book.create_sheet()
        ws.title = name
        ws.append(head)
        for i in range(4):
            serial = "" if i == 1 else f"BXK{k}{i}00"
            ws.append([f"R{k}{i}", "FGR", "Glock", "19", "9MM", "PISTOL", serial, "2024-03-02"])
    path = tmp_path / "monthly.xlsx"
    book.save(path)
    report = tracecheck.check(path, sheet="all", as_of="2026-11-22")
    page = io.StringIO()
    write_html(ReportView(report), page)
    rows = re.findall(r'data-metric="summary\.worst_rows\.\d+\.row" data-value="(\d+)">([^<]+)<', page.getvalue())
    sheets = ("Enero", "Febrero")
    assert rows and all(shown == f"{sheets[int(v) // 10_000_000]}!{int(v) % 10_000_000}" for v, shown in rows)
    assert {"Enero!3", "Febrero!3"} <= {shown for _, shown in rows}  # the rows without a serial
