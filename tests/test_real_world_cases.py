"""Real-world cases: small files rebuilt from situations people report when they read spreadsheets
exported from police, court and government systems, each with the outcome a correct validator gives
(tests/real_world/EXPECTED.md, copied from the project's shared cases). Each stands for a kind of
fault. A case the code does not handle yet is listed in ``PENDING`` with the issue that handles it;
a pending case that starts to pass fails the run (strict xfail), so the list stays true.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main

CASES = Path(__file__).resolve().parent / "real_world"
AS_OF = "2026-01-01"  # EXPECTED.md: the FD cases are checked as of 2026-01-01 (the FC cases allow it too)
TWELVE_FIELDS = ("request_id", "agency", "manufacturer", "model", "caliber", "firearm_type", "serial_number",
                 "import_marking", "country_of_origin", "purchase_date", "recovery_date", "request_date")

# Cases the code does not handle yet, and the issue that handles them.
PENDING: dict[str, str] = {  # every case of the shared corpus is handled now
}


@dataclass
class Case:
    """What one file must give. ``exactly``: the findings, and no other; ``contains``: findings that
    must be there (others allowed); both as (rule, row, column letter). ``refusal``: words an exit-2
    one-line error must contain, if the case may be refused instead of read."""

    file: str
    rows: int | None = None
    sheet: str | None = None
    exactly: list[tuple[str, int | None, str | None]] | None = None
    contains: list[tuple[str, int | None, str | None]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    mapped: tuple[str, ...] = ()
    groups: list[list[int]] = field(default_factory=list)
    exit_code: int | None = None
    refusal: tuple[str, ...] = ()
    forbidden_words: tuple[str, ...] = ()
    batch: dict = field(default_factory=dict)
    dropped: list[tuple[int, str]] | None = None  # batch.dropped_rows exactly, as (row, reason)


def _rows(letter: str, *rows: int, rule: str) -> list[tuple[str, int, str]]:
    return [(rule, row, letter) for row in rows]


CASE_LIST = [
    Case("FC01_serial_float_suffix_from_pandas.csv",
         contains=_rows("G", 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, rule="TC103") + [("TC101", 7, "G")],
         groups=[[5, 16]]),
    Case("FC02_serial_turned_into_date_text_by_excel.csv", contains=_rows("G", 4, 7, 10, 13, rule="TC103")),
    Case("FC03_serial_with_thousands_separators.csv", contains=_rows("G", 3, 6, 9, 12, 15, rule="TC103"),
         groups=[[6, 16]]),
    Case("FC06_repeated_page_headers_crystal_export.csv", rows=24, absent=["TC008", "TC301"],
         dropped=[(10, "repeated_header"), (19, "repeated_header")]),
    Case("FC07_one_cp1252_line_in_utf8.csv", rows=15, mapped=("country_of_origin", "agency"),
         contains=[("TC010", 16, None)]),
    Case("FC08_utf16le_without_bom_sqlserver.csv", rows=12, contains=[("TC101", 9, "G")]),
    Case("FC09_html_table_named_xls_web_export.xls", rows=12, contains=[("TC101", 5, "G")],
         refusal=("html", ".xlsx"), forbidden_words=("rename it to .csv",)),
    Case("FC10_instructions_sheet_first.xlsx", rows=15, sheet="Solicitudes", contains=[("TC101", 8, "G")],
         absent=["TC001"]),
    Case("FC11_two_row_merged_group_header.xlsx", rows=12, sheet="Solicitudes", contains=[("TC101", 7, "G")],
         mapped=("manufacturer", "model", "purchase_date", "recovery_date", "request_date")),
    Case("FC12_date_headers_with_format_hint_es.csv", contains=[("TC301", 5, "K"), ("TC302", 10, None)],
         mapped=("purchase_date", "recovery_date", "request_date"), exit_code=1,
         batch={"date_order": {"purchase_date": "dayfirst", "recovery_date": "dayfirst", "request_date": "dayfirst"}}),
    Case("FC15_strict_open_xml.xlsx", rows=12, sheet="Traces", contains=[("TC101", 6, "G")]),
    Case("FC16_leading_zeros_lost_duplicate.csv", groups=[[4, 14]]),
    Case("FC17_excel_sep_hint_line_es.csv", rows=12, contains=[("TC101", 12, "G")],
         batch={"delimiter": ";", "encoding": "cp1252", "header_row": 2}),
    Case("FC19_spanish_month_names.csv", exactly=[]),
    Case("FC20_report_footer_rows_es.csv", rows=14, contains=[("TC101", 8, "G")],
         dropped=[(17, "total_line"), (18, "footer_line")]),
    Case("FD01_merged_agency_and_request_date_blocks_es.xlsx", rows=14, sheet="Solicitudes",
         exactly=[("TC312", 3, "L"), ("TC302", 5, "K"), ("TC312", 9, "L")]),
    Case("FD02_excel_table_with_totals_row.xlsx", rows=13, sheet="Requests", exactly=[("TC101", 9, "G")],
         dropped=[(15, "table_totals")]),
    Case("FD04_apple_numbers_export_summary_sheet_es.xlsx", rows=12, sheet="Solicitudes - Tabla 1",
         exactly=[("TC101", 8, "G")], mapped=TWELVE_FIELDS),
    Case("FD05_trailing_delimiter_on_data_rows_only.csv", rows=14, exactly=[("TC101", 6, "G"), ("TC302", 11, "K")],
         mapped=TWELVE_FIELDS),
    Case("FD06_nbsp_in_headers_serials_dates.csv", rows=12, mapped=TWELVE_FIELDS, groups=[[3, 12], [4, 13]],
         exactly=_rows("G", 3, 4, 12, 13, rule="TC201") + [("TC101", 6, "G")]),
    Case("FD07_fullwidth_and_cyrillic_lookalike_serials.csv", rows=12, groups=[[3, 12], [5, 13]],
         contains=_rows("G", 12, 13, rule="TC102") + _rows("G", 3, 5, 12, 13, rule="TC201"), absent=["TC203"]),
    Case("FD09_apostrophe_and_formula_text_prefixed_serials.csv", rows=12, groups=[[3, 12], [7, 13]],
         contains=_rows("G", 3, 7, 12, 13, rule="TC201"), absent=["TC203"]),
    Case("FD10_bom_before_appended_rows.csv", rows=14, exactly=[], mapped=TWELVE_FIELDS),
    Case("FD12_timestamps_with_time_zones.csv", rows=12, exactly=[("TC302", 10, "K")]),
    Case("FD13_wrapped_headers_with_line_breaks.xlsx", rows=12, sheet="Requests", exactly=[("TC101", 6, "G")],
         mapped=TWELVE_FIELDS),
    Case("FD14_rich_text_runs_in_serials.xlsx", rows=11, sheet="Requests", groups=[[5, 12]],
         exactly=[("TC201", 5, "G"), ("TC201", 12, "G"), ("TC101", 8, "G")]),
    Case("FD15_excel_binary_workbook.xlsb", rows=10, sheet="Requests", exactly=[("TC101", 6, "G")],
         mapped=TWELVE_FIELDS, refusal=("xlsb", "save", ".xlsx")),
    Case("FD16_empty_formatted_sheet1_data_on_sheet2.xlsx", rows=10, sheet="Sheet2", exactly=[("TC101", 5, "G")]),
]


def _params():
    for case in CASE_LIST:
        key = case.file[:4]
        marks = [pytest.mark.xfail(reason=PENDING[key], strict=True)] if key in PENDING else []
        yield pytest.param(case, id=key, marks=marks)


def test_every_case_file_is_listed():
    not_cases = {"EXPECTED.md", "atf_ffl_licences.csv"}  # the licence list is tests/test_ffl.py's fixture
    files = {p.name for p in CASES.iterdir() if p.name not in not_cases}
    assert files == {c.file for c in CASE_LIST}
    assert set(PENDING) <= {c.file[:4] for c in CASE_LIST}


@pytest.mark.parametrize("case", list(_params()))
def test_real_world_case(case: Case, tmp_path: Path) -> None:
    path = CASES / case.file
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path), "--as-of", AS_OF, "-q"])
    assert path.read_bytes() == before
    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.exit_code != 70, output
    if result.exit_code == 2 and case.refusal:
        line = result.stderr.strip()
        assert len(line.splitlines()) == 1 and all(w in line.lower() for w in case.refusal), line
        assert not any(w in line for w in case.forbidden_words), line
        return
    assert result.exit_code in (0, 1), output
    if case.exit_code is not None:
        assert result.exit_code == case.exit_code
    report = json.loads((tmp_path / f"{path.stem}.report.json").read_text(encoding="utf-8"))
    findings = [(f["rule"], f["row"], f["column"]) for f in report["findings"]]
    if case.rows is not None:
        assert report["summary"]["rows"] == case.rows
    if case.sheet is not None:
        assert report["batch"]["sheet"] == case.sheet
    if case.exactly is not None:
        assert sorted(findings, key=str) == sorted(case.exactly, key=str), findings
    for rule, row, column in case.contains:
        assert any(f[0] == rule and f[1] == row and (column is None or f[2] == column) for f in findings), \
            (rule, row, column, findings)
    for rule in case.absent:
        assert rule not in {f[0] for f in findings}, [f for f in findings if f[0] == rule]
    mapped = {m["field"] for m in report["mapping"]}
    assert set(case.mapped) <= mapped, sorted(set(case.mapped) - mapped)
    groups = [sorted(g["rows"]) for g in report["duplicate_groups"] if g["kind"] == "duplicate-request"]
    for rows in case.groups:
        assert sorted(rows) in groups, (rows, groups)
    if case.dropped is not None:
        assert [(d["row"], d["reason"]) for d in report["batch"]["dropped_rows"]] == case.dropped
    for key, value in case.batch.items():
        assert report["batch"][key] == value, (key, report["batch"][key])


def test_merged_blocks_give_every_row_its_dates():
    """FD01: the request date merged down each block applies to every row it covers (ages not null).

    Row 5 was recovered a week after its block's request: a submission lag of -7 days is no figure
    (issue 11, item 6: out-of-order dates give none), so that one value is null; its request age is not."""
    if "FD01" in PENDING:
        pytest.xfail(PENDING["FD01"])
    report = tracecheck.check(CASES / "FD01_merged_agency_and_request_date_blocks_es.xlsx",
                              as_of=dt.date.fromisoformat(AS_OF))
    rows = report.rows.set_index("row")
    assert rows.loc[2:15, "request_age_days"].notna().all()
    lag = rows.loc[2:15, "submission_lag_days"]
    assert lag.drop(index=5).notna().all() and pd.isna(lag.loc[5])
