"""`tracecheck map FILE --pack`: a draft pack from a sample sheet (header aliases for headers found
without being a known name, the map:, and the agency's spellings), which `check --rules` takes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main
from tracecheck.mapping.draft import agency_groups
from tracecheck.ruleset import load_pack

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "real_world"
SCHEMA = json.loads((ROOT / "docs" / "rule-pack.schema.json").read_text(encoding="utf-8"))
MERGED = REAL / "FC11_two_row_merged_group_header.xlsx"  # its date headers map by their words, not as names


def draft(path: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["map", str(path), "--pack", *args])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.stdout)


def test_without_pack_the_output_is_the_map_snippet_as_before() -> None:
    result = CliRunner().invoke(main, ["map", str(MERGED)])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Header mapping of FC11") and "columns:" not in result.stdout


def test_headers_found_by_their_words_become_aliases(tmp_path: Path) -> None:
    data = draft(MERGED)
    jsonschema.validate(data, SCHEMA)
    assert data["columns"] == {"purchase_date": ["Fechas Compra"], "recovery_date": ["Fechas Aseguramiento"],
                               "request_date": ["Fechas Solicitud"]}
    assert data["map"]["serial_number"] == "No. de serie" and "agency_aliases" not in data
    # the aliases alone (no map:) make the next sheet map those headers by name
    only_columns = tmp_path / "columns.yml"
    only_columns.write_text(yaml.safe_dump({"extends": "default", "columns": data["columns"]}), encoding="utf-8")
    methods = {m["field"]: m["method"] for m in tracecheck.check(MERGED, load_pack(only_columns)).to_dict()["mapping"]}
    before = {m["field"]: m["method"] for m in tracecheck.check(MERGED).to_dict()["mapping"]}
    assert {f: methods[f] for f in data["columns"]} == dict.fromkeys(data["columns"], "alias")
    assert {f: before[f] for f in data["columns"]} == dict.fromkeys(data["columns"], "tokens")


def planted(tmp_path: Path) -> Path:
    """A real sheet (FC12) where some rows spell one agency three ways and one as its acronym."""
    with (REAL / "FC12_date_headers_with_format_hint_es.csv").open(encoding="utf-8", newline="") as fp:
        rows = list(csv.reader(fp))
    spellings = ["Fiscalía Anticorrupción del Estado de Chihuahua", "FISCALIA ANTICORRUPCION DEL ESTADO DE CHIHUAHUA",
                 "Fiscalía Anticorrupción del Estado de Chihuahua", "FAEC", "Policía Municipal de Tijuana",
                 "Policia municipal de Tijuana"]
    for row, name in zip(rows[1:], spellings):
        row[1] = name
    path = tmp_path / "lote.csv"
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows(rows)
    return path


def test_the_agency_spellings_of_one_agency_are_drafted_and_take_effect(tmp_path: Path) -> None:
    batch = planted(tmp_path)
    out = tmp_path / "draft.yml"
    CliRunner().invoke(main, ["map", str(batch), "--pack", "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert '"FAEC"]  # acronym: check' in text
    data = yaml.safe_load(text)
    jsonschema.validate(data, SCHEMA)
    assert data["agency_aliases"] == {
        "Fiscalía Anticorrupción del Estado de Chihuahua": ["FISCALIA ANTICORRUPCION DEL ESTADO DE CHIHUAHUA", "FAEC"],
        "Policía Municipal de Tijuana": ["Policia municipal de Tijuana"]}  # the shipped names are left out
    before = {a["agency"] for a in tracecheck.check(batch).to_dict()["summary"]["by_agency"]}
    summary = tracecheck.check(batch, load_pack(out)).to_dict()["summary"]
    after = {a["agency"]: a["requests"] for a in summary["by_agency"]}
    assert "FAEC" in before and "FAEC" not in after
    assert after["Fiscalía Anticorrupción del Estado de Chihuahua"] == 4 and after["Policía Municipal de Tijuana"] == 2


def test_agency_groups_leave_known_and_single_spellings_alone() -> None:
    known = load_pack().reference["agency_aliases"]
    assert agency_groups(["FGR", "fgr", "Procuraduría General de la República", "Chicago Police Department",
                          None, " ", "nan"], known) == []
    assert agency_groups(["Chicago Police Department", "Chicago police department", "CPD"], known) == [
        ("Chicago Police Department", ["Chicago police department", "CPD"], "acronym: check")]


def test_a_real_process_drafts_a_pack_that_check_takes(tmp_path: Path) -> None:
    batch = planted(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "tracecheck"]
    done = subprocess.run([*run, "map", str(batch), "--pack", "--out", "draft.yml"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env=env)
    assert done.returncode == 0 and done.stdout == "", done.stderr
    done = subprocess.run([*run, "check", str(batch), "--rules", "draft.yml", "--out", ".", "-q"], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env=env)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads((tmp_path / "lote.report.json").read_text(encoding="utf-8"))
    assert "FAEC" not in {a["agency"] for a in report["summary"]["by_agency"]}
