"""Tests for tracecheck.read: messy xlsx/csv files built on the fly in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pandas as pd
import pytest

from tracecheck.errors import InputError
from tracecheck.read import RawBatch, column_letter, list_sheets, read_batch
from tracecheck.read import sniff as sniff_module

HEADER = ["Serie", "Marca", "Modelo", "Calibre"]


def write_xlsx(path, sheets: dict[str, dict[str, object]]):
    """Write a workbook; each sheet is a mapping of cell address -> value."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, cells in sheets.items():
        sheet = workbook.create_sheet(name)
        for address, value in cells.items():
            sheet[address] = value
    workbook.save(path)
    return path


def rows_to_cells(rows: dict[int, list[object]], first_col: int = 1) -> dict[str, object]:
    """{row_number: [values...]} -> {"A1": value, ...}; None values are left unwritten."""
    cells = {}
    for row, values in rows.items():
        for offset, value in enumerate(values):
            if value is not None:
                cells[f"{column_letter(first_col - 1 + offset)}{row}"] = value
    return cells


def write_csv(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def records(batch: RawBatch) -> list[dict]:
    """Rows as dicts, with every missing cell (None, NaN, NA) shown as None."""
    return [{k: (None if not isinstance(v, (str, list)) and pd.isna(v) else v) for k, v in row.items()}
            for row in batch.frame.to_dict("records")]


# --------------------------------------------------------------------------- header detection


def test_title_rows_above_header_give_true_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"Hoja1": rows_to_cells({
        1: ["Solicitudes de rastreo - Fiscalía General 2024"],
        3: HEADER,
        4: ["ABC123", "Glock", "19", "9mm"],
        5: ["XYZ999", "Beretta", "92", "9mm"],
    })})
    batch = read_batch(path)
    assert batch.header_row == 3
    assert list(batch.frame.columns) == HEADER
    assert list(batch.frame.index) == [4, 5]
    assert batch.frame.loc[4, "Serie"] == "ABC123"
    assert batch.sheet == "Hoja1"
    assert batch.encoding is None and batch.delimiter is None


def test_note_row_above_header_is_skipped_in_csv(tmp_path):
    text = ("Solicitudes de rastreo 2024\n"
            "Nota: llenar todas las columnas\n"
            "\n"
            "Serie,Marca,Modelo,Calibre\n"
            "ABC123,Glock,19,9mm\n")
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert batch.header_row == 4
    assert list(batch.frame.index) == [5]
    assert records(batch) == [{"Serie": "ABC123", "Marca": "Glock", "Modelo": "19",
                               "Calibre": "9mm"}]


def test_forced_header_row(tmp_path):
    text = "a,b\nSerie,Marca\nABC,Glock\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text), header_row=2)
    assert batch.header_row == 2
    assert list(batch.frame.columns) == ["Serie", "Marca"]
    assert list(batch.frame.index) == [3]


def test_forced_header_row_beyond_end_is_an_input_error(tmp_path):
    path = write_csv(tmp_path / "t.csv", "Serie,Marca\nABC,Glock\n")
    with pytest.raises(InputError, match="header row 9"):
        read_batch(path, header_row=9)
    with pytest.raises(InputError, match="1 or more"):
        read_batch(path, header_row=0)


def test_header_whitespace_collapsed_and_numeric_header_converted(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"S": rows_to_cells({
        1: ["  Número \n de   serie ", "Marca", 2024, dt.datetime(2024, 1, 31)],
        2: ["ABC", "Glock", 1, 2],
    })})
    batch = read_batch(path)
    assert list(batch.frame.columns) == ["Número de serie", "Marca", "2024", "2024-01-31"]


# --------------------------------------------------------------------------- rows and columns


def test_blank_rows_inside_data_are_dropped_keeping_row_numbers(tmp_path):
    text = "Serie,Marca\nA1,Glock\n\n,\nA2,Colt\n  ,  \nA3,Ruger\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert list(batch.frame.index) == [2, 5, 7]
    assert list(batch.frame["Serie"]) == ["A1", "A2", "A3"]
    assert batch.dropped_rows == []


