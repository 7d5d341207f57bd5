"""The annotated workbook writer: sheets, numbers that match the JSON report, flagged cells,
duplicates, formula-injection safety, Spanish labels and large batches (comments capped)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import tracecheck
from tracecheck.catalogue import catalogue
from tracecheck.report.view import ReportView
from tracecheck.writers import write_atomic, xlsx
from tracecheck.writers.cells import csv_safe, is_formula_like, safe_cell_text
from tracecheck.writers.xlsx import data as xlsx_data
from tracecheck.writers.xlsx import layout as xlsx_layout
from tracecheck.writers.xlsx import style as xlsx_style
from tracecheck.writers.xlsx import write_xlsx

AS_OF = dt.date(2026, 11, 22)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEETS_EN = ["Summary", "Findings", "Duplicates", "Data", "Technical"]
SHEETS_ES = ["Resumen", "Hallazgos", "Duplicados", "Datos", "Técnico"]
JSON_KEY = re.compile(r"^(batch|rule_pack|summary)\.")
INJECTIONS = ['=HYPERLINK("http://example.invalid/x","click")', "+1", "-2", "@SUM(A1)", "\tTAB", "=1+1"]


def _batch(**overrides: list) -> pd.DataFrame:
    """Two requests for one rifle (DR-2) recorded by two agencies, and a Glock."""
    columns = {
        "Request ID": ["MX-1", "MX-2", "MX-3"], "Agency": ["SEDENA", "FGR", "Policia Municipal"],
        "Manufacturer": ["ROMARM", "CUGIR", "Glock"], "Model": ["WASR-10", "WASR-10", "19"],
        "Caliber": ["7.62X39", "7.62X39", "9MM"], "Type": ["RIFLE", "RIFLE", "PISTOL"],
        "Serial Number": ["1983OR7017", "1983-0R7017", "BXYZ123"],
        "Country of Origin": ["Romania", "Romania", "Austria"],
        "Importer": ["CENTURY ARMS", "CENTURY ARMS", "GLOCK INC"],
        "Purchase Date": ["2019-01-05", "2019-01-05", "2023-01-01"],
        "Recovery Date": ["2024-03-02", "2024-03-02", "2024-01-01"],
        "Request Date": ["2024-04-01", "2024-04-10", "2024-02-01"],
    }
    return pd.DataFrame({**columns, **overrides})


def _write(report, path: Path) -> openpyxl.Workbook:
    write_atomic(path, lambda fp: write_xlsx(ReportView(report), fp), binary=True)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def fiscalia():
    return tracecheck.check(EXAMPLES / "fiscalia_titled.xlsx", as_of=AS_OF)


@pytest.fixture(scope="module")
def fiscalia_wb(fiscalia, tmp_path_factory):
    return _write(fiscalia, tmp_path_factory.mktemp("xlsx") / "fiscalia.xlsx")


@pytest.fixture(scope="module")
def small():
    return tracecheck.check(_batch(), as_of=AS_OF)


def _json_value(data: dict, key: str):
    for part in key.split("."):
        data = data[part]
    return data


def _summary_items(ws) -> dict[str, object]:
    """JSON field -> value for the Summary rows that name one."""
    return {row[2]: row[1] for row in ws.iter_rows(min_col=1, max_col=3, values_only=True)
            if isinstance(row[2], str) and JSON_KEY.match(row[2]) and not row[2].endswith(("by_agency", "worst_rows"))}


def _summary_value(ws, label: str):
    return next(row[1] for row in ws.iter_rows(max_col=2, values_only=True) if row[0] == label)


def _notes(ws) -> dict[str, str]:
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def _data_cell(ws, report, row: int, header: str):
    """The Data-sheet cell for a sheet row and submitted header: the same cell as in the file."""
    return ws[f"{report.source.column_letters[header]}{row}"]


# --------------------------------------------------------------------------- sheets and summary


def test_sheet_names(fiscalia_wb):
    assert fiscalia_wb.sheetnames == SHEETS_EN


def test_summary_numbers_equal_the_json_summary(fiscalia, fiscalia_wb):
    data = fiscalia.to_dict()
    items = _summary_items(fiscalia_wb["Technical"])
    for key, value in items.items():
        assert value == _json_value(data, key), key
    flat = [f"summary.{k}" for k in ("rows", "findings", "batch_errors", "rows_with_errors", "rows_with_warnings",
                                     "rows_traceable", "traceable_share", "rows_obliterated", "rows_privately_made",
                                     "rows_usable_serial",
                                     "rows_missing_import_marking", "strong_leads", "strong_lead_share")]
    flat += [f"summary.by_severity.{s}" for s in ("error", "warning", "info")]
    flat += [f"summary.duplicates.groups.{k}" for k in data["summary"]["duplicates"]["groups"]]
    flat += [f"summary.duplicates.{k}" for k in ("review_groups", "duplicate_rows",
                                                  "requests_after_removing_duplicates")]
    flat += [f"summary.age_buckets.{m}.{b}" for m, counts in data["summary"]["age_buckets"].items() for b in counts]
    flat += [f"summary.age_medians_days.{m}" for m in data["summary"]["age_medians_days"]]
    flat += ["batch.source", "batch.sheet", "batch.sha256", "batch.row_count", "batch.checked_at",
             "rule_pack.name", "rule_pack.version"]
    assert set(flat) <= set(items)


def test_summary_findings_by_rule_match_the_json(fiscalia, fiscalia_wb):
    rows = list(fiscalia_wb["Technical"].iter_rows(values_only=True))
    start = rows.index(("Code", "Rule", "Name", "Severity", "Count", "Why it matters")) + 1
    table = [r for r in rows[start:start + len(fiscalia.summary["by_rule"])]]
    expected = fiscalia.to_dict()["summary"]["by_rule"]
    assert [{"rule": r[0], "count": r[4], "name": r[2], "severity": r[3]} for r in table] == expected
    why = {r[0]: r[5] for r in table}
    assert why["TC101"] == "A trace cannot start without the serial number."
    assert {r[0]: r[1] for r in table}["TC101"] == "Serial number missing"


def test_why_comes_from_the_pack_in_use(tmp_path):
    """A user pack's own rule gets its own title and why in the workbook (the pack actually used)."""
    pack = tmp_path / "pack.yml"
    pack.write_text("""extends: default
rules:
  - code: TC901
    name: agency-missing
    title: Agency missing
    severity: warning
    check: value_missing
    params: {column: agency}
    message: "Agency is missing"
    fix: "Enter the requesting agency"
    why: The agency authorises the request. A second sentence.
    example:
      bad: [{serial_number: ABC1234, manufacturer: Glock, agency: ""}]
      good: [{serial_number: ABC1234, manufacturer: Glock, agency: FGR}]
""", encoding="utf-8")
    report = tracecheck.check(_batch(Agency=["SEDENA", None, "FGR"]), tracecheck.load_pack(pack), as_of=AS_OF)
    rows = list(_write(report, tmp_path / "pack.xlsx")["Technical"].iter_rows(values_only=True))
    tc901 = next(r for r in rows if r[0] == "TC901")
    assert tc901[1] == "Agency missing" and tc901[5] == "The agency authorises the request."


