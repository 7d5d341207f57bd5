"""The findings csv opens right in Excel: UTF-8 with a byte-order mark, ';' for a Spanish report and
',' for an English one (or the delimiter asked for), and every value reads back with the csv module
and with pandas. Through the library, CliRunner and a real `python -m tracecheck` process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main
from tracecheck.report.view import ReportView
from tracecheck.writers.csv import csv_delimiter, write_findings_csv

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "rastreo_mx.csv"  # Spanish headers; stale purchases: messages with "años"
AS_OF = "2026-11-22"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def reports():
    return {lang: tracecheck.check(EXAMPLE, as_of=AS_OF, lang=lang) for lang in ("en", "es")}


def read_back(path: Path, delimiter: str) -> tuple[list[list[str]], pd.DataFrame]:
    data = path.read_bytes()
    assert data.startswith(BOM) and not data.startswith(BOM * 2)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle, delimiter=delimiter))
    frame = pd.read_csv(path, sep=delimiter, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return records, frame


def expected_rows(report) -> list[list[str]]:
    """The findings as the csv must hold them: severities in words, details as JSON, missing as ''."""
    words = ReportView(report).words
    out = []
    for f in report.to_dict()["findings"]:
        cells = [f["row"], f["column"], f["header"], f["rule"], f["name"], words.severity(f["severity"]), f["field"],
                 f["value"], f["reason"], f["message"], f["index"], f["sheet"]]
        out.append(["" if c is None else str(c) for c in cells] + [f["context"] or None])
    return out


@pytest.mark.parametrize("lang, delimiter", [("en", ","), ("es", ";")])
def test_the_language_sets_the_delimiter_and_values_round_trip(reports, tmp_path, lang, delimiter):
    report = reports[lang]
    [path] = tracecheck.write_report(report, tmp_path, "csv")
    records, frame = read_back(path, delimiter)
    header_line = path.read_bytes()[3:].split(b"\n", 1)[0].decode("utf-8")
    assert header_line.count(delimiter) == 13 and header_line.split(delimiter)[0] == ("Row" if lang == "en" else "Fila")
    other = ";" if delimiter == "," else ","
    assert other not in header_line
    assert len(records) - 1 == len(report.findings) == len(frame) > 50
    rows = expected_rows(report)
    for record, row in zip(records[1:], rows, strict=True):
        assert record[:12] == row[:12]
        assert (json.loads(record[12]) if record[12] else None) == row[12]
    assert frame.columns[3] == ("Code" if lang == "en" else "Código")
    assert frame.iloc[:, 9].tolist() == [r[9] for r in rows]  # messages, commas and all, in one cell each
    assert any("," in r[9] for r in rows)


def test_spanish_accents_are_utf8_behind_a_bom(reports, tmp_path):
    """Excel decodes a csv as UTF-8 only when it starts with a BOM: 'años' must be the UTF-8 bytes,
    never the mojibake 'aÃ±os' (UTF-8 read as cp1252)."""
    [path] = tracecheck.write_report(reports["es"], tmp_path, "csv")
    data = path.read_bytes()
    assert data[:3] == BOM
    assert "años".encode() in data and "aÃ±os".encode() not in data
    assert "años" in data.decode("utf-8-sig") and "Código" in data.decode("utf-8-sig")
    assert data.count(BOM) == 1


@pytest.mark.parametrize("given, char", [(",", ","), (";", ";"), ("tab", "\t"), ("\t", "\t")])
def test_the_library_takes_the_delimiter_as_a_parameter(reports, tmp_path, given, char):
    for lang, report in reports.items():
        [path] = tracecheck.write_report(report, tmp_path / lang, "csv", csv_delimiter=given)
        records, frame = read_back(path, char)
        assert len(records[0]) == len(frame.columns) == 14
        assert [r[3] for r in records[1:]] == report.findings["rule"].tolist()


def test_write_findings_csv_directly_and_a_bad_delimiter(reports, tmp_path):
    buffer = io.StringIO()
    write_findings_csv(ReportView(reports["es"]), buffer)
    assert buffer.getvalue().startswith("\ufeffFila;Columna;")
    buffer = io.StringIO()
    write_findings_csv(ReportView(reports["es"]), buffer, delimiter=",")
    assert buffer.getvalue().startswith("\ufeffFila,Columna,")
    assert (csv_delimiter("en"), csv_delimiter("es"), csv_delimiter("es", "tab")) == (",", ";", "\t")
    with pytest.raises(ValueError, match="csv delimiter must be one of ,, ;, tab, not '|'"):
        tracecheck.write_report(reports["en"], tmp_path / "bad", "json,csv", csv_delimiter="|")
    assert not (tmp_path / "bad").exists()  # refused before anything is written


@pytest.mark.parametrize("how", ["runner", "module"])
@pytest.mark.parametrize("args, delimiter", [
    (["--lang", "es"], ";"),
    ([], ","),
    (["--lang", "es", "--csv-delimiter", ","], ","),
    (["--csv-delimiter", ";"], ";"),
    (["--lang", "es", "--csv-delimiter", "tab"], "\t"),
])
def test_cli_csv_delimiter(tmp_path, how, args, delimiter):
    out = tmp_path / "out"
    command = ["check", str(EXAMPLE), "--out", str(out), "--format", "json,csv", "--as-of", AS_OF, "-q", *args]
    if how == "runner":
        code = CliRunner().invoke(main, command).exit_code
    else:
        proc = subprocess.run([sys.executable, "-m", "tracecheck", *command], capture_output=True, timeout=300)
        code = proc.returncode
    assert code == 1  # the example holds errors
    records, frame = read_back(out / "rastreo_mx.findings.csv", delimiter)
    report = json.loads((out / "rastreo_mx.report.json").read_text(encoding="utf-8"))
    assert [r[3] for r in records[1:]] == [f["rule"] for f in report["findings"]] == frame.iloc[:, 3].tolist()
    assert [r[9] for r in records[1:]] == [f["message"] for f in report["findings"]]


@pytest.mark.parametrize("how", ["runner", "module"])
def test_cli_bad_csv_delimiter_is_one_line_exit_2(tmp_path, how):
    command = ["check", str(EXAMPLE), "--out", str(tmp_path / "out"), "--format", "csv", "--csv-delimiter", "|"]
    if how == "runner":
        result = CliRunner().invoke(main, command)
        code, stderr = result.exit_code, result.stderr
    else:
        proc = subprocess.run([sys.executable, "-m", "tracecheck", *command], capture_output=True, text=True,
                              timeout=300)
        code, stderr = proc.returncode, proc.stderr
    assert code == 2 and "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("tracecheck: error:") and "--csv-delimiter" in line and "'|'" in line
    assert not (tmp_path / "out").exists()