def test_trailing_empty_columns_dropped_and_blank_header_named(tmp_path):
    # Header and first data row both have 3 text cells (19 is a number): tie -> earliest.
    text = "Serie,Marca,Modelo,,,,\nA1,Glock,19,,extra,,\nA2,Colt,1911,,,,\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert batch.header_row == 1
    assert list(batch.frame.columns) == ["Serie", "Marca", "Modelo", "Column E"]
    assert batch.column_letters == {"Serie": "A", "Marca": "B", "Modelo": "C", "Column E": "E"}
    assert batch.frame.loc[2, "Column E"] == "extra"
    assert pd.isna(batch.frame.loc[3, "Column E"])


def test_stray_cells_far_below_are_dropped(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"S": rows_to_cells({
        1: HEADER,
        2: ["A1", "Glock", "19", "9mm"],
        3: ["A2"],  # a bad data row directly inside the data: kept
        4: ["A3", "Colt", "1911", ".45"],
        8: ["Prepared by: J. Pérez"],
        9: ["Total:", 3],
    })})
    batch = read_batch(path)
    assert list(batch.frame.index) == [2, 3, 4]
    # issue 10: a signature line and a totals line are dropped for what they are, wherever they stand
    assert [(d.row, d.reason) for d in batch.dropped_rows] == [(8, "footer_line"), (9, "total_line")]
    assert pd.isna(batch.frame.loc[3, "Marca"])


def test_short_rows_after_small_gap_are_data(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"S": rows_to_cells({
        1: HEADER,
        2: ["A1", "Glock", "19", "9mm"],
        5: ["A2", "Colt"],  # only 2 blank rows in between: still data
    })})
    batch = read_batch(path)
    assert list(batch.frame.index) == [2, 5]
    assert batch.dropped_rows == []


def test_wide_rows_after_big_gap_are_data(tmp_path):
    text = "Serie,Marca,Modelo\nA1,Glock,19\n\n\n\n\nA2,Colt,1911\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert list(batch.frame.index) == [2, 7]
    assert batch.dropped_rows == []


def test_stray_note_in_far_column_does_not_create_a_column(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"S": {
        **rows_to_cells({1: HEADER, 2: ["A1", "Glock", "19", "9mm"]}),
        "K10": "revisado",
    }})
    batch = read_batch(path)
    assert list(batch.frame.columns) == HEADER
    assert [(d.row, d.reason) for d in batch.dropped_rows] == [(10, "note_block")]


def test_duplicate_headers_are_renamed(tmp_path):
    text = "Serie,Marca,Serie,Serie,Marca\n1,2,3,4,5\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert list(batch.frame.columns) == ["Serie", "Marca", "Serie (2)", "Serie (3)", "Marca (2)"]
    assert batch.duplicate_headers == ["Serie", "Marca"]
    assert batch.column_letters["Serie (3)"] == "D"
    assert batch.frame.loc[2, "Serie (2)"] == "3"


def test_leading_empty_rows_and_columns_keep_sheet_positions(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"S": rows_to_cells({
        5: HEADER,
        6: ["A1", "Glock", "19", "9mm"],
        8: ["A2", "Colt", "1911", ".45"],
    }, first_col=3)})
    batch = read_batch(path)
    # Cross-check with openpyxl where these cells really are.
    sheet = openpyxl.load_workbook(path, read_only=True)["S"]
    found = {cell.value: (cell.row, cell.column_letter)
             for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert batch.header_row == found["Serie"][0] == 5
    assert list(batch.frame.index) == [found["A1"][0], found["A2"][0]] == [6, 8]
    assert batch.column_letters == {name: found[name][1] for name in HEADER}
    assert batch.column_letters["Serie"] == "C"


# --------------------------------------------------------------------------- values


def test_placeholders_kept_as_text_and_values_stripped(tmp_path):
    text = "Serie,Marca,Modelo,Calibre\n NA ,N/A,NONE,  null\n00123,nan,,-\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert records(batch) == [
        {"Serie": "NA", "Marca": "N/A", "Modelo": "NONE", "Calibre": "null"},
        {"Serie": "00123", "Marca": "nan", "Modelo": None, "Calibre": "-"},
    ]
    assert batch.frame["Modelo"].isna().tolist() == [False, True]


