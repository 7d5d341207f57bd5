"""What each Spark task runs on its part of a batch: plain pandas, the very functions ``tracecheck.check``
runs (normalise, the engine, the check kinds, the matching), under what the driver decided for the
whole batch (``Plan``). No pyspark here: these functions are tested on pandas frames too.

A part is a pandas frame of the input's columns plus ``ROW``, the sheet row of each row (its position
in the input + 2, as ``tracecheck.check`` numbers a DataFrame's rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tracecheck import engine
from tracecheck.catalogue import Catalogue, catalogue
from tracecheck.checks import REGISTRY, CheckContext
from tracecheck.checks.sales import gun_units
from tracecheck.date_columns import DateOrder
from tracecheck.findings import FINDING_COLUMNS
from tracecheck.mapping import ColumnMapping
from tracecheck.matching import find_duplicates
from tracecheck.matching.blocking import block_entries
from tracecheck.matching.keys import KEY_COLUMNS, key_columns
from tracecheck.normalise import Batch, normalise
from tracecheck.read import read_frame
from tracecheck.reference import compile_reference
from tracecheck.report.build import row_agencies
from tracecheck.ruleset import Rule, RulePack
from tracecheck.schema import METRICS

ROW = "__row"
UNIT = "__unit"  # the first row of a row's same-gun duplicate group (tracecheck.checks.sales.gun_units)


@dataclass(frozen=True)
class Plan:
    """What the driver decided for the whole batch, from its header and a sample, sent to every task."""

    pack: RulePack  # the rules that run (selection applied)
    mapping: ColumnMapping
    date_plan: dict[str, DateOrder]
    as_of: dt.date
    lang: str
    locale: str | None
    name: str
    secret: bytes  # the run's purchaser match key (multiple sales), the same in every task
    groups: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # (group key id, its rule codes)
    headers: tuple[str, ...] = ()  # the input's column names; in Spark its columns are named safe_names()

    @cached_property
    def words(self) -> Catalogue:
        return catalogue(self.lang, self.locale)

    def rules(self, scope: str) -> RulePack:
        """The pack with only the rules whose check kind has ``scope`` (tracecheck.checks.SCOPES)."""
        return replace(self.pack, rules=tuple(r for r in self.pack.rules if REGISTRY[r.check].scope == scope))

    def selected(self, codes: tuple[str, ...]) -> RulePack:
        return replace(self.pack, rules=tuple(r for r in self.pack.rules if r.code in codes))

    def seed(self) -> dict[str, Any]:
        return {"sales_secret": self.secret}


def group_specs(pack: RulePack) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The group-scope rules of ``pack`` by the key they group on: rules of one kind whose key reads the
    same parameters share it (TC401 and TC402 both group on the purchaser)."""
    specs: dict[str, list[str]] = {}
    for rule in pack.rules:
        kind = REGISTRY[rule.check]
        if kind.scope == "group":
            specs.setdefault(_key_id(rule), []).append(rule.code)
    return tuple((key, tuple(codes)) for key, codes in specs.items())


def _key_id(rule: Rule) -> str:
    column = rule.params.get("column")
    return f"{rule.check}:{column}" if column else rule.check


def safe_names(count: int) -> list[str]:
    """The names the input's columns carry inside Spark: a header may hold what Spark would parse in a
    name (a dot: "No. de serie", a backtick) or repeat another; the tasks give the headers back."""
    return [f"__c{i}" for i in range(count)]


def with_headers(headers: tuple[str, ...], data: pd.DataFrame) -> pd.DataFrame:
    """``data`` (the input's columns under safe_names) with the input's own ``headers``, in their order."""
    if not headers:
        return data
    data = data[safe_names(len(headers))]
    data.columns = list(headers)
    return data


def part_batch(plan: Plan, part: pd.DataFrame) -> Batch:
    """A part's rows as a normalised Batch (rows with no value at all are dropped, as from a sheet)."""
    rows = part[ROW].to_numpy(dtype=np.int64)
    data = with_headers(plan.headers, part.drop(columns=[ROW]))
    data.index = pd.RangeIndex(len(data)) if not len(rows) else pd.Index(rows - 2)
    raw = read_frame(data, name=plan.name, rows=rows)
    return normalise(raw, plan.pack, as_of=plan.as_of, mapping=plan.mapping, date_plan=plan.date_plan)


def part_findings(plan: Plan, batch: Batch, pack: RulePack, seed: dict[str, Any] | None = None) -> pd.DataFrame:
    """The findings of ``pack``'s rules on a part, as an Arrow-ready frame (``finding_table``)."""
    result = engine.run(batch, pack, words=plan.words, seed={**plan.seed(), **(seed or {})})
    return finding_table(result.findings)


