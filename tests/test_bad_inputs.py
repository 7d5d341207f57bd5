"""A corpus of broken and hostile input files, run through the command line as a user would.

Every file is built in tmp_path by a builder function (no binaries in the repository). Each case
expects exactly one of two outcomes:

* ``Unreadable``: exit code 2 and a single line of output that names the file (and the sheet, row
  and column when they apply), never a traceback;
* ``Findings``: exit code 0 or 1 and a JSON report holding a specific finding (and, optionally,
  further facts about the batch or the header mapping).

For every case the input's bytes and modification time must be unchanged and no ``*.tmp`` file
may be left in the output folder. A case that takes more than ``TIME_LIMIT_S`` seconds fails.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import tracecheck
import tracecheck.cli

AS_OF = "2026-11-22"
TIME_LIMIT_S = 30  # a hang is minutes; the heaviest case (1.5M rows streamed by the guard) takes ~8 s on a busy machine

HEADER = ["Request ID", "Agency", "Manufacturer", "Model", "Caliber", "Type", "Serial Number",
          "Country of Origin", "Importer", "Purchase Date", "Recovery Date", "Request Date"]
COL = {name: "ABCDEFGHIJKL"[i] for i, name in enumerate(HEADER)}  # header -> column letter
GOOD = ["TR-0001", "Laredo PD", "Ruger", "LCP", ".380", "PISTOL", "371-12345", "US", "",
        "2021-01-10", "2024-06-01", "2024-06-20"]
GOOD2 = ["TR-0002", "Laredo PD", "Smith & Wesson", "M&P Shield", "9MM", "PISTOL", "HKR4521", "US", "",
         "2020-11-02", "2024-05-14", "2024-06-03"]
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file: old .xls, or an encrypted .xlsx


# --------------------------------------------------------------------------- expected outcomes


@dataclass(frozen=True)
class Unreadable:
    """Exit 2, one line naming the file; ``mentions`` are further (case-insensitive) substrings."""

    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Findings:
    """Exit 0/1 and a report with a finding of ``rule`` (optionally at ``row``/``column``/``field``)."""

    rule: str | None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    mapping: dict[str, str] = dc_field(default_factory=dict)  # field -> header the report must map
    batch: dict[str, object] = dc_field(default_factory=dict)  # report["batch"] entries that must match
    reason: str | None = None
    absent: tuple[str, ...] = ()  # rules that must not appear


# --------------------------------------------------------------------------- builders


def _csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    return "".join(",".join(row) + newline for row in rows)


def _row(base: list[str] = GOOD, **changes: str) -> list[str]:
    """A copy of ``base`` with some columns changed, by header name (spaces as underscores)."""
    row = list(base)
    for name, value in changes.items():
        row[HEADER.index(name.replace("_", " "))] = value
    return row


def _xlsx_bytes(rows: list[list[object]], *, setup: Callable | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Requests"
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    if setup:
        setup(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip_bytes(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _rewrite_part(data: bytes, part: str, edit: Callable[[str], str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook ``data`` with one xml part rewritten by ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = edit(content.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, content)
    return buffer.getvalue()


def b_empty_csv(d: Path) -> Path:
    (p := d / "empty.csv").write_bytes(b"")
    return p


def b_empty_xlsx(d: Path) -> Path:
    (p := d / "empty.xlsx").write_bytes(b"")
    return p


def b_bom_only_csv(d: Path) -> Path:
    (p := d / "bom_only.csv").write_bytes(b"\xef\xbb\xbf")
    return p


def b_blank_lines_csv(d: Path) -> Path:
    (p := d / "blank_lines.csv").write_bytes(b"  \n\n,,,\r\n\t\n")
    return p


def b_header_only_csv(d: Path) -> Path:
    (p := d / "header_only.csv").write_text(_csv_text([HEADER]), encoding="utf-8")
    return p


def b_header_only_xlsx(d: Path) -> Path:
    (p := d / "header_only.xlsx").write_bytes(_xlsx_bytes([HEADER]))
    return p


def b_empty_sheet_xlsx(d: Path) -> Path:
    (p := d / "empty_sheet.xlsx").write_bytes(_xlsx_bytes([]))
    return p


def b_xlsx_named_csv(d: Path) -> Path:
    (p := d / "really_xlsx.csv").write_bytes(_xlsx_bytes([HEADER, GOOD]))
    return p


def b_csv_named_xlsx(d: Path) -> Path:
    (p := d / "really_csv.xlsx").write_text(_csv_text([HEADER, GOOD]), encoding="utf-8")
    return p


def b_pdf(d: Path) -> Path:
    (p := d / "batch.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    return p


def b_docx(d: Path) -> Path:
    (p := d / "batch.docx").write_bytes(_zip_bytes({"[Content_Types].xml": "<Types/>",
                                                    "word/document.xml": "<w:document/>"}))
    return p


def b_no_extension(d: Path) -> Path:
    (p := d / "batch").write_text(_csv_text([HEADER, GOOD]), encoding="utf-8")
    return p


def b_truncated_xlsx(d: Path) -> Path:
    data = _xlsx_bytes([HEADER, GOOD, GOOD2])
    (p := d / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    return p


def b_zip_not_workbook(d: Path) -> Path:
    (p := d / "notes.xlsx").write_bytes(_zip_bytes({"readme.txt": "not a workbook\n" * 20}))
    return p


def b_workbook_missing_sheet_part(d: Path) -> Path:
    data = _xlsx_bytes([HEADER, GOOD])
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {i.filename: source.read(i.filename) for i in source.infolist()
             if i.filename != "xl/worksheets/sheet1.xml"}
    (p := d / "no_sheet_part.xlsx").write_bytes(_zip_bytes(parts))
    return p


def _cfb_bytes(streams: list[str]) -> bytes:
    """The start of an OLE compound file: the 512-byte header, then a directory sector whose 128-byte
    entries begin with the stream name in UTF-16LE (as in a real file; the sectors are not chained)."""
    header = CFB_MAGIC + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    entries = b"".join((name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
                       + (2 * len(name) + 2).to_bytes(2, "little") + bytes(62) for name in streams)
    return header.ljust(512, b"\0") + entries.ljust(512, b"\0")


def b_encrypted_xlsx(d: Path) -> Path:
    # What Excel writes for a password-protected workbook: an OLE compound file holding the streams
    # EncryptionInfo and EncryptedPackage, not a zip. (Writing a really encrypted one needs
    # msoffcrypto-tool, which the project does not otherwise need.)
    (p := d / "encrypted.xlsx").write_bytes(_cfb_bytes(["Root Entry", "EncryptionInfo", "EncryptedPackage"]))
    return p


def b_old_xls(d: Path) -> Path:
    (p := d / "legacy.xls").write_bytes(CFB_MAGIC + b"\x00" * 24 + b"\x3e\x00\x03\x00\xfe\xff" + bytes(2000))
    return p


def b_formulas_without_cache(d: Path) -> Path:
    rows = [HEADER, _row(Serial_Number='="ABC"&"123"'), _row(GOOD2)]
    (p := d / "formulas_no_cache.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_formulas_with_cache(d: Path) -> Path:
    rows = [HEADER, _row(Serial_Number='="ABC"&"123"', Manufacturer='=UPPER("glock")'), _row(GOOD2)]
    data = _xlsx_bytes(rows)

    def add_cache(xml: str) -> str:
        # openpyxl writes <c r="G2"><f>...</f><v /></c>; give the formulas the values Excel would cache
        xml = xml.replace('<c r="G2"><f>"ABC"&amp;"123"</f><v /></c>',
                          '<c r="G2" t="str"><f>"ABC"&amp;"123"</f><v>ABC123</v></c>')
        xml = xml.replace('<c r="C2"><f>UPPER("glock")</f><v /></c>',
                          '<c r="C2" t="str"><f>UPPER("glock")</f><v>GLOCK</v></c>')
        assert "<v>ABC123</v>" in xml and "<v>GLOCK</v>" in xml, xml[:2000]
        return xml

    (p := d / "formulas_cached.xlsx").write_bytes(_rewrite_part(data, "xl/worksheets/sheet1.xml", add_cache))
    return p


def b_merged_cells(d: Path) -> Path:
    def merge(workbook, sheet):
        sheet.merge_cells("C2:C3")  # one maker spanning two requests: only C2 holds the value, which
        # applies to both rows it covers (issue 10, shared case FD01), so row 3 is no manufacturer-missing

    rows = [HEADER, GOOD, _row(GOOD2, Manufacturer="")]
    (p := d / "merged.xlsx").write_bytes(_xlsx_bytes(rows, setup=merge))
    return p


def b_hidden_row(d: Path) -> Path:
    def hide(workbook, sheet):
        sheet.row_dimensions[3].hidden = True

    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number="")]
    (p := d / "hidden_row.xlsx").write_bytes(_xlsx_bytes(rows, setup=hide))
    return p


def b_hidden_sheet(d: Path) -> Path:
    def add_hidden_first(workbook, sheet):
        hidden = workbook.create_sheet("Lookup", 0)
        for row in [["Serial Number", "Manufacturer", "Model"], ["", "Nobody", "X"], ["", "Nobody", "Y"]]:
            hidden.append(row)
        hidden.sheet_state = "hidden"

    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number="")]
    (p := d / "hidden_sheet.xlsx").write_bytes(_xlsx_bytes(rows, setup=add_hidden_first))
    return p


def b_two_header_rows(d: Path) -> Path:
    spanish = ["ID Solicitud", "Dependencia", "Marca", "Modelo", "Calibre", "Tipo", "Número de serie",
               "País de origen", "Importador", "Fecha de compra", "Fecha de aseguramiento", "Fecha de solicitud"]
    (p := d / "two_headers.xlsx").write_bytes(_xlsx_bytes([HEADER, spanish, GOOD, GOOD2]))
    return p


def b_duplicate_headers(d: Path) -> Path:
    header = HEADER + ["Serial Number"]
    (p := d / "dup_headers.csv").write_text(_csv_text([header, GOOD + ["OTHER1"], GOOD2 + ["OTHER2"]]),
                                            encoding="utf-8")
    return p


def b_header_on_row_5(d: Path) -> Path:
    rows = [["Solicitudes de rastreo 2024"], ["Fiscalía General"], [], ["Prepared by: J. Doe"], HEADER,
            GOOD, _row(GOOD2, Manufacturer="")]
    (p := d / "header_row5.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_huge_text_cell(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Model="M" * 100_000)]
    (p := d / "huge_cell.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def _serial_csv(name: str, serial: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        (p := d / name).write_text(_csv_text([HEADER, GOOD, _row(GOOD2, Serial_Number=serial)]), encoding="utf-8")
        return p

    build.__name__ = f"b_{name}"
    return build


def b_control_char_serial_xlsx(d: Path) -> Path:
    # openpyxl refuses control characters; Excel stores them escaped as _x0007_ (ECMA-376 ST_Xstring)
    data = _xlsx_bytes([HEADER, GOOD, _row(GOOD2, Serial_Number="HKR4521")])
    data = _rewrite_part(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(">HKR4521<", ">HKR_x0007_4521<"))
    (p := d / "bell_serial.xlsx").write_bytes(data)
    return p


def _header_variant(name: str, form: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        header = [unicodedata.normalize(form, "Matrícula") if h == "Serial Number" else h for h in HEADER]
        (p := d / name).write_text(_csv_text([header, GOOD, GOOD2]), encoding="utf-8")
        return p

    build.__name__ = f"b_{name}"
    return build


def b_mixed_line_endings(d: Path) -> Path:
    text = (",".join(HEADER) + "\r\n" + ",".join(GOOD) + "\n" + ",".join(_row(GOOD2, Serial_Number="")) + "\r"
            + ",".join(_row(GOOD, Request_ID="TR-0003", Serial_Number="ZZ99")) + "\r\n")
    (p := d / "mixed_eol.csv").write_bytes(text.encode("utf-8"))
    return p


def b_unbalanced_quote(d: Path) -> Path:
    text = _csv_text([HEADER, _row(GOOD, Model='"LCP'), GOOD2, _row(GOOD, Request_ID="TR-0003", Serial_Number="")])
    (p := d / "open_quote.csv").write_text(text, encoding="utf-8")
    return p


def b_ragged_rows(d: Path) -> Path:
    text = _csv_text([HEADER, GOOD + ["extra", "more"], GOOD2[:5], _row(GOOD, Request_ID="TR-0003")])
    (p := d / "ragged.csv").write_text(text, encoding="utf-8")
    return p


def b_nul_bytes(d: Path) -> Path:
    text = _csv_text([HEADER, GOOD, _row(GOOD2, Serial_Number="HKR\x004521")])
    (p := d / "nul.csv").write_bytes(text.encode("utf-8"))
    return p


def _empty(name: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        (p := d / name).write_bytes(b"")
        return p

    build.__name__ = f"b_empty_{name}"
    return build


def _signature(name: str, head: bytes) -> Callable[[Path], Path]:
    """A file that is no table (its magic bytes say what it is) under a table's name."""

    def build(d: Path) -> Path:
        (p := d / name).write_bytes(head + bytes(range(256)) * 4)
        return p

    build.__name__ = f"b_{name}"
    return build