def test_xlsx_native_types(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"S": rows_to_cells({
        1: ["Serie", "Fecha", "Cantidad", "Activo", "Texto"],
        2: [12345, dt.datetime(2024, 3, 5, 14, 30), 1.5, True, "  00123  "],
        3: ["NA", dt.date(2024, 3, 6), 7, False, "N/A"],
    })})
    batch = read_batch(path)
    first, second = records(batch)
    assert isinstance(first["Serie"], (int, float)) and first["Serie"] == 12345
    assert first["Fecha"] == dt.datetime(2024, 3, 5, 14, 30)
    assert isinstance(second["Fecha"], dt.date) and second["Fecha"] == dt.date(2024, 3, 6)
    assert first["Cantidad"] == 1.5 and second["Cantidad"] == 7
    assert first["Activo"] is True and second["Activo"] is False
    assert first["Texto"] == "00123" and second["Texto"] == "N/A" and second["Serie"] == "NA"


def test_xlsx_date_cell_vs_plain_number(tmp_path):
    # In xlsx a date is a number with a date format; calamine reports it as a date,
    # and the same number without a date format as a plain number.
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Fecha", "Serial"])
    sheet.append([45000, 45000])
    sheet["A2"].number_format = "dd/mm/yyyy"
    workbook.save(path)
    row = records(read_batch(path))[0]
    assert isinstance(row["Fecha"], dt.date) and row["Fecha"] == dt.date(2023, 3, 15)
    assert not isinstance(row["Serial"], dt.date) and row["Serial"] == 45000


# ------------------------------------------------------------- csv encodings and delimiters


@pytest.mark.parametrize(("encoding", "reported"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"),
])
def test_csv_encodings(tmp_path, encoding, reported):
    text = "Matrícula;País de origen;Año\nABC-1;México;2024\nÑ-2;España;2023\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text, encoding))
    assert batch.encoding == reported
    assert list(batch.frame.columns) == ["Matrícula", "País de origen", "Año"]
    assert list(batch.frame["País de origen"]) == ["México", "España"]


def test_csv_utf16_with_bom(tmp_path):
    batch = read_batch(write_csv(tmp_path / "t.txt", "Serie\tMarca\nA1\tGlock\n", "utf-16"))
    assert batch.encoding == "utf-16" and batch.delimiter == "\t"
    assert records(batch) == [{"Serie": "A1", "Marca": "Glock"}]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters(tmp_path, delimiter):
    lines = ["Informe de rastreo, enero; 2024",
             delimiter.join(["Serie", "Marca", "Observaciones"]),
             delimiter.join(["A1", "Glock", '"uno, dos; tres | cuatro"']),
             delimiter.join(["A2", "Colt", "x"])]
    batch = read_batch(write_csv(tmp_path / "t.csv", "\n".join(lines) + "\n"))
    assert batch.delimiter == delimiter
    assert batch.header_row == 2
    assert list(batch.frame.columns) == ["Serie", "Marca", "Observaciones"]
    assert batch.frame.loc[3, "Observaciones"] == "uno, dos; tres | cuatro"


def test_semicolon_with_decimal_commas(tmp_path):
    text = "Serie;Precio;Peso\nA1;1,5;2,25\nA2;3,0;4,75\n"
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert batch.delimiter == ";"
    assert list(batch.frame["Precio"]) == ["1,5", "3,0"]


def test_csv_ragged_rows_wider_than_sample(tmp_path):
    lines = ["Serie,Marca"] + [f"A{i},Glock" for i in range(100)] + ["B,Colt,extra,more"]
    batch = read_batch(write_csv(tmp_path / "t.csv", "\r\n".join(lines)))
    # the wide record does not split into the table's two fields: its values may have shifted, so it is
    # dropped and noted (a TC012 finding), not read into columns of its own
    assert list(batch.frame.columns) == ["Serie", "Marca"]
    assert len(batch.frame) == 100
    assert [(d.row, d.reason) for d in batch.dropped_rows] == [(102, "misaligned")]
    assert [(n.kind, n.row, n.details) for n in batch.notes] == [
        ("misaligned", 102, {"fields": 4, "expected_fields": 2})]


def test_csv_crlf_and_no_final_newline(tmp_path):
    batch = read_batch(write_csv(tmp_path / "t.csv", "Serie,Marca\r\nA1,Glock\r\n\r\nA2,Colt"))
    assert list(batch.frame.index) == [2, 4]
    assert list(batch.frame["Marca"]) == ["Glock", "Colt"]


# --------------------------------------------------------------------------- sheets