def test_summary_derived_numbers_follow_their_definitions(fiscalia, fiscalia_wb):
    data = fiscalia.to_dict()
    ws = fiscalia_wb["Summary"]
    unusable = {f["row"] for f in data["findings"] if f["row"] is not None and (
        f["rule"] == "TC101" or (f["rule"] == "TC102" and f["reason"] != "label_noise")
        or (f["rule"] == "TC103" and f["reason"] in ("scientific_notation", "date_cell")))}
    later = {r for g in data["duplicate_groups"]
             if g["kind"] == "duplicate-request" and g["confidence"] == "flag" for r in g["rows"][1:]}
    strong = [r for r in data["rows"] if r["row"] not in unusable and r["row"] not in later
              and r["time_to_crime_days"] is not None and 0 <= r["time_to_crime_days"] <= 3 * 365]
    assert _summary_value(ws, "Rows with a usable serial") == len(data["rows"]) - len(unusable)
    assert _summary_value(ws, "Rows missing import marking") == sum(f["rule"] == "TC110" for f in data["findings"])
    assert _summary_value(ws, "Strong leads") == len(strong) > 0
    share = next(r[2] for r in ws.iter_rows(max_col=3, values_only=True) if r[0] == "Strong leads")
    assert share == round(len(strong) / len(data["rows"]), 4)
    label = next(c for c in ws["A"] if c.value == "Strong leads")
    assert "usable serial" in label.comment.text and "1095" in label.comment.text


def test_share_cells_are_formatted_as_percent(fiscalia_wb):
    ws = fiscalia_wb["Technical"]
    cell = next(r[1] for r in ws.iter_rows(max_col=3) if r[2].value == "summary.traceable_share")
    assert cell.number_format == "0.0%"
    share = next(r[2] for r in fiscalia_wb["Summary"].iter_rows(max_col=3) if r[0].value == "Rows that look traceable")
    assert share.number_format == "0.0%"