def b_mostly_binary(d: Path) -> Path:
    (p := d / "binary.csv").write_bytes(bytes(range(32)) * 200 + _csv_text([HEADER, GOOD]).encode())
    return p


def b_docx_named_xlsx(d: Path) -> Path:
    (p := d / "letter.xlsx").write_bytes(_zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}))
    return p


def b_zip_named_xlsx(d: Path) -> Path:
    (p := d / "bundle.xlsx").write_bytes(_zip_bytes({"batch.csv": _csv_text([HEADER, GOOD])}))
    return p


def b_html_xls(d: Path) -> Path:
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                   for row in (GOOD, _row(GOOD2, Serial_Number="")))
    page = (f'<html><head><meta charset="utf-8"></head><body><table border="1"><tr>{cells}</tr>{rows}</table>'
            "</body></html>")
    (p := d / "web_export.xls").write_text(page, encoding="utf-8")
    return p


def b_html_utf16_xls(d: Path) -> Path:
    """A "Unicode" web page (UTF-16 with a byte-order mark) saved under .xls."""
    page = b_html_xls(d).read_text(encoding="utf-8").replace('<meta charset="utf-8">', "")
    (p := d / "unicode_export.xls").write_bytes(page.encode("utf-16"))
    return p


def b_utf16_no_bom(d: Path) -> Path:
    text = _csv_text([HEADER, GOOD, _row(GOOD2, Serial_Number="", Agency="Policía")], newline="\r\n")
    (p := d / "sqlserver.csv").write_bytes(text.encode("utf-16-le"))
    return p


