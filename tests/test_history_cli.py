"""The history store as an analyst uses it from the command line: check --history/--record, and
history list/show/trend/forget; through CliRunner and a real subprocess, on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from history_batches import JUNE, MARCH, SEPTEMBER, write

from tracecheck import History
from tracecheck.cli import main

AS_OF = ("--as-of", "2026-11-22")


def run(*args: object, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=input)


def test_check_record_then_list_show_trend_forget(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    out = tmp_path / "out"
    first = run("check", paths["march"], "--history", store_url, "--record", "--out", out, *AS_OF)
    assert first.exit_code == 0, first.output
    assert "checked against 0 requests of 0 batches" in first.stderr
    assert "recorded in the history store as batch 1" in first.stderr
    second = run("check", paths["june"], "--history", store_url, "--record", "--out", out, *AS_OF)
    assert second.exit_code == 0, second.output
    assert "checked against 5 requests of 1 batch" in second.stderr
    assert "3 rows repeat an earlier request" in second.stderr
    report = json.loads((out / "june.report.json").read_text(encoding="utf-8"))
    assert sorted(f["row"] for f in report["findings"] if f["rule"] == "TC204") == [2, 3, 4, 5]
    again = run("check", paths["june"], "--history", store_url, "--record", "--out", out, *AS_OF)
    assert "already in the history store as batch 2" in again.stderr

    listed = run("history", "list", "--history", store_url)
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split()[:3] == ["batch", "digest", "file"]
    assert [line.split()[2] for line in lines[1:]] == ["march.csv", "june.csv"]
    listed_json = run("history", "list", "--history", store_url, "--json").output
    as_json = [json.loads(line) for line in listed_json.splitlines()]
    assert [b["rows"] for b in as_json] == [5, 6] and as_json[1]["prior_duplicate_rows"] == 3

    shown = run("history", "show", as_json[1]["digest"][:8], "--history", store_url)
    assert shown.exit_code == 0 and "source: june.csv" in shown.output
    assert "Secretaría de la Defensa Nacional  6     100.0%" in shown.output  # SEDENA, under its alias name

    trend = run("history", "trend", "--history", store_url)
    assert trend.exit_code == 0
    assert "50.0%" in trend.output.split("\n\n")[0]  # june: 3 of 6 rows repeat march's requests
    assert "Secretaría de la Defensa Nacional" in trend.output.split("\n\n")[1]
    one = run("history", "trend", "--history", store_url, "--agency", "policia estatal", "--json")
    assert [json.loads(line)["kind"] for line in one.output.splitlines()] == ["batch", "batch", "agency"]

    refused = run("history", "forget", "1", "--history", store_url, input="n\n")
    assert refused.exit_code == 1 and run("history", "list", "--history", store_url, "--json").output.count("\n") == 2
    forgot = run("history", "forget", "1", "--history", store_url, "--yes")
    assert forgot.exit_code == 0 and "forgot batch 1" in forgot.stderr
    assert run("history", "list", "--history", store_url, "--json").output.count("\n") == 1


def test_bare_history_uses_the_environment_then_the_user_store(tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    team = tmp_path / "team.sqlite"
    env = {"TRACECHECK_HISTORY": str(team), "XDG_DATA_HOME": str(tmp_path / "data")}
    assert run("check", paths["march"], "--record", "--out", tmp_path / "o", *AS_OF, env=env).exit_code == 0
    assert team.is_file()
    result = run("check", paths["june"], "--history", "--out", tmp_path / "o", *AS_OF, env=env)
    assert "checked against 5 requests of 1 batch in " + str(team) in result.stderr
    env.pop("TRACECHECK_HISTORY")
    env["TRACECHECK_HISTORY"] = ""
    assert run("check", paths["march"], "--record", "--out", tmp_path / "o", *AS_OF, env=env).exit_code == 0
    assert (tmp_path / "data" / "tracecheck" / "history.sqlite").is_file()


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--history", "{june}"], "is a spreadsheet, not a history store", 2),
    (["--store-rows"], "--store-rows keeps rows in the history store: it needs --record", 2),
    (["--history", "mysql://u@db/x"], "a history store is a SQLite file or a PostgreSQL URL", 4),
    (["--history", "{folder}/not_a_store.sqlite"], "cannot open the history store", 4),
])
def test_bad_history_options_are_one_line_errors(tmp_path: Path, args: list[str], message: str, code: int) -> None:
    paths = write(tmp_path, june=JUNE)
    (tmp_path / "not_a_store.sqlite").write_text("this is not a database\n" * 100)
    args = [a.format(june=paths["june"], folder=tmp_path) for a in args]
    result = run("check", *args, paths["june"], "--out", tmp_path / "o")
    assert result.exit_code == code, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_history_commands_on_a_missing_store_say_so(tmp_path: Path) -> None:
    for command in (["list"], ["trend"], ["show", "1"], ["forget", "1", "--yes"]):
        result = run("history", *command, "--history", tmp_path / "none.sqlite")
        assert result.exit_code == 4 and "no history store at" in result.stderr, command
    assert not (tmp_path / "none.sqlite").exists()
    made = tmp_path / "empty.sqlite"
    History(made).close()  # an empty store
    unknown = run("history", "show", "abc", "--history", made)
    assert unknown.exit_code == 4 and "at least 6 characters" in unknown.stderr


def test_a_real_process_records_and_reads_the_trend(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE, september=SEPTEMBER)
    command = [sys.executable, "-m", "tracecheck"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for name in ("march", "june", "september"):
        done = subprocess.run([*command, "check", str(paths[name]), "--history", store_url, "--record", "--out",
                               str(tmp_path / "o"), "-q", *AS_OF], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    trend = subprocess.run([*command, "history", "trend", "--history", store_url, "--json"], capture_output=True,
                           text=True, env=env, timeout=300)
    assert trend.returncode == 0, trend.stderr
    rows = [json.loads(line) for line in trend.stdout.splitlines()]
    batches = [r for r in rows if r["kind"] == "batch"]
    assert [b["source"] for b in batches] == ["march.csv", "june.csv", "september.csv"]
    assert [b["prior_duplicate_share"] for b in batches] == [0.0, 0.5, 0.5]


def test_checking_against_a_store_that_does_not_exist_is_an_error_not_an_empty_store(tmp_path: Path) -> None:
    paths = write(tmp_path, june=JUNE)
    typo = tmp_path / "team.sqlite_typo"
    result = run("check", paths["june"], "--history", typo, "--out", tmp_path / "o")
    assert result.exit_code == 4 and "no history store at" in result.stderr and not typo.exists()
    made = run("check", paths["june"], "--history", typo, "--record", "--out", tmp_path / "o")
    assert made.exit_code == 0 and typo.is_file()


def test_trend_for_an_unknown_agency_names_the_known_ones(tmp_path: Path) -> None:
    paths = write(tmp_path, june=JUNE)
    store = tmp_path / "h.sqlite"
    assert run("check", paths["june"], "--history", store, "--record", "--out", tmp_path / "o").exit_code == 0
    accents = run("history", "trend", "--history", store, "--agency", "secretaria de la defensa nacional")
    assert accents.exit_code == 0 and "Secretaría de la Defensa Nacional" in accents.output
    unknown = run("history", "trend", "--history", store, "--agency", "Marina")
    assert unknown.exit_code == 2 and "agencies: Secretaría de la Defensa Nacional" in unknown.stderr
