"""--redact: purchaser and possessor names never reach a report; the same name gets the same token."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main

BATCH = ("Serial Number,Manufacturer,Comprador,Poseedor\n"
         "BXYZ123,Glock,Juan Pérez López,María Gómez\n"
         "ABC1234,Ruger,JUAN PEREZ LOPEZ,\n")


def test_names_are_replaced_in_every_report(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text(BATCH, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(out), "--format", "all", "--redact",
                                       "--redact-key", "s3cret", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    for report in out.iterdir():
        text = report.read_bytes()
        if report.suffix == ".xlsx":
            wb = openpyxl.load_workbook(report)
            text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row).encode()
        for name in (b"Juan", b"P\xc3\xa9rez", b"PEREZ", b"Mar\xc3\xada", b"G\xc3\xb3mez"):
            assert name not in text, (report.name, name)
    wb = openpyxl.load_workbook(out / "b.report.xlsx")
    data = wb["Data"]
    values = [[c.value for c in row] for row in data.iter_rows(values_only=False)]
    tokens = [v for row in values for v in row if isinstance(v, str) and v.startswith("person-")]
    assert len(tokens) == 3 and tokens.count(tokens[0]) == 2  # Juan Pérez López twice, folded alike


def test_tokens_are_stable_per_key_and_differ_across_keys(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text(BATCH, encoding="utf-8")
    first = tracecheck.check(batch, redact_key="k1").canonical["purchaser"].tolist()
    again = tracecheck.check(batch, redact_key="k1").canonical["purchaser"].tolist()
    other = tracecheck.check(batch, redact_key="k2").canonical["purchaser"].tolist()
    assert first == again and first != other and first[0] == first[1]
    assert all(re.fullmatch(r"person-[0-9a-f]{16}", token) for token in first if token)  # 64 bits


def test_redact_without_key_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TRACECHECK_REDACT_KEY", raising=False)
    batch = tmp_path / "b.csv"
    batch.write_text(BATCH, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(batch), "--redact"])
    assert result.exit_code == 2 and "needs a key" in result.output


def test_default_html_never_shows_personal_names(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text(BATCH.replace("BXYZ123", "SIN MATRICULA"), encoding="utf-8")  # rows with findings
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(out), "--format", "html"])
    assert result.exit_code == 1, result.output
    page = (out / "b.report.html").read_text(encoding="utf-8")
    assert "SIN MATRICULA" in page or "serial-missing" in page  # the row is on the page...
    for name in ("Juan", "Pérez", "PEREZ", "María", "Gómez"):
        assert name not in page  # ...but not the people in it
