"""Rule case files: one ``tests/cases/TC###.yml`` per rule, one test per case.

A case file names its rule and holds cases named ``pass_…`` / ``fail_…``::

    rule: TC101
    as_of: 2026-11-22            # optional, the check date (default 2026-11-22)
    fail_spanish_placeholder:
      # why this edge case exists
      rows: [{serial_number: "SIN MATRICULA", manufacturer: Glock}]
      expect: [{row: 2, severity: error, reason: placeholder}]

A case may also give ``params`` (merged over the rule's params through a user pack that
``extends: default``), ``date_order`` (auto|dayfirst|monthfirst), ``as_of``, ``workbook: true``
(the rows are written to an .xlsx with openpyxl, header on row 1, and that file is checked; a
text starting with "=" becomes a formula without a saved result), and instead of
``rows`` the list form ``columns: [...]`` + ``values: [[...], ...]`` (for repeated headers or
an empty batch), or ``csv_bytes: "..."``, a csv file's exact bytes written as a YAML string whose
characters are bytes (latin-1: ``"\xe9"`` is the byte E9, ``"\0"`` a NUL), for what only a file can
hold (lines in another encoding, control bytes, lines that do not split into the columns).
Cell values keep their YAML type in an object column, so an unquoted ``1234``
is a numeric cell and an unquoted ``2021-03-01`` a date cell.

Each ``expect`` entry must match exactly one finding of the rule by ``row`` and every other key
given (``field``, ``severity``, ``value``, ``reason`` or any context column such as ``cleaned``,
``days`` or ``obliterated``); the number of findings must equal the number of entries.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import tracecheck

CASES_DIR = Path(__file__).parent / "cases"
DEFAULT_AS_OF = dt.date(2026, 11, 22)
FILE_KEYS = {"rule", "as_of", "date_order"}
CASE_KEYS = {"rows", "columns", "values", "params", "date_order", "as_of", "expect", "workbook", "csv_bytes", "earlier"}
CASE_NAME = re.compile(r"^(pass|fail)_[a-z0-9_]+$")


# ------------------------------------------------------------------ loading

def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and "rule" in data, f"{path.name}: needs a top-level 'rule:'"
    return data


def _cases() -> list[Any]:
    params = []
    for path in _case_files():
        data = _load(path)
        for name, case in data.items():
            if name in FILE_KEYS:
                continue
            params.append(pytest.param(path, data, name, case, id=f"{data['rule']}-{name}"))
    return params


_DEFAULT_PACK: tracecheck.RulePack | None = None


def _default_pack() -> tracecheck.RulePack:
    global _DEFAULT_PACK
    if _DEFAULT_PACK is None:
        _DEFAULT_PACK = tracecheck.load_pack()
    return _DEFAULT_PACK


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def frame_from_rows(rows: Any = None, columns: list[Any] | None = None,
                    values: list[list[Any]] | None = None) -> pd.DataFrame:
    """An all-object DataFrame; cells keep their Python type, absent keys are missing."""
    if columns is not None:
        headers = [str(c) for c in columns]
        data = [list(r) for r in (values or [])]
        for r in data:
            assert len(r) == len(headers), f"row {r!r} does not have {len(headers)} cells"
        return pd.DataFrame(data, columns=headers, dtype=object)
    rows = rows or []
    headers: list[str] = []
    for row in rows:
        for key in row:
            if str(key) not in headers:
                headers.append(str(key))
    data = [[_cell(row, h) for h in headers] for row in rows]
    return pd.DataFrame(data, columns=headers, dtype=object)


def _cell(row: dict[Any, Any], header: str) -> Any:
    for key, value in row.items():
        if str(key) == header:
            return value
    return None


def example_frame(example: Any) -> pd.DataFrame:
    """A rule's ``example.bad``/``example.good``: a list of row dicts or ``{columns, rows}``."""
    if isinstance(example, dict):
        return frame_from_rows(columns=example["columns"], values=example.get("rows") or [])
    return frame_from_rows(example)


