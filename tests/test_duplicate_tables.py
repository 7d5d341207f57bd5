"""The columnar duplicate result (tracecheck.matching.tables) and the JSON streamed from it: every
table agrees with the others, the JSON says each explanation once, and the records a library user
reads are the JSON's."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

import tracecheck
from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch
from tracecheck.report import groups_json
from tracecheck.ruleset import load_pack

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def report():
    batch = generate_linked_batch(5000, seed=21, profile="dense").drop(columns=TRUTH_COLUMNS)
    return tracecheck.check(batch, as_of=AS_OF)


def test_dense_profile_repeats_about_forty_percent_of_rows():
    batch = generate_linked_batch(20_000, seed=4, profile="dense")
    repeats = batch["_truth_event"].duplicated().mean()
    assert 0.35 <= repeats <= 0.45
    agencies = batch.groupby("_truth_event")["Requesting Agency"].nunique()
    assert agencies.max() == 5 and (agencies >= 2).sum() > 1000
    with pytest.raises(ValueError, match="unknown profile"):
        generate_linked_batch(10, profile="friendly")


def test_tables_agree_with_each_other(report):
    flag = float(load_pack(None).reference["matching"]["flag_threshold"])
    d = report.duplicates
    groups, members, pairs = d.groups, d.members, d.pairs
    assert set(groups["kind"]) == {"duplicate-request", "re-recovery", "possible-duplicate"}
    assert groups["size"].sum() == len(members) and groups["pairs"].sum() == len(pairs)
    assert (groups["first"].to_numpy() == np.r_[0, np.cumsum(groups["pairs"])[:-1]]).all()
    by_group = members.groupby("group", sort=False)["row"].agg(list)
    for g in groups.itertuples():
        rows = by_group[g.group]
        assert rows == sorted(rows) and g.group == f"{g.group[:2]}-{rows[0]}"
        inside = pairs.iloc[g.first:g.first + g.pairs]
        assert (inside["group"] == g.group).all()
        assert set(inside["a"]) | set(inside["b"]) <= set(rows)
        assert list(inside["score"]) == sorted(inside["score"], reverse=True)  # strongest first
        assert g.confidence == ("review" if g.kind == "duplicate-request" and g.score < flag else "flag")
        assert g.pairs >= 1
        if g.kind == "duplicate-request":
            assert g.pairs >= g.size - 1  # at least a spanning set of pairs explains the group
            assert g.score in set(inside["score"])  # the weakest link used is one of the pairs
            assert {g.weakest_a, g.weakest_b} <= set(rows)
        else:
            assert g.score == inside["score"].min()
    for m in members.itertuples():
        assert set(m.related_rows) == set(by_group[m.group]) - {m.row}
        if not pd.isna(m.pair_a):
            assert m.row in (m.pair_a, m.pair_b)


def test_weights_add_up_and_explanation_joins_the_field_texts(report):
    pairs = report.duplicates.pairs
    fields = ("serial", "maker", "model", "caliber", "recovery")
    total = sum(pairs[f"w_{f}"] for f in fields)
    assert np.allclose(total, pairs["score"])
    for p in pairs.head(200).to_dict("records"):
        said = [p[f"t_{f}"] for f in fields if isinstance(p[f"t_{f}"], str)]
        assert p["explanation"] == "; ".join(said)


def test_json_says_each_explanation_once(report):
    text = report.to_json()
    doc = json.loads(text)
    pairs = [p for g in doc["duplicate_groups"] for p in g["pairs"]]
    assert pairs and all("text" not in e for p in pairs for e in p["evidence"])
    duplicate_findings = [f for f in doc["findings"] if f["rule"] in {"TC201", "TC202", "TC203"}]
    assert duplicate_findings and all("explanation" not in f["context"] for f in duplicate_findings)
    sample = pairs[len(pairs) // 2]["explanation"]
    assert text.count(json.dumps(sample, ensure_ascii=False)) == 1
    assert doc["duplicate_groups"] == report.duplicate_groups


def test_json_groups_are_written_in_chunks_identically(report, monkeypatch):
    whole = json.loads(report.to_json())["duplicate_groups"]
    monkeypatch.setattr(groups_json, "CHUNK", 7)
    assert json.loads(report.to_json())["duplicate_groups"] == whole


def test_records_with_texts_name_each_field(report):
    record = report.duplicates.records([0], texts=True)[0]
    assert record["pairs"] and all(e["text"] for p in record["pairs"] for e in p["evidence"])
