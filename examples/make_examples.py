"""Regenerate the example batches in this folder from fixed seeds.

    python examples/make_examples.py

Writes, byte-for-byte reproducibly:

* ``traces_us.csv``        English headers, profile "us", 60 rows, UTF-8, comma-separated.
* ``rastreo_mx.csv``       Spanish headers, profile "mexico", 60 rows, cp1252 ("ANSI"), semicolons, CRLF.
* ``fiscalia_titled.xlsx`` Spanish, profile "mexico", 80 rows on sheet "Solicitudes", with title rows
  above the header, real Excel date cells, numeric serial cells and a note under the data.

The seeds were chosen so that every defect kind in ``synth.batches.DEFECT_KINDS`` occurs at
least once in each file; the script warns if a change to the generator breaks that.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pandas as pd  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from synth.batches import DEFECT_KINDS, generate_batch  # noqa: E402

FIXED_TIME = dt.datetime(2026, 9, 30, 12, 0, 0)
MONTHS_ES = {m: i + 1 for i, m in enumerate(["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago",
                                              "sep", "oct", "nov", "dic"])}

# name: (generate_batch kwargs)
BATCHES = {
    "traces_us.csv": dict(n_rows=60, seed=150, language="en", profile="us", start_request_id=1001),
    "rastreo_mx.csv": dict(n_rows=60, seed=13, language="es", profile="mexico", start_request_id=4101),
    "fiscalia_titled.xlsx": dict(n_rows=80, seed=74, language="es", profile="mexico", start_request_id=7001),
}


def write_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8", sep: str = ",",
              lineterminator: str = "\n") -> None:
    """Write the text frame as a spreadsheet export would: blanks empty, no index.

    Characters the encoding cannot hold become "?", as Excel does when saving "CSV" in an ANSI code page.
    """
    text = frame.to_csv(index=False, sep=sep, lineterminator=lineterminator)
    path.write_bytes(text.encode(encoding, errors="replace"))


def _parse_es(text):
    """Spanish-order date text -> date, or None when it is not a clean date."""
    if not isinstance(text, str):
        return None
    try:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = re.fullmatch(r"(\d{1,2})-([a-z]{3})-(\d{4})", text)
        if m:
            return dt.date(int(m[3]), MONTHS_ES[m[2]], int(m[1]))
    except ValueError:
        return None
    return None


def write_xlsx(frame: pd.DataFrame, path: Path, *, title_rows=(), sheet: str = "Sheet1",
               date_columns=(), text_date_every: int = 7, numeric_serial_column: str | None = None,
               numeric_serials: int = 3, note: str | None = None) -> None:
    """Write a titled workbook the way a fiscalía analyst would have typed it.

    Title/note rows, a blank row, then the header; dates become real Excel date cells except every
    `text_date_every`-th row (and anything that is not a clean date), which stays text; the first
    `numeric_serials` all-digit serials become numbers (a leading zero is lost); `note` goes five
    rows below the data.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for title in title_rows:
        ws.append([title])
    if title_rows:
        ws.append([])
    ws.append(list(frame.columns))
    digit_rows = []
    if numeric_serial_column:
        serials = frame[numeric_serial_column].fillna("")
        leading_zero = serials.str.fullmatch(r"0\d{5,14}")
        digits = serials.str.fullmatch(r"[1-9]\d{5,14}")
        digit_rows = (list(frame.index[leading_zero]) + list(frame.index[digits]))[:numeric_serials]
    for i, (idx, row) in enumerate(frame.iterrows()):
        values = []
        for col, value in row.items():
            if value is None or (isinstance(value, float) and pd.isna(value)):
                values.append(None)
            elif col in date_columns and i % text_date_every != 3 and _parse_es(value):
                values.append(_parse_es(value))
            elif col == numeric_serial_column and idx in digit_rows:
                values.append(int(value))
            else:
                values.append(value)
        ws.append(values)
        for cell, value in zip(ws[ws.max_row], values):
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    if note:
        ws.cell(row=ws.max_row + 5, column=1, value=note)
    ws.column_dimensions["B"].width = 45
    wb.properties.creator = "tracecheck examples"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    _stable_zip(buffer.getvalue(), path)


def _stable_zip(data: bytes, path: Path) -> None:
    """Rewrite the xlsx zip with fixed entry timestamps and a fixed modified time, so bytes are stable."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>",
                              body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    path.write_bytes(out.getvalue())


def _check_coverage(name: str, frame: pd.DataFrame) -> None:
    kinds = set(frame["_truth_defects"].dropna().str.split(";").explode())
    if kinds & {"date_unparseable", "date_placeholder"}:  # one draw gives either: date text that gives no date
        kinds |= {"date_unparseable", "date_placeholder"}
    missing = sorted(set(DEFECT_KINDS) - kinds)
    if missing:
        print(f"warning: {name} no longer shows: {', '.join(missing)} (pick another seed)", file=sys.stderr)


def main() -> int:
    for name, kwargs in BATCHES.items():
        truth = generate_batch(**kwargs, with_truth=True)
        _check_coverage(name, truth)
        frame = truth[[c for c in truth.columns if not c.startswith("_truth_")]]
        path = HERE / name
        if name == "traces_us.csv":
            write_csv(frame, path)
        elif name == "rastreo_mx.csv":
            write_csv(frame, path, encoding="cp1252", sep=";", lineterminator="\r\n")
        else:
            write_xlsx(frame, path, sheet="Solicitudes",
                       title_rows=["Fiscalía General del Estado — Solicitudes de rastreo enviadas a ATF",
                                   "Corte al 30/09/2026"],
                       date_columns=("Fecha de compra", "Fecha de aseguramiento", "Fecha de solicitud"),
                       numeric_serial_column="Matrícula",
                       note="Preparado por: Lic. A. Martínez, Unidad de Análisis Balístico (ext. 1234)")
        print(f"wrote {path.relative_to(HERE.parent)}: {len(frame)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
