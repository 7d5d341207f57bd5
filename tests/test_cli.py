"""The command line as a user runs it: click's CliRunner, `python -m tracecheck` and the console script."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CLEAN_CSV  # noqa: E402  (tests/conftest.py)

import tracecheck
import tracecheck.report.encode as json_writer
from tracecheck.cli import main
from tracecheck.ruleset import default_rules_dir

AS_OF = ["--as-of", "2026-11-22"]
CORE = ["row", "column", "rule", "name", "severity", "field", "value", "message"]


def run(*args: object):
    """Invoke the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args])


def console_script() -> str:
    found = shutil.which("tracecheck", path=os.pathsep.join([os.path.dirname(sys.executable),
                                                               os.environ.get("PATH", "")]))
    assert found, "the tracecheck console script is not installed next to this interpreter"
    return found


def run_process(how: str, *args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tracecheck"] if how == "module" else [console_script()]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def load_report(out: Path, stem: str) -> dict:
    return json.loads((out / f"{stem}.report.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(stderr: str, *names: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("tracecheck: error:"), line
    for name in names:
        assert name in line, (name, line)
    return line


def temp_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


# ------------------------------------------------------------------ exit codes 0 and 1


def test_clean_batch_exits_0(clean_csv, tmp_path):
    out = tmp_path / "out"
    result = run("check", clean_csv, "--out", out, *AS_OF)
    assert result.exit_code == 0, result.stderr
    report = load_report(out, "clean_batch")
    assert report["findings"] == []
    assert report["summary"]["rows_traceable"] == 3


@pytest.mark.parametrize("how", ["module", "script"])
def test_real_process_exit_codes(how, clean_csv, messy_csv, tmp_path):
    out = tmp_path / "out"
    clean = run_process(how, "check", clean_csv, "--out", out, *AS_OF)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == ""
    assert "report: " in clean.stderr
    messy = run_process(how, "check", messy_csv, "--out", out, *AS_OF)
    assert messy.returncode == 1, messy.stderr
    assert (out / "clean_batch.report.json").is_file() and (out / "messy_batch.report.json").is_file()
    missing = run_process(how, "check", tmp_path / "nope.csv", "--out", out)
    assert missing.returncode == 2
    assert_one_line_error(missing.stderr, "nope.csv", "not found")
    for proc in (clean, messy, missing):
        assert "checking " not in proc.stdout + proc.stderr


def test_errors_exit_1_by_default(messy_csv, tmp_path):
    result = run("check", messy_csv, "--out", tmp_path / "out", *AS_OF)
    assert result.exit_code == 1
    assert load_report(tmp_path / "out", "messy_batch")["summary"]["by_severity"]["error"] > 0


def test_fail_on_levels(warnings_csv, messy_csv, tmp_path):
    out = tmp_path / "out"
    assert run("check", warnings_csv, "--out", out, *AS_OF).exit_code == 0
    severities = {f["severity"] for f in load_report(out, "warnings_batch")["findings"]}
    assert severities == {"warning"}
    assert run("check", warnings_csv, "--out", out, "--fail-on", "warning", *AS_OF).exit_code == 1
    assert run("check", warnings_csv, "--out", out, "--fail-on", "info", *AS_OF).exit_code == 1
    assert run("check", warnings_csv, "--out", out, "--fail-on", "never", *AS_OF).exit_code == 0
    assert run("check", messy_csv, "--out", out, "--fail-on", "never", *AS_OF).exit_code == 0
    assert run("check", messy_csv, "--out", out, "--fail-on", "error", *AS_OF).exit_code == 1


# ------------------------------------------------------------------ exit code 2


def test_missing_input_file(tmp_path):
    result = run("check", tmp_path / "lote_marzo.csv", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "lote_marzo.csv", "not found")
    assert not (tmp_path / "out" / "lote_marzo.report.json").exists()


def test_unsupported_extension(tmp_path):
    path = tmp_path / "lote.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    result = run("check", path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "lote.pdf", ".pdf")


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    result = run("check", path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "corrupt.xlsx")


def test_missing_sheet_lists_sheets(tmp_path, make_xlsx):
    path = make_xlsx(tmp_path / "two_sheets.xlsx", {
        "Solicitudes": [["Matrícula", "Marca"], ["BXYZ123", "Glock"]],
        "Notas": [["Preparado por", "Lic. Pérez"]]})
    result = run("check", path, "--out", tmp_path / "out", "--sheet", "Nope")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "two_sheets.xlsx", "Nope", "Solicitudes", "Notas")


def test_malformed_rules_pack(messy_csv, tmp_path):
    pack = tmp_path / "broken_pack.yml"
    pack.write_text("extends: default\nrules: [\n", encoding="utf-8")
    result = run("check", messy_csv, "--out", tmp_path / "out", "--rules", pack)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "broken_pack.yml")
    assert not (tmp_path / "out").exists()


def test_rules_pack_overriding_unknown_rule(messy_csv, tmp_path):
    pack = tmp_path / "pack.yml"
    pack.write_text("extends: default\nrules:\n  TC999: {severity: warning}\n", encoding="utf-8")
    result = run("check", messy_csv, "--out", tmp_path / "out", "--rules", pack)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "pack.yml", "TC999")


