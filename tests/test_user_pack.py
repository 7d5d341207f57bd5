"""What an agency can change with a pack file and no Python, each proven on a real batch: the pack
takes effect (the default pack does not show the effect, the user pack does) and the defaults it
extends are kept. And what a pack cannot do: each mistake stops the run with exit code 2 and one
line naming the file, the line and the rule (library, CliRunner and a real subprocess)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import tracecheck
from tracecheck.cli import main
from tracecheck.errors import EXIT_USAGE
from tracecheck.ruleset import load_pack

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["Request ID", "Agency", "Manufacturer", "Model", "Caliber", "Type", "Serial Number", "Country of Origin",
           "Importer", "Purchase Date", "Recovery Date", "Request Date", "Recovery Location"]
BASE = {"Request ID": "R1", "Agency": "Chicago Police Department", "Manufacturer": "SMITH & WESSON",
        "Model": "M&P9", "Caliber": "9MM", "Type": "PISTOL", "Serial Number": "HXK4521", "Country of Origin": "US",
        "Importer": "", "Purchase Date": "2022-01-10", "Recovery Date": "2024-03-01", "Request Date": "2024-03-05",
        "Recovery Location": "Chicago, IL"}
AS_OF = dt.date(2025, 1, 1)


def rows(*changes: dict[str, str]) -> list[dict[str, str]]:
    return [{**BASE, "Request ID": f"R{i + 1}", "Serial Number": f"HXK45{i + 10}", **c} for i, c in enumerate(changes)]


def write_batch(path: Path, data: list[dict[str, str]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fp:
        writer = csv.DictWriter(fp, fieldnames=headers)
        writer.writeheader()
        for row in data:
            writer.writerow({h: row.get(h, "") for h in headers})
    return path


def hits(report: tracecheck.Report, code: str, **where: Any) -> list[dict[str, Any]]:
    found = [f for f in report.findings.to_dict("records") if f["rule"] == code]
    return [f for f in found if all(f[k] == v for k, v in where.items())]


def mapped(report: tracecheck.Report, field: str) -> dict[str, Any] | None:
    return next((m for m in report.to_dict()["mapping"] if m["field"] == field), None)


def agencies(report: tracecheck.Report) -> list[str]:
    return sorted(a["agency"] for a in report.to_dict()["summary"]["by_agency"])


# Each case: the pack (after `extends: default`), the batch, and two predicates on the report: the
# effect the pack must have (false with the default pack), and what it must keep (true with both).
Case = tuple[str, list[dict[str, str]], list[str], Callable[[Any], bool], Callable[[Any], bool]]
CASES: dict[str, Case] = {
    "severity change": (
        "rules:\n  model-missing: {severity: error}\n", rows({"Model": ""}), HEADERS,
        lambda r: [f["severity"] for f in hits(r, "TC121")] == ["error"],
        lambda r: len(hits(r, "TC121")) == 1),
    "threshold change": (
        "rules:\n  TC310: {params: {max_years: 2}}\n",
        rows({"Purchase Date": "2020-01-10", "Request Date": "2023-06-01"}), HEADERS,
        lambda r: len(hits(r, "TC310")) == 1 and "limit 2 years" in hits(r, "TC310")[0]["message"],
        lambda r: True),
    "maker alias": (
        "manufacturers:\n  - {name: Sarsilmaz, country: Turkey, aliases: [SARSILMAZ, SAR ARMS]}\n"
        "  - {name: Glock, country: Austria, us_plant: true, aliases: [GLOKC]}\n",
        rows({"Manufacturer": "SAR ARMS", "Country of Origin": ""}, {"Manufacturer": "GLOKC", "Country of Origin": ""},
             {"Manufacturer": "BERETTA", "Country of Origin": ""}), HEADERS,
        lambda r: len(hits(r, "TC110", row=2, reason="maker")) == 1
        and len(hits(r, "TC110", row=3, reason="maker_has_us_plant")) == 1,
        # the default makers are kept: a pack adds makers, it does not have to repeat them
        lambda r: len(hits(r, "TC110", row=4, reason="maker_has_us_plant")) == 1),
    "placeholder word": (
        "placeholders:\n  missing: [SIN REGISTRO]\n",
        rows({"Serial Number": "SIN REGISTRO"}, {"Serial Number": "DESCONOCIDO"}), HEADERS,
        lambda r: len(hits(r, "TC101", row=2)) == 1,
        lambda r: len(hits(r, "TC101", row=3)) == 1),  # the default words are kept
    "header alias": (
        "columns:\n  recovery_location: [Where seized]\n",
        rows({"Where seized": "Gary, IN"}), [h if h != "Recovery Location" else "Where seized" for h in HEADERS],
        lambda r: (mapped(r, "recovery_location") or {}).get("method") == "alias",
        lambda r: (mapped(r, "serial_number") or {}).get("method") == "alias"),
    "agency alias table": (
        "agency_aliases:\n  Fiscalía del Estado de Jalisco: [FEJAL, Fiscalia Jalisco]\n",
        rows({"Agency": "FEJAL"}, {"Agency": "Fiscalia Jalisco"}, {"Agency": "FGR"}), HEADERS,
        lambda r: agencies(r) == ["Fiscalía General de la República", "Fiscalía del Estado de Jalisco"],
        lambda r: "Fiscalía General de la República" in agencies(r)),  # the default table is kept
    "disabled rule": (
        "ignore: [model-missing]\n", rows({"Model": ""}), HEADERS,
        lambda r: not hits(r, "TC121") and "TC121" not in {x["rule"] for x in r.to_dict()["rule_pack"]["rules"]},
        lambda r: True),
    "new rule on value_missing": (
        "rules:\n" + textwrap.indent(textwrap.dedent("""\
            - code: TC901
              name: recovery-location-missing
              severity: warning
              check: value_missing
              params: {column: recovery_location}
              message: "Recovery location is missing ({reason})"
              fix: "Enter the city and state where the gun was recovered"
              why: The tracing center ranks leads by where the gun was recovered.
              example:
                bad: [{serial_number: ABC1234, manufacturer: Glock, recovery_location: ""}]
                good: [{serial_number: ABC1234, manufacturer: Glock, recovery_location: "Gary, IN"}]
            """), "  "),
        rows({"Recovery Location": ""}, {"Recovery Location": "UNKNOWN"}), HEADERS,
        lambda r: [(f["row"], f["reason"], f["severity"]) for f in hits(r, "TC901")]
        == [(2, "blank", "warning"), (3, "placeholder", "warning")],
        lambda r: True),
    "new rule on age_over": (
        "rules:\n" + textwrap.indent(textwrap.dedent("""\
            - code: TC902
              name: recovery-long-after-purchase
              severity: info
              check: age_over
              params: {metric: time_to_crime_days, start: purchase_date, end: recovery_date, max_years: 1}
              message: "Recovered {years:.1f} years after purchase (limit {max_years} year)"
              fix: "Nothing to fix; a long time to crime weakens the lead"
              why: A gun recovered soon after purchase is a strong lead; after a year less so.
              example:
                bad: [{serial_number: ABC1234, purchase_date: "2020-01-01", recovery_date: "2022-01-01"}]
                good: [{serial_number: ABC1234, purchase_date: "2021-06-01", recovery_date: "2022-01-01"}]
            """), "  "),
        rows({"Purchase Date": "2023-06-01"}, {}), HEADERS,
        lambda r: [f["row"] for f in hits(r, "TC902")] == [3] and "limit 1 year" in hits(r, "TC902")[0]["message"],
        lambda r: True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_pack_without_python_changes_the_check(tmp_path: Path, name: str) -> None:
    body, data, headers, effect, kept = CASES[name]
    batch = write_batch(tmp_path / "batch.csv", data, headers)
    pack_path = tmp_path / "agency.yml"
    pack_path.write_text("extends: default\n" + body, encoding="utf-8")
    default = tracecheck.check(batch, as_of=AS_OF)
    mine = tracecheck.check(batch, load_pack(pack_path), as_of=AS_OF)
    assert not effect(default), f"{name}: the default pack already shows the effect"
    assert effect(mine), f"{name}: the pack did not take effect: {mine.findings[['row', 'rule', 'reason']].values}"
    assert kept(default) and kept(mine), f"{name}: the pack lost a default it extends"


def test_every_case_runs_through_the_command(tmp_path: Path) -> None:
    """All the changes in one pack, through `tracecheck check --rules`: the report says what changed."""
    body = "".join(CASES[n][0] for n in ("placeholder word", "agency alias table", "new rule on value_missing"))
    pack_path = tmp_path / "agency.yml"
    pack_path.write_text("extends: default\n" + body + "  - {code: TC310, params: {max_years: 2}}\n"
                         "ignore: [TC312]\n", encoding="utf-8")
    batch = write_batch(tmp_path / "batch.csv", rows({"Serial Number": "SIN REGISTRO", "Recovery Location": "",
                                                      "Agency": "FEJAL", "Purchase Date": "2020-01-10",
                                                      "Request Date": "2023-06-01"}))
    result = CliRunner().invoke(main, ["check", str(batch), "--rules", str(pack_path), "--out", str(tmp_path),
                                       "--as-of", "2025-01-01", "-q"])
    assert result.exit_code == 1, result.output

    report = json.loads((tmp_path / "batch.report.json").read_text(encoding="utf-8"))
    rules = sorted({f["rule"] for f in report["findings"]})
    assert {"TC101", "TC310", "TC901"} <= set(rules) and "TC312" not in rules
    assert [a["agency"] for a in report["summary"]["by_agency"]] == ["Fiscalía del Estado de Jalisco"]


# ---------------------------------------------------------------- what a pack cannot do

NEW_RULE = """\
extends: default
rules:
  - code: {code}
    name: recovery-location-missing
    severity: warning
    check: {check}
    params: {params}
    message: "Recovery location is missing"
    fix: "Enter it"
    why: Leads are ranked by place.
    example:
      bad: [{{serial_number: ABC1234, recovery_location: ""}}]
      good: [{{serial_number: ABC1234, recovery_location: "Gary, IN"}}]
