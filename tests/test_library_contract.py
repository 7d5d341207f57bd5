"""The contract an ETL job relies on: findings join back to the input, the table keeps one shape,
arguments take the forms a job has at hand, and the report writes itself in every format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import tracecheck
from tracecheck.findings import FINDING_COLUMNS

AS_OF = dt.date(2026, 11, 22)


def frame() -> pd.DataFrame:
    """Three requests under the job's own index (case ids), one blank line, one bad serial."""
    return pd.DataFrame({
        "Nº de Serie": ["BXYZ123", None, "SIN MATRICULA", "ABC1234"],
        "Manufacturer": ["Glock", None, "Norinco", "Ruger"],
        "Recovery Date": ["2024-03-01", None, "2024-03-02", "2031-01-01"],
    }, index=pd.Index(["case-17", "case-18", "case-19", "case-20"], name="case_id"))


def test_each_finding_carries_the_callers_index_label_and_the_header():
    source = frame()
    report = tracecheck.check(source, mapping={"serial_number": "Nº de Serie"}, as_of=AS_OF)
    serial = report.findings[report.findings["rule"] == "TC101"].iloc[0]
    assert serial["index"] == "case-19" and serial["row"] == 4  # the blank line keeps its row number
    assert serial["header"] == "Nº de Serie" and serial["column"] == "A" and serial["field"] == "serial_number"
    future = report.findings[report.findings["rule"] == "TC303"].iloc[0]
    assert future["index"] == "case-20" and future["header"] == "Recovery Date"
    # the join an ETL job does: findings back onto its own frame
    joined = report.findings.dropna(subset=["index"]).merge(source, left_on="index", right_index=True)
    assert len(joined) == report.findings["index"].notna().sum()
    assert report.rows["index"].tolist() == ["case-17", "case-19", "case-20"]
    batch_level = report.findings[report.findings["row"].isna()]
    assert batch_level["index"].isna().all()


def test_files_have_no_index_label(tmp_path: Path):
    path = tmp_path / "batch.csv"
    path.write_text("Serial Number,Manufacturer\nN/A,Glock\n", encoding="utf-8")
    report = tracecheck.check(path, as_of=AS_OF)
    assert report.findings["index"].isna().all() and report.rows["index"].isna().all()
    assert json.loads(report.to_json())["findings"][0]["index"] is None


def test_a_pyarrow_table_is_checked_like_a_frame():
    table = pa.Table.from_pandas(frame().reset_index(drop=True))
    report = tracecheck.check(table, mapping={"serial_number": "Nº de Serie"}, as_of=AS_OF)
    serial = report.findings[report.findings["rule"] == "TC101"].iloc[0]
    assert serial["index"] == 2 and serial["row"] == 4  # the row's position in the table


def test_select_takes_a_string_a_comma_list_or_a_list():
    source = frame()
    names = [sorted(set(tracecheck.check(source, select=s, as_of=AS_OF, mapping={"serial_number": "Nº de Serie"})
                        .findings["rule"])) for s in ("TC101", "TC101,TC303", ["TC101", "TC303"])]
    assert names == [["TC101"], ["TC101", "TC303"], ["TC101", "TC303"]]
    ignored = tracecheck.check(source, ignore="TC303", as_of=AS_OF).findings
    assert "TC303" not in set(ignored["rule"])


@pytest.mark.parametrize("value", ["2026-11-22", dt.date(2026, 11, 22), dt.datetime(2026, 11, 22, 15, 30),
                                   "2026-11-22T15:30:00+00:00", pd.Timestamp("2026-11-22")])
def test_as_of_takes_text_a_date_or_a_datetime(value):
    report = tracecheck.check(frame(), as_of=value)
    assert report.batch["as_of"] == "2026-11-22"


@pytest.mark.parametrize("junk", ["yesterday", "22/11/2026", 20261122, "", [2026, 11, 22]])
def test_as_of_junk_is_a_value_error(junk):
    with pytest.raises(ValueError, match="as_of"):
        tracecheck.check(frame(), as_of=junk)