def test_summary_speaks_plain_words_on_one_page(fiscalia, fiscalia_wb):
    """No JSON field names on the Summary (they are on the Technical sheet); the fix list apart from
    the batch facts, with the JSON's counts; rules to fix listed before the batch facts, each with
    what to do; one printed page."""
    ws = fiscalia_wb["Summary"]
    texts = [v for r in ws.iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert not any(JSON_KEY.match(t) or "_" in t.split(" ")[0] for t in texts)
    s = fiscalia.summary
    assert _summary_value(ws, "Problems to fix (errors and warnings)") == s["fix_list"]["findings"] == 59
    assert _summary_value(ws, "Rows with a problem to fix") == s["fix_list"]["rows"]
    assert s["batch_facts"]["findings"] == 108 and s["fix_list"]["findings"] < s["batch_facts"]["findings"]
    rows = list(ws.iter_rows(values_only=True))
    start = rows.index(("Rule", "Severity", "Count", "What to do", None)) + 1
    facts_at = next(i for i in range(start, len(rows)) if str(rows[i][0]).startswith("Batch facts"))
    listed = [r[0].split(" ")[0] for r in rows[start:facts_at]]
    assert "TC101" in listed and not {"TC310", "TC311", "TC312"} & set(listed)
    facts = {r[0].split(" ")[0]: r[3] for r in rows[facts_at + 1:facts_at + 4]}
    assert set(facts) == {"TC310", "TC311", "TC312"}
    assert facts["TC312"].startswith("Nothing to correct in the sheet: send this request first")
    assert ws.page_setup.fitToHeight in (None, 1) and ws.page_setup.fitToWidth in (None, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage


# --------------------------------------------------------------------------- findings


def test_findings_sheet_has_one_row_per_finding(fiscalia, fiscalia_wb):
    ws = fiscalia_wb["Findings"]
    assert [c.value for c in ws[1]] == ["Cell", "Row", "Column", "Header", "Field", "Value", "Severity", "Type",
                                        "Code", "Rule", "Message", "Fix"]
    assert ws.max_row - 1 == len(fiscalia.findings)
    assert ws.auto_filter.ref == f"A1:L{len(fiscalia.findings) + 1}"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["K"].width >= 60  # Message
    first = fiscalia.findings.iloc[0]
    row = [c.value for c in ws[2]]
    rules = {r["rule"]: r for r in fiscalia.rule_pack["rules"]}
    ref = f"{first['column']}{int(first['row'])}"
    kind = "batch fact" if rules[first["rule"]]["fact"] else "to fix" if first["severity"] != "info" else "note"
    assert row == [f'=HYPERLINK("#\'Data\'!{ref}","{ref}")', int(first["row"]), first["column"], first["header"],
                   catalogue("en").field(first["field"]), first["value"], first["severity"], kind, first["rule"],
                   rules[first["rule"]]["title"], first["message"], rules[first["rule"]]["fix"]]
    types = {r[8]: r[7] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert types["TC310"] == types["TC312"] == "batch fact" and types["TC101"] == "to fix"


def test_every_finding_names_and_links_the_cell_that_holds_its_value(fiscalia, fiscalia_wb):
    """The row and column a finding gives are that cell of the Data sheet (the file's own letters
    and row numbers), its link goes there, and the cell holds what the finding quotes."""
    findings, data = fiscalia_wb["Findings"], fiscalia_wb["Data"]
    checked = 0
    for cell, row, letter, header, _, value, *_ in findings.iter_rows(min_row=2, values_only=True):
        if row is None:
            continue
        ref = f"{letter}{row}" if letter else None
        if ref is None:
            assert cell == f'=HYPERLINK("#\'Data\'!{STATUS_LETTER}{row}","{STATUS_LETTER}{row}")'
            continue
        assert cell == f'=HYPERLINK("#\'Data\'!{ref}","{ref}")'
        submitted, shown = fiscalia.source.frame.at[row, header], data[ref].value
        if isinstance(submitted, dt.date) and not isinstance(submitted, dt.datetime):
            shown = shown.date()  # a date cell reads back as a datetime
        assert shown == submitted or (pd.isna(submitted) and shown is None)
        if isinstance(data[ref].value, str):
            assert data[ref].value == value
        assert data.cell(row=fiscalia.source.header_row, column=data[ref].column).value == header
        checked += 1
    assert checked > 50


# --------------------------------------------------------------------------- data

STATUS_LETTER = "P"  # fiscalia_titled.xlsx: 15 submitted columns A-O, tracecheck's from P


def test_data_sheet_keeps_the_submitted_letters_and_rows(fiscalia, fiscalia_wb):
    ws = fiscalia_wb["Data"]
    frame, source = fiscalia.source.frame, fiscalia.source
    head = source.header_row
    assert head == 4  # title rows above the header in the example
    assert [ws.cell(row=head, column=i + 1).value for i in range(len(frame.columns))] == list(frame.columns)
    assert all(ws.cell(row=r, column=1).value is None for r in range(1, head))
    assert ws.max_row == frame.index[-1]
    for row, header in [(5, "Folio"), (8, "Fecha de compra"), (12, "Matrícula"), (40, "Marca"),
                        (frame.index[-1], "Modelo")]:
        expected = frame.at[row, header]
        assert _data_cell(ws, fiscalia, row, header).value == (None if pd.isna(expected) else expected)
    assert ws.freeze_panes == f"A{head + 1}"
    assert ws.auto_filter.ref == f"A{head}:S{frame.index[-1]}"
    assert ws.print_title_rows == f"${head}:${head}" and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 page wide, any number tall
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_flagged_cell_has_severity_fill_and_comment(fiscalia, fiscalia_wb):
    ws = fiscalia_wb["Data"]
    cell = _data_cell(ws, fiscalia, 10, "Matrícula")  # 'S/N': TC101 serial-missing (error)
    assert cell.value == "S/N"
    assert cell.fill.fgColor.rgb.endswith(xlsx_style.FILLS["error"])
    assert cell.comment.text.startswith("TC101 Serial number missing: ")
    clean = _data_cell(ws, fiscalia, 10, "Folio")
    assert clean.comment is None and clean.fill.fill_type is None


def test_cell_with_several_findings_gets_one_comment_and_worst_colour(fiscalia, fiscalia_wb):
    findings = fiscalia.findings[fiscalia.findings["row"].notna() & fiscalia.findings["column"].notna()]
    counts = findings.groupby(["row", "column"]).size()
    row, letter = counts[counts > 1].index[0]
    header = next(h for h, col in fiscalia.source.column_letters.items() if col == letter)
    cell = _data_cell(fiscalia_wb["Data"], fiscalia, int(row), header)
    on_cell = findings[(findings["row"] == row) & (findings["column"] == letter)]
    titles = {r["rule"]: r["title"] for r in fiscalia.rule_pack["rules"]}
    assert cell.comment.text.splitlines() == [f"{f.rule} {titles[f.rule]}: {f.message}" for f in on_cell.itertuples()]
    worst = max(on_cell["severity"], key=lambda s: {"info": 1, "warning": 2, "error": 3}[s])
    assert cell.fill.fgColor.rgb.endswith(xlsx_style.FILLS[worst])


def test_data_sheet_adds_tracecheck_columns_at_the_right(fiscalia, fiscalia_wb):
    ws = fiscalia_wb["Data"]
    head = fiscalia.source.header_row
    headers = [c.value for c in ws[head]]
    assert headers[15:] == ["Status (tracecheck)", "Request age (days)", "Time to crime (days)", "Duplicate group"]
    rows = fiscalia.rows.set_index("row")
    words = catalogue("en")
    for row in fiscalia.source.frame.index[:20]:
        values = [c.value for c in ws[row]][15:]
        expected = [None if pd.isna(v) else v for v in rows.loc[row, ["status", "request_age_days",
                                                                      "time_to_crime_days", "duplicate_group"]]]
        assert values == [words.text("status", expected[0]), *expected[1:]]
    assert ws["S12"].value == ws["S76"].value == "DR-12"


# --------------------------------------------------------------------------- duplicates

DUPLICATE_HEAD = ["Duplicate group", "Kind", "Confidence", "Score", "Cell", "Row", "Agency", "Request ID",
                  "Serial number", "Manufacturer", "Model", "Caliber", "Recovery date", "Evidence"]


def test_duplicates_sheet_is_one_table_of_requests(small, tmp_path):
    assert [g["id"] for g in small.duplicate_groups] == ["DR-2"]
    ws = _write(small, tmp_path / "small.xlsx")["Duplicates"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == DUPLICATE_HEAD and ws.auto_filter.ref == "A1:N3" and ws.freeze_panes == "A2"
    score = small.duplicate_groups[0]["score"]
    status = xlsx_layout_status(small)
    link = '=HYPERLINK("#\'Data\'!{0}","{0}")'.format
    assert rows[1][:8] == ("DR-2", "duplicate request", "same gun", score, link(f"{status}2"), 2, "SEDENA", "MX-1")
    assert rows[2][:8] == ("DR-2", "duplicate request", "same gun", score, link(f"{status}3"), 3, "FGR", "MX-2")
    assert [r[8:12] for r in rows[1:]] == [("1983OR7017", "ROMARM", "WASR-10", "7.62X39"),
                                          ("1983-0R7017", "CUGIR", "WASR-10", "7.62X39")]
    assert rows[1][12] == rows[2][12] == dt.datetime(2024, 3, 2)
    assert rows[1][13] is None and rows[2][13].startswith("Rows 2-3: ") and "same after folding" in rows[2][13]


def xlsx_layout_status(report) -> str:
    """The letter of the status column: right of the last submitted column."""
    from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

    return xl_col_to_name(max(xl_cell_to_rowcol(f"{c}1")[1] for c in report.source.column_letters.values()) + 1)


def test_duplicates_sheet_lists_at_most_max_groups_and_says_so(tmp_path, monkeypatch):
    """A dense batch: the sheet lists MAX_GROUPS groups from every kind, the Summary says how
    many more there are, and the Data sheet still names every member's group."""
    from synth.duplicates import generate_linked_batch
    from tracecheck.writers.xlsx import sheets as xlsx_sheets

    batch = generate_linked_batch(300, seed=7, profile="dense").filter(regex="^[^_]")
    report = tracecheck.check(batch, as_of="2026-11-01")
    kinds = set(report.duplicates.groups["kind"])
    assert len(report.duplicates) > 6 and len(kinds) == 3
    monkeypatch.setattr(xlsx_sheets, "MAX_GROUPS", 6)
    monkeypatch.setattr(xlsx, "MAX_GROUPS", 6)
    wb = _write(report, tmp_path / "dense.xlsx")
    table = list(wb["Duplicates"].iter_rows(min_row=2, values_only=True))
    ids = list(dict.fromkeys(r[0] for r in table))
    assert len(ids) == 6 and {i[:2] for i in ids} == {"DR", "RR", "PD"}
    by_id = {g["id"]: g for g in report.duplicate_groups}
    for gid in ids:  # each listed group shows its rows and their agencies
        mine = [r for r in table if r[0] == gid]
        assert [r[5] for r in mine] == by_id[gid]["rows"]
        assert [r[6] for r in mine] == [batch["Requesting Agency"].iloc[r - 2] for r in by_id[gid]["rows"]]
        sure = "probably the same gun — review" if gid.startswith("PD") else "same gun"
        assert {r[2] for r in mine} == {sure} if by_id[gid]["confidence"] == "flag" else True  # as the HTML says
        paired = {r for p in by_id[gid]["pairs"] for r in p["rows"]}
        assert all(r[13] for r in mine[1:] if r[5] in paired)  # a later member with a scored pair says what ties it
    summary = [c for r in wb["Summary"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    more = len(report.duplicates) - 6
    assert any("6 duplicate groups listed" in c and f"({more} more)" in c for c in summary)
    data = list(wb["Data"].iter_rows(values_only=True))
    column = data[0].index("Duplicate group")
    named = {v for r in data[1:] for v in [r[column]] if v}
    assert named == set(report.duplicates.group_of_row().tolist())


def test_duplicates_sheet_without_groups(tmp_path):
    report = tracecheck.check(_batch().iloc[[2]], as_of=AS_OF)
    ws = _write(report, tmp_path / "none.xlsx")["Duplicates"]
    assert ws["A1"].value == "No duplicate groups."


# --------------------------------------------------------------------------- formula injection


def test_formula_like_text_round_trips_as_text(tmp_path):
    n = len(INJECTIONS)
    frame = pd.DataFrame({
        "Request ID": [f"R-{i}" for i in range(n)], "Agency": INJECTIONS, "Manufacturer": ["Ruger"] * n,
        "Model": ["LCP"] * n, "Caliber": [".380"] * n, "Type": ["PISTOL"] * n, "Serial Number": INJECTIONS,
        "Recovery Date": ["2024-03-02"] * n, "Notes": ["\rCR first"] + ["x"] * (n - 1)})
    report = tracecheck.check(frame, as_of=AS_OF)
    wb = _write(report, tmp_path / "inject.xlsx")
    data = wb["Data"]
    for i, text in enumerate(INJECTIONS, start=2):
        for column in ("B", "G"):  # Agency, Serial Number
            cell = data[f"{column}{i}"]
            assert cell.value == text and cell.data_type == "s"
    cr = data["I2"]
    assert cr.data_type == "s" and cr.value.endswith("CR first")  # XML turns a bare CR into LF; still text
    findings = wb["Findings"]
    values = [c for c in findings["F"][1:] if c.value in INJECTIONS]
    assert values and all(c.data_type == "s" for c in values)
    formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(f.startswith('=HYPERLINK("#\'Data\'!') for f in formulas)  # only tracecheck's links


def test_safe_text_helpers():
    assert [is_formula_like(v) for v in ("=A1", "+1", "-2", "@x", "\tx", "\rx", "A=1", "", 5, None)] == \
        [True] * 6 + [False] * 4
    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_safe("-2") == "'-2" and csv_safe("ABC") == "ABC" and csv_safe(3) == 3
    assert safe_cell_text("=SUM(A1)") == "=SUM(A1)"  # kept exactly: the cell type makes it text
    assert safe_cell_text("a\x00b\x1fc") == "a\ufffdb\ufffdc"
    assert len(safe_cell_text("x" * 40_000)) == 32_767
    assert safe_cell_text(4.5) == 4.5


def test_control_characters_do_not_break_the_workbook(tmp_path):
    report = tracecheck.check(_batch(Model=["WASR\x0010", "WASR-10", "19"]), as_of=AS_OF)
    ws = _write(report, tmp_path / "ctrl.xlsx")["Data"]
    assert ws["D2"].value == "WASR\ufffd10"


# --------------------------------------------------------------------------- language and modes


def test_spanish_labels(tmp_path):
    small_es = tracecheck.check(_batch(), as_of=AS_OF, lang="es")
    wb = _write(small_es, tmp_path / "es.xlsx")
    assert wb.sheetnames == SHEETS_ES
    assert wb["Hallazgos"]["A1"].value == "Celda" and wb["Hallazgos"]["L1"].value == "Corrección"
    assert wb["Hallazgos"]["A2"].value.startswith('=HYPERLINK("#\'Datos\'!')
    assert wb["Datos"]["A1"].value == "Request ID" and wb["Datos"]["M1"].value == "Estado (tracecheck)"
    to_fix = small_es.summary["fix_list"]["findings"]
    assert _summary_value(wb["Resumen"], "Problemas por corregir (errores y advertencias)") == to_fix
    assert wb["Resumen"]["A2"].value.startswith("3 solicitudes revisadas al 2026-11-22")
    assert _summary_items(wb["Técnico"])["summary.rows"] == 3
    rows = list(wb["Duplicados"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Grupo de duplicados", "Tipo", "Confianza") and rows[0][8] == "Matrícula"
    assert rows[1][1:3] == ("solicitud duplicada", "misma arma")
    assert "igual al unificar" in rows[2][13]


def test_large_batches_cap_comments(fiscalia, fiscalia_wb, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "CAP_COMMENTS_ABOVE", 10)
    monkeypatch.setattr(xlsx, "MAX_COMMENTS", 5)
    monkeypatch.setattr(xlsx_style, "ROW_BLOCK", 7)  # rows written in blocks: the blocks join up
    wb = _write(fiscalia, tmp_path / "big.xlsx")
    assert wb.sheetnames == SHEETS_EN
    data, findings = wb["Data"], wb["Findings"]
    assert data.max_row == fiscalia.source.frame.index[-1] and findings.max_row - 1 == len(fiscalia.findings)
    assert findings.freeze_panes == "A2" and findings.auto_filter.ref == f"A1:L{len(fiscalia.findings) + 1}"
    cells = [c for row in data.iter_rows(min_row=fiscalia.source.header_row + 1) for c in row]
    filled = [c for c in cells if c.fill.fill_type == "solid" and c.column_letter <= STATUS_LETTER]
    flagged = xlsx_data.flagged_cells(ReportView(fiscalia), xlsx_layout.DataLayout.of(ReportView(fiscalia), set()))
    status_only = sum(1 for c in data[STATUS_LETTER][fiscalia.source.header_row:] if c.fill.fill_type == "solid"
                      and (c.row, 15) not in flagged)  # status cells are filled by status too
    assert len(filled) - status_only == len(flagged)
    assert len([c for c in cells if c.comment is not None]) == 5
    cell = _data_cell(data, fiscalia, 10, "Matrícula")
    assert cell.value == "S/N" and cell.fill.fgColor.rgb.endswith("FFC7CE")
    notes = [row[0] for row in wb["Summary"].iter_rows(values_only=True) if row[0]]
    assert any(str(n).startswith("Cell comments omitted after the first 5 flagged cells") for n in notes)
    assert _summary_items(wb["Technical"]) == _summary_items(fiscalia_wb["Technical"])
    assert _notes(wb["Summary"]) == _notes(fiscalia_wb["Summary"])  # no note leaks onto the next cell
    for name in ("Findings", "Data"):  # the same cells as the one-block workbook
        assert list(wb[name].iter_rows(values_only=True)) == list(fiscalia_wb[name].iter_rows(values_only=True))


def test_batch_level_findings_have_no_row_or_column(tmp_path):
    report = tracecheck.check(_batch().drop(columns=["Serial Number"]), as_of=AS_OF)
    wb = _write(report, tmp_path / "noserial.xlsx")
    tc001 = next(row for row in wb["Findings"].iter_rows(min_row=2, values_only=True) if row[8] == "TC001")
    assert tc001[:5] == (None, None, None, None, "Serial number") and tc001[6] == "error"
    assert _summary_items(wb["Technical"])["summary.batch_errors"] == report.summary["batch_errors"] >= 1


def test_row_finding_without_a_cell_is_noted_on_the_status_cell(small, tmp_path):
    findings = small.findings.copy()
    findings.loc[findings.index[0], "column"] = pd.NA  # a row-level finding on no submitted column
    report = dataclasses.replace(small, findings=findings)
    wb = _write(report, tmp_path / "rowlevel.xlsx")
    row, status = int(findings.iloc[0]["row"]), xlsx_layout_status(small)
    cell = wb["Data"][f"{status}{row}"]
    assert cell.value in {"error", "warning", "info", "ok"} or cell.value
    assert cell.comment.text.startswith(findings.iloc[0]["rule"])
    assert wb["Findings"]["A2"].value == f'=HYPERLINK("#\'Data\'!{status}{row}","{status}{row}")'


def test_sheets_stop_at_the_excel_row_limit(fiscalia, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_style, "MAX_SHEET_ROWS", 31)
    wb = _write(fiscalia, tmp_path / "limit.xlsx")
    assert wb["Findings"].max_row == 30 and wb["Data"].max_row == 31  # Data rows keep their numbers
    hidden = int((fiscalia.source.frame.index > 31).sum())
    notes = [row[0] for row in wb["Summary"].iter_rows(values_only=True) if isinstance(row[0], str)]
    assert f"Data: {hidden:,} rows not shown (Excel sheet limit)" in notes
    assert f"Findings: {len(fiscalia.findings) - 29:,} rows not shown (Excel sheet limit)" in notes


def test_dataframe_sources_have_no_sheet(small, tmp_path):
    ws = _write(small, tmp_path / "df.xlsx")["Technical"]
    items = _summary_items(ws)
    assert items["batch.source"] == "<dataframe>" and items["batch.sheet"] is None


def test_summary_lists_the_agencies_and_worst_rows_of_the_json(fiscalia, fiscalia_wb):
    rows = list(fiscalia_wb["Technical"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[2] == "summary.by_agency") + 2
    agencies = fiscalia.summary["by_agency"]
    shown = [r[:5] for r in rows[start:start + len(agencies)]]
    assert shown == [(a["agency"] or "(no agency given)", a["requests"], a["errors"], a["warnings"], a["infos"])
                     for a in agencies]
    start = next(i for i, r in enumerate(rows) if r[2] == "summary.worst_rows") + 2
    worst = fiscalia.summary["worst_rows"]
    assert [r[0] for r in rows[start:start + len(worst)]] == [w["row"] for w in worst]
    assert [r[3:5] for r in rows[start:start + len(worst)]] == [(w["errors"], w["warnings"]) for w in worst]


# --------------------------------------------------------------------------- XlsxWriter fast path

TRICKY_TEXT = ["plain", "é ñ 漢字", "=1+1", '=HYPERLINK("x")', "http://example.invalid/a?b=1&c=2", "www.example.org",
               "007", "1e5", "a&b", "<tag>", 'say "hi"', " lead", "trail ", "\ttab", "a\nb", "x\n", "_x0041_",
               "a_x00e9_b", "\x01ctrl", "\ufffd", "ok\ufffe", "", "TRUE", "#N/A", "x" * 40_000]


def _sheet_xml(rows, reference: bool = False) -> bytes:
    """The first sheet's XML of a workbook written through a Sheet (put_rows), or with
    ``reference`` cell by cell through XlsxWriter's own public methods."""
    import io
    import zipfile

    buffer = io.BytesIO()
    book = xlsx_style.Book(buffer)
    sheet = book.sheet("S")
    sheet.setup((10, 20, 30), freeze="B2")
    for r, row in enumerate(rows):
        if not reference:
            sheet.append(row)
            continue
        for c, value in enumerate(row):
            fmt, commented = None, None
            if isinstance(value, xlsx_style.Cell):
                fmt = book.format(value.style) if value.style != (None, None, None) else None
                commented, value = (value if value.comment else None), value.value
            if isinstance(value, dt.date):
                sheet.ws.write_datetime(r, c, value, fmt or book.format((None, None, xlsx_style._date_format(value))))
            elif isinstance(value, bool):
                sheet.ws.write_boolean(r, c, value, fmt)
            elif isinstance(value, (int, float)):
                sheet.ws.write_number(r, c, value, fmt)
            elif value == "":  # an empty cell, not an empty string (xmlrows)
                sheet.ws.write_blank(r, c, None, fmt)
            elif isinstance(value, str):  # control characters XML cannot hold become U+FFFD (safe_cell_text)
                sheet.ws.write_string(r, c, safe_cell_text(value), fmt)
            if commented is not None:
                sheet._comment(r, c, commented)
    book.close()
    with zipfile.ZipFile(buffer) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_rows_are_written_as_xlsxwriter_writes_them():
    """put_rows writes the very XML XlsxWriter's own cell-by-cell path does, for every kind of
    cell: tricky text, numbers, styles, comments, dates, booleans, empty rows."""
    numbers = [0, 1, -2, 2.5, 1e20, 1 / 3, 12345678901234567, -0.0, 3.14159e-10]
    styled = xlsx_style.cell("flagged", fill=xlsx_style.FILLS["error"], comment="TC101 note")
    rows = [[text, xlsx_style.cell(text, font=xlsx_style.BOLD), n] for text, n in zip(TRICKY_TEXT, numbers * 3)]
    rows += [[styled, None, xlsx_style.cell(dt.date(2024, 3, 2))], [], [True, 7, "end"],
             [dt.datetime(2024, 3, 2, 10, 30), xlsx_style.cell(12, fill=xlsx_style.FILLS["info"])]]
    fast, plain = _sheet_xml(rows), _sheet_xml(rows, reference=True)
    assert b"inlineStr" in fast and b"<legacyDrawing" in fast and fast == plain


def test_blocks_are_written_as_rows_are():
    """Sheet.write_block (by column, text through Arrow) writes the same sheet as appending the
    same cells row by row, styles and comments included."""
    import numpy as np
    import pyarrow as pa

    texts = [t for t in TRICKY_TEXT if t] * 2
    n = len(texts)
    numbers = [i * 1.5 if i % 3 else None for i in range(n)]
    mixed = [dt.date(2024, 1, 1 + i % 20) if i % 2 else f"r{i}" for i in range(n)]
    fills = [("FFC7CE", None, None) if i % 4 == 0 else None for i in range(n)]
    notes = {(i + 1, 0): f"note {i}" for i in range(0, n, 5)}
    links = [xlsx_style.Link("Data & more", f"C{i}", f"C{i}") if i % 3 else None for i in range(n)]
    whole = [i * 1000 - 7 if i % 4 else None for i in range(n)]
    rows = [[xlsx_style.Cell(t, fills[i] or (None, None, None), notes.get((i + 1, 0))), numbers[i], whole[i], mixed[i],
             links[i]] for i, t in enumerate(texts)]

    def write(by_block: bool) -> bytes:
        import io
        import zipfile

        buffer = io.BytesIO()
        book = xlsx_style.Book(buffer)
        sheet = book.sheet("S")
        sheet.append(["head"])
        if by_block:
            column = xlsx_style.Links(pa.array([x and x.sheet for x in links]), pa.array([x and x.ref for x in links]),
                                      False)
            sheet.write_block(np.arange(1, n + 1), {0: pd.Series(texts, dtype=object), 1: numbers, 2: whole, 3: mixed,
                                                     4: column}, styles={0: fills}, comments=notes)
        else:
            for row in rows:
                sheet.append(row)
        sheet.append(["after"])
        book.close()
        with zipfile.ZipFile(buffer) as archive:
            return archive.read("xl/worksheets/sheet1.xml")

    block, appended = write(True), write(False)
    assert b"_x005F_x0041_" in block and "\ufffdctrl".encode() in block and block == appended


def test_text_shaped_like_xml_stays_text(tmp_path):
    """XlsxWriter writes text that starts with <r> and ends with </r> into the sheet unescaped
    (its rich-string form); put_rows escapes it, so the cell reads back as submitted."""
    path = tmp_path / "rich.xlsx"
    with open(path, "wb") as fp:
        book = xlsx_style.Book(fp)
        book.sheet("S").append(["<r>oops</r>", "<r><t>x</t></r>"])
        book.close()
    ws = openpyxl.load_workbook(path)["S"]
    assert (ws["A1"].value, ws["B1"].value) == ("<r>oops</r>", "<r><t>x</t></r>")


def test_links_go_to_their_cell(tmp_path):
    path = tmp_path / "link.xlsx"
    with open(path, "wb") as fp:
        book = xlsx_style.Book(fp)
        book.sheet("S").append([xlsx_style.Link("Data sheet's", "H7", "H7"), "after"])
        book.close()
    ws = openpyxl.load_workbook(path)["S"]
    assert ws["A1"].value == '=HYPERLINK("#\'Data sheet\'\'s\'!H7","H7")' and ws["B1"].value == "after"
    assert ws["A1"].font.underline == "single"


def test_text_that_looks_like_a_formula_url_or_number_stays_text(tmp_path):
    path = tmp_path / "text.xlsx"
    with open(path, "wb") as fp:
        book = xlsx_style.Book(fp)
        sheet = book.sheet("S")
        for text in TRICKY_TEXT:
            sheet.append([text])
        book.close()
    ws = openpyxl.load_workbook(path)["S"]
    cells = [ws.cell(row=i, column=1) for i in range(1, len(TRICKY_TEXT) + 1)]
    assert all(c.data_type == "s" and c.hyperlink is None for c, text in zip(cells, TRICKY_TEXT) if text)
    assert cells[TRICKY_TEXT.index("")].value is None
    expected = {t: t for t in TRICKY_TEXT} | {"x" * 40_000: "x" * 32_767, "": None}  # Excel's limit per cell
    for text, c in zip(TRICKY_TEXT, cells):
        if text in ("\x01ctrl", "_x0041_", "a_x00e9_b", "ok\ufffe"):
            continue  # XlsxWriter writes these as _xHHHH_ escapes, which Excel reads back as written
        assert c.value == expected[text], repr(text)


def test_a_failed_write_leaves_no_temporary_files(small, tmp_path, monkeypatch):
    """constant_memory mode keeps a temporary file per sheet until the workbook is closed; a write
    that fails (or is interrupted) part way removes them."""
    import io
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def broken(*args):
        assert len(list(temp.iterdir())) == 3  # one per sheet made so far
        raise RuntimeError("disk gone")

    monkeypatch.setattr(xlsx, "data_sheets", broken)
    with pytest.raises(RuntimeError, match="disk gone"):
        write_xlsx(ReportView(small), io.BytesIO())
    assert list(temp.iterdir()) == []
