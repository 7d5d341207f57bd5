"""Values exports spoil (issue 11): items that are not firearms, honest derived figures, DataFrame blanks,
and the serial spellings that hide one serial — through the library as an ETL job calls it, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main
from tracecheck.items import item_kind
from tracecheck.reference import item_words
from tracecheck.ruleset import default_rules_dir

AS_OF = dt.date(2026, 1, 1)
WORDS = item_words(yaml.safe_load((default_rules_dir() / "reference.yml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("text, kind", [
    ("PISTOLA", "firearm"), ("Revólver", "firearm"), ("ARMA DE FUEGO", "firearm"), ("Semi-automatic pistol", "firearm"),
    ("PISTOLA CON CARGADOR", "firearm"), ("Espingarda", "firearm"), ("RECEIVER", "firearm"), ("", "firearm"),
    ("Desconocido", "firearm"), ("OTRO", "firearm"),
    ("CARTUCHOS", "ammunition"), ("Cartuchos cal. 9mm", "ammunition"), ("Munições", "ammunition"),
    ("1 CAJA CON 50 CARTUCHOS", "ammunition"), ("SHOTGUN SHELLS", "ammunition"), ("Vainas percutidas", "ammunition"),
    ("MUNICIONES .38", "ammunition"), ("Ammo", "ammunition"),
    ("CARGADOR", "magazine"), ("CARGADOR DE PISTOLA", "magazine"), ("Magazine for pistol", "magazine"),
    ("PISTOL MAGAZINE", "magazine"), ("Carregador", "magazine"),
    ("PARTE DE ARMA", "part"), ("Spare parts", "part"), ("Barrel", "part"),
    ("RIFLE SCOPE", "accessory"), ("Funda", "accessory"), ("MIRA TELESCOPICA", "accessory"),
])
def test_what_a_type_cell_names(text, kind):
    assert item_kind(text, WORDS) == kind


def _seizures() -> pd.DataFrame:
    """A forensic system's seizure export: firearms mixed with what was seized with them."""
    return pd.DataFrame({
        "Número de serie": ["ABC1234", "", "", "KLM5678", "XYZ9876", "", "QRS4321"],
        "Marca": ["Glock", "", "", "Taurus", "Beretta", "", "Smith & Wesson"],
        "Tipo": ["PISTOLA", "CARTUCHOS 9MM", "CARGADOR DE PISTOLA", "REVÓLVER", "PISTOLA CON CARGADOR",
                 "Munições", "Pistola"],
        "Fecha de compra": ["2020-01-10", "", "", "2019-05-02", "2018-03-03", "", "2021-02-02"],
        "Fecha de recuperación": ["2024-01-10"] * 7,
        "Fecha de solicitud": ["2024-02-10"] * 7,
    })


def test_rows_that_are_not_firearms_are_left_out_listed_and_counted():
    report = tracecheck.check(_seizures(), as_of=AS_OF)
    assert report.summary["rows"] == 4
    assert report.summary["rows_dropped"] == {"not_a_firearm": 3}
    dropped = report.to_dict()["batch"]["dropped_rows"]
    assert [(d["row"], d["reason"]) for d in dropped] == [(3, "not_a_firearm"), (4, "not_a_firearm"),
                                                          (7, "not_a_firearm")]
    findings = report.findings
    assert not findings["row"].isin([3, 4, 7]).any()  # no cartridge is a firearm with a missing serial
    assert set(report.rows["row"]) == {2, 5, 6, 8}


def test_the_cli_says_how_many_rows_are_not_firearms(tmp_path):
    source = tmp_path / "incautaciones.csv"
    _seizures().to_csv(source, index=False)
    result = CliRunner().invoke(main, ["check", str(source), "--as-of", "2026-01-01", "--out", str(tmp_path / "out"),
                                       "--format", "json", "--lang", "es"])
    assert result.exit_code in (0, 1), result.output
    assert "3" in result.output and "no armas de fuego" in result.output
    document = json.loads((tmp_path / "out" / "incautaciones.report.json").read_text(encoding="utf-8"))
    assert document["summary"]["rows_dropped"] == {"not_a_firearm": 3}


def _dated(purchase, recovery, request) -> pd.DataFrame:
    return pd.DataFrame({"Serial Number": ["ABC1234"], "Manufacturer": ["Ruger"], "Purchase Date": [purchase],
                         "Recovery Date": [recovery], "Request Date": [request]})


