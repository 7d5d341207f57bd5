"""The table's true shape (issue 10 §2): which rows and columns of a sheet are the requests.

Repeated headers, totals, subtotals, signature and page lines are dropped with their reason; a header
over two rows under merged group labels is read as one; ``--header-row``/``header_row=`` override
detection; the default sheet is the one whose headers map best, ``--sheet all`` checks same-layout
tabs as one batch; cells merged down a block apply to every row they cover; an Excel table's totals
row and a side table past a blank column are no requests. Files are built on the fly; the reader
(tracecheck.read), the library (tracecheck.check, as an ETL job calls it) and the command line
(CliRunner and a real process) are each exercised.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl.worksheet.table import Table
from workbooks import write_xlsx

import tracecheck
from tracecheck.cli import main
from tracecheck.errors import InputError
from tracecheck.read import SHEET_ROW_BLOCK, read_batch

AS_OF = dt.date(2026, 1, 1)
HEAD = ["Request ID", "Agency", "Manufacturer", "Model", "Serial Number", "Purchase Date", "Request Date"]


def req(n: int, agency: str = "Laredo PD", serial: str | None = None, maker: str = "Glock") -> list[object]:
    return [f"TR-{n:03d}", agency, maker, "19", serial if serial is not None else f"BXY{n:04d}", "2024-01-10",
            "2024-03-01"]


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    path.write_text("".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def dropped(batch) -> list[tuple[int, str]]:
    return [(d.row, d.reason) for d in batch.dropped_rows]


def findings(report) -> list[tuple[str, int, str | None]]:
    return [(f.rule, f.row, f.column) for f in report.iter_findings()]


# --------------------------------------------------------------------------- rows that are no requests


def test_repeated_header_lines_are_dropped_with_their_reason(tmp_path):
    rows = [HEAD, *[req(n) for n in range(1, 5)], HEAD, *[req(n) for n in range(5, 9)], HEAD, req(9)]
    batch = read_batch(write_csv(tmp_path / "pages.csv", rows))
    assert dropped(batch) == [(6, "repeated_header"), (11, "repeated_header")]
    assert len(batch.frame) == 9 and "Request ID" not in set(batch.frame["Request ID"])


def test_totals_subtotals_and_signatures_are_dropped_wherever_they_stand(tmp_path):
    rows = [HEAD, req(1), req(2), ["Subtotal Laredo PD", None, None, None, "2"],
            req(3, "Webb County SO"), ["Total Webb County SO", None, None, None, 1],
            ["Grand Total", None, None, None, 3], [], ["Elaboró: Lic. Pérez"], ["Página 1 de 1"]]
    batch = read_batch(write_csv(tmp_path / "totals.csv", rows))
    assert dropped(batch) == [(4, "total_line"), (6, "total_line"), (7, "total_line"), (9, "footer_line"),
                              (10, "footer_line")]
    assert list(batch.frame.index) == [2, 3, 5]


def test_a_request_is_never_dropped_for_one_word(tmp_path):
    """An agency called 'Total Security Inc', a maker 'Page', a serial that is a small number: the
    row as a whole is a request (it has a serial, a maker and dates)."""
    rows = [HEAD, req(1, agency="Total Security Inc"), req(2, maker="Page"), req(3, serial="7"),
            ["Total de solicitudes", None, None, None, 3]]
    batch = read_batch(write_csv(tmp_path / "words.csv", rows))
    assert list(batch.frame.index) == [2, 3, 4]
    assert dropped(batch) == [(5, "total_line")]


def test_dropped_rows_reach_the_report_and_its_summary(tmp_path):
    rows = [HEAD, req(1), HEAD, req(2), ["Total", None, None, None, 2], ["Generado por SIRA el 2024-05-01"]]
    report = tracecheck.check(write_csv(tmp_path / "r.csv", rows), as_of=AS_OF)
    assert report.batch["dropped_rows"] == [{"row": 3, "reason": "repeated_header"},
                                            {"row": 5, "reason": "total_line"}, {"row": 6, "reason": "footer_line"}]
    assert report.summary["rows_dropped"] == {"repeated_header": 1, "total_line": 1, "footer_line": 1}
    assert report.summary["rows"] == 2
    assert not [f for f in findings(report) if f[1] in (3, 5, 6)]


# --------------------------------------------------------------------------- the header


GROUPED_TOP = ["Folio", "Dependencia", "Arma", None, None, "No. de serie", "Fechas", None, None]
GROUPED_SUB = [None, None, "Marca", "Modelo", "Calibre", None, "Compra", "Aseguramiento", "Solicitud"]


def _merge_groups(name, sheet):
    for area in ("A1:A2", "B1:B2", "C1:E1", "F1:F2", "G1:I1"):
        sheet.merge_cells(area)


def test_two_row_header_under_merged_group_labels_is_one_header(tmp_path):
    rows = [GROUPED_TOP, GROUPED_SUB,
            ["F-1", "SSP", "Glock", "19", "9mm", "BXY1", "2024-01-10", "2024-02-01", "2024-03-01"],
            ["F-2", "SSP", "Ruger", "LCP", ".380", "LIMADO", "2024-01-11", "2024-02-02", "2024-03-02"]]
    path = write_xlsx(tmp_path / "grupos.xlsx", {"Solicitudes": rows}, setup=_merge_groups)
    batch = read_batch(path)
    assert (batch.header_row, batch.header_rows) == (1, 2)
    assert list(batch.frame.index) == [3, 4]
    assert list(batch.frame.columns)[2:5] == ["Marca", "Modelo", "Calibre"]
    report = tracecheck.check(path, as_of=AS_OF)
    mapped = {m["field"]: m["header"] for m in report.mapping}
    assert {mapped["purchase_date"], mapped["recovery_date"], mapped["request_date"]} == {
        "Fechas Compra", "Fechas Aseguramiento", "Fechas Solicitud"}
    assert mapped["manufacturer"] == "Marca"


def test_a_data_row_is_never_taken_for_sub_labels(tmp_path):
    rows = [["Folio", "Marca", "Modelo", "Serie"], ["F-1", "Glock", "19", "BXY1"], ["F-2", "Ruger", "LCP", "QQ2"]]
    batch = read_batch(write_xlsx(tmp_path / "plain.xlsx", {"Hoja": rows}))
    assert (batch.header_row, batch.header_rows) == (1, 1)
    assert list(batch.frame.index) == [2, 3]


def test_header_row_overrides_detection_in_the_library_and_the_cli(tmp_path):
    """Row 1 holds more labels than the real header (a legend); header_row=3 says where it is."""
    rows = [["Leyenda", "A = activo", "B = baja", "C = cancelado", "D = duplicado", "E = en curso", "F = fin",
             "G = gral"], [], HEAD, req(1), req(2, serial="")]
    path = write_csv(tmp_path / "legend.csv", rows)
    assert read_batch(path).header_row == 1
    report = tracecheck.check(path, header_row=3, as_of=AS_OF)
    assert report.batch["header_row"] == 3 and report.summary["rows"] == 2
    assert ("TC101", 5, "E") in findings(report)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(out), "-q", "--header-row", "3",
                                       "--as-of", "2026-01-01"])
    assert result.exit_code == 1, result.output
    document = json.loads((out / "legend.report.json").read_text(encoding="utf-8"))
    assert document["batch"]["header_row"] == 3
    assert ["TC101", 5, "E"] in [[f["rule"], f["row"], f["column"]] for f in document["findings"]]


@pytest.mark.parametrize(("value", "words"), [("0", "--header-row"), ("99", "header row 99")])
def test_a_header_row_outside_the_sheet_is_a_one_line_error(tmp_path, value, words):
    path = write_csv(tmp_path / "small.csv", [HEAD, req(1)])
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path / "out"), "--header-row", value])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and words in lines[-1]
    if value == "99":
        assert len(lines) == 1 and "small.csv" in lines[0]
        with pytest.raises(InputError, match="beyond the last row"):
            tracecheck.check(path, header_row=99)


# --------------------------------------------------------------------------- which sheet


def test_default_sheet_is_the_one_whose_headers_map_best(tmp_path):
    path = write_xlsx(tmp_path / "libro.xlsx", {
        "Instrucciones": [["Paso", "Descripción", "Responsable"], ["1", "Llene una fila por arma", "Analista"],
                          ["2", "No deje la serie en blanco", "Analista"]],
        "Solicitudes": [HEAD, req(1), req(2, serial="")],
    })
    report = tracecheck.check(path, as_of=AS_OF)
    assert report.batch["sheet"] == "Solicitudes" and report.summary["rows"] == 2
    assert report.batch["other_sheets"] == []
    assert "TC001" not in {f[0] for f in findings(report)}


def test_summary_names_the_sheet_checked_and_other_batch_like_sheets(tmp_path):
    path = write_xlsx(tmp_path / "meses.xlsx", {"Enero": [HEAD, req(1)], "Febrero": [HEAD, req(2), req(3)],
                                                "Notas": [["Nota"], ["Revisar febrero"]]})
    report = tracecheck.check(path, as_of=AS_OF)
    assert (report.batch["sheet"], report.batch["other_sheets"]) == ("Enero", ["Febrero"])
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path / "out"), "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert "sheet: Enero" in result.output
    assert "other sheets that look like batches, not checked: Febrero" in result.output


def test_sheet_all_checks_same_layout_tabs_as_one_batch(tmp_path):
    path = write_xlsx(tmp_path / "meses.xlsx", {
        "Enero": [HEAD, req(1), req(2, serial="")],
        "Febrero": [HEAD, req(3), req(4, serial="")],
        "Resumen": [["Mes", "Solicitudes"], ["Enero", 2], ["Febrero", 2]],
    })
    report = tracecheck.check(path, sheet="all", as_of=AS_OF)
    assert report.batch["sheets"] == ["Enero", "Febrero"] and report.batch["sheet"] is None
    assert report.summary["rows"] == 4
    missing = [(f.sheet, f.row) for f in report.iter_findings() if f.rule == "TC101"]
    assert missing == [("Enero", 3), ("Febrero", SHEET_ROW_BLOCK + 3)]
    assert list(report.findings.loc[report.findings["rule"] == "TC101", "sheet"]) == ["Enero", "Febrero"]


def test_sheet_all_in_a_real_process(tmp_path):
    path = write_xlsx(tmp_path / "meses.xlsx", {"Enero": [HEAD, req(1, serial="")], "Febrero": [HEAD, req(2)]})
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "tracecheck", "check", str(path), "--out", str(out), "--sheet", "all",
                           "--as-of", "2026-01-01", "--format", "json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "sheets checked together: Enero, Febrero" in done.stderr, done.stderr
    assert "row Enero!2 (" in done.stderr and "row Febrero!2 (" in done.stderr, done.stderr  # the worst rows
    document = json.loads((out / "meses.report.json").read_text(encoding="utf-8"))
    assert [(f["sheet"], f["row"]) for f in document["findings"] if f["rule"] == "TC101"] == [("Enero", 2)]
    assert document["batch"]["sheets"] == ["Enero", "Febrero"]


# --------------------------------------------------------------------------- workbook layout


def test_cells_merged_down_a_block_apply_to_every_row(tmp_path):
    rows = [HEAD, req(1), req(2, agency=None), req(3, agency=None), req(4, agency="Webb County SO")]
    rows[1][6], rows[2][6], rows[3][6] = "2024-03-01", None, None

    def merge(name, sheet):
        sheet.merge_cells("B2:B4")
        sheet.merge_cells("G2:G4")

    batch = read_batch(write_xlsx(tmp_path / "bloques.xlsx", {"Solicitudes": rows}, setup=merge))
    assert list(batch.frame["Agency"]) == ["Laredo PD", "Laredo PD", "Laredo PD", "Webb County SO"]
    assert list(batch.frame["Request Date"])[:3] == ["2024-03-01"] * 3


def test_an_excel_tables_totals_row_is_no_request(tmp_path):
    def table(name, sheet):
        sheet.append(["Total", None, None, None, "=SUBTOTAL(103,Requests[Serial Number])", None, None])
        sheet.add_table(Table(displayName="Requests", ref="A1:G4", totalsRowCount=1))

    path = write_xlsx(tmp_path / "tabla.xlsx", {"Requests": [HEAD, req(1), req(2, serial="")]}, setup=table)
    report = tracecheck.check(path, as_of=AS_OF)
    assert report.batch["dropped_rows"] == [{"row": 4, "reason": "table_totals"}]
    assert ("TC101", 3, "E") in findings(report) and not [f for f in findings(report) if f[1] == 4]
    assert report.summary["rows"] == 2


def test_a_side_table_past_a_blank_column_is_not_part_of_the_data(tmp_path):
    rows = [[*HEAD, None, "Mes", "Total"], [*req(1), None, "Enero", 4], [*req(2), None, "Febrero", 7],
            [*req(3), None, None, None], [*req(4), None, None, None], [*req(5), None, None, None]]
    batch = read_batch(write_xlsx(tmp_path / "lado.xlsx", {"Solicitudes": rows}))
    assert list(batch.frame.columns) == HEAD
    assert batch.side_tables == ("I1:J3",)
    report = tracecheck.check(tmp_path / "lado.xlsx", as_of=AS_OF)
    assert report.batch["side_tables"] == ["I1:J3"]


def test_large_tables_decide_as_small_ones(tmp_path):
    """Past rows.SMALL cells a column is matched vectorised: the same rows are dropped."""
    rows = [HEAD, *[req(n) for n in range(1, 700)], ["Subtotal Laredo PD", None, None, None, "699"], HEAD,
            req(700, agency="Total Security Inc"), ["Total de solicitudes: 700"], ["Página 2 de 2"]]
    batch = read_batch(write_csv(tmp_path / "big.csv", rows))
    assert dropped(batch) == [(701, "total_line"), (702, "repeated_header"), (704, "total_line"),
                              (705, "footer_line")]
    assert len(batch.frame) == 700


def test_many_sparse_rows_decide_as_few(tmp_path):
    """Past rows.SMALL sparse rows their cells are matched vectorised (RE2 on Arrow text): the same kinds."""
    rows: list[list[object]] = [HEAD]
    for n in range(1, 601):
        rows += [req(n, agency=f"Agency {n}"), [f"Subtotal Agency {n}", None, None, None, 1]]
    rows += [req(601, agency="Total Security Inc"), ["Elaboró: Lic. Pérez"], ["Página 1 de 1"]]
    batch = read_batch(write_csv(tmp_path / "blocks.csv", rows))
    reasons = dropped(batch)
    assert reasons[:2] == [(3, "total_line"), (5, "total_line")] and len(reasons) == 602
    assert reasons[-3:] == [(1201, "total_line"), (1203, "footer_line"), (1204, "footer_line")]
    assert len(batch.frame) == 601 and batch.frame.index[-1] == 1202


# --------------------------------------------------------------------------- a forced header row and the sheets

MONTH_HEAD = ["Request ID", "Agency", "Manufacturer", "Model", "Caliber", "Type", "Serial Number", "Purchase Date",
              "Recovery Date", "Request Date"]


def titled_months(path: Path) -> Path:
    """A 3-row Resumen first, then monthly tabs with 3 title rows, the header on row 4 and 12 requests."""
    def month(name: str) -> list[list[object]]:
        return [["Solicitudes de rastreo"], [f"Periodo: {name} 2024"], ["Generado 2024-04-01"], MONTH_HEAD,
                *[[f"TR-{name[:2]}{n:03d}", "Laredo PD", "Glock", "19", "9mm", "Pistol", f"BXY{n:04d}{name[0]}",
                   "2024-01-10", "2024-02-10", "2024-03-01"] for n in range(12)]]
    return write_xlsx(path, {"Resumen": [["Mes", "Solicitudes"], ["Enero", 12], ["Febrero", 12]],
                             **{name: month(name) for name in ("Enero", "Febrero", "Marzo")}})


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args, "--as-of", "2026-01-01", "--format", "json"])
    return result.exit_code, result.stderr


def test_a_forced_header_row_skips_sheets_too_short_for_it(tmp_path):
    path = titled_months(tmp_path / "meses.xlsx")
    report = tracecheck.check(path, header_row=4, as_of=AS_OF)
    assert (report.batch["sheet"], report.batch["header_row"], report.summary["rows"]) == ("Enero", 4, 12)
    assert report.batch["other_sheets"] == ["Febrero", "Marzo"]
    code, err = run(str(path), "--out", str(tmp_path / "out"), "--header-row", "4")
    assert code == 0 and "sheet: Enero" in err and "beyond" not in err, err
    with pytest.raises(InputError, match="header row 40 is beyond the last row of every sheet"):
        read_batch(path, header_row=40)


def test_sheet_all_with_a_forced_header_row_checks_every_tab_or_says_none_fits(tmp_path):
    path = titled_months(tmp_path / "meses.xlsx")
    report = tracecheck.check(path, sheet="all", header_row=4, as_of=AS_OF)
    assert report.batch["sheets"] == ["Enero", "Febrero", "Marzo"] and report.summary["rows"] == 36
    code, err = run(str(path), "--out", str(tmp_path / "out"), "--sheet", "all", "--header-row", "4")
    assert code == 0 and "sheets checked together: Enero, Febrero, Marzo" in err, err
    with pytest.raises(InputError, match="no sheet has a header on row 2"):
        tracecheck.check(path, sheet="all", header_row=2, as_of=AS_OF)
    code, err = run(str(path), "--out", str(tmp_path / "out"), "--sheet", "all", "--header-row", "2")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "no sheet has a header on row 2" in err and "internal error" not in err and "Traceback" not in err


def test_with_sheet_all_the_sheets_left_out_are_said_to_have_other_columns(tmp_path):
    reordered = [HEAD[0], HEAD[1], HEAD[4], HEAD[2], HEAD[3], HEAD[5], HEAD[6]]
    path = write_xlsx(tmp_path / "meses.xlsx", {"Enero": [HEAD, req(1)], "Febrero": [HEAD, req(2)],
                                                "Marzo": [reordered, [req(3)[i] for i in (0, 1, 4, 2, 3, 5, 6)]]})
    report = tracecheck.check(path, sheet="all", as_of=AS_OF)
    assert (report.batch["sheets"], report.batch["other_sheets"]) == (["Enero", "Febrero"], ["Marzo"])
    code, err = run(str(path), "--out", str(tmp_path / "out"), "--sheet", "all")
    assert code == 0, err
    assert "not checked: Marzo (their columns differ from those of the sheets checked; check one with --sheet NAME)" \
        in " ".join(err.split())
    assert "--sheet all" not in err
    code, err = run(str(path), "--out", str(tmp_path / "out"))
    assert "not checked: Febrero, Marzo" in err and "together with --sheet all" in " ".join(err.split())