def b_cp1252_line(d: Path) -> Path:
    first = _csv_text([HEADER, _row(GOOD, Agency="Policía Municipal")]).encode("utf-8")
    (p := d / "mixed.csv").write_bytes(first + _csv_text([_row(GOOD2, Agency="Policía Estatal")]).encode("cp1252"))
    return p


def b_inner_bom(d: Path) -> Path:
    """Files appended together, each with its byte-order mark."""
    part = _csv_text([_row(GOOD2, Request_ID="TR-0003")]).encode("utf-8")
    first = _csv_text([HEADER, GOOD]).encode("utf-8-sig")
    again = part.replace(b"TR-0003", b"TR-0004")
    (p := d / "appended.csv").write_bytes(first + b"\xef\xbb\xbf" + part + b"\xef\xbb\xbf" + again)
    return p


def b_backslash_quotes(d: Path) -> Path:
    rows = [HEADER, _row(GOOD, Model='"LCP \\"Max\\", black"'), _row(GOOD2, Model='"M&P \\"Shield\\""'),
            _row(GOOD2, Request_ID="TR-0003", Serial_Number="")]
    (p := d / "dump.csv").write_text(_csv_text(rows), encoding="utf-8")
    return p


def b_trailing_delimiter(d: Path) -> Path:
    text = ",".join(HEADER) + "\n" + "".join(",".join(r) + ",\n" for r in (GOOD, _row(GOOD2, Serial_Number="")))
    (p := d / "trailing.csv").write_text(text, encoding="utf-8")
    return p


