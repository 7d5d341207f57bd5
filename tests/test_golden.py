"""Golden reports for the bundled example batches.

The reports are compared whole, after removing the fields that change from run to run
(check time, tool version). After an intended change, rewrite them with
``pytest tests/test_golden.py --update-goldens`` and review the diff like code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import tracecheck

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".csv", ".xlsx"))
AS_OF = dt.date(2026, 11, 22)


def stable(report: dict) -> dict:
    report = json.loads(json.dumps(report))
    report["batch"].pop("checked_at")
    report["batch"].pop("tracecheck_version")
    return report


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_report_matches_golden(example: Path, request: pytest.FixtureRequest) -> None:
    actual = stable(tracecheck.check(example, as_of=AS_OF).to_dict())
    golden = GOLDEN / f"{example.stem}.report.json"
    if request.config.getoption("--update-goldens"):
        golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden report for {example.name}; run pytest --update-goldens"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    for key in expected:  # compare section by section for a readable failure
        assert actual[key] == expected[key], f"{example.name}: section {key!r} differs from {golden.name}"
    assert actual.keys() == expected.keys()


def test_every_example_has_a_golden_report() -> None:
    assert {f"{p.stem}.report.json" for p in EXAMPLES} == {p.name for p in GOLDEN.glob("*.report.json")}


def test_examples_show_the_defects_they_are_meant_to() -> None:
    """The examples exist to demonstrate the rules: each must trigger the main identification rules."""
    for example in EXAMPLES:
        names = set(tracecheck.check(example, as_of=AS_OF).findings["name"])
        assert {"serial-missing", "serial-malformed", "import-marking-missing", "stale-purchase"} <= names, (
            example.name, names)
        assert {"date-unparseable", "date-unknown"} & names, (example.name, names)  # date text that gives no date
