"""The library as an ETL job calls it: tracecheck.check(path | DataFrame) -> Report."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pytest

import tracecheck
from tracecheck import Finding, InputError, Report, RulePackError, Severity, TracecheckError, ValidationFailed

CORE = ["row", "column", "header", "rule", "name", "severity", "field", "value", "reason", "message", "index",
        "sheet", "context"]
ROW_COLUMNS = ["row", "index", "request_id", "status", "request_age_days", "time_to_crime_days",
               "submission_lag_days", "duplicate_group"]
AGES = ROW_COLUMNS[4:7]


def rules_of(report: Report) -> set[str]:
    return set(report.findings["rule"])


def gun_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Request ID": ["TR-1", "TR-2", "TR-3"],
        "Manufacturer": ["Glock", "Norinco", "Ruger"],
        "Model": ["19", "MAK90", "LCP"],
        "Caliber": ["9MM", "7.62X39", ".380"],
        "Type": ["PISTOL", "RIFLE", "PISTOL"],
        "Serial Number": ["BXYZ123", "SIN MATRICULA", "371-12345"],
        "Country of Origin": ["Austria", "China", "US"],
        "Importer": ["GLOCK INC SMYRNA GA", None, None],
        "Purchase Date": ["2019-01-02", "2010-05-06", "2020-02-03"],
        "Recovery Date": ["2021-03-04", "2021-03-04", "2021-06-01"],
        "Request Date": ["2021-03-10", "2023-03-10", "2021-06-03"],
    })


# ------------------------------------------------------------------ the Report object


def assert_report_shape(report: Report) -> None:
    assert isinstance(report, tracecheck.Report)
    assert list(report.findings.columns) == CORE
    assert list(report.rows.columns) == ROW_COLUMNS
    for metric in AGES:
        assert str(report.rows[metric].dtype) == "Int64", metric
    assert set(report.rows["status"]) <= {"ok", "info", "warning", "error"}
    assert report.summary["rows"] == len(report.rows)
    assert report.summary["findings"] == len(report.findings)
    assert sum(report.summary["by_severity"].values()) == len(report.findings)
    assert sum(e["count"] for e in report.summary["by_rule"]) == len(report.findings)
    text = report.to_json()
    assert isinstance(text, str) and json.loads(text) == report.to_dict()
    findings = list(report.iter_findings())
    assert len(findings) == len(report.findings)
    assert all(isinstance(f, Finding) and isinstance(f.severity, Severity) for f in findings)


def test_check_path_returns_report(messy_csv, as_of):
    report = tracecheck.check(messy_csv, as_of=as_of)
    assert_report_shape(report)
    assert report.batch["source"] == "messy_batch.csv"
    assert report.batch["as_of"] == "2026-11-22"
    assert report.worst_severity == "error"
    assert report.summary["by_severity"]["error"] > 0
    placeholder = next(f for f in report.iter_findings() if f.rule == "TC101" and f.value == "SIN MATRICULA")
    assert placeholder.severity is Severity.ERROR
    assert placeholder.name == "serial-missing"
    assert placeholder.row == 3 and isinstance(placeholder.row, int)
    assert placeholder.field == "serial_number" and placeholder.column == "G"
    assert placeholder.reason == "placeholder" and placeholder.header == "Serial Number"
    late = next(f for f in report.iter_findings() if f.rule == "TC312")
    assert late.severity is Severity.WARNING and late.context["days"] == 736


def test_check_dataframe_returns_report(as_of):
    report = tracecheck.check(gun_frame(), as_of=as_of)
    assert_report_shape(report)
    assert report.batch["source"] == "<dataframe>"
    assert report.rows["request_id"].tolist() == ["TR-1", "TR-2", "TR-3"]
    assert report.rows["time_to_crime_days"].tolist() == [792, 3955, 484]
    by_row = report.rows.set_index("row")["status"].to_dict()
    assert by_row[3] == "error"  # SIN MATRICULA and no import marking for a Chinese rifle
    assert {"TC101", "TC110", "TC310", "TC312"} <= rules_of(report)


def test_check_dataframe_name_and_api_options(as_of):
    frame = gun_frame().rename(columns={"Serial Number": "S/N #"})
    report = tracecheck.check(frame, name="lote-marzo.xlsx", mapping={"serial_number": "S/N #"},
                              select=["TC1"], ignore=["TC110"], as_of=as_of)
    assert report.batch["source"] == "lote-marzo.xlsx"
    mapped = {m["field"]: m for m in report.mapping}
    assert mapped["serial_number"]["header"] == "S/N #"
    assert mapped["serial_number"]["method"] == "override"
    assert rules_of(report) == {"TC101"}
    assert all(r["rule"].startswith("TC1") and r["rule"] != "TC110" for r in report.rule_pack["rules"])


def test_dataframe_rows_are_numbered_from_2(as_of):
    frame = gun_frame()
    frame.index = [100, 7, 42]  # the caller's index is irrelevant: rows are numbered as on a sheet
    report = tracecheck.check(frame, as_of=as_of)
    assert report.rows["row"].tolist() == [2, 3, 4]
    assert report.batch["header_row"] == 1
    serial = report.findings[report.findings["rule"] == "TC101"]
    assert serial["row"].tolist() == [3]


def test_report_summary_counts(messy_csv, as_of):
    summary = tracecheck.check(messy_csv, as_of=as_of).summary
    assert summary["rows"] == 6
    assert summary["rows_obliterated"] == 1  # LIMADO
    assert summary["rows_traceable"] + summary["rows_with_errors"] == summary["rows"]
    assert 0 <= summary["traceable_share"] <= 1
    counts = {(e["rule"], e["severity"]): e["count"] for e in summary["by_rule"]}
    assert counts[("TC101", "error")] == 2
    assert counts[("TC008", "warning")] == 2
    assert set(summary["age_buckets"]) == set(AGES)


# ------------------------------------------------------------------ bad data never raises


def _check_frame(frame, as_of) -> Report:
    report = tracecheck.check(frame, as_of=as_of)
    assert_report_shape(report)
    return report


def test_empty_dataframe(as_of):
    report = _check_frame(pd.DataFrame(), as_of)
    assert {"TC001", "TC003"} <= rules_of(report)
    assert report.summary["rows"] == 0 and report.summary["rows_traceable"] == 0
    with pytest.raises(ValidationFailed):
        report.raise_for_status()


def test_frame_without_recognisable_columns(as_of):
    report = _check_frame(pd.DataFrame({"foo": [1, 2], "Observaciones": ["x", "y"]}), as_of)
    missing = report.findings[report.findings["rule"] == "TC001"]
    assert set(missing["field"]) == {"serial_number", "manufacturer"}
    assert missing["row"].isna().all()
    assert set(report.findings.loc[report.findings["rule"] == "TC006", "value"]) == {"foo", "Observaciones"}
    assert report.summary["batch_errors"] == 2


def test_frame_with_integer_column_names(as_of):
    report = _check_frame(pd.DataFrame([[1, 2, 3]]), as_of)
    assert "TC001" in rules_of(report)


def test_all_garbage_values(as_of):
    frame = pd.DataFrame({
        "Serial Number": ["###", "", None, "ÿÿÿ", "XXXXX"],
        "Manufacturer": ["???", "123", "", None, "N/A"],
        "Purchase Date": ["banana", "00/00/0000", "2021-13-45", "x", "31/02/2021"],
    })
    report = _check_frame(frame, as_of)
    assert {"TC101", "TC120", "TC301"} <= rules_of(report)
    assert (report.rows["status"] == "error").all()
    assert report.summary["rows_traceable"] == 0


def test_duplicate_column_names(as_of):
    frame = pd.DataFrame([["A1234567", "Glock", "B7654321"], ["C2345678", "Ruger", "C2345678"]],
                         columns=["Serial Number", "Manufacturer", "Serial Number"])
    report = _check_frame(frame, as_of)
    dup = report.findings[report.findings["rule"] == "TC004"]
    assert len(dup) == 1 and dup.iloc[0]["severity"] == "warning"
    mapped = {m["field"]: m["header"] for m in report.mapping}
    assert mapped["serial_number"] == "Serial Number"  # the first one wins


def test_non_string_values(as_of):
    frame = pd.DataFrame({
        "Request ID": [101, 102.0, None, np.nan],
        "Serial Number": [12345678, 7.5, None, "BXYZ123"],
        "Manufacturer": ["Glock", None, 3, True],
        "Model": [19, 17.0, None, "LCP"],
        "Purchase Date": [dt.datetime(2020, 1, 2), pd.Timestamp("2019-05-06"), None, dt.date(2018, 3, 4)],
        "Recovery Date": [dt.date(2021, 3, 4), None, "2021-04-05", pd.Timestamp("2021-07-08")],
        "Request Date": [pd.Timestamp("2021-03-10"), None, np.nan, "2021-07-20"],
    })
    report = _check_frame(frame, as_of)
    assert report.rows["request_id"].tolist()[:2] == ["101", "102"]
    assert report.rows["time_to_crime_days"].iloc[0] == 427
    assert "TC120" in rules_of(report)  # blank manufacturer on row 3


def test_datetime64_column_with_missing_dates(as_of):
    """pd.read_excel / pd.to_datetime give datetime64 columns with NaT for blank cells."""
    frame = pd.DataFrame({
        "Serial Number": ["BXYZ123", "371-12345"],
        "Manufacturer": ["Glock", "Ruger"],
        "Purchase Date": pd.to_datetime(["2019-01-02", None]),
        "Recovery Date": pd.to_datetime(["2021-03-04", "2021-06-01"]),
    })
    report = _check_frame(frame, as_of)
    assert report.rows["time_to_crime_days"].iloc[0] == 792
    assert report.rows["time_to_crime_days"].isna().iloc[1]


# ------------------------------------------------------------------ misuse raises


def test_missing_file_raises_input_error(tmp_path):
    missing = tmp_path / "no_such_batch.csv"
    with pytest.raises(InputError) as info:
        tracecheck.check(missing)
    assert info.value.exit_code == 2
    assert isinstance(info.value, TracecheckError)
    assert "no_such_batch.csv" in str(info.value)
    assert "\n" not in str(info.value)


def test_unsupported_file_type_raises_input_error(tmp_path):
    path = tmp_path / "batch.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match="batch.pdf"):
        tracecheck.check(path)


def test_unknown_sheet_raises_input_error(tmp_path, make_xlsx):
    path = make_xlsx(tmp_path / "two.xlsx", {"Solicitudes": [["Matrícula", "Marca"], ["BXYZ123", "Glock"]],
                                             "Notas": [["a", "b"]]})
    with pytest.raises(InputError, match="Solicitudes"):
        tracecheck.check(path, sheet="Nope")


@pytest.mark.parametrize("pack_text", [
    "extends: default\nrules: [\n",                                   # invalid YAML
    "extends: default\nrules:\n  TC999: {severity: error}\n",          # unknown rule
    "extends: default\nrules:\n  TC312: {severity: catastrophic}\n",  # bad severity
    "extends: default\nbogus_key: 1\n",                                # unknown key
])
def test_bad_rule_pack_raises(tmp_path, messy_csv, pack_text):
    pack = tmp_path / "pack.yml"
    pack.write_text(pack_text, encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        tracecheck.check(messy_csv, pack)
    assert info.value.exit_code == 2
    assert "\n" not in str(info.value)


def test_missing_rule_pack_raises(tmp_path, messy_csv):
    with pytest.raises(RulePackError, match="not found"):
        tracecheck.check(messy_csv, tmp_path / "nope.yml")


def test_bad_selector_and_mapping_raise(messy_csv):
    with pytest.raises(RulePackError):
        tracecheck.check(messy_csv, select=["TC9"])
    with pytest.raises(RulePackError):
        tracecheck.check(messy_csv, mapping={"serial_no_such_field": "Serie"})


def test_bad_date_order_raises_value_error(messy_csv):
    with pytest.raises(ValueError, match="date_order"):
        tracecheck.check(messy_csv, date_order="ymd")


# ------------------------------------------------------------------ raise_for_status


def test_raise_for_status_error_level(messy_csv, clean_csv, as_of):
    report = tracecheck.check(messy_csv, as_of=as_of)
    with pytest.raises(ValidationFailed) as info:
        report.raise_for_status("error")
    assert info.value.report is report
    assert "messy_batch.csv" in str(info.value)
    with pytest.raises(ValidationFailed):
        report.raise_for_status()  # "error" is the default
    assert report.raise_for_status("never") is report
    clean = tracecheck.check(clean_csv, as_of=as_of)
    assert len(clean.findings) == 0
    for level in ("error", "warning", "info", "never"):
        assert clean.raise_for_status(level) is clean


def test_raise_for_status_warning_level(warnings_csv, as_of):
    report = tracecheck.check(warnings_csv, as_of=as_of)
    assert report.worst_severity == "warning"
    assert report.raise_for_status("error") is report
    with pytest.raises(ValidationFailed) as info:
        report.raise_for_status("warning")
    assert info.value.report is report
    assert report.raise_for_status("never") is report


def test_raise_for_status_rejects_unknown_level(clean_csv, as_of):
    with pytest.raises(ValueError):
        tracecheck.check(clean_csv, as_of=as_of).raise_for_status("fatal")


# ------------------------------------------------------------------ canonical schema


def canonical_frame() -> pd.DataFrame:
    return pd.DataFrame({"serial_number": ["BXYZ123", "371-12345"], "manufacturer": ["Glock", "Ruger"],
                         "model": ["19", "LCP"], "recovery_date": pd.to_datetime(["2021-03-04", "2021-05-06"])},
                        index=pd.Index([2, 3], name="row"))


def test_canonical_schema_is_pandera_schema():
    import pandera.pandas as pa

    assert isinstance(tracecheck.canonical_schema, pa.DataFrameSchema)
    assert {"serial_number", "manufacturer", "model", "recovery_date"} <= set(tracecheck.canonical_schema.columns)


def test_canonical_schema_validates_a_small_frame():
    frame = canonical_frame()
    validated = tracecheck.canonical_schema.validate(frame)
    assert validated["serial_number"].tolist() == ["BXYZ123", "371-12345"]
    assert str(validated["recovery_date"].dtype) == "datetime64[ns]"


def test_canonical_schema_rejects_multi_line_model():
    frame = canonical_frame()
    frame.loc[3, "model"] = "LCP\nseized with two magazines"
    with pytest.raises(pandera.errors.SchemaErrors) as info:
        tracecheck.canonical_schema.validate(frame, lazy=True)
    cases = info.value.failure_cases
    assert cases["column"].tolist() == ["model"]
    assert cases["index"].tolist() == [3]


# ------------------------------------------------------------------ public surface and hygiene


def test_public_surface():
    assert set(tracecheck.__all__) == {
        "__version__", "check", "canonical_schema", "load_pack", "write_report", "Finding", "History", "HistoryError",
        "InputError", "Limits", "Report", "ReportWriteError", "Rule", "RulePack", "RulePackError", "Severity",
        "TracecheckError", "ValidationFailed"}
    assert len(tracecheck.__all__) == len(set(tracecheck.__all__))
    namespace: dict = {}
    exec("from tracecheck import *", namespace)
    for name in tracecheck.__all__:
        assert getattr(tracecheck, name) is not None
        assert name in namespace
    assert issubclass(InputError, TracecheckError) and issubclass(RulePackError, TracecheckError)
    assert issubclass(tracecheck.ReportWriteError, TracecheckError)
    assert tracecheck.ReportWriteError.exit_code == 3
    assert issubclass(ValidationFailed, TracecheckError) and ValidationFailed.exit_code == 1
    assert isinstance(tracecheck.__version__, str)


def test_library_prints_nothing(messy_csv, capfd, as_of):
    tracecheck.check(messy_csv, as_of=as_of)
    tracecheck.check(gun_frame(), as_of=as_of)
    report = tracecheck.check(messy_csv, as_of=as_of)
    report.to_json()
    try:
        report.raise_for_status()
    except ValidationFailed:
        pass
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_dataframe_is_not_modified(as_of):
    frame = gun_frame()
    frame["Recovery Date"] = pd.to_datetime(frame["Recovery Date"])
    frame["Serial Number 2"] = [12345678, np.nan, 7]
    frame.columns = [*frame.columns[:-1], "Serial Number"]  # duplicate header
    frame.index = [10, 20, 30]
    before = copy.deepcopy(frame)
    columns_before = list(frame.columns)
    tracecheck.check(frame, as_of=as_of)
    assert list(frame.columns) == columns_before
    assert frame.index.tolist() == [10, 20, 30]
    pd.testing.assert_frame_equal(frame, before)


def test_traceable_share_does_not_depend_on_the_selection():
    """The identification rules decide what is traceable; a selection that leaves them out still
    gets the same traceable, usable-serial and import-marking numbers, without their findings."""
    path = Path(__file__).resolve().parent.parent / "examples" / "fiscalia_titled.xlsx"
    full = tracecheck.check(path, as_of="2026-11-22")
    dates = tracecheck.check(path, as_of="2026-11-22", select="TC3")
    keys = ("rows_traceable", "traceable_share", "rows_usable_serial", "rows_missing_import_marking")
    assert {k: dates.summary[k] for k in keys} == {k: full.summary[k] for k in keys}
    assert full.summary["rows_traceable"] < full.summary["rows"]
    assert set(dates.findings["rule"].str[:3]) == {"TC3"}
    assert dates.summary["fix_list"]["findings"] < full.summary["fix_list"]["findings"]


def test_batch_facts_are_counted_apart_from_the_fix_list():
    path = Path(__file__).resolve().parent.parent / "examples" / "fiscalia_titled.xlsx"
    report = tracecheck.check(path, as_of="2026-11-22")
    facts = {r["rule"] for r in report.rule_pack["rules"] if r["fact"]}
    assert {"TC202", "TC310", "TC311", "TC312", "TC313"} <= facts  # and the leads of later families
    f = report.findings
    is_fact = f["rule"].isin(facts)
    assert report.summary["batch_facts"]["findings"] == is_fact.sum() > 0
    assert report.summary["fix_list"]["findings"] == (~is_fact & f["severity"].isin(["error", "warning"])).sum()
    stale_only = set(f.loc[f["rule"].eq("TC310"), "row"]) - set(f.loc[~is_fact, "row"])
    status = report.rows.set_index("row")["status"]
    assert stale_only and all(status[r] == "ok" for r in stale_only)  # a fact leaves the row's status alone


def test_blank_recovery_date_measures_time_to_crime_to_the_request_date(as_of):
    """As the tracing center does (TC314 flags it); the submission lag stays unknown, and a placeholder
    recovery date falls back too, an unreadable one does not (TC301 asks for it to be fixed)."""
    frame = pd.DataFrame({
        "Serial Number": ["BXYZ123", "BXYZ124", "BXYZ125", "BXYZ126"],
        "Manufacturer": ["Glock"] * 4,
        "Purchase Date": ["2020-01-01", "2020-01-01", "2020-01-01", "2020-01-01"],
        "Recovery Date": ["", "desconocida", "32/13/2021", "2020-06-01"],
        "Request Date": ["2021-01-01", "2021-01-01", "2021-01-01", "2021-01-01"],
    })
    report = _check_frame(frame, as_of)
    assert report.rows["time_to_crime_days"].tolist()[:2] == [366, 366]
    assert pd.isna(report.rows["time_to_crime_days"].iloc[2])
    assert report.rows["time_to_crime_days"].iloc[3] == 152
    assert report.rows["submission_lag_days"].iloc[:3].isna().all()
    fallback = report.findings[report.findings["rule"] == "TC314"]
    assert fallback["row"].tolist() == [2, 3] and fallback["reason"].tolist() == ["blank", "placeholder"]


def test_raise_for_status_counts_agree_with_their_words(as_of):
    frame = pd.DataFrame({"Serial Number": ["", "BXYZ123"], "Manufacturer": ["Glock", "Glock"]})
    report = _check_frame(frame, as_of)
    with pytest.raises(ValidationFailed) as info:
        report.raise_for_status("warning")
    errors, warnings = report.summary["by_severity"]["error"], report.summary["by_severity"]["warning"]
    assert errors == 1 and f"1 error, {warnings} warning{'' if warnings == 1 else 's'} " in str(info.value)
