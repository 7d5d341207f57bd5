"""A CLI that never loses a report: two inputs whose reports would share names are refused before
anything is read or written, and the tool's own reports are never taken as inputs (each skipped
with a one-line note). Through CliRunner and a real `python -m tracecheck` process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import CLEAN_CSV, MESSY_CSV

from tracecheck.cli import main
from tracecheck.inputs import own_reports, report_clash
from tracecheck.writers import report_suffix

AS_OF = ["--as-of", "2026-11-22"]


def invoke(how: str, *args: object, cwd: Path | None = None) -> tuple[int, str]:
    """(exit code, stderr) of `tracecheck ARGS` in-process (CliRunner) or as a real process."""
    if how == "runner":
        if cwd is None:
            result = CliRunner().invoke(main, [str(a) for a in args])
        else:
            old = os.getcwd()
            os.chdir(cwd)
            try:
                result = CliRunner().invoke(main, [str(a) for a in args])
            finally:
                os.chdir(old)
        return result.exit_code, result.stderr
    # a relative PYTHONPATH (a checkout run with PYTHONPATH=.) must still name the checkout from cwd
    path = os.pathsep.join(os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    env = {**os.environ, "PYTHONPATH": path} if path else None
    proc = subprocess.run([sys.executable, "-m", "tracecheck", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
    return proc.returncode, proc.stderr


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("tracecheck: error:")
    return line


@pytest.fixture
def two_batches(tmp_path: Path) -> tuple[Path, Path]:
    """The issue's case: a/batch.xlsx and b/batch.csv, different batches with one file stem."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    xlsx = tmp_path / "a" / "batch.xlsx"
    pd.read_csv(io.StringIO(MESSY_CSV), dtype=str).to_excel(xlsx, index=False)
    csv = tmp_path / "b" / "batch.csv"
    csv.write_text(CLEAN_CSV, encoding="utf-8")
    return xlsx, csv


@pytest.mark.parametrize("how", ["runner", "module"])
def test_inputs_whose_reports_share_names_exit_2_before_anything_is_written(tmp_path, two_batches, how):
    xlsx, csv = two_batches
    out = tmp_path / "out"
    out.mkdir()
    (out / "batch.report.json").write_text("previous run", encoding="utf-8")
    code, stderr = invoke(how, "check", xlsx, csv, "--out", out, "--format", "all", *AS_OF)
    assert code == 2
    line = one_error_line(stderr)
    assert str(xlsx) in line and str(csv) in line and "would both write batch.report.*" in line
    assert sorted(os.listdir(out)) == ["batch.report.json"]  # nothing written, the previous report kept
    assert (out / "batch.report.json").read_text(encoding="utf-8") == "previous run"


@pytest.mark.parametrize("how", ["runner", "module"])
def test_the_same_batch_names_in_separate_runs_or_folders_work(tmp_path, two_batches, how):
    xlsx, csv = two_batches
    assert invoke(how, "check", xlsx, "--out", tmp_path / "out_a", "-q", *AS_OF)[0] == 1
    assert invoke(how, "check", csv, "--out", tmp_path / "out_b", "-q", *AS_OF)[0] == 0
    assert os.listdir(tmp_path / "out_a") == os.listdir(tmp_path / "out_b") == ["batch.report.json"]