def finding_table(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings (FINDING_COLUMNS) with ``index`` as the row's position in the input (int64): what a
    Spark findings table holds."""
    out = findings[FINDING_COLUMNS].copy()
    out["index"] = pd.array(out["index"].to_numpy(dtype=object), dtype="Int64")
    return out


def prepared(plan: Plan, batch: Batch) -> pd.DataFrame:
    """Per row of a part: the row, its metrics and agency, its matching key columns
    (tracecheck.matching.keys.KEY_COLUMNS) and the key of each group of rules (``g0``, ``g1``...);
    then one line per row dropped as no request, with its reason in ``dropped`` (else missing)."""
    frame = batch.frame
    ref = compile_reference(plan.pack.reference)
    out = pd.DataFrame({ROW: frame.index.to_numpy(dtype=np.int64),
                        "index": (frame.index.to_numpy(dtype=np.int64) - 2),
                        "request_id": frame["request_id"].astype(object).to_numpy(),
                        "agency": row_agencies(batch).to_numpy(dtype=object)})
    for metric in METRICS:
        out[metric] = frame[metric].to_numpy(dtype="float64", na_value=np.nan)
    keys = key_columns(frame, ref, ref.matching, ref.calibers)
    for name in KEY_COLUMNS:
        out[f"key_{name}"] = keys[name].to_numpy()
    ctx = CheckContext(batch=batch, reference=ref, words=plan.words, cache=plan.seed())
    by_code = {r.code: r for r in plan.pack.rules}
    for position, (_key, codes) in enumerate(plan.groups):
        rule = by_code[codes[0]]
        key = REGISTRY[rule.check].key
        assert key is not None  # a group-scope kind has one (tracecheck.checks.check)
        values = key(ctx, **rule.params)
        out[f"g{position}"] = values.astype(object).where(values.notna(), None).to_numpy()
    out["dropped"] = None
    dropped = [d for d in batch.raw.dropped_rows]  # rows that are no request (not_a_firearm): listed, not lost
    if dropped:
        listed = pd.DataFrame({ROW: [d.row for d in dropped], "index": [d.row - 2 for d in dropped],
                               "dropped": [d.reason for d in dropped]})
        out = pd.concat([out, listed], ignore_index=True)
    return out


def key_frame(prep: pd.DataFrame) -> pd.DataFrame:
    """The matching key columns of prepared rows, indexed by sheet row (key_columns' shape)."""
    keys = pd.DataFrame({name: prep[f"key_{name}"].to_numpy() for name in KEY_COLUMNS},
                        index=pd.Index(prep[ROW].to_numpy(dtype=np.int64)))
    keys["recovery"] = keys["recovery"].astype("float64")
    for name in KEY_COLUMNS:
        if name != "recovery":
            keys[name] = keys[name].astype(object).where(keys[name].notna(), None)
    return keys


def entries(prep: pd.DataFrame, short_keys: dict[int, np.ndarray]) -> pd.DataFrame:
    """The blocking entries of prepared rows (tracecheck.matching.blocking.block_entries)."""
    return block_entries(key_frame(prep), short_keys)


def component_result(plan: Plan, batch: Batch, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One connected component of candidate pairs: its duplicate findings and its members
    (group, kind, confidence, row, unit), from the very matching ``tracecheck.check`` runs, given the
    component's candidate pairs (columns a, b: sheet rows)."""
    pair_rows = (pairs["a"].to_numpy(dtype=np.int64), pairs["b"].to_numpy(dtype=np.int64))
    ref = compile_reference(plan.pack.reference)
    result = find_duplicates(batch.frame, ref, plan.words, candidates=pair_rows)
    pack = plan.rules("duplicates")
    findings = (part_findings(plan, batch, pack, seed={"duplicates": result, "candidate_pairs": pair_rows})
                if pack.rules else finding_table(engine.empty_findings()))
    members = result.members[["group", "kind", "confidence", "row"]].copy()
    # two groups may share an id (two possible duplicates of one request): their member sets tell them apart
    rows_of = [",".join(map(str, sorted((int(r), *map(int, rel))))) for r, rel in
               zip(result.members["row"], result.members["related_rows"])]
    members["group_members"] = np.asarray(rows_of, dtype=object)
    rows = batch.frame.index.to_numpy(dtype=np.int64)
    units = pd.Series(gun_units(rows, result.members), index=rows)
    members[UNIT] = units.reindex(members["row"].to_numpy(dtype=np.int64)).to_numpy(dtype=np.int64)
    return findings, members


@dataclass(frozen=True)
class Units:
    """The duplicate groups as the multiple-sale rules read them (``members``): one same-gun group per
    unit row, holding the unit row itself, so its first row is the unit."""

    members: pd.DataFrame


def units_seed(part: pd.DataFrame) -> dict[str, Any]:
    """The ``duplicates`` seed of a part whose rows carry UNIT (missing: in no same-gun group)."""
    known = part[UNIT].notna().to_numpy()
    rows = part[ROW].to_numpy(dtype=np.int64)[known]
    unit = part[UNIT].to_numpy(dtype="float64")[known].astype(np.int64)
    every = np.unique(np.concatenate([rows, unit]))
    first = pd.Series(unit, index=rows).reindex(every).fillna(pd.Series(every, index=every)).astype(np.int64)
    members = pd.DataFrame({"group": first.to_numpy().astype(str), "kind": "duplicate-request", "row": every})
    return {"duplicates": Units(members)}


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.RecordBatch:
    """``frame`` as one Arrow record batch of ``schema`` (columns in its order, types cast)."""
    arrays = [_column(frame[f.name], f.type) if f.name in frame else pa.nulls(len(frame), f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _column(values: pd.Series, kind: pa.DataType) -> pa.Array:
    array = pa.array(values, from_pandas=True) if not pd.api.types.is_object_dtype(values.dtype) else pa.array(
        values.astype(object).where(values.notna(), None).to_numpy(), type=kind, from_pandas=True)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array if array.type == kind else array.cast(kind)
