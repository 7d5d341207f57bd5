"""The progress display: a bar for large inputs in a terminal, naming each stage; silent otherwise;
and the stage log the benchmarks read (TRACECHECK_STAGE_LOG)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tracecheck.stages as stages

ROOT = Path(__file__).resolve().parent.parent


def run_cli_subprocess(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracecheck", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**os.environ, **env})


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_names_reading_checking_matching_and_writing(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * stages.PROGRESS_MIN_BYTES)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with stages.Stages(str(big), 6) as step:
        assert step is not None
        for stage in ("read", "normalise", "TC101", "TC201", "report", "write:json"):
            step(stage)
            shown = terminal.getvalue()
    for words in ("big.csv: reading", "checking TC101", "matching duplicates", "building the report",
                  "writing json"):
        assert words in shown


def test_no_progress_bar_when_piped_or_small(tmp_path, monkeypatch):
    monkeypatch.delenv(stages.STAGE_LOG, raising=False)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * stages.PROGRESS_MIN_BYTES)
    small = tmp_path / "small.csv"
    small.write_bytes(b"x")
    piped = io.StringIO()  # isatty() is False
    monkeypatch.setattr(sys, "stderr", piped)
    with stages.Stages(str(big), 3) as step:
        assert step is None
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    with stages.Stages(str(small), 3) as step:
        assert step is None
    assert piped.getvalue() == ""


@pytest.mark.parametrize("stage, label", [("read", "reading"), ("TC202", "matching duplicates"),
                                          ("TC310", "checking TC310"), ("write:xlsx", "writing xlsx"),
                                          ("history", "matching earlier batches")])
def test_stage_labels(stage, label):
    assert stages.stage_label(stage) == label


def test_stage_log_of_a_real_run_lists_every_stage_in_order(messy_csv, tmp_path):
    log = tmp_path / "stages.tsv"
    proc = run_cli_subprocess("check", str(messy_csv), "--out", str(tmp_path / "out"), "--format", "json,csv",
                              "--as-of", "2026-11-22", env={stages.STAGE_LOG: str(log)})
    assert proc.returncode == 1, proc.stderr
    lines = [line.split("\t") for line in log.read_text().splitlines()]
    names = [line[0] for line in lines]
    assert names[:2] == ["read", "normalise"] and names[-4:] == ["report", "write:json", "write:csv", "done"]
    assert any(n.startswith("TC2") for n in names)
    seconds = [float(line[1]) for line in lines]
    assert seconds == sorted(seconds) and all(float(line[2]) > 10 for line in lines)  # peak RSS in MB
