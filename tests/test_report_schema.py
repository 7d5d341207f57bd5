"""Real reports validate against docs/report.schema.json, round-trip, and keep integers integral."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pandas as pd
import pytest
from jsonschema import Draft202012Validator

import tracecheck
from tracecheck.writers import write_report


@pytest.fixture(scope="module")
def validator(report_schema):
    Draft202012Validator.check_schema(report_schema)
    return Draft202012Validator(report_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(validator, document: dict) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def written_report(report, tmp_path) -> dict:
    (path,) = write_report(report, tmp_path / "out", ("json",))
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the schema document itself


def test_schema_is_valid_draft_2020_12(report_schema):
    assert report_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(report_schema)


def test_every_property_is_documented(report_schema):
    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if not (isinstance(sub, dict) and sub.get("description")):
                    missing.append(f"{where}/{name}")
            for key, sub in node.items():
                walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}/{i}")

    walk(report_schema, "#")
    assert not missing, missing


def test_schema_is_closed_at_top_level_and_for_rows_and_findings(report_schema):
    props = report_schema["properties"]
    assert report_schema["additionalProperties"] is False
    assert props["rows"]["items"]["additionalProperties"] is False
    assert props["findings"]["items"]["additionalProperties"] is False
    assert set(report_schema["required"]) == set(props) == {
        "report_version", "batch", "rule_pack", "mapping", "summary", "rows", "findings", "duplicate_groups"}


# ------------------------------------------------------------------ real reports


def test_messy_batch_report_validates(validator, messy_csv, as_of, tmp_path):
    report = tracecheck.check(messy_csv, as_of=as_of)
    document = written_report(report, tmp_path)
    assert_valid(validator, document)
    # the batch really is messy: the schema saw many kinds of findings and contexts
    rules = {f["rule"] for f in document["findings"]}
    assert {"TC004", "TC006", "TC007", "TC008", "TC101", "TC102", "TC103", "TC110", "TC301", "TC302",
            "TC303"} <= rules
    assert any(f["row"] is None for f in document["findings"])
    assert any(f["context"] for f in document["findings"])
    assert document["batch"]["encoding"] == "utf-8" and document["batch"]["delimiter"] == ","


@pytest.mark.parametrize("content, header_row", [("Serial Number,Manufacturer,Model\n", 1), ("\n \n", None)])
def test_empty_batch_report_validates(validator, tmp_path, as_of, content, header_row):
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    document = written_report(tracecheck.check(path, as_of=as_of), tmp_path)
    assert_valid(validator, document)
    assert document["batch"]["header_row"] == header_row
    assert document["rows"] == []
    assert document["summary"]["rows"] == 0
    assert "TC003" in {f["rule"] for f in document["findings"]}


def test_header_only_dataframe_report_validates(validator, as_of):
    frame = pd.DataFrame(columns=["Serial Number", "Manufacturer"])
    document = tracecheck.check(frame, as_of=as_of).to_dict()
    assert_valid(validator, document)
    assert document["summary"]["traceable_share"] == 0.0


def test_missing_serial_column_report_validates(validator, tmp_path, as_of):
    path = tmp_path / "no_serial.csv"
    path.write_text("Request ID,Manufacturer,Model,Caliber\nR-1,Glock,19,9MM\nR-2,Ruger,LCP,.380\n",
                    encoding="utf-8")
    document = written_report(tracecheck.check(path, as_of=as_of), tmp_path)
    assert_valid(validator, document)
    missing = [f for f in document["findings"] if f["rule"] == "TC001"]
    assert [f["field"] for f in missing] == ["serial_number"]
    assert missing[0]["row"] is None and missing[0]["column"] is None
    assert document["summary"]["batch_errors"] >= 1
    assert document["summary"]["rows_traceable"] == 0


def test_dataframe_report_validates(validator, as_of):
    frame = pd.DataFrame({
        "Request ID": ["TR-1", "TR-2", None],
        "Manufacturer": ["Glock", "Norinco", "Ruger"],
        "Model": ["19", "MAK90", "LCP"],
        "Serial Number": ["BXYZ123", "SIN MATRICULA", "371-12345"],
        "Country of Origin": ["Austria", "China", "US"],
        "Purchase Date": ["2019-01-02", "2010-05-06", None],
        "Recovery Date": ["2021-03-04", "2021-03-04", "2021-06-01"],
        "Request Date": ["2021-03-10", "2023-03-10", "2021-06-03"],
    })
    document = tracecheck.check(frame, as_of=as_of).to_dict()
    assert_valid(validator, document)
    assert document["batch"]["source"] == "<dataframe>"
    assert document["batch"]["sheet"] is None and document["batch"]["encoding"] is None
    assert [r["row"] for r in document["rows"]] == [2, 3, 4]
    assert document["rows"][2]["request_id"] is None


def test_xlsx_report_validates(validator, make_xlsx, tmp_path, as_of):
    path = make_xlsx(tmp_path / "mx.xlsx", {"Datos": [
        ["Reporte mensual de rastreo"],
        ["Folio", "Marca", "Modelo", "Calibre", "Matrícula", "País de origen", "Fecha de compra",
         "Fecha de aseguramiento", "Fecha de solicitud"],
        ["F-1", "Glock", "19", "9MM", "BXYZ123", "Austria", dt.datetime(2010, 1, 2), dt.datetime(2021, 3, 4),
         dt.datetime(2021, 3, 10)],
        ["F-2", "Ruger", "LCP", ".380", 12345678, "USA", dt.datetime(2010, 1, 2), None, dt.datetime(2021, 3, 10)],
    ]})
    document = written_report(tracecheck.check(path, as_of=as_of), tmp_path)
    assert_valid(validator, document)
    assert document["batch"]["sheet"] == "Datos"
    assert document["batch"]["header_row"] == 2


def test_schema_rejects_accidental_changes(validator, messy_csv, as_of):
    document = tracecheck.check(messy_csv, as_of=as_of).to_dict()
    broken = json.loads(json.dumps(document))
    broken["extra"] = 1
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(document))
    broken["findings"][0]["severity"] = "fatal"
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(document))
    # (JSON Schema counts 433.0 as an integer, hence the type checks in test_integers_are_integers)
    broken["rows"][0]["request_age_days"] = 433.5
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
    broken = json.loads(json.dumps(document))
    del broken["rows"][0]["status"]
    assert not validator.is_valid(broken)


# ------------------------------------------------------------------ round trip and integer types


def test_to_dict_round_trips_with_to_json_and_file(messy_csv, as_of, tmp_path):
    report = tracecheck.check(messy_csv, as_of=as_of)
    as_dict = report.to_dict()
    assert as_dict == json.loads(report.to_json())
    assert as_dict == written_report(report, tmp_path)
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert len(as_dict["findings"]) == len(report.findings) == as_dict["summary"]["findings"]
    assert len(as_dict["rows"]) == len(report.rows) == as_dict["batch"]["row_count"]
    assert [r["row"] for r in as_dict["rows"]] == report.rows["row"].tolist()


def _assert_int_or_none(value, where):
    assert value is None or (isinstance(value, int) and not isinstance(value, bool)), f"{where}: {value!r}"


@pytest.mark.parametrize("source", ["messy", "xlsx", "frame"])
def test_integers_are_integers(source, messy_csv, make_xlsx, tmp_path, as_of):
    if source == "messy":
        report = tracecheck.check(messy_csv, as_of=as_of)
    elif source == "xlsx":
        report = tracecheck.check(make_xlsx(tmp_path / "b.xlsx", {"Hoja1": [
            ["Folio", "Marca", "Matrícula", "Fecha de compra", "Fecha de aseguramiento", "Fecha de solicitud"],
            ["F-1", "Glock", "BXYZ123", dt.datetime(2009, 1, 2), dt.datetime(2021, 5, 4), dt.datetime(2021, 6, 10)],
            ["F-2", "Norinco", "SIN MATRICULA", None, dt.datetime(2021, 3, 4), dt.datetime(2021, 3, 10)],
        ]}), as_of=as_of)
    else:
        report = tracecheck.check(pd.DataFrame({
            "Serial Number": ["BXYZ123", "LIMADO"], "Manufacturer": ["Glock", "Norinco"],
            "Purchase Date": [pd.Timestamp("2008-09-10"), pd.Timestamp("2020-01-02")],
            "Recovery Date": [pd.Timestamp("2021-03-04"), pd.Timestamp("2021-03-04")],
            "Request Date": ["2021-03-10", None]}), as_of=as_of)
    text = report.to_json()
    document = json.loads(text)
    ages = ("request_age_days", "time_to_crime_days", "submission_lag_days")
    for row in document["rows"]:
        assert isinstance(row["row"], int)
        for metric in ages:
            _assert_int_or_none(row[metric], f"row {row['row']} {metric}")
    assert any(isinstance(row[m], int) for row in document["rows"] for m in ages)
    for finding in document["findings"]:
        _assert_int_or_none(finding["row"], "finding row")
        for key in ("days", "length"):
            if key in finding["context"]:
                _assert_int_or_none(finding["context"][key], f"context {key}")
    summary = document["summary"]
    for key in ("rows", "findings", "batch_errors", "rows_with_errors", "rows_with_warnings", "rows_traceable",
                "rows_obliterated", "rows_privately_made"):
        assert type(summary[key]) is int, key
    assert all(type(v) is int for v in summary["by_severity"].values())
    assert all(type(e["count"]) is int for e in summary["by_rule"])
    for buckets in summary["age_buckets"].values():
        assert all(type(v) is int for v in buckets.values())
    assert type(document["batch"]["row_count"]) is int
    # and the rows/findings text itself never spells a day count as a float (medians may be floats)
    tail = text.split('\n"rows": ', 1)[1]
    assert '"request_age_days":' in tail
    assert not re.search(r'"(row|request_age_days|time_to_crime_days|submission_lag_days|days|length)"\s*:\s*-?\d+\.\d',
                         tail)


# ------------------------------------------------------------------ the schema and the DataFrames agree

ARROW_TO_JSON = {"string": "string", "int64": "integer", "double": "number", "bool": "boolean",
                 "list<item: int64>": "array"}


def test_schema_findings_and_rows_match_the_dataframe_columns(report_schema, messy_csv, as_of):
    """The JSON findings/rows have exactly the DataFrame's columns, in its order; the context object
    has exactly the fields (and types) of the findings' context struct."""
    from tracecheck.checks import context_schema
    from tracecheck.findings import FINDING_COLUMNS
    from tracecheck.report import ROW_COLUMNS

    props = report_schema["properties"]
    report = tracecheck.check(messy_csv, as_of=as_of)
    assert list(props["findings"]["items"]["properties"]) == FINDING_COLUMNS == list(report.findings.columns)
    assert props["findings"]["items"]["required"] == FINDING_COLUMNS
    assert list(props["rows"]["items"]["properties"]) == ROW_COLUMNS == list(report.rows.columns)
    context = props["findings"]["items"]["properties"]["context"]["properties"]
    struct = report.findings["context"].dtype.pyarrow_dtype
    assert list(context) == [f.name for f in struct] == list(context_schema())
    for field in struct:
        assert ARROW_TO_JSON[str(field.type)] in context[field.name]["type"], field
    document = report.to_dict()
    for record in document["findings"]:
        assert list(record) == FINDING_COLUMNS
    for record in document["rows"]:
        assert list(record) == ROW_COLUMNS


def test_findings_have_the_same_columns_whatever_rules_fire(as_of):
    """An ETL job's warehouse table: the same columns and dtypes for a clean batch, a messy one and
    one rule, so appending reports never changes the table's shape."""
    clean = pd.DataFrame({"Serial Number": ["BXYZ123"], "Manufacturer": ["Ruger"]})
    shapes = set()
    for frame, select in ((clean, ["TC101"]), (clean, None), (clean.assign(**{"Serial Number": ["N/A"]}), ["TC101"])):
        findings = tracecheck.check(frame, select=select, as_of=as_of).findings
        shapes.add(tuple((c, str(t)) for c, t in findings.dtypes.items()))
    assert len(shapes) == 1, shapes


def test_make_model_split_report_validates(validator, as_of, tmp_path):
    """The split mapping method and TC015's context are in the schema."""
    frame = pd.DataFrame({"Make/Model": ["GLOCK 19", "Taurus PT-92", "GLCK 17"],
                          "Serial Number": ["BXYZ123", "HKL4411", "ZZT8812"]})
    document = written_report(tracecheck.check(frame, as_of=as_of), tmp_path)
    assert_valid(validator, document)
    assert {m["method"] for m in document["mapping"] if m["header"] == "Make/Model"} == {"split"}
