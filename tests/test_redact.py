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


# Names a hostile file hides in cells the reader quotes in its findings (formula without a saved
# result, control characters, line breaks, formula text, an over-long value): none may reach a report.
NAMES = {"purchaser": "Ana Zazueta", "possessor": "Bruno Quiroga"}
LEAKS = ("zazueta", "quiroga")  # folded: any case, with any character between the two words
TOKEN = re.compile(r"person-[0-9a-f]{16}")


def _hostile_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["serial_number", "manufacturer", "firearm_type", "purchaser", "purchase_date", "possessor"])
    first, last = (n.split() for n in NAMES.values())
    for serial, (buyer, holder) in enumerate([
            (f'=HYPERLINK("http://x","{NAMES["purchaser"]}")', f'=HYPERLINK("http://x","{NAMES["possessor"]}")'),
            ("\n".join(first), "\n".join(last)),
            (f'=CONCAT("{first[0]} ","{first[1]}")', f'=CONCAT("{last[0]} ","{last[1]}")'),
            ((NAMES["purchaser"] + " ") * 100, (NAMES["possessor"] + " ") * 100)]):
        ws.append([f"LK100{serial}", "Glock", "PISTOL", buyer, "2024-03-05", holder])
    wb.save(path)  # openpyxl saves formulas without a result


def _hostile_csv(path: Path) -> None:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'
    rows = ["serial_number,manufacturer,firearm_type,purchaser,purchase_date,possessor"]
    for serial, make in enumerate((lambda n: n.replace(" ", "\x01"), lambda n: n.replace(" ", "\n"),
                                   lambda n: '=A2&"' + n + '"', lambda n: (n + " ") * 100)):
        rows.append(f"LK200{serial},Glock,PISTOL,{quoted(make(NAMES['purchaser']))},2024-03-05,"
                    f"{quoted(make(NAMES['possessor']))}")
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8"))


def _written_texts(out: Path) -> dict[str, str]:
    """Every written file as text: json/html/csv as read, each xlsx XML part, each parquet table's cells."""
    import zipfile

    import pyarrow.parquet as pq

    texts = {}
    for report in sorted(out.iterdir()):
        if report.suffix == ".xlsx":
            with zipfile.ZipFile(report) as parts:
                for part in parts.namelist():
                    texts[f"{report.name}/{part}"] = parts.read(part).decode("utf-8", errors="replace")
        elif report.suffix == ".parquet":
            texts[report.name] = repr(pq.read_table(report).to_pylist())
        else:
            texts[report.name] = report.read_text(encoding="utf-8", errors="replace")
    return texts


def test_hostile_name_cells_leak_into_no_report(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("TRACECHECK_REDACT_KEY", None)
    inputs = [tmp_path / "hostile.xlsx", tmp_path / "leak.csv"]
    _hostile_xlsx(inputs[0])
    _hostile_csv(inputs[1])
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "tracecheck", "check", *map(str, inputs), "--out", str(out),
                           "--format", "all,parquet", "--redact", "--redact-key", "K", "--fail-on", "never", "-q"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    texts = _written_texts(out)
    assert any(name.endswith(".parquet") for name in texts) and any(".xlsx/" in name for name in texts)
    for name, text in texts.items():
        for leak in LEAKS:
            assert leak not in text.lower(), (name, leak)
    for kind in (".report.json", ".findings.csv", ".report.findings.parquet", ".report.xlsx/xl/worksheets/"):
        for stem in ("hostile", "leak"):
            assert any(TOKEN.search(t) for n, t in texts.items() if n.startswith(stem + kind)), (stem, kind)
    quoted = {(stem, f["rule"], f["field"]) for stem in ("hostile", "leak")
              for f in json.loads(texts[f"{stem}.report.json"])["findings"]
              if f["field"] in NAMES and f["value"] is not None and TOKEN.fullmatch(f["value"])}
    for field in NAMES:  # the findings are still there, about the token
        assert {("hostile", "TC009", field), ("leak", "TC009", field), ("leak", "TC011", field)} <= quoted


def test_a_key_alone_redacts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TRACECHECK_REDACT_KEY", raising=False)
    batch = tmp_path / "b.csv"
    batch.write_text(BATCH, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(out), "--format", "xlsx",
                                       "--redact-key", "s3cret", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    cells = [str(c.value) for ws in openpyxl.load_workbook(out / "b.report.xlsx") for row in ws.iter_rows()
             for c in row]
    assert any(TOKEN.fullmatch(c) for c in cells) and not any("Juan" in c for c in cells)


def test_default_html_hides_findings_quoting_a_name_cell(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    _hostile_csv(batch)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(out), "--format", "html",
                                       "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    page = (out / "b.report.html").read_text(encoding="utf-8").lower()
    assert "tc011" in page and not any(leak in page for leak in LEAKS)