def test_explicit_sheet_and_missing_sheet(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {
        "Hoja1": rows_to_cells({1: HEADER, 2: ["A1", "Glock", "19", "9mm"]}),
        "Notas": rows_to_cells({1: ["Serie", "Nota"], 2: ["A9", "revisar"]}),
    })
    batch = read_batch(path, sheet="Notas")
    assert batch.sheet == "Notas"
    assert records(batch) == [{"Serie": "A9", "Nota": "revisar"}]
    with pytest.raises(InputError) as err:
        read_batch(path, sheet="Foo")
    assert "sheet 'Foo' not found; available: 'Hoja1', 'Notas'" in str(err.value)
    assert "\n" not in str(err.value)
    assert list_sheets(path) == ["Hoja1", "Notas"]


def test_first_table_like_sheet_is_chosen(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {
        "Instrucciones": rows_to_cells({1: ["Llene la hoja Datos"], 3: ["Gracias"]}),
        "Vacia": {},
        "Datos": rows_to_cells({2: HEADER, 3: ["A1", "Glock", "19", "9mm"]}),
    })
    batch = read_batch(path)
    assert batch.sheet == "Datos"
    assert list(batch.frame.index) == [3]


def test_hidden_lookup_sheet_is_not_chosen(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    lists = workbook.active
    lists.title = "Listas"
    lists.append(["Marca", "Calibre"])
    lists.append(["Glock", "9mm"])
    lists.sheet_state = "hidden"
    data = workbook.create_sheet("Datos")
    data.append(HEADER)
    data.append(["A1", "Glock", "19", "9mm"])
    workbook.save(path)
    assert read_batch(path).sheet == "Datos"
    assert read_batch(path, sheet="Listas").sheet == "Listas"


def test_no_table_sheet_falls_back_to_first_sheet(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {
        "Uno": rows_to_cells({1: ["solo un titulo"]}),
        "Dos": {},
    })
    batch = read_batch(path)
    assert batch.sheet == "Uno"
    assert batch.header_row is None
    assert batch.frame.shape == (0, 0)


def test_sheet_option_on_csv_is_an_error(tmp_path):
    path = write_csv(tmp_path / "t.csv", "Serie,Marca\nA,B\n")
    with pytest.raises(InputError, match="no sheets"):
        read_batch(path, sheet="Hoja1")
    with pytest.raises(InputError, match="have sheets"):
        list_sheets(path)


# --------------------------------------------------------------------------- empty input


@pytest.mark.parametrize("text", ["\n\n  \n", "Solicitudes de rastreo 2024\n", ",,,\n,,\n"])
def test_empty_or_title_only_csv_gives_empty_batch(tmp_path, text):
    batch = read_batch(write_csv(tmp_path / "t.csv", text))
    assert batch.header_row is None
    assert len(batch.frame) == 0
    assert batch.dropped_rows == [] and batch.duplicate_headers == []


def test_header_without_data_rows(tmp_path):
    batch = read_batch(write_csv(tmp_path / "t.csv", "Serie,Marca\n\n"))
    assert batch.header_row == 1
    assert list(batch.frame.columns) == ["Serie", "Marca"]
    assert len(batch.frame) == 0


def test_empty_workbook_sheet(tmp_path):
    batch = read_batch(write_xlsx(tmp_path / "t.xlsx", {"Hoja1": {}}))
    assert batch.sheet == "Hoja1" and batch.header_row is None and len(batch.frame) == 0


# --------------------------------------------------------------------------- bad input


def test_unsupported_extension(tmp_path):
    path = tmp_path / "t.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError) as err:
        read_batch(path)
    expected = "unsupported file type '.pdf'; expected .xlsx, .xlsm, .xls, .xlsb, .ods, .csv, .tsv or .txt"
    assert expected in str(err.value)
    assert "t.pdf" in str(err.value)


def test_missing_file(tmp_path):
    for name in ("nope.csv", "nope.xlsx", "nope.pdf"):
        with pytest.raises(InputError, match="file not found") as err:
            read_batch(tmp_path / name)
        assert name in str(err.value)


def test_directory_is_an_input_error(tmp_path):
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="directory"):
        read_batch(folder)


def test_unreadable_file(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "t.csv", "a,b\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sniff_module, "open", denied, raising=False)
    with pytest.raises(InputError, match="permission denied") as err:
        read_batch(path)
    assert "t.csv" in str(err.value)


@pytest.mark.parametrize(("content", "message"), [(b"", "empty file"),
                                                   (b"not a zip at all", "is a text file, not an Excel workbook"),
                                                   (b"PK\x03\x04truncated", "not a readable workbook")])
@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_corrupt_workbook(tmp_path, content, message, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_batch(path)
    assert f"bad{suffix}" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".pdf", ""])