def b_utf16_bom(d: Path) -> Path:
    header = [("Matrícula" if h == "Serial Number" else h) for h in HEADER]
    text = _csv_text([header, GOOD, _row(GOOD2, Serial_Number="")], newline="\r\n")
    (p := d / "utf16.csv").write_bytes(text.encode("utf-16"))
    return p


def b_lying_bom(d: Path) -> Path:
    header = [("Matrícula" if h == "Serial Number" else h) for h in HEADER]
    text = _csv_text([header, _row(GOOD, Agency="Policía Municipal"), _row(GOOD2, Serial_Number="")])
    (p := d / "lying_bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("latin-1"))
    return p


def b_dates_before_1900(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Purchase_Date=dt.datetime(1850, 3, 1))]
    (p := d / "dates_1850.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_dates_before_1900_text(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Purchase_Date="1899-12-30")]
    (p := d / "dates_1899.csv").write_text(_csv_text(rows), encoding="utf-8")
    return p


def b_five_date_formats(d: Path) -> Path:
    dates = ["2024-06-01", "06/01/2024", "1 Jun 2024", "June 1, 2024", "20240601"]
    rows = [HEADER] + [_row(GOOD, Request_ID=f"TR-{i}", Serial_Number=f"SN{i}000", Recovery_Date=f'"{v}"')
                       for i, v in enumerate(dates)] + [_row(GOOD, Request_ID="TR-9", Serial_Number="SN9000",
                                                              Recovery_Date="not a date")]
    (p := d / "five_formats.csv").write_text(_csv_text(rows), encoding="utf-8")
    return p


def b_numbers_for_dates(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Purchase_Date=12345.678, Recovery_Date=-5, Request_Date=True)]
    (p := d / "numbers_for_dates.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_serial_float(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number=12345.0)]
    (p := d / "serial_float.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_serial_scientific(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number="1.23457E+11")]
    (p := d / "serial_sci.csv").write_text(_csv_text(rows), encoding="utf-8")
    return p


def b_serial_big_number(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number=123456789012345678)]
    (p := d / "serial_bignum.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_first_record_widest(d: Path) -> Path:
    """Found by tests/fuzz_readers.py: a stray quote in the header hid its last columns from the
    width estimate, and pandas silently dropped the fields of a first record wider than that."""
    text = ('Request ID,Serial Number,Manufacturer,Model,Barrel 4",Caliber,Recovery Date\n'
            "TR-1,HKR4521,Glock,19\nTR-2,,Ruger,LCP\n")
    (p := d / "first_record_widest.csv").write_text(text, encoding="utf-8")
    return p


def b_xls_named_csv(d: Path) -> Path:
    (p := d / "really_xls.csv").write_bytes(_xls_bytes())
    return p


def b_zip_named_csv(d: Path) -> Path:
    (p := d / "archive.csv").write_bytes(_zip_bytes({"batch.csv": _csv_text([HEADER, GOOD])}))
    return p


def b_utf16_csv_named_xlsx(d: Path) -> Path:
    (p := d / "utf16.xlsx").write_bytes(_csv_text([HEADER, GOOD]).encode("utf-16"))
    return p


def b_encrypted_named_csv(d: Path) -> Path:
    (p := d / "encrypted.csv").write_bytes(b_encrypted_xlsx(d).read_bytes())
    return p


def _xls_bytes() -> bytes:
    """A real old-format (BIFF8) workbook written by xlwt: Spanish headers, a numeric serial, date cells."""
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Solicitudes")
    day = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    rows = [["Matrícula", "Marca", "Modelo", "Fecha de recuperación"],
            ["ABC1234", "Glock", "19", dt.date(2024, 3, 1)], [12345.0, "Ruger", "LCP", dt.date(2024, 3, 2)]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value, day) if isinstance(value, dt.date) else sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def b_real_xls(d: Path) -> Path:
    (p := d / "legacy_real.xls").write_bytes(_xls_bytes())
    return p


def b_dates_1904(d: Path) -> Path:
    """Saved with the 1904 date system (old Mac Excel): date cells and a plain-number date."""

    def mac_epoch(workbook, sheet):
        workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904

    rows = [HEADER, GOOD, _row(GOOD2, Purchase_Date=dt.date(2020, 11, 2), Recovery_Date=43890.0,
                               Request_Date=dt.date(2024, 6, 3))]
    (p := d / "mac_1904.xlsx").write_bytes(_xlsx_bytes(rows, setup=mac_epoch))
    return p


def b_date_in_serial(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number=dt.date(2045, 12, 3))]
    (p := d / "serial_became_date.xlsx").write_bytes(_xlsx_bytes(rows))
    return p


def b_row_beyond_excel(d: Path) -> Path:
    """Found by tests/fuzz_readers.py: one cell at row 1,000,000,000 made the workbook reader ask
    for 832 GB and abort the whole process (a Rust allocation failure, not an exception)."""
    data = _xlsx_bytes([HEADER, GOOD, GOOD2])
    far = '<c r="Z1000000000" t="n"><v>45000</v></c></row>'
    (p := d / "row_beyond_excel.xlsx").write_bytes(
        _rewrite_part(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</row>", far, 1)))
    return p


def b_zip_version_from_the_future(d: Path) -> Path:
    """Found by tests/fuzz_readers.py: a central-directory entry that needs zip version 17.8 made
    Python's zipfile raise NotImplementedError, which escaped as an internal error; calamine reads it."""
    data = bytearray(_xlsx_bytes([HEADER, GOOD]))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6:entry + 8] = (178).to_bytes(2, "little")  # "version needed to extract": 17.8
    (p := d / "zip_version_17_8.xlsx").write_bytes(bytes(data))
    return p


def b_numbers_for_dates_csv(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Purchase_Date="43000", Recovery_Date='"45000,5"')]
    (p := d / "serial_dates.csv").write_text(_csv_text(rows), encoding="utf-8")
    return p


def b_formula_text_csv(d: Path) -> Path:
    rows = [HEADER, GOOD, _row(GOOD2, Serial_Number="=CONCATENAR(A3;B3)", Model=" =B2")]
    (p := d / "formulas_shown.csv").write_text(_csv_text(rows), encoding="utf-8")
    return p


def b_row_2_million(d: Path) -> Path:
    """Found by tests/fuzz_readers.py: a row numbered 2,000,000 stayed under the cell limit
    (2,000,000 x 26 columns) and took 13 s and 2.3 GB to read; no Excel file has such a row."""
    data = _xlsx_bytes([HEADER, GOOD, GOOD2])
    (p := d / "row_2_million.xlsx").write_bytes(_rewrite_part(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace('<row r="3">', '<row r="2000000">', 1)
        .replace('r="A3"', 'r="A2000000"', 1)))
    return p


def _far_cell(name: str, row_xml: str, doc: str) -> Callable[[Path], Path]:
    """A workbook with one more row, written in valid XML that the first guard's patterns (double quotes
    only, ``r`` first, no prefix) did not see: a stray cell on row 1,000,000 then took 7 s and 524 MB,
    one at XFD1048576 aborted the whole process (SIGABRT)."""

    def build(d: Path) -> Path:
        data = _xlsx_bytes([HEADER, GOOD, GOOD2])
        (p := d / name).write_bytes(_rewrite_part(  # stored: the zip-bomb guard must not be what refuses it
            data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</sheetData>", row_xml + "</sheetData>", 1),
            zipfile.ZIP_STORED))
        return p

    build.__name__ = f"b_{name}"
    build.__doc__ = doc
    return build


def b_directory(d: Path) -> Path:
    (p := d / "folder.csv").mkdir()
    return p


# --------------------------------------------------------------------------- the corpus

CASES: list[tuple[str, Callable[[Path], Path], Unreadable | Findings]] = [
    # empty and header-only
    ("empty-csv", b_empty_csv, Unreadable(("empty file",))),
    ("empty-xlsx", b_empty_xlsx, Unreadable(("empty file",))),
    ("empty-xlsb", _empty("empty.xlsb"), Unreadable(("empty file",))),
    ("empty-ods", _empty("empty.ods"), Unreadable(("empty file",))),
    ("empty-tsv", _empty("empty.tsv"), Unreadable(("empty file",))),
    ("bom-only-csv", b_bom_only_csv, Findings("TC003")),
    ("blank-lines-only-csv", b_blank_lines_csv, Findings("TC003")),
    ("header-only-csv", b_header_only_csv, Findings("TC003", absent=("TC001",))),
    ("header-only-xlsx", b_header_only_xlsx, Findings("TC003", absent=("TC001",))),
    ("empty-sheet-xlsx", b_empty_sheet_xlsx, Findings("TC003")),
    # the wrong kind of file
    ("xlsx-bytes-named-csv", b_xlsx_named_csv, Unreadable(("Excel workbook (.xlsx)", "rename it to .xlsx"))),
    ("xls-bytes-named-csv", b_xls_named_csv, Unreadable(("Excel workbook (.xls)", "rename it to .xls"))),
    ("zip-named-csv", b_zip_named_csv, Unreadable(("zip archive",))),
    ("csv-text-named-xlsx", b_csv_named_xlsx, Unreadable(("text file", "rename it to .csv"))),
    ("utf16-csv-named-xlsx", b_utf16_csv_named_xlsx, Unreadable(("text file",))),
    ("pdf-extension", b_pdf, Unreadable(("'.pdf'",))),
    ("docx-extension", b_docx, Unreadable(("'.docx'",))),
    ("no-extension", b_no_extension, Unreadable(("extension",))),
    ("directory-named-csv", b_directory, Unreadable(("directory",))),
    ("row-beyond-excel", b_row_beyond_excel, Unreadable(("sheet 'Requests'", "row 1,000,000,000", "beyond Excel"))),
    ("row-2-million", b_row_2_million, Unreadable(("row 2,000,000", "beyond Excel"))),
    # the workbook guard: far cells in every attribute syntax XML allows
    ("far-cell-single-quotes", _far_cell("single_quotes.xlsx", "<row r='1000000'><c r='C1000000'><v>1</v></c></row>",
                                         "single quotes"), Unreadable(("sheet 'Requests'", "row 1,000,000", "stray"))),
    ("far-corner-single-quotes", _far_cell("corner_quotes.xlsx", "<row r='1048576'><c r='XFD1048576'><v>1</v></c>"
                                           "</row>", "single quotes"), Unreadable(("column 16,384",))),
    ("far-cell-spaces-around-equals", _far_cell("spaces.xlsx", '<row r = "1048576"><c r = "XFD1048576" ><v>1</v></c>'
                                                "</row>", "spaces"), Unreadable(("column 16,384",))),
    ("far-cell-namespace-prefix", _far_cell("prefix.xlsx", '<x:row xmlns:x="http://schemas.openxmlformats.org/'
                                            'spreadsheetml/2006/main" r="1048576"><x:c r="XFD1048576"><x:v>1</x:v>'
                                            "</x:c></x:row>", "prefix"), Unreadable(("column 16,384",))),
    ("far-cell-reference-not-first", _far_cell("order.xlsx", '<row r="1048576"><c t="n" s="0" r="XFD1048576"><v>1</v>'
                                               "</c></row>", "order"), Unreadable(("column 16,384",))),
    ("far-cell-lower-case-reference", _far_cell("lower.xlsx", '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
                                                "lower case"), Unreadable(("column 16,384",))),
    ("far-cell-no-reference-many-rows", _far_cell("no_refs.xlsx", "<row/>" * 1_500_000 + "<row><c><v>1</v></c></row>",
                                                  "rows without r"), Unreadable(("row 1,500,004", "beyond Excel"))),
    ("far-cell-behind-an-entity",
     _far_cell("entity.xlsx", "<row><c><v>&unknown;</v></c></row>", "an undeclared entity"),
     Unreadable(("damaged workbook", "not well-formed"))),
    ("zip-version-from-the-future", b_zip_version_from_the_future, Findings(None, batch={"row_count": 1})),
    ("truncated-xlsx", b_truncated_xlsx, Unreadable(("workbook",))),
    ("zip-not-a-workbook", b_zip_not_workbook, Unreadable(("workbook",))),
    ("workbook-missing-sheet-part", b_workbook_missing_sheet_part, Unreadable(("sheet 'Requests'",))),
    ("encrypted-xlsx", b_encrypted_xlsx, Unreadable(("password-protected", "remove the password"))),
    ("encrypted-xlsx-named-csv", b_encrypted_named_csv, Unreadable(("password-protected",))),
    ("old-xls-cfb-garbage", b_old_xls, Unreadable(("workbook",))),
    ("real-old-xls", b_real_xls, Findings("TC103", row=3, column="A", batch={"sheet": "Solicitudes"},
                                          mapping={"serial_number": "Matrícula"})),
    # workbook features
    ("formulas-without-cached-values", b_formulas_without_cache, Findings("TC009", row=2, column="G")),
    ("formula-text-in-csv", b_formula_text_csv, Findings("TC009", row=3, column="G", reason="formula_text")),
    ("formula-text-in-csv-padded", b_formula_text_csv, Findings("TC009", row=3, column="D", reason="formula_text")),
    ("formulas-with-cached-values", b_formulas_with_cache,
     Findings(None, absent=("TC009", "TC101", "TC102", "TC120"))),
    ("merged-cells", b_merged_cells, Findings(None, absent=("TC120",))),
    ("hidden-row-is-still-checked", b_hidden_row, Findings("TC101", row=3, column="G")),
    ("hidden-sheet-skipped", b_hidden_sheet, Findings("TC101", row=3, batch={"sheet": "Requests"})),
    ("two-header-rows", b_two_header_rows, Findings("TC102", row=2, column="G", batch={"header_row": 1})),
    ("duplicate-header-names", b_duplicate_headers, Findings("TC004")),
    ("header-on-row-5", b_header_on_row_5, Findings("TC120", row=7, column="C", batch={"header_row": 5})),
    ("100kb-text-cell", b_huge_text_cell, Findings("TC007", row=3, column="D", field="model")),
    # hostile serials
    ("control-char-serial-xlsx", b_control_char_serial_xlsx, Findings("TC102", row=3, column="G")),
    ("tab-in-serial-csv", _serial_csv("tab_serial.csv", '"HKR\t4521"'), Findings("TC007", row=3, column="G")),
    ("line-break-in-serial-csv", _serial_csv("newline_serial.csv", '"HKR\n4521"'),
     Findings("TC007", row=3, column="G", field="serial_number")),
    ("rtl-mark-in-serial", _serial_csv("rlm_serial.csv", "\u200fHKR4521"), Findings("TC102", row=3, column="G")),
    ("zero-width-space-in-serial", _serial_csv("zwsp_serial.csv", "HKR\u200b4521"),
     Findings("TC102", row=3, column="G")),
    ("emoji-in-serial", _serial_csv("emoji_serial.csv", "HKR\U0001F52B4521"), Findings("TC102", row=3, column="G")),
    ("bidi-override-in-serial", _serial_csv("rlo_serial.csv", "\u202eHKR4521"),
     Findings("TC102", row=3, column="G")),
    ("serial-float-12345.0", b_serial_float, Findings("TC103", row=3, column="G")),
    ("serial-scientific-notation", b_serial_scientific, Findings("TC103", row=3, column="G")),
    ("serial-18-digit-number", b_serial_big_number, Findings("TC103", row=3, column="G")),
    # headers in two Unicode forms
    ("header-nfc-matricula", _header_variant("nfc.csv", "NFC"),
     Findings(None, mapping={"serial_number": unicodedata.normalize("NFC", "Matrícula")}, absent=("TC001",))),
    ("header-nfd-matricula", _header_variant("nfd.csv", "NFD"),
     Findings(None, mapping={"serial_number": unicodedata.normalize("NFD", "Matrícula")}, absent=("TC001",))),
    # csv encodings and syntax
    ("mixed-line-endings", b_mixed_line_endings, Findings("TC101", row=3, column="G", batch={"row_count": 3})),
    ("unbalanced-quote", b_unbalanced_quote, Findings("TC101", row=4, column="G", batch={"row_count": 3})),
    # a record wider and one shorter than the table's 12 fields: dropped and reported, never read shifted
    ("ragged-rows", b_ragged_rows, Findings("TC012", row=2, batch={"row_count": 1})),
    ("ragged-rows-short-record", b_ragged_rows, Findings("TC012", row=3, absent=("TC101",))),
    ("first-record-widest", b_first_record_widest,
     Findings("TC101", row=3, column="B", mapping={"caliber": "Caliber", "recovery_date": "Recovery Date"})),
    ("nul-bytes", b_nul_bytes, Findings("TC011", row=3, column="G", field="serial_number", absent=("TC102",))),
    ("mostly-binary-csv", b_mostly_binary, Unreadable(("binary file, not text",))),
    ("pdf-named-xlsx", _signature("report.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
     Unreadable(("pdf document",))),
    ("png-named-csv", _signature("scan.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), Unreadable(("png image",))),
    ("jpeg-named-xls", _signature("photo.xls", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"), Unreadable(("jpeg image",))),
    ("gzip-named-csv", _signature("dump.csv", b"\x1f\x8b\x08\x00" + bytes(40)), Unreadable(("gzip archive",))),
    ("7z-named-xlsx", _signature("batch.xlsx", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40)), Unreadable(("7-zip",))),
    ("docx-named-xlsx", b_docx_named_xlsx, Unreadable(("word document",))),
    ("zip-named-xlsx", b_zip_named_xlsx, Unreadable(("zip archive", "unpack"))),
    ("html-table-named-xls", b_html_xls, Findings("TC101", row=3, column="G", batch={"row_count": 2})),
    ("html-page-without-table",
     _signature("page.xls", b"<!DOCTYPE html><html><body><p>Session expired</p></body></html>"),
     Unreadable(("html page without a table", ".xlsx"))),
    ("html-table-in-utf16-named-xls", b_html_utf16_xls,
     Findings("TC101", row=3, column="G", batch={"row_count": 2})),
    ("excel-2003-xml-named-xls",
     _signature("old.xls", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook/>'),
     Unreadable(("excel 2003 xml", "save it as .xlsx"))),
    ("utf16-le-without-bom", b_utf16_no_bom, Findings("TC101", row=3, column="G", batch={"row_count": 2})),
    ("cp1252-line-in-utf8", b_cp1252_line, Findings("TC010", row=3, column="B", absent=("TC012",))),
    ("bom-inside-the-file", b_inner_bom, Findings(None, batch={"row_count": 3}, absent=("TC012", "TC011"))),
    ("backslash-escaped-quotes", b_backslash_quotes, Findings("TC101", row=4, column="G", absent=("TC012",))),
    ("trailing-delimiter-on-data-lines", b_trailing_delimiter, Findings("TC101", row=3, column="G", absent=("TC012",))),
    ("utf16-with-bom", b_utf16_bom, Findings("TC101", row=3, column="G", mapping={"serial_number": "Matrícula"},
                                             batch={"encoding": "utf-16"})),
    ("latin1-after-utf8-bom", b_lying_bom, Findings("TC101", row=3, column="G",
                                                    mapping={"serial_number": "Matrícula"})),
    # dates
    # Excel cannot hold dates before 1900: openpyxl writes a negative serial, which is not a date
    ("date-before-1900-xlsx", b_dates_before_1900,
     Findings("TC301", row=3, column="J", field="purchase_date", reason="time_only")),
    # 1899-12-30 is Excel's day zero, the default of many databases: an unknown date, not one 126 years ago
    ("date-before-1900-text", b_dates_before_1900_text,
     Findings("TC306", row=3, column="J", reason="placeholder", absent=("TC310", "TC301"))),
    ("text-dates-five-formats", b_five_date_formats, Findings("TC301", row=7, column="K")),
    ("numbers-where-dates-belong", b_numbers_for_dates, Findings("TC301", row=3, column="L", reason="text")),
    ("number-read-as-date-serial", b_numbers_for_dates, Findings("TC305", row=3, column="J")),
    ("number-text-read-as-date-serial-csv", b_numbers_for_dates_csv, Findings("TC305", row=3, column="J")),
    ("number-text-with-decimal-comma-csv", b_numbers_for_dates_csv, Findings("TC305", row=3, column="K")),
    ("number-that-is-no-date", b_numbers_for_dates, Findings("TC301", row=3, column="K", reason="number")),
    ("excel-1904-date-system", b_dates_1904, Findings("TC305", row=3, column="K", absent=("TC301", "TC302"))),
    ("dates-where-serials-belong", b_date_in_serial, Findings("TC103", row=3, column="G", reason="date_cell")),
]

IDS = [case[0] for case in CASES]
assert len(IDS) == len(set(IDS)), "case names must be unique"


# --------------------------------------------------------------------------- the test


class _Hang(BaseException):
    """Raised by the alarm; a BaseException so the CLI's `except Exception` does not swallow it."""


def _on_alarm(signum, frame):
    raise _Hang(f"no answer within {TIME_LIMIT_S} s")


def _snapshot(path: Path) -> tuple[bytes | None, int]:
    stat = path.stat()
    return (path.read_bytes() if path.is_file() else None), stat.st_mtime_ns


@pytest.mark.parametrize(("name", "build", "expected"), CASES, ids=IDS)
def test_bad_input(tmp_path: Path, name: str, build: Callable[[Path], Path], expected) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    out = tmp_path / "out"
    path = build(inputs)
    old = os.stat(path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 7_000_000_000))  # a distinct, older mtime
    before = _snapshot(path)

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        result = CliRunner().invoke(tracecheck.cli.main, ["check", str(path), "--out", str(out), "--as-of", AS_OF])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    output = result.output
    assert "Traceback" not in output
    assert result.exit_code != 70, output
    assert not isinstance(result.exception, _Hang), f"hang: {result.exception}"
    assert _snapshot(path) == before, "the input file was changed"
    assert not list(out.glob("*.tmp")) if out.exists() else True, "a temporary file was left behind"
    assert not list(inputs.glob("*.tmp")), "a temporary file was left next to the input"

    if isinstance(expected, Unreadable):
        assert result.exit_code == 2, output
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 1, output
        assert str(path) in lines[0], lines[0]
        for text in expected.mentions:
            assert text.lower() in lines[0].lower(), lines[0]
        assert not (out / f"{path.stem}.report.json").exists()
        return

    assert result.exit_code in (0, 1), output
    report = json.loads((out / f"{path.stem}.report.json").read_text(encoding="utf-8"))
    findings = report["findings"]
    rules = {f["rule"] for f in findings}
    if expected.rule is not None:
        matching = [f for f in findings if f["rule"] == expected.rule
                    and (expected.row is None or f["row"] == expected.row)
                    and (expected.column is None or f["column"] == expected.column)
                    and (expected.field is None or f["field"] == expected.field)
                    and (expected.reason is None or f["reason"] == expected.reason)]
        assert matching, (f"no {expected.rule} at row={expected.row} column={expected.column} "
                          f"field={expected.field}; findings: "
                          f"{[(f['rule'], f['row'], f['column'], f['field']) for f in findings]}")
    for rule in expected.absent:
        assert rule not in rules, [f for f in findings if f["rule"] == rule]
    mapped = {m["field"]: m["header"] for m in report["mapping"]}
    for field_name, header in expected.mapping.items():
        assert mapped.get(field_name) == header, report["mapping"]
    for key, value in expected.batch.items():
        assert report["batch"][key] == value, (key, report["batch"])


def test_1904_date_system_dates_are_read_as_shown_in_excel(tmp_path: Path) -> None:
    """Date cells of a 1904-system workbook, and a plain number in it, give the dates Excel shows."""
    path = b_dates_1904(tmp_path)
    report = tracecheck.check(path, as_of=dt.date.fromisoformat(AS_OF))
    row = report.rows.set_index("row").loc[3]
    recovery = dt.date(1904, 1, 1) + dt.timedelta(days=43890)  # 2024-03-02 in the 1904 system
    assert row["time_to_crime_days"] == (recovery - dt.date(2020, 11, 2)).days
    assert row["submission_lag_days"] == (dt.date(2024, 6, 3) - recovery).days
    finding = next(f for f in report.iter_findings() if f.rule == "TC305")
    assert finding.context == {"parsed": recovery.isoformat(), "date_system": 1904}


def test_corpus_size() -> None:
    assert len(CASES) >= 40
