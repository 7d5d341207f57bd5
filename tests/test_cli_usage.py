"""Option values that make no sense and options that contradict each other are usage errors: one
line on stderr, exit code 2 (click's usage-error code), nothing read or written, no traceback.
`explain` takes a rule code or name in any case, as `--select` does. CliRunner and real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CLEAN_CSV

import tracecheck
from tracecheck.cli import main
from tracecheck.errors import EXIT_USAGE


def invoke(how: str, *args: object) -> tuple[int, str, str]:
    if how == "runner":
        result = CliRunner().invoke(main, [str(a) for a in args])
        return result.exit_code, result.stdout, result.stderr
    path = os.pathsep.join(os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    proc = subprocess.run([sys.executable, "-m", "tracecheck", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path} if path else None, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "batch.csv"
    path.write_text(CLEAN_CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["runner", "module"])
@pytest.mark.parametrize("options, words", [
    (["--dayfirst", "--monthfirst"], "--dayfirst and --monthfirst contradict each other"),
    (["--monthfirst", "--dayfirst"], "--dayfirst and --monthfirst contradict each other"),
    (["--select", "TC101", "--ignore", "TC101"], "the selection runs no rule (select TC101, ignore TC101)"),
    (["--select", "identifiers", "--ignore", "identifiers"], "the selection runs no rule"),
    (["--select", ""], "Invalid value for --select: names no rule"),
    (["--ignore", ","], "Invalid value for --ignore: names no rule"),
    (["--select", "TC9"], "selector 'TC9' matches no rule"),
    (["--limit", "max_rows=abc"], "Invalid value for --limit: limit max_rows must be a number, got 'abc'"),
    (["--limit", "max_rows"], "'max_rows' is not NAME=VALUE"),
    (["--limit", "colour=3"], "unknown limit 'colour'"),
    (["--limit", "max_file_mb=nan"], "must be a number above 0, got 'nan'"),
    (["--csv-delimiter", "|"], "Invalid value for '--csv-delimiter'"),
    (["--header-row", "abc"], "Invalid value for '--header-row'"),
    (["--as-of", "2026-13-01"], "Invalid value for '--as-of'"),
    (["--locale", ""], "Invalid value for --locale: unknown locale ''"),
    (["--lang", "es", "--locale", "en_US"], "does not write 'es'"),
    (["--format", ","], "Invalid value for --format"),
    (["--redact"], "Invalid value for --redact: needs a key"),
])
def test_option_errors_are_one_line_exit_2(tmp_path, batch, how, options, words):
    out = tmp_path / "out"
    code, stdout, stderr = invoke(how, "check", batch, "--out", out, "--as-of", "2026-11-22", *options)
    assert code == EXIT_USAGE == 2
    assert stdout == "" and "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("tracecheck: error: ") and words in line and line.endswith("--help')")
    assert not out.exists()


@pytest.mark.parametrize("how", ["runner", "module"])
def test_a_folder_as_rule_pack_is_one_plain_line(tmp_path, batch, how):
    code, _, stderr = invoke(how, "check", batch, "--out", tmp_path / "out", "--rules", tmp_path)
    assert code == 2
    [line] = stderr.strip().splitlines()
    assert line == f"tracecheck: error: {tmp_path}: is a folder, not a rule pack file"  # no "[Errno 21]"


@pytest.mark.parametrize("flag, order", [("--dayfirst", "dayfirst"), ("--monthfirst", "monthfirst")])
def test_either_date_order_alone_still_works(tmp_path, flag, order):
    path = tmp_path / "d.csv"
    path.write_text("Serial Number,Manufacturer,Purchase Date,Recovery Date\nABC1234,Glock,03/04/2020,03/04/2021\n",
                    encoding="utf-8")
    code, _, stderr = invoke("runner", "check", path, "--out", tmp_path / "out", flag, "--as-of", "2026-11-22", "-q")
    assert code == 0, stderr
    report = json.loads((tmp_path / "out" / "d.report.json").read_text(encoding="utf-8"))
    assert report["batch"]["date_order"] == {"purchase_date": order, "recovery_date": order, "request_date": None}


@pytest.mark.parametrize("how", ["runner", "module"])
@pytest.mark.parametrize("key", ["TC101", "tc101", "Tc101", "serial-missing", "SERIAL-MISSING", " tc101 "])
def test_explain_takes_any_case(how, key):
    code, stdout, stderr = invoke(how, "explain", key)
    assert code == 0, stderr
    assert stdout.startswith("# serial-missing (TC101): Serial number missing\n")


def test_select_and_explain_agree_on_case(tmp_path, batch):
    pack = tracecheck.load_pack()
    assert pack.rule("tc101") is pack.rule("TC101") is pack.rule("Serial-Missing")
    assert [r.code for r in pack.with_selection(["tc101"]).rules] == ["TC101"]
    with pytest.raises(tracecheck.RulePackError, match="unknown rule 'tc999'"):
        pack.rule("tc999")