def test_other_sources_are_a_value_error():
    with pytest.raises(ValueError, match="source"):
        tracecheck.check(42)  # type: ignore[arg-type]


def test_write_report_all_and_lists(tmp_path: Path):
    report = tracecheck.check(frame(), as_of=AS_OF, name="lote.csv")
    written = tracecheck.write_report(report, tmp_path / "all", "all")
    assert sorted(p.name for p in written) == ["lote.findings.csv", "lote.report.html", "lote.report.json",
                                               "lote.report.xlsx"]
    assert [p.name for p in tracecheck.write_report(report, tmp_path / "two", "json,csv")] == \
        ["lote.report.json", "lote.findings.csv"]
    assert [p.name for p in tracecheck.write_report(report, tmp_path / "one", ["html"])] == ["lote.report.html"]
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        tracecheck.write_report(report, tmp_path / "bad", "json,pdf")


def test_validation_failed_is_a_tracecheck_error_with_the_findings_exit_code():
    report = tracecheck.check(frame(), as_of=AS_OF)
    with pytest.raises(tracecheck.TracecheckError) as info:
        report.raise_for_status("error")
    assert isinstance(info.value, tracecheck.ValidationFailed) and info.value.exit_code == 1
    assert info.value.report is report and "<dataframe>" in str(info.value)


def test_iter_findings_gives_only_the_rules_own_details():
    report = tracecheck.check(frame(), as_of=AS_OF, mapping={"serial_number": "Nº de Serie"})
    future = next(f for f in report.iter_findings() if f.rule == "TC303")
    assert future.context == {} and future.index == "case-20" and future.header == "Recovery Date"
    assert list(report.findings.columns) == FINDING_COLUMNS


# found by trying to break it: cells and labels that made check() or to_json() raise

ODD_CELLS = {
    "list-dict-set": {"Model": [["19"], {"a": 1}], "Serial Number": [{"A"}, "B1234"]},
    "bytes": {"Serial Number": [b"\xff\xfeA", b"ABC1234"]},
    "timedelta-date": {"Recovery Date": pd.to_timedelta([1, 2], unit="D")},
    "period-date": {"Purchase Date": pd.period_range("2020-01", periods=2, freq="M")},
    "sparse-date": {"Recovery Date": pd.arrays.SparseArray([float("nan"), 1.0])},
}


@pytest.mark.parametrize("cells", ODD_CELLS.values(), ids=ODD_CELLS.keys())
def test_cells_no_sheet_could_hold_are_checked_as_text(cells):
    source = pd.DataFrame({"Serial Number": ["ABC1234", "XYZ9876"], "Manufacturer": ["Glock", "Ruger"], **cells})
    before = source.copy()
    report = tracecheck.check(source, as_of=AS_OF)
    json.loads(report.to_json())
    assert list(report.findings.columns) == FINDING_COLUMNS
    pd.testing.assert_frame_equal(source, before)  # the caller's frame is untouched


def test_arrow_binary_list_and_duration_columns():
    table = pa.table({"Serial Number": pa.array([b"\xff", b"ABC1234"], pa.binary()), "Manufacturer": ["G", "R"],
                      "Model": pa.array([["a"], None], pa.list_(pa.string())),
                      "Recovery Date": pa.array([1, None], pa.duration("s"))})
    report = tracecheck.check(table, as_of=AS_OF)
    assert report.rows["index"].tolist() == [0, 1]
    json.loads(report.to_json())


@pytest.mark.parametrize("index", [pd.period_range("2020", periods=2, freq="Y"), pd.interval_range(0, 2),
                                   pd.Index([1.5, float("inf")]), pd.Index(["a", ("b", 2)], dtype=object)],
                         ids=["period", "interval", "infinity", "tuple"])
def test_any_index_label_gives_strict_json(index):
    report = tracecheck.check(pd.DataFrame({"Serial Number": ["N/A", "ABC1234"]}, index=index), as_of=AS_OF)
    assert report.rows["index"].tolist() == list(index)  # the labels themselves, for joins

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    document = json.loads(report.to_json(), parse_constant=refuse)  # no NaN or Infinity literal
    assert len(document["rows"]) == 2
