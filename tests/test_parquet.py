"""--format parquet: four tables (findings, rows, duplicate groups, duplicate pairs) with the same
numbers as the JSON report, from the CLI as a user runs it and from the library as an ETL job does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import tracecheck
from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch
from tracecheck.cli import main
from tracecheck.writers import parse_formats, write_report
from tracecheck.writers.parquet import TABLES, read_head

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-22"


@pytest.fixture(scope="module")
def dense_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dense") / "dense.csv"
    generate_linked_batch(3000, seed=11, profile="dense").drop(columns=TRUTH_COLUMNS).to_csv(path, index=False)
    return path


def _tables(out: Path, stem: str) -> dict:
    return {name: pq.read_table(out / f"{stem}.report.{name}.parquet").to_pylist() for name in TABLES}


def _same_as_json(tables: dict, doc: dict) -> None:
    assert [r["row"] for r in tables["rows"]] == [r["row"] for r in doc["rows"]]
    assert [r["duplicate_group"] for r in tables["rows"]] == [r["duplicate_group"] for r in doc["rows"]]
    assert [r["request_age_days"] for r in tables["rows"]] == [r["request_age_days"] for r in doc["rows"]]
    keys = ("row", "rule", "field", "severity", "reason", "message", "value", "column")
    assert [tuple(f[k] for k in keys) for f in tables["findings"]] == [tuple(f[k] for k in keys)
                                                                       for f in doc["findings"]]
    for mine, theirs in zip(tables["findings"], doc["findings"]):
        assert {k: v for k, v in mine["context"].items() if v is not None} == theirs["context"]
    groups = doc["duplicate_groups"]
    assert len(groups) > 100  # a dense batch: many groups of every kind
    assert [(g["group"], g["kind"], g["confidence"], g["score"], g["rows"]) for g in tables["duplicate_groups"]] == \
        [(g["id"], g["kind"], g["confidence"], g["score"], g["rows"]) for g in groups]
    json_pairs = [(g["id"], p["rows"], p["score"], p["explanation"],
                   {e["field"]: (e["level"], e["weight"]) for e in p["evidence"]}) for g in groups for p in g["pairs"]]
    fields = ("serial", "maker", "model", "caliber", "recovery")
    pq_pairs = [(p["group"], [p["a"], p["b"]], p["score"], p["explanation"],
                 {f: (p[f"{f}_level"], p[f"{f}_weight"]) for f in fields if p[f"{f}_level"] is not None})
                for p in tables["duplicate_pairs"]]
    assert pq_pairs == json_pairs
    assert sum(p["score"] for p in tables["duplicate_pairs"]) > 0


def test_cli_subprocess_parquet_matches_json(dense_csv, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tracecheck", "check", str(dense_csv), "--out", str(out),
                           "--format", "json,parquet", "--as-of", AS_OF, "--fail-on", "never"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "dense.report.json").read_text(encoding="utf-8"))
    _same_as_json(_tables(out, "dense"), doc)
    for name in TABLES:
        head = read_head(out / f"dense.report.{name}.parquet")
        assert head["summary"] == doc["summary"] and head["batch"]["sha256"] == doc["batch"]["sha256"]
        assert head["report_version"] == doc["report_version"]
        assert str(out / f"dense.report.{name}.parquet") in proc.stderr  # listed among the reports written


def test_cli_runner_parquet_alone(dense_csv, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(dense_csv), "--out", str(out), "--format", "parquet",
                                       "--as-of", AS_OF, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"dense.report.{n}.parquet" for n in TABLES)


def test_library_parquet_equals_report(dense_csv, tmp_path):
    report = tracecheck.check(dense_csv, as_of=AS_OF)
    written = write_report(report, tmp_path, "parquet")
    assert [p.name for p in written] == [f"dense.report.{n}.parquet" for n in TABLES]
    _same_as_json(_tables(tmp_path, "dense"), report.to_dict())
    assert len(pq.read_table(written[3])) == len(report.duplicates.pairs)


def test_empty_batch_writes_empty_tables(tmp_path):
    source = tmp_path / "empty.csv"
    source.write_text("Serial Number,Manufacturer,Model\n", encoding="utf-8")
    report = tracecheck.check(source, as_of=AS_OF)
    write_report(report, tmp_path / "out", "parquet")
    tables = _tables(tmp_path / "out", "empty")
    assert tables["rows"] == [] and tables["duplicate_groups"] == [] and tables["duplicate_pairs"] == []
    assert {f["rule"] for f in tables["findings"]} == {f["rule"] for f in report.to_dict()["findings"]}


def test_all_means_the_reports_people_open_and_parquet_is_asked_by_name():
    assert "parquet" not in parse_formats("all")
    assert parse_formats("all,parquet")[-1] == "parquet"
    with pytest.raises(ValueError, match="parquet"):
        parse_formats("feather")