BAD_PARAM_PACK = 'extends: default\nrules:\n  TC310: {params: {max_years: "five"}}\n'
BAD_PARAM_WORDS = ("my-pack.yml:3:", "rule TC310", "params.max_years", "valid number", "(got 'five')")


def test_rules_pack_with_a_parameter_of_the_wrong_type(messy_csv, tmp_path):
    """Refused when the pack loads (exit 2, one line), not when the check runs (it was exit 70)."""
    pack = tmp_path / "my-pack.yml"
    pack.write_text(BAD_PARAM_PACK, encoding="utf-8")
    result = run("check", messy_csv, "--out", tmp_path / "out", "--rules", pack)
    assert result.exit_code == 2 and result.stdout == ""
    assert_one_line_error(result.stderr, *BAD_PARAM_WORDS)
    assert not (tmp_path / "out").exists()
    for command in (["rules"], ["explain", "TC310"], ["docs", "--out", tmp_path / "docs"]):
        result = run(*command, "--rules", pack)
        assert result.exit_code == 2, command
        assert_one_line_error(result.stderr, *BAD_PARAM_WORDS)


@pytest.mark.parametrize("how", ["module", "script"])
def test_real_process_bad_rules_pack_exits_2_without_traceback(how, messy_csv, tmp_path):
    pack = tmp_path / "my-pack.yml"
    pack.write_text(BAD_PARAM_PACK, encoding="utf-8")
    proc = run_process(how, "check", messy_csv, "--out", tmp_path / "out", "--rules", pack)
    assert proc.returncode == 2 and proc.stdout == ""
    assert_one_line_error(proc.stderr, *BAD_PARAM_WORDS)
    assert not (tmp_path / "out").exists()


def test_rules_pack_naming_an_unknown_field(messy_csv, tmp_path):
    pack = tmp_path / "my-pack.yml"
    pack.write_text("extends: default\nrules:\n  TC101:\n    params: {column: serail_number}\n", encoding="utf-8")
    result = run("check", messy_csv, "--out", tmp_path / "out", "--rules", pack)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "my-pack.yml:4:", "rule TC101", "params.column", "'serail_number'",
                          "did you mean 'serial_number'?")


def test_unknown_select_selector(messy_csv, tmp_path):
    result = run("check", messy_csv, "--out", tmp_path / "out", "--select", "TC9")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "'TC9'")


def test_map_unknown_field(messy_csv, tmp_path):
    result = run("check", messy_csv, "--out", tmp_path / "out", "--map", "gun_colour=Color")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "gun_colour")