"""
FAILURES = {
    # name: (code, check, params, the rule label, the key path and words the line must hold, its line)
    "unknown check kind": ("TC901", "value_mising", "{column: recovery_location}",
                           "rule TC901: check: unknown check kind 'value_mising'; did you mean 'value_missing'?", 6),
    "unknown parameter": ("TC901", "value_missing", "{column: recovery_location, columns: [model]}",
                          "rule TC901: params.columns: check 'value_missing' takes no such parameter; it takes: "
                          "column", 7),
    "unknown code": ("TC9001", "value_missing", "{column: recovery_location}",
                     "rule TC9001: code: 'TC9001' must look like TC123 (TC and three digits)", 3),
    "ill-formed code": ("X901", "value_missing", "{column: recovery_location}",
                        "rule X901: code: 'X901' must look like TC123 (TC and three digits)", 3),
    "unknown field": ("TC901", "value_missing", "{column: recovery_locaton}",
                      "rule TC901: params.column: unknown field 'recovery_locaton'; "
                      "did you mean 'recovery_location'?", 7),
}


def bad_pack(tmp_path: Path, name: str) -> tuple[Path, str]:
    code, kind, params, text, line = FAILURES[name]
    path = tmp_path / "agency.yml"
    path.write_text(NEW_RULE.format(code=code, check=kind, params=params), encoding="utf-8")
    return path, f"{path}:{line}: {text}"


@pytest.mark.parametrize("name", list(FAILURES))
def test_a_bad_pack_fails_with_one_line_naming_file_line_and_rule(tmp_path: Path, name: str) -> None:
    path, expected = bad_pack(tmp_path, name)
    with pytest.raises(tracecheck.RulePackError) as caught:
        load_pack(path)
    assert str(caught.value) == expected
    batch = write_batch(tmp_path / "batch.csv", rows({}))
    result = CliRunner().invoke(main, ["check", str(batch), "--rules", str(path), "--out", str(tmp_path)])
    assert result.exit_code == EXIT_USAGE
    assert result.output == f"tracecheck: error: {expected}\n"
    assert not (tmp_path / "batch.report.json").exists()


def test_a_bad_pack_fails_the_same_way_in_a_real_process(tmp_path: Path) -> None:
    for name in FAILURES:
        path, expected = bad_pack(tmp_path, name)
        batch = write_batch(tmp_path / "batch.csv", rows({}))
        done = subprocess.run([sys.executable, "-m", "tracecheck", "check", str(batch), "--rules", str(path),
                               "--out", str(tmp_path)], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert (done.returncode, done.stdout, done.stderr) == (EXIT_USAGE, "", f"tracecheck: error: {expected}\n"), name
