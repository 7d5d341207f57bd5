"""File types and encodings as they arrive (issue 10, part 3), end to end: an .ods workbook, a web
page's table under .xls, files that are no table, empty files, and csv text that needed mending,
through the CLI in a real subprocess (exit codes and the one-line error) and through the library."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tracecheck
from tracecheck.errors import InputError
from tracecheck.read import read_batch

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Request ID", "Serial Number", "Manufacturer", "Model", "Recovery Date"]
ROWS = [["TR-1", "ABCD123", "Glock", "19", "2024-06-01"], ["TR-2", None, "Colt", "1911", "2024-06-02"],
        ["TR-3", "XYZ987", "Ruger", "LCP", "2024-06-03"]]
AS_OF = dt.date(2026, 11, 22)


def _ods(rows: list[list[str | None]], repeat_last_row: int = 1) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice lays it out (mimetype first, stored)."""
    def cell(value: str | None) -> str:
        return "<table:table-cell/>" if value is None else \
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows[:-1])
    body += (f'<table:table-row table:number-rows-repeated="{repeat_last_row}">'
             f"{''.join(cell(v) for v in rows[-1])}</table:table-row>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Solicitudes">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracecheck", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_ods_workbook_is_read_like_xlsx(tmp_path: Path) -> None:
    (path := tmp_path / "libreoffice.ods").write_bytes(_ods([HEADER, *ROWS]))
    batch = read_batch(path)
    assert batch.sheet == "Solicitudes"
    assert list(batch.frame.columns) == HEADER and list(batch.frame.index) == [2, 3, 4]
    report = tracecheck.check(path, as_of=AS_OF)
    assert [(f.rule, f.row, f.column) for f in report.findings.itertuples() if f.rule == "TC101"] == [("TC101", 3, "B")]


def test_ods_with_a_row_repeated_a_million_times_is_refused_before_calamine(tmp_path: Path) -> None:
    (path := tmp_path / "repeated.ods").write_bytes(_ods([HEADER, ROWS[0], ["x"] * 2000], repeat_last_row=1_000_000))
    with pytest.raises(InputError, match="over the limits") as err:
        read_batch(path)
    assert "repeated.ods" in str(err.value) and "\n" not in str(err.value)


def test_html_table_under_xls_is_read_with_its_spans(tmp_path: Path) -> None:
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'></head><body>"
            "<table><tr><td>Exportado el 01/06/2024</td></tr></table>"
            "<table border=1><tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>"
            "<tr><td>TR-1</td><td>ABCD123</td><td rowspan=2>Glock</td><td>19</td><td>2024-06-01</td></tr>"
            "<tr><td>TR-2</td><td>&nbsp;</td><td>17</td><td>2024-06-02</td></tr>"
            "<tr><td>TR-3</td><td>XYZ&amp;987</td><td>Ruger</td><td>LCP<br>Max</td><td>2024-06-03</td></tr>"
            "</table></body></html>")
    (path := tmp_path / "export.xls").write_bytes(page.encode("cp1252"))
    batch = read_batch(path)
    assert batch.encoding == "cp1252"
    assert batch.frame.loc[3, "Model"] == "17" and batch.frame.loc[4, "Serial Number"] == "XYZ&987"
    assert batch.frame.loc[4, "Model"] == "LCP\nMax"
    assert batch.frame.loc[2, "Manufacturer"] == "Glock"  # the cell a rowspan covers is blank, as Excel opens it
    assert pd_isna(batch.frame.loc[3, "Manufacturer"])


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


@pytest.mark.parametrize(("name", "content", "words"), [
    ("scan.xlsx", b"%PDF-1.7\n" + bytes(range(256)), "is a PDF document, not a spreadsheet"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "is a PNG image, not a csv"),
    ("empty.xlsb", b"", "empty file (0 bytes)"),
    ("empty.csv", b"", "empty file (0 bytes)"),
])
def test_no_table_is_exit_2_with_one_line_in_a_real_process(tmp_path: Path, name: str, content: bytes,
                                                             words: str) -> None:
    (path := tmp_path / name).write_bytes(content)
    proc = _cli("check", path, "--out", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_mended_csv_gives_findings_and_drop_reasons_in_a_real_process(tmp_path: Path) -> None:
    lines = [",".join(HEADER), "TR-1,ABCD123,Glock,19 Señal,2024-06-01", "TR-2,HKR\x004521,Colt,1911,2024-06-02",
             "TR-3,XYZ987,Ruger,LCP,45000,5"]
    utf8 = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    cp1252 = "TR-4,QQ111,Sig Sauer,P365 Señor,2024-06-04\r\n".encode("cp1252")
    (path := tmp_path / "mended.csv").write_bytes(utf8 + cp1252)  # one line appended by a Windows program
    proc = _cli("check", path, "--out", tmp_path, "--as-of", AS_OF.isoformat())
    assert proc.returncode == 1, proc.stderr  # TC012 is an error
    report = json.loads((tmp_path / "mended.report.json").read_text(encoding="utf-8"))
    found = {(f["rule"], f["row"], f["column"]) for f in report["findings"] if f["rule"] in ("TC010", "TC011", "TC012")}
    assert found == {("TC011", 3, "B"), ("TC012", 4, None), ("TC010", 5, "D")}
    misaligned = next(f for f in report["findings"] if f["rule"] == "TC012")
    assert misaligned["context"] == {"fields": 6, "expected_fields": 5}
    assert report["batch"]["dropped_rows"] == [{"row": 4, "reason": "misaligned"}]
    control = next(f for f in report["findings"] if f["rule"] == "TC011")
    assert control["value"] == "HKR\u24004521"


def test_utf16_without_bom_both_byte_orders(tmp_path: Path) -> None:
    text = "\r\n".join([",".join(HEADER), "TR-1,ABCD123,Glock,19,2024-06-01", "TR-2,,Colt,Señor,2024-06-02"]) + "\r\n"
    for codec in ("utf-16-le", "utf-16-be"):
        (path := tmp_path / f"{codec}.csv").write_bytes(text.encode(codec))
        batch = read_batch(path)
        assert batch.encoding == codec and batch.frame.loc[3, "Model"] == "Señor"


def test_byte_order_marks_inside_the_file_are_removed_wherever_they_are(tmp_path: Path) -> None:
    # files appended together: a BOM before the appended rows, and one after a last line without a line break
    data = ("\ufeff" + ",".join(HEADER) + "\nTR-1,ABCD123,Glock,19,2024-06-01\n\ufeffTR-2,QQ1,Colt,1911,2024-06-02"
            "\ufeff\nTR-3,XYZ987,Ruger,LCP,2024-06-03\n").encode("utf-8")
    (path := tmp_path / "appended.csv").write_bytes(data)
    batch = read_batch(path)
    assert list(batch.frame["Request ID"]) == ["TR-1", "TR-2", "TR-3"]
    assert batch.frame.loc[3, "Recovery Date"] == "2024-06-02" and batch.notes == ()


def test_html_spans_cannot_blow_a_small_page_up(tmp_path: Path) -> None:
    from tracecheck.read import Limits

    rows = "<tr><td colspan=1000>x</td><td colspan=999>y</td></tr>" * 200  # 10 KB of HTML, 400,000 cells
    (path := tmp_path / "spans.xls").write_text(f"<html><table>{rows}</table></html>", encoding="utf-8")
    with pytest.raises(InputError, match="more than the limit of 10,000 cells") as err:
        read_batch(path, limits=Limits(max_cells=10_000))
    assert "spans.xls" in str(err.value)
