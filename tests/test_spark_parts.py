"""What a Spark task runs, on pandas (no Spark, no Java): the pieces tracecheck.spark builds on give the
whole batch's answers when a batch is cut into parts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import tracecheck
from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch
from tracecheck.checks import REGISTRY
from tracecheck.matching.blocking import CROSS, EVENT, block_entries, candidate_pairs, short_serial_keys
from tracecheck.matching.keys import key_columns, keys_from_columns
from tracecheck.normalise import normalise
from tracecheck.read import read_frame
from tracecheck.reference import compile_reference
from tracecheck.ruleset import load_pack
from tracecheck.spark.parts import ROW, Plan, group_specs, part_batch, part_findings

AS_OF = dt.date(2026, 11, 30)


def _pairs_from_entries(entries: pd.DataFrame, max_block: int, max_event: int) -> set[tuple[int, int]]:
    """tracecheck.spark.graph.candidate_pairs, written in pandas: blocks of 2..max entries, one entry
    of each side in the cross blocks, the event filter."""
    group = entries.groupby(["block", "key"])
    n, s = group["row"].transform("size"), group["side"].transform("sum")
    limit = np.where(entries["block"] == EVENT, max_event, max_block)
    cross = entries["block"].isin(CROSS)
    kept = entries[(n >= 2) & (n <= limit) & (~cross | ((s > 0) & (s < n)))]
    m = kept.merge(kept, on=["block", "key"], suffixes=("_a", "_b"))
    m = m[np.where(m["block"].isin(CROSS), (m.side_a == 0) & (m.side_b == 1), m.row_a < m.row_b)]
    m = m[(m["block"] != EVENT) | ~m.usable_a | ~m.usable_b | ((m.length_a - m.length_b).abs() >= 2)]
    lo, hi = np.minimum(m.row_a, m.row_b), np.maximum(m.row_a, m.row_b)
    return set(zip(lo[lo != hi].tolist(), hi[lo != hi].tolist()))


def test_blocking_entries_of_parts_give_the_batchs_candidate_pairs():
    frame = generate_linked_batch(6000, seed=5, profile="dense").drop(columns=TRUTH_COLUMNS)
    pack = load_pack(None)
    batch = normalise(read_frame(frame), pack, as_of=AS_OF)
    ref = compile_reference(pack.reference)
    columns = key_columns(batch.frame, ref, ref.matching, ref.calibers)
    keys = keys_from_columns(columns)
    limits = int(ref.matching["max_block_size"]), int(ref.matching["max_event_block_size"])
    i, j = candidate_pairs(keys, max_block=limits[0], max_event_block=limits[1])
    expected = set(zip(keys.rows[i].tolist(), keys.rows[j].tolist()))
    short = short_serial_keys(columns)
    parts = [block_entries(columns.iloc[p], short) for p in np.array_split(np.arange(len(columns)), 4)]
    found = _pairs_from_entries(pd.concat(parts, ignore_index=True), *limits)
    assert len(expected) > 1000
    assert found == expected


def _plan(frame: pd.DataFrame, **options) -> tuple[Plan, object]:
    pack = load_pack(None)
    whole = normalise(read_frame(frame), pack, as_of=AS_OF, **options)
    plan = Plan(pack=pack, mapping=whole.mapping, date_plan=dict(whole.date_order_basis), as_of=AS_OF, lang="en",
                locale=None, name="<parts>", secret=b"k" * 32, groups=group_specs(pack))
    return plan, whole


def _part(frame: pd.DataFrame, rows: slice) -> pd.DataFrame:
    part = frame.iloc[rows].copy()
    part[ROW] = np.arange(len(frame))[rows] + 2
    return part


def test_a_part_is_read_in_the_batchs_date_order_not_its_own():
    """The batch's dates settle day-first (13/01/2024); a part holding only 05/06/2024 would be left
    open on its own values: with the plan it is read day-first too."""
    frame = pd.DataFrame({"Serial Number": ["AB1234", "CD5678", "EF9012"], "Manufacturer": ["Glock"] * 3,
                          "Recovery Date": ["13/01/2024", "05/06/2024", "07/08/2024"]})
    plan, whole = _plan(frame)
    assert plan.date_plan["recovery_date"].order == "dayfirst"
    part = part_batch(plan, _part(frame, slice(1, 3)))
    assert part.frame["recovery_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-05", "2024-08-07"]
    assert part.frame["recovery_date__status"].tolist() == whole.frame["recovery_date__status"].iloc[1:].tolist()


def test_rows_rules_on_parts_and_group_rules_on_whole_groups_give_the_batchs_findings():
    frame = generate_linked_batch(1200, seed=9, profile="dense").drop(columns=TRUTH_COLUMNS)
    request_id = frame.columns[0]
    frame.loc[[5, 700, 1100], request_id] = frame.loc[10, request_id]  # one request id four times
    plan, _whole = _plan(frame)
    expected = tracecheck.check(frame, as_of=AS_OF).findings
    columns = ["row", "rule", "field", "reason", "message"]
    rows_pack = plan.rules("rows")
    parts = [part_findings(plan, part_batch(plan, _part(frame, slice(a, b))), rows_pack)
             for a, b in ((0, 500), (500, 1200))]
    found = pd.concat(parts)
    found = found[found["row"].notna()]
    want = expected[expected["rule"].isin([r.code for r in rows_pack.rules]) & expected["row"].notna()]
    key = lambda f: sorted(map(tuple, f[columns].astype(str).to_numpy().tolist()))  # noqa: E731
    assert key(found) == key(want)
    # the repeated request ids (a group rule) on two parts that each hold whole groups of its key
    rule = next(r for r in plan.pack.rules if r.check == "value_repeated")
    kind = REGISTRY[rule.check]
    assert kind.scope == "group"
    whole = part_batch(plan, _part(frame, slice(0, 1200)))
    from tracecheck.checks import CheckContext

    keys = kind.key(CheckContext(whole, compile_reference(plan.pack.reference), plan.words), **rule.params)
    codes = pd.factorize(keys)[0]
    one = _part(frame, slice(0, 1200))[codes % 2 == 0]
    two = _part(frame, slice(0, 1200))[codes % 2 != 0]
    pack = plan.selected((rule.code,))
    found = pd.concat([part_findings(plan, part_batch(plan, p), pack) for p in (one, two)])
    want = expected[expected["rule"] == rule.code]
    assert len(want) > 0
    assert key(found) == key(want)