@pytest.mark.parametrize("purchase, recovery, requested, known", [
    ("2020-01-01", "2021-01-01", "2021-02-01", {"request_age_days", "time_to_crime_days", "submission_lag_days"}),
    ("2020-01-01", "2021-01-01", "2027-06-01", {"time_to_crime_days"}),  # request in the future
    ("2020-01-01", "2021-01-01", "pending", {"time_to_crime_days"}),  # a placeholder
    ("2020-01-01", "2021-01-01", "31/02/2021", {"time_to_crime_days"}),  # unparseable
    ("2022-01-01", "2021-01-01", "2021-02-01", {"submission_lag_days"}),  # bought after recovery and request
    ("2020-01-01", "2021-03-01", "2021-02-01", {"request_age_days", "time_to_crime_days"}),  # requested first
    ("2022-01-01", "2021-06-01", "2021-02-01", set()),  # every pair out of order
    ("1900-01-01", "2021-01-01", "2021-02-01", {"submission_lag_days"}),  # a database sentinel
])
def test_derived_figures_are_null_when_a_date_is_wrong_or_unknown(purchase, recovery, requested, known):
    report = tracecheck.check(_dated(purchase, recovery, requested), as_of=AS_OF)
    row = report.rows.iloc[0]
    metrics = ("request_age_days", "time_to_crime_days", "submission_lag_days")
    assert {m for m in metrics if pd.notna(row[m])} == known
    buckets = report.summary["age_buckets"]
    assert "negative" not in buckets["time_to_crime_days"]
    for m in metrics:
        assert buckets[m]["unknown"] == (0 if m in known else 1)
    ages = set(report.findings["name"]) & {"stale-purchase", "short-time-to-crime", "late-submission"}
    if not known:
        assert not ages  # no age rule fires on dates already known to be wrong


def test_request_in_the_future_does_not_also_report_a_late_request():
    """Issue 11: "request sent 694 days after recovery" on a request date that is itself an error."""
    report = tracecheck.check(_dated("2020-01-01", "2025-01-01", "2027-06-01"), as_of=AS_OF)
    names = set(report.findings["name"])
    assert "date-future" in names and "late-submission" not in names


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_string_in_a_dataframe_is_a_blank_cell_as_in_a_file(blank, tmp_path):
    frame = pd.DataFrame({"Serial Number": [blank, "ABC1234"], "Manufacturer": ["Glock", "Glock"]})
    from_frame = tracecheck.check(frame, as_of=AS_OF).findings
    source = tmp_path / "b.csv"
    frame.to_csv(source, index=False)
    from_file = tracecheck.check(source, as_of=AS_OF).findings
    columns = ["row", "rule", "reason"]
    assert from_frame[columns].astype(str).values.tolist() == from_file[columns].astype(str).values.tolist()
    serial = from_frame[from_frame["rule"] == "TC101"]
    assert serial["reason"].tolist() == ["blank"]
    assert frame["Serial Number"].tolist() == [blank, "ABC1234"]  # the caller's frame is untouched


def _pairs(report) -> set[tuple[int, ...]]:
    return {tuple(g["rows"]) for g in report.to_dict()["duplicate_groups"] if g["kind"] == "duplicate-request"}


@pytest.mark.parametrize("first, copy", [
    ("HKR1037", "ＨＫＲ１０３７"),  # full width
    ("ACB001111", "АСВ001111"),  # Cyrillic А, С, В
    ("0048213", "'0048213"),  # text-forcing apostrophe
    ("0071234", '="0071234"'),  # formula wrapper
    ("371100000", "371100000.0"),  # through a float column
    ("5104321", "5,104,321"),  # thousands separators
])
def test_spellings_that_hide_one_serial_are_one_duplicate_request(first, copy):
    frame = pd.DataFrame({
        "Serial Number": [first, "ZZZ9999", copy], "Manufacturer": ["Ruger"] * 3, "Model": ["LCP"] * 3,
        "Recovery Date": ["2025-03-02", "2025-04-02", "2025-03-02"], "Requesting Agency": ["PD A", "PD B", "Lab C"]})
    report = tracecheck.check(frame, as_of=AS_OF)
    assert _pairs(report) == {(2, 4)}, report.to_dict()["duplicate_groups"]


def test_identical_obliteration_statements_are_no_duplicate():
    """Ten groups in a forensic export joined different guns whose serial cells held one statement."""
    frame = pd.DataFrame({
        "Serial Number": ["eliminated intentionally", "eliminated intentionally", "ABC1234"],
        "Manufacturer": ["Taurus"] * 3, "Model": ["PT92"] * 3,
        "Recovery Date": ["2025-03-02", "2025-05-10", "2025-06-01"], "Requesting Agency": ["Lab"] * 3})
    report = tracecheck.check(frame, as_of=AS_OF)
    assert _pairs(report) == set()
    assert report.findings.query("rule == 'TC101'")["reason"].tolist() == ["obliterated", "obliterated"]
    assert report.summary["rows_obliterated"] == 2


def test_privately_made_firearms_are_counted():
    frame = pd.DataFrame({"Serial Number": ["NONE - PMF", "SIN NUMERO - ARMA HECHIZA", "ABC1234"],
                          "Manufacturer": ["Unknown", "Desconocido", "Glock"]})
    report = tracecheck.check(frame, as_of=AS_OF)
    assert report.summary["rows_privately_made"] == 2
    assert report.summary["rows_usable_serial"] == 1


def test_library_and_subprocess_agree_on_dropped_items(tmp_path):
    source = tmp_path / "seized.csv"
    _seizures().to_csv(source, index=False)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tracecheck", "check", str(source), "--as-of", "2026-01-01",
                           "--out", str(out), "--format", "json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    document = json.loads((out / "seized.report.json").read_text(encoding="utf-8"))
    assert document["summary"]["rows_dropped"] == tracecheck.check(source, as_of=AS_OF).summary["rows_dropped"]
