"""Properties over generated batches, and bounded fuzzing of the readers (hypothesis).

Any input that once broke an invariant belongs in tests/test_bad_inputs.py as a regression case.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracecheck
from synth.batches import generate_batch
from tracecheck.errors import InputError
from tracecheck.read import read_batch

AS_OF = dt.date(2026, 11, 22)
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ORDER_DEPENDENT = {"TC008", "TC201", "TC202", "TC203", "TC401", "TC402", "TC015"}  # messages name other rows,
# group ids or the first value split
ONE_PER_VALUE = {"TC111"}  # a known importer is said once per spelling, on its first row: which row is order
FAST = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])

batches = st.builds(lambda n, seed, lang, profile: generate_batch(n, seed=seed, language=lang, profile=profile),
                    st.integers(0, 80), st.integers(0, 10_000), st.sampled_from(["en", "es"]),
                    st.sampled_from(["us", "mexico"]))


def stable(report: tracecheck.Report) -> dict:
    data = report.to_dict()
    data["batch"].pop("checked_at")
    return data


@FAST
@given(batches)
def test_report_is_valid_and_refers_only_to_input_rows(frame: pd.DataFrame) -> None:
    report = tracecheck.check(frame, as_of=AS_OF)
    data = report.to_dict()
    VALIDATOR.validate(data)
    rows = {r["row"] for r in data["rows"]}
    assert rows == set(range(2, len(frame) + 2)) - _blank_rows(frame)
    assert all(f["row"] is None or f["row"] in rows for f in data["findings"])
    for group in data["duplicate_groups"]:
        assert len(group["rows"]) == len(set(group["rows"])) and set(group["rows"]) <= rows


def _blank_rows(frame: pd.DataFrame) -> set[int]:
    blank = frame.isna().all(axis=1) if len(frame.columns) else pd.Series(False, index=frame.index)
    return {i + 2 for i, b in enumerate(blank.tolist()) if b}


@FAST
@given(batches)
def test_rerunning_gives_the_same_report(frame: pd.DataFrame) -> None:
    assert stable(tracecheck.check(frame, as_of=AS_OF)) == stable(tracecheck.check(frame.copy(), as_of=AS_OF))


@FAST
@given(batches, st.randoms(use_true_random=False))
def test_shuffling_rows_permutes_but_does_not_change_findings(frame: pd.DataFrame, rnd: random.Random) -> None:
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    ids = frame.columns[0]  # request ids are unique in generated batches

    def keyed(data: pd.DataFrame, report: tracecheck.Report) -> list[tuple]:
        by_row = {i + 2: rid for i, rid in enumerate(data[ids].tolist())}
        out = []
        for f in report.findings.to_dict("records"):
            row = None if pd.isna(f["row"]) or f["rule"] in ONE_PER_VALUE else by_row[int(f["row"])]
            message = None if f["rule"] in ORDER_DEPENDENT else f["message"]
            out.append((str(row), f["rule"], str(f["field"]), f["severity"], message))
        return sorted(out)

    before, after = tracecheck.check(frame, as_of=AS_OF), tracecheck.check(shuffled, as_of=AS_OF)
    assert keyed(frame, before) == keyed(shuffled, after)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=3000))
def test_csv_reader_never_crashes_on_arbitrary_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.csv"
    path.write_bytes(data)
    _read_or_input_error(path)


def _valid_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Serial Number", "Manufacturer", "Recovery Date"])
    ws.append(["BXYZ123", "Glock", dt.date(2024, 3, 1)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


WORKBOOK = _valid_workbook()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=20))
def test_xlsx_reader_never_crashes_on_corrupted_workbooks(tmp_path_factory: pytest.TempPathFactory,
                                                         flips: list[tuple[int, int]]) -> None:
    data = bytearray(WORKBOOK)
    for position, value in flips:
        data[position] = value
    path = tmp_path_factory.mktemp("fuzz") / "x.xlsx"
    path.write_bytes(bytes(data))
    _read_or_input_error(path)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml",
                                        "[Content_Types].xml"]), st.binary(max_size=400), min_size=1))
def test_xlsx_reader_never_crashes_on_replaced_parts(tmp_path_factory: pytest.TempPathFactory,
                                                    parts: dict[str, bytes]) -> None:
    src = zipfile.ZipFile(io.BytesIO(WORKBOOK))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, parts.get(info.filename, src.read(info)))
    path = tmp_path_factory.mktemp("fuzz") / "x.xlsx"
    path.write_bytes(buffer.getvalue())
    _read_or_input_error(path)


def _read_or_input_error(path: Path) -> None:
    """A reader may refuse a file, with a one-line InputError naming it, but never crash."""
    try:
        batch = read_batch(path)
    except InputError as err:
        assert "\n" not in str(err) and path.name in str(err)
        return
    tracecheck.check(path, as_of=AS_OF)  # whatever was read also goes through the rules
    assert batch.sha256


def test_regression_zip_with_a_damaged_local_header(tmp_path: Path) -> None:
    """Found by the fuzzer: a zeroed byte in a part's local header made the limits check raise
    BadZipFile instead of the reader's one-line error."""
    data = bytearray(WORKBOOK)
    data[2104 % len(data)] = 0
    path = tmp_path / "x.xlsx"
    path.write_bytes(bytes(data))
    _read_or_input_error(path)


def test_fuzz_script_runs_and_reports(tmp_path: Path) -> None:
    """tests/fuzz_readers.py (the long, time-bounded fuzzer) works: a few seconds of it, in-process."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fuzz_readers", Path(__file__).with_name("fuzz_readers.py"))
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    rnd = random.Random(3)
    assert fuzz.mutate_csv(fuzz.csv_seeds(), rnd) != fuzz.mutate_csv(fuzz.csv_seeds(), rnd)
    mutated = fuzz.mutate_xlsx(fuzz.xlsx_seeds(), random.Random(4))
    assert mutated[:2] == b"PK"
    assert fuzz.main(["--seconds", "3", "--seed", "7", "--crashes", str(tmp_path / "crashes")]) == 0
    assert not (tmp_path / "crashes").exists()
