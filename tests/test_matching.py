"""The duplicate finder as a whole: determinism, constraints on groups, blocking recall, pack overrides."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd
import pytest

import tracecheck
from synth.duplicates import generate_linked_batch
from tracecheck.catalogue import catalogue
from tracecheck.matching import find_duplicates
from tracecheck.matching.blocking import candidate_pairs
from tracecheck.matching.keys import build_keys
from tracecheck.normalise import normalise
from tracecheck.read import read_frame
from tracecheck.reference import compile_reference

AS_OF = dt.date(2026, 11, 22)


def gun(serial: str, agency: str, **extra: str) -> dict:
    return {"agency": agency, "serial_number": serial, "manufacturer": "Glock", "model": "19", "caliber": "9MM",
            "recovery_date": "2024-03-01", **extra}


@pytest.fixture(scope="module")
def linked() -> pd.DataFrame:
    return generate_linked_batch(4000, seed=3)


def test_group_ids_and_contents_are_deterministic(linked: pd.DataFrame) -> None:
    data = linked.drop(columns=[c for c in linked.columns if c.startswith("_truth")])
    first = tracecheck.check(data, as_of=AS_OF, select=["TC2"]).duplicate_groups
    second = tracecheck.check(data.copy(), as_of=AS_OF, select=["TC2"]).duplicate_groups
    assert first and first == second
    assert all(g["id"] == f"{g['id'][:2]}-{g['rows'][0]}" for g in first)


def test_a_chain_of_near_serials_cannot_grow_past_the_maximum() -> None:
    # each serial is one swap away from the next: a chain of 9 rows from 9 agencies
    serials = ["ABCDEFGHJ", "BACDEFGHJ", "BCADEFGHJ", "BCDAEFGHJ", "BCDEAFGHJ", "BCDEFAGHJ", "BCDEFGAHJ",
               "BCDEFGHAJ", "BCDEFGHJA"]
    rows = [gun(s, f"Agency {k}") for k, s in enumerate(serials)]
    groups = tracecheck.check(pd.DataFrame(rows), as_of=AS_OF, select=["TC201"]).duplicate_groups
    assert groups and max(len(g["rows"]) for g in groups) <= 6


def test_one_agency_does_not_file_one_recovery_twice() -> None:
    rows = [gun("BXYZ123", "Policia"), gun("BXYZ-123", "Policia", model="G19"), gun("BXYZ123", "FGR")]
    groups = tracecheck.check(pd.DataFrame(rows), as_of=AS_OF, select=["TC201"]).duplicate_groups
    for group in groups:
        agencies = [rows[r - 2]["agency"] for r in group["rows"]]
        assert len(agencies) == len(set(agencies))
    assert any(len(g["rows"]) == 2 for g in groups)


def test_identical_copies_from_one_agency_still_group() -> None:
    rows = [gun("BXYZ123", "Policia"), gun("BXYZ123", "Policia")]
    groups = tracecheck.check(pd.DataFrame(rows), as_of=AS_OF, select=["TC201"]).duplicate_groups
    assert [g["rows"] for g in groups] == [[2, 3]]


def test_every_pair_carries_evidence_that_adds_up() -> None:
    rows = [gun("1983OR7017", "Policia", manufacturer="ROMARM", model="WASR-10", caliber="7.62X39"),
            gun("1983-0R7017", "FGR", manufacturer="CUGIR", model="WASR 10", caliber="7.62 X 39 MM")]
    (group,) = tracecheck.check(pd.DataFrame(rows), as_of=AS_OF, select=["TC201"]).duplicate_groups
    (pair,) = group["pairs"]
    assert pair["score"] == sum(item["weight"] for item in pair["evidence"])
    assert "same after folding O→0" in pair["explanation"]
    assert {item["field"] for item in pair["evidence"]} == {"serial", "maker", "model", "caliber", "recovery"}
    assert group["weakest_link"] == {"rows": [2, 3], "score": pair["score"]}


def test_blocking_keeps_the_true_pairs(linked: pd.DataFrame) -> None:
    """Share of same-event pairs (both serials usable) that blocking proposes for scoring."""
    pack = tracecheck.load_pack()
    ref = compile_reference(pack.reference)
    data = linked.drop(columns=[c for c in linked.columns if c.startswith("_truth")])
    batch = normalise(read_frame(data), pack, as_of=AS_OF)
    keys = build_keys(batch.frame, ref, ref.matching, ref.calibers)
    i, j = candidate_pairs(keys, max_block=40, max_event_block=6)
    proposed = set(zip(i.tolist(), j.tolist()))
    event = linked["_truth_event"].to_numpy()
    true = [(a, b) for a in range(len(event)) for b in np.flatnonzero(event == event[a]) if b > a
            and keys.usable[a] and keys.usable[b]]
    assert len(true) > 100
    assert sum(pair in proposed for pair in true) / len(true) >= 0.98


def test_pack_can_move_the_thresholds(tmp_path) -> None:
    path = tmp_path / "strict.yml"
    path.write_text(textwrap.dedent("""
        extends: default
        matching:
          flag_threshold: 100
    """), encoding="utf-8")
    rows = [gun("BXYZ123", "Policia"), gun("BXYZ-123", "FGR")]
    report = tracecheck.check(pd.DataFrame(rows), tracecheck.load_pack(path), as_of=AS_OF, select=["TC201"])
    assert [g["confidence"] for g in report.duplicate_groups] == ["review"]
    assert set(report.findings["severity"]) == {"info"}
    assert report.summary["duplicates"]["requests_after_removing_duplicates"] == 2


def test_rows_carry_their_group_and_the_summary_counts_remaining_requests() -> None:
    rows = [gun("BXYZ123", "Policia"), gun("BXYZ-123", "FGR"), gun("KLM9876", "SEDENA")]
    report = tracecheck.check(pd.DataFrame(rows), as_of=AS_OF, select=["TC2"])
    groups = report.rows["duplicate_group"]
    assert groups.iloc[:2].tolist() == ["DR-2", "DR-2"] and pd.isna(groups.iloc[2])
    assert report.summary["duplicates"]["requests_after_removing_duplicates"] == 2


def test_find_duplicates_on_an_empty_batch() -> None:
    pack = tracecheck.load_pack()
    batch = normalise(read_frame(pd.DataFrame({"serial_number": [], "manufacturer": []})), pack, as_of=AS_OF)
    result = find_duplicates(batch.frame, compile_reference(pack.reference), catalogue("en"))
    assert len(result.tables) == 0 and result.members.empty and result.tables.pairs.empty
