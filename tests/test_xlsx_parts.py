"""Formula cells without a saved result, found in the sheet XML (tracecheck.read.xlsx_parts)."""

from __future__ import annotations

import io
import zipfile

from tracecheck.read.xlsx_parts import FormulaCell, scan_sheet, sheet_parts

WORKBOOK = ('<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Hoja 1" sheetId="1" r:id="rId1"/><sheet name="Other" sheetId="2" r:id="rId2"/>'
            '</sheets></workbook>')
RELS = ('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>')


def _workbook(sheet_xml: str, other_xml: str = "<worksheet/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        archive.writestr("xl/worksheets/sheet2.xml", other_xml)
    return buffer.getvalue()


def _sheet(cells: str, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    return f"<{p}worksheet><{p}sheetData><{p}row r=\"2\">{cells}</{p}row></{p}sheetData></{p}worksheet>"


def test_sheet_parts_resolves_relative_and_absolute_targets() -> None:
    archive = zipfile.ZipFile(io.BytesIO(_workbook("<worksheet/>")))
    assert sheet_parts(archive) == {"Hoja 1": "xl/worksheets/sheet1.xml", "Other": "xl/worksheets/sheet2.xml"}


def test_formula_without_value_is_found_with_its_text_unescaped() -> None:
    data = _workbook(_sheet('<c r="A2" t="s"><v>0</v></c><c r="B2"><f>A2&amp;"-X"</f><v/></c>'
                            '<c r="C2"><f>UPPER(A2)</f></c>'))
    assert list(scan_sheet(data, "Hoja 1").formulas) == [FormulaCell(2, "B", '=A2&"-X"'),
                                                          FormulaCell(2, "C", "=UPPER(A2)")]


def test_saved_results_are_not_reported() -> None:
    data = _workbook(_sheet('<c r="A2"><f>1+1</f><v>2</v></c>'
                            '<c r="B2" t="str"><f>IF(A2&gt;3,"x","")</f><v></v></c>'  # a saved empty text
                            '<c r="C2" t="str"><f>"a"</f><v>a</v></c>'))
    assert list(scan_sheet(data, "Hoja 1").formulas) == []


def test_shared_formula_children_and_namespace_prefixes() -> None:
    cells = ('<x:c r="D2"><x:f t="shared" ref="D2:E2" si="0">A2*2</x:f></x:c>'
             '<x:c r="E2"><x:f t="shared" si="0"/></x:c>')
    data = _workbook(_sheet(cells, prefix="x"))
    assert list(scan_sheet(data, "Hoja 1").formulas) == [FormulaCell(2, "D", "=A2*2"), FormulaCell(2, "E", "=")]


def test_only_the_named_sheet_is_read() -> None:
    data = _workbook(_sheet('<c r="A2"><v>1</v></c>'), other_xml=_sheet('<c r="A2"><f>B9</f></c>'))
    assert list(scan_sheet(data, "Hoja 1").formulas) == []
    assert list(scan_sheet(data, "Other").formulas) == [FormulaCell(2, "A", "=B9")]
    assert list(scan_sheet(data, "Missing").formulas) == []


def test_not_a_zip_or_a_cell_without_reference_gives_nothing() -> None:
    assert list(scan_sheet(b"\xd0\xcf\x11\xe0 not a zip", "Hoja 1").formulas) == []
    assert list(scan_sheet(_workbook(_sheet("<c><f>A1</f></c>")), "Hoja 1").formulas) == []


def test_scan_sheet_finds_the_real_extent_whatever_the_dimension_claims() -> None:
    sheet = ('<worksheet><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
             '<row r="7"><c r="AB7"><v>1</v></c><c r="C1048576"><v>1</v></c></row></sheetData></worksheet>')
    scan = scan_sheet(_workbook(sheet), "Hoja 1")
    assert (scan.rows, scan.columns) == (1_048_576, 28)
    hostile = _sheet('<c r="XFDA9"><v>1</v></c><c r="B123456789"><v>1</v></c>')  # beyond Excel's own limits
    scan = scan_sheet(_workbook(hostile), "Hoja 1")
    assert scan.rows == 123_456_789 and scan.columns > 16_384
    no_references = _sheet("<c><v>1</v></c>" * 40)
    assert scan_sheet(_workbook(no_references), "Hoja 1").columns == 40
