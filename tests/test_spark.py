"""tracecheck.spark on a real local Spark (local[2], the pyspark package and the machine's Java): the same
findings, rows, duplicate groups and summary as tracecheck.check on the same batch, and the
spark-check command as a user runs it (CliRunner and a subprocess). Skips without Java or pyspark,
fails under CI=true (.ci/run installs both)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import skip_or_fail

import tracecheck
from synth.batches import generate_batch
from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch
from tracecheck.cli import main

AS_OF = "2026-11-30"
COLUMNS = ["row", "rule", "name", "severity", "field", "column", "header", "value", "reason", "message", "index"]
SUMMARY_KEYS = ["rows", "findings", "by_severity", "by_rule", "batch_errors", "rows_with_errors",
                "rows_with_warnings", "rows_traceable", "traceable_share", "rows_obliterated", "fix_list",
                "batch_facts", "age_buckets", "age_medians_days", "duplicates", "by_agency", "rows_dropped"]


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        skip_or_fail("no Java for Spark (apt-get install openjdk-17-jre-headless)")
    try:
        from tracecheck.cli_spark import session
    except ImportError:  # pragma: no cover - the module imports pyspark lazily
        raise
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark not installed (pip install 'tracecheck[spark]')")
    spark = session("local[2]", app="tracecheck-tests")
    spark.conf.set("spark.sql.shuffle.partitions", "4")
    yield spark
    spark.stop()


def _spark_frame(spark, frame: pd.DataFrame, partitions: int = 3):
    """``frame`` as a Spark DataFrame in the same row order, over several partitions."""
    text = frame.astype(object).where(frame.notna(), None)
    return spark.createDataFrame(text).coalesce(partitions) if partitions == 1 else \
        spark.createDataFrame(spark.sparkContext.parallelize(text.values.tolist(), partitions),
                              schema=list(frame.columns))


def _rows(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings[COLUMNS].astype("str").copy()
    out["context"] = [json.dumps({k: _plain(v) for k, v in (c or {}).items() if _plain(v) is not None},
                                 sort_keys=True, default=str) for c in findings["context"]]
    return out.sort_values(list(out.columns), kind="stable").reset_index(drop=True)


def _plain(value):
    """A context value as plain Python: lists as lists, missing (None, NaN, NA) as None."""
    if isinstance(value, str):
        return value
    if hasattr(value, "__len__"):
        return [int(v) for v in value]
    if value is None or pd.isna(value):
        return None
    return value if isinstance(value, bool) else float(value)  # Spark's struct reads ints back as floats


def _same_as_pandas(spark, frame: pd.DataFrame, **options):
    from tracecheck import spark as engine

    report = tracecheck.check(frame, as_of=AS_OF, **options)
    result = engine.check(_spark_frame(spark, frame), as_of=AS_OF, **options)
    found = engine.frame_of(result.findings)
    expected = report.findings.copy()
    expected["context"] = [dict(c) if c is not None else {} for c in expected["context"]]
    found["context"] = [dict(c) if c is not None else {} for c in found["context"]]
    pd.testing.assert_frame_equal(_rows(found), _rows(expected))
    for key in SUMMARY_KEYS:
        assert result.summary[key] == report.summary[key], key
    return report, result


@pytest.fixture(scope="module")
def dense(spark):
    """A dense batch (many copies of one gun from several agencies) checked by both paths."""
    frame = generate_linked_batch(1500, seed=4, profile="dense").drop(columns=TRUTH_COLUMNS)
    return _same_as_pandas(spark, frame)


def test_findings_and_summary_are_the_pandas_paths(dense):
    report, result = dense
    assert len(report.findings) > 1000
    assert {"TC201", "TC202", "TC203", "TC101", "TC310"} <= set(report.findings["rule"])  # duplicates ran


def test_duplicate_groups_and_rows_are_the_pandas_paths(dense):
    report, result = dense
    members = result.members.toPandas()
    expected = report.duplicates.members
    assert sorted(zip(members["group"], members["row"])) == sorted(zip(expected["group"], expected["row"]))
    rows = result.rows.toPandas().sort_values("row").reset_index(drop=True)
    want = report.rows.reset_index(drop=True)
    assert rows["row"].tolist() == want["row"].astype(int).tolist()
    assert rows["status"].tolist() == want["status"].tolist()
    assert rows["duplicate_group"].fillna("").tolist() == want["duplicate_group"].fillna("").tolist()
    for metric in ("request_age_days", "time_to_crime_days", "submission_lag_days"):
        pd.testing.assert_series_equal(rows[metric].astype("float64"), want[metric].astype("float64"),
                                       check_names=False)


def test_spanish_batch_with_day_first_dates_and_sales(spark):
    """Spanish headers and messages, day-first dates decided on the driver, multiple sales grouped
    by purchaser, Make/Model split: all as the pandas path gives them."""
    frame = generate_batch(900, seed=8, language="es")
    frame.loc[[10, 500], "Tipo de arma"] = "CARGADOR"  # magazines: dropped and listed, not requests
    report, result = _same_as_pandas(spark, frame, lang="es")
    assert result.summary["rows_dropped"] == {"not_a_firearm": 2}
    assert result.batch["date_order"]["purchase_date"] == report.batch["date_order"]["purchase_date"]
    assert report.findings["message"].str.contains("Número de serie|número de serie").any()


def test_rule_selection_and_bad_pack(spark, tmp_path):
    from tracecheck import spark as engine
    from tracecheck.errors import RulePackError

    frame = generate_linked_batch(300, seed=2, profile="dense").drop(columns=TRUTH_COLUMNS)
    result = engine.check(_spark_frame(spark, frame, 2), as_of=AS_OF, select="TC1")
    rules = set(engine.frame_of(result.findings)["rule"])
    assert rules and all(r.startswith("TC1") for r in rules)
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  - code: TC999\n    check: no_such_kind\n", encoding="utf-8")
    with pytest.raises(RulePackError):
        engine.check(_spark_frame(spark, frame, 2), bad)


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "archive.csv"
    generate_linked_batch(400, seed=6, profile="dense").drop(columns=TRUTH_COLUMNS).to_csv(path, index=False)
    return path


def test_cli_writes_parquet_partitioned_by_batch(spark, tmp_path):
    source = _csv(tmp_path)
    before = source.read_bytes()
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["spark-check", str(source), "--out", str(out), "--master", "local[2]",
                                       "--as-of", AS_OF])
    assert result.exit_code == 1, result.output  # the batch has errors
    assert "archive.csv: 400 rows" in result.output
    findings = pd.read_parquet(out / "findings")
    assert set(findings["batch"].astype(str)) == {"archive.csv"}
    report = tracecheck.check(source, as_of=AS_OF)
    assert len(findings) == len(report.findings)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["archive.csv"]["summary"]["by_severity"] == report.summary["by_severity"]
    assert len(pd.read_parquet(out / "rows")) == 400
    assert source.read_bytes() == before  # the input is never modified


def test_cli_subprocess_partitions_by_agency_and_refuses_workbooks(spark, tmp_path):
    source = _csv(tmp_path)
    out = tmp_path / "by-agency"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    run = subprocess.run([sys.executable, "-m", "tracecheck", "spark-check", str(source), "--out", str(out),
                          "--master", "local[2]", "--partition-by", "agency", "--as-of", AS_OF, "--fail-on", "never"],
                         capture_output=True, text=True, env=env, timeout=1800)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    agencies = {p.name for p in (out / "findings").iterdir() if p.name.startswith("agency=")}
    assert len(agencies) >= 3
    book = tmp_path / "batch.xlsx"
    book.write_bytes(b"PK")
    bad = subprocess.run([sys.executable, "-m", "tracecheck", "spark-check", str(book), "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=1800)
    assert bad.returncode == 2 and "spark-check reads csv and Parquet" in bad.stderr, bad.stderr[-2000:]
    assert "Traceback" not in bad.stderr


def test_components_by_iterative_join_are_the_drivers(spark):
    """Past DRIVER_PAIRS the components are labelled by joins in Spark: the same labels."""
    import numpy as np

    from tracecheck.spark.graph import components, label_components

    rng = np.random.default_rng(7)
    a = rng.integers(2, 400, 300)
    b = rng.integers(2, 400, 300)
    keep = a != b
    a, b = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
    pairs = spark.createDataFrame(pd.DataFrame({"a": a, "b": b}).drop_duplicates())
    joined = components(pairs, driver_pairs=0).toPandas().sort_values("row")
    rows, comp = label_components(a, b)
    assert joined["row"].tolist() == rows.tolist()
    assert joined["comp"].tolist() == comp.tolist()


def test_cli_reads_cp1252_csv_with_dotted_header(spark, tmp_path):
    """A Windows-1252 export (Spark 4 does not name that charset by default) whose serial header holds a
    dot (a column name Spark would otherwise parse as a struct field)."""
    example = Path(__file__).resolve().parents[1] / "examples" / "rastreo_mx.csv"
    source = tmp_path / "rastreo.csv"
    serial, dotted = "Matrícula;".encode("cp1252"), "No. de matrícula;".encode("cp1252")
    source.write_bytes(example.read_bytes().replace(serial, dotted, 1))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["spark-check", str(source), "--out", str(out), "--master", "local[2]",
                                       "--as-of", AS_OF, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["rastreo.csv"]
    assert summary["batch"]["mapping"]["serial_number"] == "No. de matrícula"
    report = tracecheck.check(source, as_of=AS_OF)
    assert summary["summary"]["by_rule"] == report.summary["by_rule"]
    import pyarrow as pa
    import pyarrow.dataset as ds

    days = ds.dataset(out / "rows", partitioning="hive").schema.field("request_age_days").type
    assert days == pa.int64()  # whole days, as in the JSON report


def test_cli_refuses_inputs_it_cannot_take_in_one_line(spark, tmp_path):
    empty, folder = tmp_path / "empty.csv", tmp_path / "folder"
    empty.write_bytes(b"")
    folder.mkdir()
    (folder / "a.csv").write_text("serial_number\nA1\n", encoding="utf-8")
    (tmp_path / "b").mkdir()
    twin = tmp_path / "b" / "a.csv"
    twin.write_text("serial_number\nA2\n", encoding="utf-8")
    out = tmp_path / "out"
    for inputs, said in (([empty], "empty file (0 bytes)"), ([folder], "holds no .parquet file"),
                         ([folder / "a.csv", twin], "both would be batch 'a.csv'")):
        result = CliRunner().invoke(main, ["spark-check", *map(str, inputs), "--out", str(out)])
        assert result.exit_code == 2 and said in result.output, result.output
        assert not out.exists()
    long = tmp_path / "long.csv"
    long.write_text("serial_number,make,agency\n" + "".join(f"A{i}X9,Glock,{'A' * 300}\n" for i in range(5)),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["spark-check", str(long), "--out", str(out), "--master", "local[2]",
                                       "--partition-by", "agency"])
    assert result.exit_code == 3, result.output  # a 300-character directory name: the writer fails
    assert "Spark could not write the report" in result.output and "Traceback" not in result.output
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