@pytest.mark.parametrize("args, option", [
    (["--map", "serial_number"], "--map"),
    (["--map", "=Serie"], "--map"),
    (["--format", "xml"], "--format"),
    (["--format", "json,pdf"], "--format"),
    (["--fail-on", "sometimes"], "--fail-on"),
    (["--as-of", "22/11/2026"], "--as-of"),
])
def test_usage_errors_exit_2(messy_csv, tmp_path, args, option):
    result = run("check", messy_csv, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert_one_line_error(result.stderr, option)
    assert not (tmp_path / "out").exists()


def test_unreadable_input_among_good_ones(clean_csv, messy_csv, tmp_path):
    out = tmp_path / "out"
    result = run("check", clean_csv, tmp_path / "missing.csv", messy_csv, "--out", out, *AS_OF)
    assert result.exit_code == 2
    assert (out / "clean_batch.report.json").is_file()
    assert (out / "messy_batch.report.json").is_file()
    assert not (out / "missing.report.json").exists()
    errors = [line for line in result.stderr.splitlines() if line.startswith("tracecheck: error:")]
    assert len(errors) == 1 and "missing.csv" in errors[0]
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ exit code 3


def test_report_cannot_be_written(clean_csv, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run("check", clean_csv, "--out", blocker / "reports", *AS_OF)
    assert result.exit_code == 3
    assert_one_line_error(result.stderr, "clean_batch.report.json")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# ------------------------------------------------------------------ where reports land


def test_report_location_and_formats(messy_csv, tmp_path):
    out = tmp_path / "reports"
    result = run("check", messy_csv, "--out", out, "--format", "json,csv", *AS_OF)
    assert result.exit_code == 1
    assert sorted(os.listdir(out)) == ["messy_batch.findings.csv", "messy_batch.report.json"]
    report = load_report(out, "messy_batch")
    with open(out / "messy_batch.findings.csv", newline="", encoding="utf-8-sig") as handle:  # BOM: Excel reads UTF-8
        records = list(csv.DictReader(handle))
    assert list(records[0]) == ["Row", "Column", "Header", "Code", "Name", "Severity", "Field", "Value", "Reason",
                                "Message", "Index", "Sheet", "Details", "Type"]  # the findings table's, for people
    types = {r["Type"] for r in records}
    assert types <= {"to fix", "batch fact", "note"} and "batch fact" in types
    assert len(records) == len(report["findings"])
    assert [r["Code"] for r in records] == [f["rule"] for f in report["findings"]]
    assert [r["Message"] for r in records] == [f["message"] for f in report["findings"]]
    multi_line = [r for r in records if r["Code"] == "TC007"]
    assert multi_line and multi_line[0]["Value"] == "M&P\nseized with two magazines"
    late = next(r for r in records if r["Code"] == "TC312")
    assert json.loads(late["Details"]) == next(f["context"] for f in report["findings"] if f["rule"] == "TC312")


def test_default_out_is_current_folder(clean_csv, tmp_path):
    work = tmp_path / "cwd"
    work.mkdir()
    proc = run_process("module", "check", clean_csv, *AS_OF, cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert os.listdir(work) == ["clean_batch.report.json"]


def test_multiple_inputs_one_report_each_worst_exit(clean_csv, messy_csv, warnings_csv, tmp_path):
    out = tmp_path / "out"
    result = run("check", clean_csv, warnings_csv, messy_csv, "--out", out, *AS_OF)
    assert result.exit_code == 1
    assert sorted(os.listdir(out)) == ["clean_batch.report.json", "messy_batch.report.json",
                                       "warnings_batch.report.json"]
    assert [load_report(out, s)["batch"]["source"] for s in ("clean_batch", "messy_batch")] == \
        ["clean_batch.csv", "messy_batch.csv"]
    assert result.stderr.count("report: ") == 3
    assert run("check", clean_csv, warnings_csv, "--out", out, "--fail-on", "warning", *AS_OF).exit_code == 1
    assert run("check", clean_csv, warnings_csv, "--out", out, *AS_OF).exit_code == 0


def test_xlsx_input(tmp_path, make_xlsx):
    path = make_xlsx(tmp_path / "lote_xlsx.xlsx", {"Solicitudes": [
        ["Folio", "Marca", "Modelo", "Calibre", "Tipo de arma", "Matrícula", "País de origen", "Importador"],
        ["F-1", "Glock", "19", "9MM", "PISTOLA", "BXYZ123", "Austria", "GLOCK INC SMYRNA GA"],
        ["F-2", "Norinco", "MAK90", "7.62X39", "RIFLE", "SIN MATRICULA", "China", "CENTURY ARMS"],
    ]})
    out = tmp_path / "out"
    result = run("check", path, "--out", out, *AS_OF)
    assert result.exit_code == 1
    report = load_report(out, "lote_xlsx")
    assert report["batch"]["sheet"] == "Solicitudes"
    assert [(f["row"], f["rule"]) for f in report["findings"] if f["rule"] == "TC101"] == [(3, "TC101")]


# ------------------------------------------------------------------ terminal summary


def test_summary_goes_to_stderr(messy_csv, tmp_path):
    out = tmp_path / "out"
    result = run("check", messy_csv, "--out", out, *AS_OF)
    assert result.stdout == ""
    assert "messy_batch.csv: 6 rows" in result.stderr
    assert "Serial number missing" in result.stderr
    tc101 = [line for line in result.stderr.splitlines() if line.strip().startswith("TC101")]
    assert len(tc101) == 1 and tc101[0].split()[-1] == "2"
    assert f"report: {out / 'messy_batch.report.json'}" in result.stderr
    assert "checking " not in result.stdout + result.stderr


def test_quiet_suppresses_summary(messy_csv, tmp_path):
    out = tmp_path / "out"
    result = run("check", messy_csv, "--out", out, "-q", *AS_OF)
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == ""
    assert (out / "messy_batch.report.json").is_file()


def test_no_progress_bar_when_not_a_terminal(messy_csv, tmp_path, monkeypatch):
    monkeypatch.setattr("tracecheck.stages.PROGRESS_MIN_BYTES", 0)  # every input counts as large
    result = run("check", messy_csv, "--out", tmp_path / "out", *AS_OF)
    assert result.exit_code == 1
    assert "checking " not in result.stdout + result.stderr


# ------------------------------------------------------------------ input untouched, report integrity


def test_input_bytes_unchanged_and_hashed(messy_csv, make_xlsx, tmp_path):
    book = make_xlsx(tmp_path / "book.xlsx", {"Hoja1": [["Matrícula", "Marca"], ["BXYZ123", "Glock"],
                                                        ["SIN MATRICULA", "Norinco"]]})
    out = tmp_path / "out"
    for path in (messy_csv, book):
        before, mtime = sha256(path), path.stat().st_mtime_ns
        result = run("check", path, "--out", out, "--format", "json,csv", *AS_OF)
        assert result.exit_code in (0, 1), result.stderr
        assert sha256(path) == before
        assert path.stat().st_mtime_ns == mtime
        assert load_report(out, path.stem)["batch"]["sha256"] == before


def test_no_temp_files_after_success(messy_csv, clean_csv, tmp_path):
    out = tmp_path / "out"
    run("check", messy_csv, clean_csv, "--out", out, "--format", "json,csv", *AS_OF)
    assert sorted(os.listdir(out)) == ["clean_batch.findings.csv", "clean_batch.report.json",
                                       "messy_batch.findings.csv", "messy_batch.report.json"]
    assert temp_files(out) == []


def test_failed_write_keeps_previous_report(messy_csv, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("check", messy_csv, "--out", out, *AS_OF).exit_code == 1
    previous = (out / "messy_batch.report.json").read_bytes()
    json.loads(previous)

    def failing_write_json(report, fp):
        fp.write('{\n"report_version": "1.0",\n"batch": {"source": ')
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json_writer, "write_json", failing_write_json)
    result = run("check", messy_csv, "--out", out, *AS_OF)
    assert result.exit_code == 3
    assert_one_line_error(result.stderr, "messy_batch.report.json", "No space left on device")
    assert (out / "messy_batch.report.json").read_bytes() == previous
    assert temp_files(out) == []
    assert os.listdir(out) == ["messy_batch.report.json"]


def _interrupt_command(batch: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "tracecheck", "check", str(batch), "--out", str(out), "-q",
            "--format", "json,xlsx", *AS_OF]


@pytest.fixture(scope="module")
def batch_3k(tmp_path_factory) -> tuple[Path, Path]:
    """A 3,000-row batch and a folder holding its finished reports (written once for the module)."""
    from synth.batches import generate_batch

    folder = tmp_path_factory.mktemp("interrupt")
    path = folder / "batch_3k.csv"
    generate_batch(3000, seed=4).to_csv(path, index=False)
    assert subprocess.run(_interrupt_command(path, folder / "done"), capture_output=True, timeout=300).returncode == 1
    return path, folder / "done"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_interrupted_run_keeps_the_previous_report(batch_3k, tmp_path, signum):
    """A real process, stopped while its workbook report is half written (its temp file exists)."""
    batch_3k, done = batch_3k
    out = shutil.copytree(done, tmp_path / "out")
    command = _interrupt_command(batch_3k, out)
    previous = (out / "batch_3k.report.xlsx").read_bytes()
    input_before = (batch_3k.read_bytes(), batch_3k.stat().st_mtime_ns)

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob(".batch_3k.report.xlsx.*.tmp")):
        assert proc.poll() is None and time.monotonic() < deadline, "the workbook was never being written"
        time.sleep(0.01)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)

    assert (out / "batch_3k.report.xlsx").read_bytes() == previous  # never half-written
    assert (batch_3k.read_bytes(), batch_3k.stat().st_mtime_ns) == input_before
    json.loads((out / "batch_3k.report.json").read_text(encoding="utf-8"))  # written before: complete
    if signum == signal.SIGKILL:  # nothing can run on SIGKILL: the temp file stays, the report is intact
        assert proc.returncode == -signal.SIGKILL
        return
    assert proc.returncode == 128 + signum
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracecheck: interrupted while checking") and "batch_3k" in lines[0]
    assert temp_files(out) == []


def test_failed_write_with_internal_error_leaves_no_temp(messy_csv, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("check", messy_csv, "--out", out, *AS_OF).exit_code == 1
    previous = (out / "messy_batch.report.json").read_bytes()

    def broken_write_json(report, fp):
        fp.write("{\n")
        raise TypeError("not JSON serialisable: Decimal")

    monkeypatch.setattr(json_writer, "write_json", broken_write_json)
    result = run("check", messy_csv, "--out", out, *AS_OF)
    assert result.exit_code == 70
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "messy_batch.csv" in result.stderr
    assert (out / "messy_batch.report.json").read_bytes() == previous
    assert temp_files(out) == []


def test_report_file_permissions_follow_umask(clean_csv, tmp_path):
    """A report is an ordinary file: readable by whoever may read a file created there (umask)."""
    mask = os.umask(0)
    os.umask(mask)
    out = tmp_path / "out"
    run("check", clean_csv, "--out", out, "--format", "json,csv", *AS_OF)
    for name in ("clean_batch.report.json", "clean_batch.findings.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o666 & ~mask, name


# ------------------------------------------------------------------ options


def test_map_forces_a_header(tmp_path):
    path = tmp_path / "sn.csv"
    path.write_text("Serial Number,S/N #,Manufacturer\n"
                    "SIN MATRICULA,BXYZ123,Glock\n"
                    "NO TIENE,371-12345,Ruger\n", encoding="utf-8")
    out = tmp_path / "out"
    run("check", path, "--out", out, "-q", *AS_OF)
    default = load_report(out, "sn")
    assert {m["field"]: m["header"] for m in default["mapping"]}["serial_number"] == "Serial Number"
    assert sum(f["rule"] == "TC101" for f in default["findings"]) == 2
    for value in ("serial_number=S/N #", 'serial_number="S/N #"'):
        run("check", path, "--out", out, "-q", "--map", value, *AS_OF)
        report = load_report(out, "sn")
        serial = next(m for m in report["mapping"] if m["field"] == "serial_number")
        assert (serial["header"], serial["column"], serial["method"]) == ("S/N #", "B", "override")
        assert not any(f["rule"] == "TC101" for f in report["findings"])
        unmapped = [f["value"] for f in report["findings"] if f["rule"] == "TC006"]
        assert unmapped == ["Serial Number"]


def test_dayfirst_and_monthfirst(tmp_path):
    path = tmp_path / "dm.csv"
    path.write_text("Request ID,Manufacturer,Model,Caliber,Type,Serial Number,Country of Origin,Importer,"
                    "Purchase Date,Recovery Date,Request Date\n"
                    "TR-1,Ruger,LCP,.380,PISTOL,371-12345,US,,2017-01-10,03/04/2021,2021-06-20\n", encoding="utf-8")
    out = tmp_path / "out"

    def outcome(*flags):
        run("check", path, "--out", out, "-q", *flags, *AS_OF)
        report = load_report(out, "dm")
        return report["rows"][0]["time_to_crime_days"], [f["rule"] for f in report["findings"]], report["batch"]

    ttc, rules, _ = outcome()
    assert rules == ["TC304"]  # ambiguous without a hint
    ttc, rules, batch = outcome("--dayfirst")
    assert (ttc, rules) == ((dt.date(2021, 4, 3) - dt.date(2017, 1, 10)).days, [])
    assert batch["date_order"]["recovery_date"] == "dayfirst"
    ttc, rules, batch = outcome("--monthfirst")
    assert (ttc, rules) == ((dt.date(2021, 3, 4) - dt.date(2017, 1, 10)).days, [])
    assert batch["date_order"]["recovery_date"] == "monthfirst"


def test_select_and_ignore(messy_csv, tmp_path):
    out = tmp_path / "out"
    run("check", messy_csv, "--out", out, "-q", "--select", "TC1", "--ignore", "TC102", *AS_OF)
    report = load_report(out, "messy_batch")
    codes = {f["rule"] for f in report["findings"]}
    assert codes and all(c.startswith("TC1") for c in codes)
    assert "TC102" not in codes
    assert {"TC101", "TC103", "TC110"} <= codes
    active = {r["rule"] for r in report["rule_pack"]["rules"]}
    assert all(c.startswith("TC1") for c in active) and "TC102" not in active


def test_user_rules_pack_overrides_parameter(tmp_path):
    path = tmp_path / "lag.csv"
    path.write_text(CLEAN_WITH_50_DAY_LAG, encoding="utf-8")
    pack = tmp_path / "user.yml"
    pack.write_text("extends: default\nrules:\n  TC312: {params: {max_days: 30}}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("check", path, "--out", out, "-q", *AS_OF).exit_code == 0
    default = load_report(out, "lag")
    assert default["findings"] == []
    assert run("check", path, "--out", out, "-q", "--rules", pack, *AS_OF).exit_code == 0
    report = load_report(out, "lag")
    late = [f for f in report["findings"] if f["rule"] == "TC312"]
    assert [(f["row"], f["context"]["days"]) for f in late] == [(2, 50)]
    assert "limit 30 days" in late[0]["message"]
    assert report["rule_pack"]["digest"] != default["rule_pack"]["digest"]
    assert run("check", path, "--out", out, "-q", "--rules", pack, "--fail-on", "warning", *AS_OF).exit_code == 1


CLEAN_WITH_50_DAY_LAG = (
    "Request ID,Agency,Manufacturer,Model,Caliber,Type,Serial Number,Country of Origin,Importer,"
    "Purchase Date,Recovery Date,Request Date\n"
    "TR-2024-0101,Laredo PD,Ruger,LCP,.380,PISTOL,371-12345,US,,2021-01-10,2024-05-01,2024-06-20\n"
    "TR-2024-0102,Laredo PD,Colt,1911,.45,PISTOL,CV14521,US,,2020-11-02,2024-05-14,2024-06-03\n")


def test_sheet_picks_a_sheet(tmp_path, make_xlsx):
    path = make_xlsx(tmp_path / "libro.xlsx", {
        "Resumen": [["Marca", "Matrícula"], ["Glock", "BXYZ123"]],
        "Solicitudes": [["Folio", "Marca", "Matrícula"], ["F-1", "Ruger", "371-12345"],
                        ["F-2", "Norinco", "SIN MATRICULA"], ["F-3", "Glock", "BXYZ124"]],
    })
    out = tmp_path / "out"
    run("check", path, "--out", out, "-q", *AS_OF)
    best = load_report(out, "libro")  # by default the sheet whose headers map best (issue 10)
    assert (best["batch"]["sheet"], best["batch"]["row_count"]) == ("Solicitudes", 3)
    assert best["batch"]["other_sheets"] == ["Resumen"]
    assert [r["request_id"] for r in best["rows"]] == ["F-1", "F-2", "F-3"]
    assert [(f["row"], f["value"]) for f in best["findings"] if f["rule"] == "TC101"] == [(3, "SIN MATRICULA")]
    run("check", path, "--out", out, "-q", "--sheet", "Resumen", *AS_OF)
    chosen = load_report(out, "libro")
    assert (chosen["batch"]["sheet"], chosen["batch"]["row_count"]) == ("Resumen", 1)


def test_spanish_cp1252_semicolon_csv_with_title_row(tmp_path):
    text = ("Solicitudes de rastreo - Fiscalía General del Estado;;;;;;;;;;;\n"
            "Folio;Dependencia;Marca;Modelo;Calibre;Tipo de arma;Matrícula;País de origen;Importador;"
            "Fecha de compra;Fecha de aseguramiento;Fecha de solicitud\n"
            "FGE-0001;Fiscalía;Glock;19;9MM;PISTOLA;BXYZ123;Austria;GLOCK INC SMYRNA GA;15/01/2020;20/03/2021;"
            "25/03/2021\n"
            "FGE-0002;Fiscalía;Norinco;MAK90;7.62X39;RIFLE;SIN MATRICULA;China;CENTURY ARMS;03/04/2019;05/06/2021;"
            "10/06/2021\n"
            "FGE-0003;Fiscalía;Ruger;LCP;.380;PISTOLA;371-12345;Estados Unidos;;01/02/2020;03/04/2021;05/04/2021\n")
    path = tmp_path / "rastreo_es.csv"
    path.write_bytes(text.encode("cp1252"))
    out = tmp_path / "out"
    result = run("check", path, "--out", out, *AS_OF)
    assert result.exit_code == 1, result.stderr
    report = load_report(out, "rastreo_es")
    batch = report["batch"]
    assert (batch["encoding"], batch["delimiter"], batch["header_row"], batch["row_count"]) == ("cp1252", ";", 2, 3)
    mapped = {m["field"]: m["header"] for m in report["mapping"]}
    assert mapped["serial_number"] == "Matrícula"
    assert mapped["recovery_date"] == "Fecha de aseguramiento"
    assert mapped["purchase_date"] == "Fecha de compra"
    assert mapped["request_date"] == "Fecha de solicitud"
    assert mapped["manufacturer"] == "Marca"
    assert mapped["country_of_origin"] == "País de origen"
    assert mapped["request_id"] == "Folio"
    assert [r["row"] for r in report["rows"]] == [3, 4, 5]
    missing = [f for f in report["findings"] if f["rule"] == "TC101"]
    assert [(f["row"], f["column"], f["value"]) for f in missing] == [(4, "G", "SIN MATRICULA")]
    # Spanish dates are read day-first: 20/03/2021 - 15/01/2020
    assert report["rows"][0]["time_to_crime_days"] == (dt.date(2021, 3, 20) - dt.date(2020, 1, 15)).days


# ------------------------------------------------------------------ rules, rule, --version


def test_rules_lists_all_codes():
    result = run("rules")
    assert result.exit_code == 0
    codes = [line.split()[0] for line in result.stdout.splitlines() if line.strip() and not line.startswith(" ")]
    expected = {r.code for r in tracecheck.load_pack().all_rules}
    written = {m for path in default_rules_dir().glob("*.yml")
               for m in re.findall(r"^  - code: (TC\d{3})$", path.read_text(encoding="utf-8"), re.M)}
    assert expected == written and len(expected) > 40  # every rule the packs write, none lost in loading
    assert set(codes) == expected and len(codes) == len(expected)
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("TC101"))
    assert lines[at:at + 2] == ["TC101  serial-missing: Serial number missing", "       error · identifiers"]


@pytest.mark.parametrize("key", ["serial-missing", "TC101"])
def test_rule_prints_one_rule(key):
    # `rule` is the older name of `explain`; both print the rule's documentation page
    result = run("rule", key)
    assert result.exit_code == 0
    assert result.stdout.startswith("# serial-missing (TC101): Serial number missing\n")
    assert "Severity: **error**" in result.stdout
    assert "## Why" in result.stdout and "## How to fix" in result.stdout
    assert "| `column` | `serial_number` |" in result.stdout


def test_unknown_rule_exits_2():
    result = run("rule", "TC999")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "TC999")
    assert result.stdout == ""


@pytest.mark.parametrize("how", ["runner", "module", "script"])
def test_version(how):
    import tracecheck

    if how == "runner":
        result = run("--version")
        code, output = result.exit_code, result.stdout
    else:
        proc = run_process(how, "--version")
        code, output = proc.returncode, proc.stdout
    assert code == 0
    assert output.strip() == f"tracecheck, version {tracecheck.__version__}"


def test_all_formats_are_written_side_by_side_and_replaced_cleanly(messy_csv, tmp_path):
    out = tmp_path / "out"
    for _ in range(2):  # a second run replaces the reports; no temp files are left behind
        result = run("check", messy_csv, "--out", out, "--format", "all", "--lang", "es", "--as-of", "2026-11-22")
        assert result.exit_code == 1, result.stderr
    stem = Path(messy_csv).stem
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{stem}.report.json", f"{stem}.report.xlsx", f"{stem}.report.html", f"{stem}.findings.csv"])
    assert '<html lang="es"' in (out / f"{stem}.report.html").read_text(encoding="utf-8")


def test_csv_export_neutralises_formulas(tmp_path):
    batch = tmp_path / "b.csv"
    batch.write_text("Serial Number,Manufacturer\n=HYPERLINK(\"http://x\"),Glock\n", encoding="utf-8")
    result = run("check", batch, "--out", tmp_path / "o", "--format", "csv")
    assert result.exit_code == 1
    text = (tmp_path / "o" / "b.findings.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_help_and_version_import_neither_pandas_nor_pandera():
    """`tracecheck --help` and `--version` stay light: the package imports lazily and the version
    comes from the package metadata."""
    code = ("import sys, runpy; sys.argv = ['tracecheck', '--help']\n"
            "try:\n    runpy.run_module('tracecheck', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('pandas', 'pandera', 'numpy', 'pyarrow', 'openpyxl') if m in sys.modules)\n"
            "print('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage:" in result.stdout and "HEAVY []" in result.stdout, result.stdout
    version = subprocess.run([sys.executable, "-m", "tracecheck", "--version"], capture_output=True, text=True)
    from importlib.metadata import version as dist_version

    assert version.returncode == 0 and dist_version("tracecheck") in version.stdout


def test_two_inputs_with_one_stem_are_refused_before_anything_is_written(tmp_path):
    for folder in ("d1", "d2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.csv").write_text(CLEAN_CSV, encoding="utf-8")
    out = tmp_path / "out"
    result = run("check", tmp_path / "d1" / "x.csv", tmp_path / "d2" / "x.csv", "--out", out, *AS_OF)
    assert result.exit_code == 2 and "would both write x.report" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize("options, words", [
    (("--lang", "es", "--locale", "en_US"), "does not write 'es'"),
    (("--locale", "fr_FR"), "unknown language 'fr'"),
    (("--limit", "max_rows=-1"), "above 0"),
    (("--limit", "max_rows=abc"), "must be a number"),
])
def test_option_values_that_contradict_or_make_no_sense_are_usage_errors(clean_csv, tmp_path, options, words):
    result = run("check", clean_csv, "--out", tmp_path / "out", *options, *AS_OF)
    assert result.exit_code == 2 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_locale_spelling_and_a_bare_language(clean_csv, tmp_path):
    for locale, expected in (("es-ES.UTF-8", "es_ES"), ("es", "es_MX")):
        out = tmp_path / locale
        assert run("check", clean_csv, "--out", out, "--locale", locale, "-q", *AS_OF).exit_code == 0
        assert load_report(out, "clean_batch")["batch"]["locale"] == expected


@pytest.mark.parametrize("selection", [("--select", "TC3"), ("--ignore", "TC1"), ("--ignore", "identifiers")])
def test_selection_leaves_the_traceable_share_alone(tmp_path, selection):
    """--select/--ignore choose which findings are reported, not what counts as traceable: the CLI
    hands the whole pack and the selection to the check (it once passed the selected pack only)."""
    example = Path(__file__).resolve().parent.parent / "examples" / "fiscalia_titled.xlsx"
    keys = ("rows_traceable", "traceable_share", "rows_usable_serial", "rows_missing_import_marking", "strong_leads")
    numbers = []
    for extra in ((), selection):
        out = tmp_path / ("sel" if extra else "all")
        result = run("check", example, "--out", out, "--as-of", "2026-11-22", "--quiet", *extra)
        assert result.exit_code in (0, 1), result.output
        summary = json.loads((out / "fiscalia_titled.report.json").read_text(encoding="utf-8"))["summary"]
        numbers.append({k: summary[k] for k in keys})
    assert numbers[0] == numbers[1] and numbers[0]["rows_traceable"] < 80