# ------------------------------------------------------------------ comparing

def _plain(value: Any) -> Any:
    """A finding cell as a plain Python value (None for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


def _same(expected: Any, actual: Any) -> bool:
    actual = _plain(actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        return len(expected) == len(actual) and all(_same(e, a) for e, a in zip(expected, actual))
    return str(expected) == str(actual)


def findings_records(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """Each finding as a dict of its present values, the context's details merged in (days, score...)."""
    records = []
    for rec in findings.to_dict("records"):
        context = rec.pop("context", None) or {}
        rec.update({k: v for k, v in context.items() if v is not None})
        records.append({k: _plain(v) for k, v in rec.items() if _plain(v) is not None or k in ("row", "value")})
    return records


def _show(records: list[dict[str, Any]]) -> str:
    if not records:
        return "  (no findings)"
    return "\n".join("  " + repr({k: v for k, v in r.items() if k not in ("name", "message")} |
                                  {"message": r.get("message")}) for r in records)


def _match(expect: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[str]:
    problems = []
    used: dict[int, int] = {}
    for i, entry in enumerate(expect):
        assert "row" in entry, f"expect entry {entry!r} needs a 'row' (null for a batch-level finding)"
        hits = [j for j, rec in enumerate(records)
                if all(_same(want, rec.get(key)) for key, want in entry.items())]
        if len(hits) != 1:
            problems.append(f"expect[{i}] {entry!r} matched {len(hits)} findings, wanted exactly 1")
        elif hits[0] in used:
            problems.append(f"expect[{i}] {entry!r} matched the same finding as expect[{used[hits[0]]}]")
        else:
            used[hits[0]] = i
    if len(records) != len(expect):
        problems.append(f"{len(records)} findings, expected {len(expect)}")
    return problems


# ------------------------------------------------------------------ running

def _pack_for(code: str, params: dict[str, Any] | None, tmp_path: Path) -> tracecheck.RulePack:
    if not params:
        return _default_pack()
    user = tmp_path / "pack.yml"
    user.write_text(yaml.safe_dump({"extends": "default", "rules": {code: {"params": params}}}), encoding="utf-8")
    pack = tracecheck.load_pack(user)
    rule = pack.rule(code)
    for key, value in params.items():
        assert rule.params.get(key) == value, f"pack override of {code} param {key!r} was not applied"
    return pack


def write_workbook(frame: pd.DataFrame, path: Path) -> Path:
    """The frame as a one-sheet workbook, header on row 1 (openpyxl stores "=..." as a formula, uncalculated)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([None if v is None or v is pd.NA else v for v in values])
    workbook.save(path)
    return path


def run_rule(code: str, frame: pd.DataFrame | Path, pack: tracecheck.RulePack, *, as_of: dt.date,
             date_order: str = "auto") -> list[dict[str, Any]]:
    report = tracecheck.check(frame, pack, select=[code], as_of=as_of, date_order=date_order)
    records = findings_records(report.findings)
    other = sorted({r["rule"] for r in records} - {code})
    assert not other, f"selecting {code} also reported {other}"
    return records


@pytest.mark.parametrize(("path", "data", "name", "case"), _cases())
def test_rule_case(path: Path, data: dict[str, Any], name: str, case: dict[str, Any], tmp_path: Path) -> None:
    code = data["rule"]
    assert CASE_NAME.match(name), f"{path.name}: case {name!r} must be named pass_… or fail_…"
    assert isinstance(case, dict), f"{path.name}: case {name!r} must be a mapping"
    unknown = sorted(set(case) - CASE_KEYS)
    assert not unknown, f"{path.name}: case {name!r} has unknown keys {unknown}"
    assert "expect" in case, f"{path.name}: case {name!r} needs 'expect'"
    expect = case["expect"] or []
    if name.startswith("pass_"):
        assert expect == [], f"{path.name}: a pass_ case expects no findings"
    else:
        assert expect, f"{path.name}: a fail_ case expects at least one finding"

    frame = frame_from_rows(case.get("rows"), case.get("columns"), case.get("values"))
    pack = _pack_for(code, case.get("params"), tmp_path)
    as_of = _as_date(case.get("as_of", data.get("as_of", DEFAULT_AS_OF)))
    date_order = case.get("date_order", data.get("date_order", "auto"))
    source = write_workbook(frame, tmp_path / "case.xlsx") if case.get("workbook") else frame
    if "csv_bytes" in case:
        (source := tmp_path / "case.csv").write_bytes(case["csv_bytes"].encode("latin-1"))
    if "earlier" in case:  # rows recorded in a real SQLite history store before the case's rows are checked
        from tracecheck.history.examples import store_with

        with store_with(frame_from_rows(case["earlier"]), pack, as_of=as_of) as history:
            report = tracecheck.check(source, pack, select=[code], as_of=as_of, date_order=date_order,
                                      history=history)
        records = findings_records(report.findings)
    else:
        records = run_rule(code, source, pack, as_of=as_of, date_order=date_order)

    problems = _match(expect, records)
    if problems:
        pytest.fail(f"{path.name}::{name}\n" + "\n".join(problems) +
                    "\nexpected:\n" + "\n".join(f"  {e!r}" for e in expect) +
                    "\nactual findings:\n" + _show(records), pytrace=False)


# ------------------------------------------------------------------ coverage of the case files

def test_every_rule_has_a_case_file() -> None:
    codes = {r.code for r in _default_pack().all_rules}
    files = {p.stem: _load(p)["rule"] for p in _case_files()}
    for stem, rule in files.items():
        assert stem == rule, f"{stem}.yml declares rule {rule}; name the file after its rule"
    assert sorted(codes - set(files)) == [], "rules without a case file"
    assert sorted(set(files) - codes) == [], "case files for unknown rules"


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: p.stem)
def test_case_file_has_pass_and_fail_cases(path: Path) -> None:
    data = _load(path)
    names = [k for k in data if k not in FILE_KEYS]
    assert any(n.startswith("pass_") for n in names), f"{path.name} has no pass_ case"
    assert any(n.startswith("fail_") for n in names), f"{path.name} has no fail_ case"
    # every case says why it exists: a comment line right under its name
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^([a-z][a-z0-9_]*):", line)
        if m and m.group(1) in names:
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            assert nxt.startswith("#"), f"{path.name}: case {m.group(1)!r} needs a comment saying why it exists"


# ------------------------------------------------------------------ the pack's own examples

def _rule_ids() -> list[Any]:
    return [pytest.param(r, id=r.code) for r in _default_pack().all_rules]


def _example_records(rule: tracecheck.Rule, which: str) -> list[dict[str, Any]]:
    """The findings of ``rule`` on its example ``which``; a rule about earlier batches (an example
    with ``earlier`` rows) is checked against a real SQLite history store holding them."""
    frame = example_frame(rule.example[which])
    if not rule.example.get("earlier"):
        return run_rule(rule.code, frame, _default_pack(), as_of=DEFAULT_AS_OF)
    from tracecheck.history.examples import store_with

    with store_with(example_frame(rule.example["earlier"]), _default_pack(), as_of=DEFAULT_AS_OF) as history:
        report = tracecheck.check(frame, _default_pack(), select=[rule.code], as_of=DEFAULT_AS_OF, history=history)
    return findings_records(report.findings)


@pytest.mark.parametrize("rule", _rule_ids())
def test_example_bad_fires(rule: tracecheck.Rule) -> None:
    if rule.check == "read_note":
        pytest.skip("what the csv reader mends only a file holds; its case file checks it with csv_bytes")
    records = _example_records(rule, "bad")
    assert records, f"{rule.code} example.bad produced no finding"


@pytest.mark.parametrize("rule", _rule_ids())
def test_example_good_is_clean(rule: tracecheck.Rule) -> None:
    records = _example_records(rule, "good")
    assert not records, f"{rule.code} example.good produced findings:\n{_show(records)}"
