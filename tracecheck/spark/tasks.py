"""The functions Spark runs over Arrow record batches (mapInArrow) and grouped pandas frames
(applyInPandas): each turns a part into pandas, runs tracecheck.spark.parts on it, and gives Arrow
or pandas back in the stage's schema. Built on the driver, pickled to the executors with the Plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tracecheck.spark import parts
from tracecheck.spark.parts import ROW, UNIT, Plan

CHUNK_ROWS = 100_000  # rows normalised at once by a row-scope task (a partition may be larger)

Batches = Iterator[pa.RecordBatch]


def _frames(batches: Batches, chunk: int | None) -> Iterator[pd.DataFrame]:
    """The task's rows as pandas frames of at least ``chunk`` rows (None: the whole partition at once)."""
    held: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        held.append(batch)
        size += batch.num_rows
        if chunk is not None and size >= chunk:
            yield pa.Table.from_batches(held).to_pandas()
            held, size = [], 0
    if held:
        yield pa.Table.from_batches(held).to_pandas()


def _partition() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    assert context is not None  # called inside a Spark task
    return context.partitionId()


def count_rows() -> Callable[[Batches], Batches]:
    """Per partition: its id and its number of rows (to number the rows in input order)."""
    def run(batches: Batches) -> Batches:
        n = sum(b.num_rows for b in batches)
        yield pa.RecordBatch.from_pydict({"pid": [_partition()], "n": [n]},
                                         schema=pa.schema([("pid", pa.int32()), ("n", pa.int64())]))
    return run


def number_rows(offsets: dict[int, int], schema: pa.Schema) -> Callable[[Batches], Batches]:
    """Each row with ROW: its position in the input + 2 (the partition's offset from ``offsets``)."""
    def run(batches: Batches) -> Batches:
        at = offsets.get(_partition(), 0) + 2
        for batch in batches:
            rows = pa.array(np.arange(at, at + batch.num_rows, dtype=np.int64))
            at += batch.num_rows
            yield pa.RecordBatch.from_arrays([*batch.columns, rows], schema=schema)
    return run


def row_findings(plan: Plan, schema: pa.Schema) -> Callable[[Batches], Batches]:
    """The rows-scope rules on each chunk of rows."""
    pack = plan.rules("rows")

    def run(batches: Batches) -> Batches:
        for frame in _frames(batches, CHUNK_ROWS):
            yield parts.to_arrow(parts.part_findings(plan, parts.part_batch(plan, frame), pack), schema)
    return run


def prepare(plan: Plan, schema: pa.Schema) -> Callable[[Batches], Batches]:
    """Per row: metrics, agency, matching keys and group keys (parts.prepared)."""
    def run(batches: Batches) -> Batches:
        for frame in _frames(batches, CHUNK_ROWS):
            yield parts.to_arrow(parts.prepared(plan, parts.part_batch(plan, frame)), schema)
    return run


def short_keys(schema: pa.Schema) -> Callable[[Batches], Batches]:
    """Per affix size, the full keys of the serials of that length (blocking's short serials)."""
    from tracecheck.matching.blocking import short_serial_keys

    def run(batches: Batches) -> Batches:
        for frame in _frames(batches, CHUNK_ROWS):
            found = short_serial_keys(parts.key_frame(frame))
            sizes = np.concatenate([np.full(len(v), k, dtype=np.int32) for k, v in found.items()])
            keys = np.concatenate([v for v in found.values()]).astype(np.uint64).view(np.int64)
            yield pa.RecordBatch.from_arrays([pa.array(sizes), pa.array(keys)], schema=schema)
    return run


def block_entries(short: dict[int, np.ndarray], schema: pa.Schema) -> Callable[[Batches], Batches]:
    def run(batches: Batches) -> Batches:
        for frame in _frames(batches, CHUNK_ROWS):
            yield parts.to_arrow(parts.entries(frame, short), schema)
    return run


def group_findings(plan: Plan, codes: tuple[str, ...], schema: pa.Schema, with_units: bool
                   ) -> Callable[[Batches], Batches]:
    """The rules ``codes`` on a whole partition holding whole groups of their key."""
    pack = plan.selected(codes)

    def run(batches: Batches) -> Batches:
        for frame in _frames(batches, None):
            seed: dict[str, Any] = parts.units_seed(frame) if with_units else {}
            data = frame.drop(columns=[c for c in frame.columns if c in (UNIT, "__key")])
            yield parts.to_arrow(parts.part_findings(plan, parts.part_batch(plan, data), pack, seed), schema)
    return run


def component(plan: Plan, schema: pa.Schema) -> Callable[[pa.Table, pa.Table], pa.Table]:
    """applyInArrow over (rows, pairs) of one bucket of components: their findings and their members in
    one table (column ``what``: "finding" or "member")."""
    def run(rows: pa.Table, pairs: pa.Table) -> pa.Table:
        data = rows.to_pandas().drop(columns=["bucket"]).sort_values(ROW, kind="stable")
        findings, members = parts.component_result(plan, parts.part_batch(plan, data), pairs.to_pandas())
        findings["what"] = "finding"
        members = members.rename(columns={"row": "member_row", "kind": "group_kind",
                                          "confidence": "group_confidence", "group": "group_id"})
        members["what"] = "member"
        return pa.Table.from_batches([parts.to_arrow(findings, schema), parts.to_arrow(members, schema)])
    return run
