"""Formula cells without a saved result, found in the sheet XML (tracecheck.read.xlsx_parts)."""

from __future__ import annotations

import io
import zipfile

import pytest

from tracecheck.read.xlsx_parts import FormulaCell, scan_sheet, sheet_parts
from tracecheck.read.xml_scan import PartError

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
    assert sheet_parts(archive) == {"Hoja 1": ("xl/worksheets/sheet1.xml",), "Other": ("xl/worksheets/sheet2.xml",)}


def test_workbook_and_relationships_are_read_as_xml_in_any_quoting() -> None:
    """Single quotes, spaces around =, other prefixes and attribute orders are all valid XML."""
    workbook = ("<x:workbook xmlns:x='urn:x' xmlns:rel='http://schemas.openxmlformats.org/officeDocument/2006/"
                "relationships'><x:sheets><x:sheet rel:id = 'rId1' sheetId='1' name = 'Hoja 1'/></x:sheets>"
                "</x:workbook>")
    rels = "<Relationships><Relationship Target = 'worksheets/sheet1.xml' Id='rId1'/></Relationships>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("XL/Worksheets/Sheet1.xml", "<worksheet/>")  # calamine ignores the case of entries
    assert sheet_parts(zipfile.ZipFile(buffer)) == {"Hoja 1": ("XL/Worksheets/Sheet1.xml",)}


@pytest.mark.parametrize("cell", [
    "<c r='XFD1048576'><v>1</v></c>",  # single quotes
    '<c r = "XFD1048576"><v>1</v></c>',  # spaces around =
    '<c s="1" r="XFD1048576"><v>1</v></c>',  # r not first
    '<c r="xfd1048576"><v>1</v></c>',  # lower-case letters (calamine accepts them)
    '<x:c xmlns:x="urn:x" r="XFD1048576"><x:v>1</x:v></x:c>',  # a prefix
])
def test_the_far_cell_is_found_in_any_attribute_syntax(cell: str) -> None:
    scan = scan_sheet(_workbook(_sheet('<c r="A2"><v>1</v></c>' + cell)), "Hoja 1")
    assert (scan.rows, scan.columns) == (1_048_576, 16_384)


def test_cells_and_rows_without_references_are_laid_out_as_calamine_does() -> None:
    rows = "<row/>" * 5000 + "<row><c><v>1</v></c><c t='n'><v>2</v></c></row>"
    scan = scan_sheet(_workbook(f"<worksheet><sheetData>{rows}</sheetData></worksheet>"), "Hoja 1")
    assert (scan.rows, scan.columns, scan.cells) == (5001, 2, 2)


def test_a_sheet_the_guard_cannot_read_is_refused_not_waved_through() -> None:
    with pytest.raises(PartError, match="not well-formed"):
        scan_sheet(_workbook("<worksheet><sheetData><row><c><v>1</v></row></sheetData></worksheet>"), "Hoja 1")
    entity = '<!DOCTYPE x [<!ENTITY e "XFD1048576">]><worksheet><c r="&e;"/></worksheet>'
    with pytest.raises(PartError):
        scan_sheet(_workbook(entity.replace('r="&e;"', "")), "Hoja 1")


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
