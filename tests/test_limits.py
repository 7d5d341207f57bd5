"""Safety limits: hostile or absurd files give one clear error (exit 2), quickly, without unpacking."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main
from tracecheck.read.limits import Limits


def small_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Solicitudes"
    ws.append(["Serial Number", "Manufacturer"])
    ws.append(["BXYZ123", "Glock"])
    wb.save(path)
    return path


def rewrite_part(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info.filename, change(data) if info.filename == part else data)


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = small_workbook(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 200_000_000)  # 200 MB of zeros, ~200 KB packed
    assert path.stat().st_size < 1_000_000
    start = time.perf_counter()
    with pytest.raises(tracecheck.InputError, match="possible zip bomb") as err:
        tracecheck.check(path)
    assert time.perf_counter() - start < 5
    assert "bomb.xlsx" in str(err.value) and "\n" not in str(err.value)


def test_sheet_claiming_a_million_columns_is_refused(tmp_path: Path) -> None:
    path = small_workbook(tmp_path / "wide.xlsx")
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda xml: xml.replace(b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />'))
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "wide.xlsx" in result.output and "sheet 'Solicitudes'" in result.output
    assert "16,384 columns" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("cell", "dimension"), [("XFD200000", b'<dimension ref="A1:B2" />'),  # lies
                                                   ("C1048576", b""),  # no claim at all: the cells decide
                                                   ("AAA3", b'<dimension ref="A1:B2" />')])
def test_a_far_cell_is_refused_before_the_reader_allocates_the_grid(tmp_path: Path, cell: str,
                                                                    dimension: bytes) -> None:
    """calamine allocates rows x columns up to the farthest cell (an XFD200000 cell asked for 100 GB
    and aborted the process); the real extent is checked first, whatever <dimension> claims."""
    path = small_workbook(tmp_path / "far.xlsx")
    far = (b'<row r="%s"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
           % (cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode(), cell.encode()))
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda xml: xml.replace(b'<dimension ref="A1:B2" />', dimension).replace(b"</sheetData>", far))
    limits = Limits(max_cells=2_000_000, max_columns=500)
    started = time.perf_counter()
    with pytest.raises(tracecheck.InputError, match=r"sheet has cells up to row [\d,]+ and column [\d,]+") as err:
        tracecheck.check(path, limits=limits)
    assert time.perf_counter() - started < 5
    assert "far.xlsx, sheet 'Solicitudes'" in str(err.value) and "\n" not in str(err.value)


def test_a_far_cell_within_the_limits_is_read(tmp_path: Path) -> None:
    path = small_workbook(tmp_path / "far.xlsx")
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="30000"><c r="B30000" t="inlineStr"><is><t>Ruger</t></is></c></row></sheetData>'))
    report = tracecheck.check(path)  # read; the lone far row is a note block below the data
    assert report.rows["row"].tolist() == [2]
    assert report.batch["dropped_rows"] == [{"row": 30000, "reason": "note_block"}]
    assert report.summary["rows_dropped"] == {"note_block": 1}


def test_a_stray_cell_on_the_last_row_is_refused_with_a_hint(tmp_path: Path) -> None:
    """Legal in Excel, but 5 stored cells would be read as a 1,048,576 x 26 grid (7 s, 1.3 GB)."""
    path = small_workbook(tmp_path / "stray.xlsx")
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="Z1048576"><v>1</v></c></row></sheetData>'))
    started = time.perf_counter()
    with pytest.raises(tracecheck.InputError, match=r"reaches row 1,048,576 and column 26 but stores only 5 cells: "
                                                    r"probably a stray value far from the data; delete it"):
        tracecheck.check(path)
    assert time.perf_counter() - started < 5
    assert len(tracecheck.check(path, limits=Limits(max_empty_ratio=1e9)).rows) == 1  # the limit can be raised


def test_row_and_cell_limits_name_where(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text("Serial Number,Manufacturer\nBXYZ123,Glock\n" + "ABC1234," + "x" * 5000 + "\n",
                     encoding="utf-8")
    with pytest.raises(tracecheck.InputError, match=r"row 3, column Manufacturer: cell holds 5,000 characters"):
        tracecheck.check(batch, limits=Limits(max_cell_chars=1000))
    with pytest.raises(tracecheck.InputError, match="2 data rows, over the limit of 1"):
        tracecheck.check(batch, limits=Limits(max_rows=1))
    assert len(tracecheck.check(batch).rows) == 2  # defaults are generous enough for real batches


def test_file_size_limit_and_cli_option(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text("Serial Number,Manufacturer\nBXYZ123,Glock\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(tmp_path / "o"),
                                       "--limit", "max_file_mb=0.00001"])
    assert result.exit_code == 2 and "over the limit" in result.output
    bad = CliRunner().invoke(main, ["check", str(batch), "--limit", "max_colour=3"])
    assert bad.exit_code == 2 and "unknown limit 'max_colour'" in bad.output


def test_cells_without_references_count_towards_the_width(tmp_path: Path) -> None:
    """Cells may omit r="..."; calamine then lays them out one after another, so a row of 3,000 such
    cells is 3,000 columns wide although no reference says so."""
    path = small_workbook(tmp_path / "noref.xlsx")
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 3000
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda xml: xml.replace(b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>"))
    with pytest.raises(tracecheck.InputError, match=r"and column 3,0\d\d .*over the limits"):
        tracecheck.check(path)
    report = tracecheck.check(path, limits=Limits(max_columns=4000))  # within raised limits it is read
    assert report.batch["sheet"] == "Solicitudes" and report.batch["header_row"] == 3  # the widest row