def test_empty_file_is_one_error_whatever_its_name(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"^.*t[.a-z]*: empty file \(0 bytes\): nothing to check$"):
        read_batch(path)


def test_truncated_real_workbook(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"S": rows_to_cells({1: HEADER})})
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError):
        read_batch(bad)


def test_binary_file_with_csv_extension(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="is a PNG image, not a csv"):
        read_batch(path)
    path.write_bytes(bytes(range(256)) * 40)  # no known signature, mostly control bytes
    with pytest.raises(InputError, match="binary file, not text"):
        read_batch(path)


def test_unterminated_quote_is_read_literally(tmp_path):
    path = write_csv(tmp_path / "t.csv", 'Serie,Marca\nA1,"Glock\nA2,Colt\n')
    batch = read_batch(path)
    assert list(batch.frame.index) == [2, 3]
    assert records(batch) == [{"Serie": "A1", "Marca": '"Glock'},
                              {"Serie": "A2", "Marca": "Colt"}]


def test_rows_getting_wider_beyond_the_sample(tmp_path):
    lines = ["Serie,Marca,Modelo"] + ["A,B,C"] * 60 + [",".join(["x"] * n) for n in range(4, 20)]
    batch = read_batch(write_csv(tmp_path / "t.csv", "\n".join(lines) + "\n"))
    # parsed to the end (no field lost), and the lines wider than the table are misaligned: dropped and noted
    assert batch.frame.shape == (60, 3)
    assert [d.row for d in batch.dropped_rows] == list(range(62, 78))
    assert [n.details["fields"] for n in batch.notes] == list(range(4, 20))


# --------------------------------------------------------------------------- file identity


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_file_unchanged_and_sha256(tmp_path, kind):
    if kind == "csv":
        path = write_csv(tmp_path / "t.csv", "Serie,Marca\nA1,Glock\n")
    else:
        path = write_xlsx(tmp_path / "t.xlsx", {"S": rows_to_cells({1: HEADER})})
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    batch = read_batch(str(path))
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert batch.sha256 == hashlib.sha256(before).hexdigest()
    assert batch.source == path.name
    assert batch.path == str(path)


def test_frame_index_is_int_and_columns_are_str(tmp_path):
    batch = read_batch(write_csv(tmp_path / "t.csv", "Serie,Marca\nA1,Glock\n"))
    assert pd.api.types.is_integer_dtype(batch.frame.index)
    assert all(isinstance(name, str) for name in batch.frame.columns)


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"),
                                               (702, "AAA")])
def test_column_letter(index, letter):
    assert column_letter(index) == letter



# --------------------------------------------------------------------------- csv fast path


RECTANGULAR = ('Serie,Marca,Fecha\n'
               ' A1 ,Glock,01/02/2020\n'
               'A2,"Colt, Inc.",\n'
               'A3,"Ruger\n(two lines)",N/A\n'
               '00123,,2020-05-05\n')


def test_rectangular_csv_takes_the_arrow_fast_path(tmp_path, monkeypatch):
    import tracecheck.read.csv as read_csv

    def forbidden(*args, **kwargs):
        raise AssertionError("the pandas fallback parser was used for a rectangular csv")

    monkeypatch.setattr(read_csv, "_parse_csv", forbidden)
    batch = read_batch(write_csv(tmp_path / "t.csv", RECTANGULAR))
    assert list(batch.frame.index) == [2, 3, 4, 5]
    assert records(batch) == [
        {"Serie": "A1", "Marca": "Glock", "Fecha": "01/02/2020"},
        {"Serie": "A2", "Marca": "Colt, Inc.", "Fecha": None},
        {"Serie": "A3", "Marca": "Ruger\n(two lines)", "Fecha": "N/A"},
        {"Serie": "00123", "Marca": None, "Fecha": "2020-05-05"},
    ]


def test_fast_path_and_fallback_read_the_same_values(tmp_path):
    fast = read_batch(write_csv(tmp_path / "fast.csv", RECTANGULAR))
    slow = read_batch(write_csv(tmp_path / "slow.csv", "Solicitudes 2026\n" + RECTANGULAR))  # ragged: fallback
    assert slow.header_row == fast.header_row + 1
    assert records(slow) == records(fast)
    assert list(slow.frame.index) == [i + 1 for i in fast.frame.index]
