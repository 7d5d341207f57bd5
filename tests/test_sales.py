"""Multiple sales (TC401/TC402): purchaser names never leave the run; business days, calibers and
states as tracecheck.sales reads them; and the windowing at scale."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main
from tracecheck.redact import token
from tracecheck.sales import business_days, caliber_inches, name_key, state_code, windows

NAMES = ("ZAMUDIO", "Zamudio", "XOCHITL", "Xóchitl", "ILLESCAS", "Illescas", "Íllescas", "BRUNO", "Bruno")
ROWS = [
    {"serial_number": "ABC1234", "manufacturer": "Glock", "model": "19", "firearm_type": "PISTOL",
     "purchaser": "ZAMUDIO, XOCHITL", "purchase_date": "2024-03-04", "dealer_state": "TX"},
    {"serial_number": "XYZ9876", "manufacturer": "Taurus", "model": "G2C", "firearm_type": "PISTOLA",
     "purchaser": "Xóchitl  Zamudio", "purchase_date": "2024-03-08", "dealer_state": "TX"},
    {"serial_number": "R1001", "manufacturer": "Colt", "model": "AR-15", "caliber": "5.56", "firearm_type": "RIFLE",
     "purchaser": "Bruno Íllescas", "purchase_date": "2024-03-04", "dealer_state": "Texas"},
    {"serial_number": "R1002", "manufacturer": "Romarm", "model": "WASR-10", "caliber": "7.62X39",
     "firearm_type": "RIFLE", "purchaser": "ILLESCAS, BRUNO", "purchase_date": "2024-03-05", "dealer_state": "TEXAS"},
]


def _json_findings(report: tracecheck.Report) -> list[dict]:
    return [f for f in json.loads(report.to_json())["findings"] if f["rule"] in ("TC401", "TC402")]


def test_names_are_in_no_finding_message_or_context_of_the_json_report() -> None:
    report = tracecheck.check(pd.DataFrame(ROWS), select="sales", as_of="2026-11-22")
    findings = _json_findings(report)
    assert sorted((f["rule"], f["row"]) for f in findings) == [("TC401", 2), ("TC401", 3), ("TC402", 4),
                                                               ("TC402", 5)]
    text = json.dumps(findings, ensure_ascii=False)
    for name in NAMES:
        assert name not in text, name
    assert all(f["context"].get("purchaser_token") is None for f in findings)  # no linkable token unasked


def test_redacted_findings_carry_one_token_per_purchaser(tmp_path: Path) -> None:
    report = tracecheck.check(pd.DataFrame(ROWS), select="sales", redact_key="k1", as_of="2026-11-22")
    findings = _json_findings(report)
    tokens = {f["row"]: f["context"]["purchaser_token"] for f in findings}
    assert tokens[2] == tokens[3] == token("XOCHITL ZAMUDIO", b"k1")  # the name in sorted word order
    assert tokens[4] == tokens[5] == token("BRUNO ILLESCAS", b"k1") and tokens[2] != tokens[4]
    for name in NAMES:
        assert name not in json.dumps(findings, ensure_ascii=False)


def test_redacted_reports_in_every_format_hold_no_name(tmp_path: Path) -> None:
    batch = tmp_path / "b.csv"
    pd.DataFrame(ROWS).to_csv(batch, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(out), "--format", "json,csv,html",
                                       "--redact", "--redact-key", "s3cret", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    for report in out.iterdir():
        text = report.read_text(encoding="utf-8")
        for name in NAMES:
            assert name not in text, (report.name, name)
    assert "TC401" in (out / "b.report.json").read_text(encoding="utf-8")


def test_name_key_sorts_folded_words() -> None:
    assert name_key("PEREZ, JUAN") == name_key("Juan  Pérez") == "JUAN PEREZ"
    assert name_key("  ") == ""


def test_business_days_count_closed_days_as_the_next_open_day() -> None:
    days = business_days(pd.Series(pd.to_datetime(["2024-03-04", "2024-03-08", "2024-03-09", "2024-03-10",
                                                   "2024-03-11", None])))
    assert days[1] - days[0] == 4  # Monday to Friday: within five business days
    assert days[2] == days[3] == days[4]  # Saturday and Sunday count as Monday
    assert days[5] == -1
    mon_sat = business_days(pd.Series(pd.to_datetime(["2024-03-04", "2024-03-09"])), "1111110")
    assert mon_sat[1] - mon_sat[0] == 5  # a Monday-Saturday shop: Monday to Saturday is six days


def test_caliber_inches_reads_the_number_as_written() -> None:
    assert caliber_inches(".30-06") == 0.30
    assert round(caliber_inches("7.62X54R") or 0, 3) == 0.3
    assert round(caliber_inches("6.5 Creedmoor") or 0, 3) == 0.256
    assert caliber_inches("300 BLK") == 0.3 and caliber_inches("22-250") == 0.22
    assert caliber_inches("unknown") is None


def test_state_codes_from_codes_and_names() -> None:
    assert state_code("Texas") == state_code("TEXAS") == state_code("tx") == state_code("Tejas") == "TX"
    assert state_code("Nuevo México") == "NM" and state_code("Nevada") == "NV"
    assert state_code("Jalisco") is None and state_code(None) is None


def test_windows_chain_runs_and_count_a_gun_once() -> None:
    person = np.array([0, 0, 0, 0, 1, 1])
    gun = np.array([10, 10, 11, 12, 20, 21])
    day = np.array([0, 1, 3, 20, 0, 5])
    found = windows(person, gun, day, 5)
    assert found["pos"].tolist() == [0, 2]  # gun 10 once (its first sale); gun 12 and person 1 are alone
    assert found["guns"].tolist() == [2, 2] and found["span"].tolist() == [4, 4]


def test_windows_on_a_million_sales() -> None:
    # a smoke test at batch scale (no timing asserted: 2 shared cores); benchmarks/accuracy.py measures
    rng = np.random.default_rng(7)
    n = 1_000_000
    person = rng.integers(0, 300_000, n)
    start = np.datetime64("2020-01-01")
    day = business_days(pd.Series(start + rng.integers(0, 2000, n).astype("timedelta64[D]")))
    found = windows(person, np.arange(n), day, 5)
    assert 0 < len(found) < n
    assert found["guns"].min() >= 2 and found["span"].max() >= 1