def test_names_that_differ_only_in_case_clash(tmp_path):
    """Windows and macOS file systems ignore case: Batch.report.json would replace batch.report.json."""
    for folder, name in (("x", "Batch.csv"), ("y", "batch.CSV")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(CLEAN_CSV, encoding="utf-8")
    code, stderr = invoke("runner", "check", tmp_path / "x" / "Batch.csv", tmp_path / "y" / "batch.CSV",
                          "--out", tmp_path / "out", *AS_OF)
    assert code == 2 and "would both write batch.report.*" in one_error_line(stderr)
    assert not (tmp_path / "out").exists()
    assert report_clash(["x/Batch.csv", "y/batch.CSV"]) == ("x/Batch.csv", "y/batch.CSV", "batch")
    assert report_clash(["x/batch.csv", "x/other.csv", "x/batch.csv"]) is None  # the same file twice: one report
    assert report_clash(["a/x?.csv", "b/x_.csv"]) == ("a/x?.csv", "b/x_.csv", "x")  # names made safe alike


@pytest.mark.parametrize("name, suffix", [
    ("batch.report.xlsx", ".report.xlsx"), ("batch.findings.csv", ".findings.csv"),
    ("batch.report.json", ".report.json"), ("batch.report.html", ".report.html"),
    ("batch.report.findings.parquet", ".report.findings.parquet"),
    ("batch.report.duplicate_pairs.parquet", ".report.duplicate_pairs.parquet"),
    ("LOTE.REPORT.XLSX", ".report.xlsx"),
    ("batch.xlsx", None), ("report.xlsx", None), ("batch.report.csv", None), ("findings.csv", None),
])
def test_report_names(name, suffix):
    assert report_suffix(name) == suffix
    assert own_reports((f"d/{name}",)) == (([], [(f"d/{name}", suffix)]) if suffix else ([f"d/{name}"], []))


@pytest.mark.parametrize("how", ["runner", "module"])
def test_rerunning_check_in_the_output_folder_skips_the_reports(tmp_path, how):
    work = tmp_path / "work"
    work.mkdir()
    pd.read_csv(io.StringIO(MESSY_CSV), dtype=str).to_excel(work / "lote.xlsx", index=False)
    assert invoke(how, "check", "lote.xlsx", "--format", "all,parquet", "-q", *AS_OF, cwd=work)[0] == 1
    reports = sorted(p for p in os.listdir(work) if p != "lote.xlsx")
    assert len(reports) == 8  # json, xlsx, html, csv and four parquet tables
    # the shell's `check *.xlsx *.csv` in the output folder
    inputs = sorted(p for p in os.listdir(work) if p.endswith((".xlsx", ".csv")))
    assert inputs == ["lote.findings.csv", "lote.report.xlsx", "lote.xlsx"]
    code, stderr = invoke(how, "check", *inputs, "-q", *AS_OF, cwd=work)
    assert code == 1
    notes = stderr.strip().splitlines()
    assert notes == [
        "tracecheck: skipped lote.findings.csv: a report tracecheck wrote (its name ends in .findings.csv); "
        "rename it to check it",
        "tracecheck: skipped lote.report.xlsx: a report tracecheck wrote (its name ends in .report.xlsx); "
        "rename it to check it"]
    assert sorted(p for p in os.listdir(work) if p != "lote.xlsx") == reports  # no lote.report.report.json
    assert json.loads((work / "lote.report.json").read_text(encoding="utf-8"))["batch"]["source"] == "lote.xlsx"


def test_the_note_follows_the_language(tmp_path):
    (tmp_path / "lote.csv").write_text(CLEAN_CSV, encoding="utf-8")
    (tmp_path / "lote.findings.csv").write_text(CLEAN_CSV, encoding="utf-8")
    code, stderr = invoke("runner", "check", tmp_path / "lote.csv", tmp_path / "lote.findings.csv", "--out",
                          tmp_path / "out", "--lang", "es", "-q", *AS_OF)
    assert code == 0
    assert stderr.strip() == (f"tracecheck: se omite {tmp_path / 'lote.findings.csv'}: es un informe de tracecheck "
                              "(su nombre termina en .findings.csv); cámbiele el nombre para revisarlo")
    assert os.listdir(tmp_path / "out") == ["lote.report.json"]


@pytest.mark.parametrize("how", ["runner", "module"])
def test_only_reports_given_is_a_usage_error(tmp_path, how):
    (tmp_path / "x.report.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "x.findings.csv").write_text("Row,Code\n", encoding="utf-8")
    code, stderr = invoke(how, "check", tmp_path / "x.report.xlsx", tmp_path / "x.findings.csv", "--out",
                          tmp_path / "out")
    assert code == 2 and "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("tracecheck: skipped ") for line in lines[:2])
    assert lines[2].startswith("tracecheck: error: every INPUT is a report tracecheck wrote; nothing to check")
    assert not (tmp_path / "out").exists()
