"""Writers only format the report view: the terminal summary and the findings csv show the JSON's
numbers (the HTML page and the workbook are checked the same way in their own test files), and the
view lists things in one order everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

import tracecheck
from tracecheck.report.view import ReportView
from tracecheck.writers.csv import write_findings_csv
from tracecheck.writers.text import WORST_ROWS, summary_text

AS_OF = dt.date(2026, 11, 22)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module", params=[("rastreo_mx.csv", "en"), ("fiscalia_titled.xlsx", "es"),
                                        ("traces_us.csv", "es")])
def report(request):
    name, lang = request.param
    return tracecheck.check(EXAMPLES / name, as_of=AS_OF, lang=lang)


def number(text: str) -> float:
    return float(text.replace(",", ""))


def test_terminal_summary_shows_the_json_numbers(report):
    document = report.to_dict()
    s = document["summary"]
    text = summary_text(ReportView(report), [])
    head = text.splitlines()[0]
    shown = [number(n) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", head.split(": ", 1)[1])]
    assert shown == [s["rows"], s["findings"], s["by_severity"]["error"], s["by_severity"]["warning"],
                     s["by_severity"]["info"], s["rows_traceable"], round(s["traceable_share"] * 100, 1)]
    by_rule = [line.split() for line in text.splitlines() if re.match(r"\s+TC\d{3}\s", line)]
    assert sorted((cells[0], int(cells[-1].replace(",", ""))) for cells in by_rule) == \
        sorted((e["rule"], e["count"]) for e in s["by_rule"])
    worst = [int(m) for m in re.findall(r"^\s+(?:row|fila) (\d+) ", text, re.M)]
    assert worst == [w["row"] for w in s["worst_rows"][:WORST_ROWS]]
    if any(s["duplicates"]["groups"].values()):
        line = next(line for line in text.splitlines() if "duplica" in line)
        assert [int(n) for n in re.findall(r"\d+", line)] == [
            s["duplicates"]["groups"]["duplicate-request"], s["duplicates"]["requests_after_removing_duplicates"]]


def test_findings_csv_holds_the_json_findings(report):
    document = report.to_dict()
    buffer = io.StringIO()
    write_findings_csv(ReportView(report), buffer)
    text = buffer.getvalue()
    assert text.startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    delimiter = ";" if report.batch["lang"] == "es" else ","  # Excel's list separator in the report's language
    records = list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
    assert len(records) - 1 == len(document["findings"]) == document["summary"]["findings"]
    assert [r[3] for r in records[1:]] == [f["rule"] for f in document["findings"]]
    assert [r[0] for r in records[1:]] == ["" if f["row"] is None else str(f["row"]) for f in document["findings"]]


def test_the_view_reads_rule_texts_from_the_report(report):
    view = ReportView(report)
    for entry in report.rule_pack["rules"]:
        assert view.title(entry["rule"]) == entry["title"] and view.fix(entry["rule"]) == entry["fix"]
        assert entry["why"].startswith(view.why(entry["rule"]))


def test_usable_serials_follow_the_findings_not_their_severity(tmp_path):
    """A serial lost to scientific notation is not usable; a pack that softens serial-missing to a
    warning does not make an obliterated serial usable; no serial column means no usable serial."""
    import pandas as pd

    frame = pd.DataFrame({"Serial Number": ["BXYZ123", "1.23457E+11", "LIMADO", "S/N: KLM4567"],
                          "Manufacturer": ["Glock"] * 4, "Purchase Date": ["2020-01-01"] * 4,
                          "Recovery Date": ["2021-01-01"] * 4})
    summary = tracecheck.check(frame, as_of=AS_OF).summary
    assert summary["rows_usable_serial"] == 2 and summary["strong_leads"] == 2  # BXYZ123 and the labelled one
    soft = tmp_path / "soft.yml"
    soft.write_text("extends: default\nrules:\n  TC101: {severity: warning}\n", encoding="utf-8")
    assert tracecheck.check(frame, tracecheck.load_pack(soft), as_of=AS_OF).summary["rows_usable_serial"] == 2
    without = tracecheck.check(frame.drop(columns=["Serial Number"]), as_of=AS_OF).summary
    assert without["rows_usable_serial"] == 0 and without["strong_leads"] == 0 and without["usable_serial_share"] == 0
