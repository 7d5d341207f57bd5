"""Candidate pairs and their connected components, in Spark.

The blocking entries (tracecheck.matching.blocking.block_entries, made per partition) are grouped by
block; blocks of 2 to ``max_block`` entries (``max_event_block`` for the event block) give their pairs,
exactly the candidate pairs ``tracecheck.matching.blocking.candidate_pairs`` gives on the whole batch.
Rows linked by a pair fall in one component (minimum-label propagation: on the driver with numpy up to
DRIVER_PAIRS pairs, else one Spark join per round, as many rounds as the longest chain of pairs);
every duplicate group lies inside one component, so whole components can be matched apart (in
buckets), with the same code as one batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tracecheck.matching.blocking import CROSS, EVENT

MAX_ROUNDS = 100  # a chain of candidate pairs longer than this is not a batch of requests
DRIVER_PAIRS = 20_000_000  # pairs labelled on the driver (320 MB of row numbers); beyond, in Spark


def candidate_pairs(entries: Any, *, max_block: int, max_event_block: int) -> Any:
    """DataFrame (a, b) of sheet rows, a < b, one row per candidate pair. ``entries``: block, key, row,
    side, usable, length (block_entries' columns). One shuffle gathers each block's entries (the few
    that are kept are paired in pandas, ``block_pairs``), a second drops pairs found in two blocks."""
    from pyspark.sql import functions as F

    limit = F.when(F.col("block") == EVENT, F.lit(max_event_block)).otherwise(F.lit(max_block))
    cross = F.col("block").isin(*CROSS)
    blocks = (entries.groupBy("block", "key")
              .agg(F.count(F.lit(1)).alias("n"), F.sum("side").alias("s"),
                   F.collect_list(F.struct("row", "side", "usable", "length")).alias("entries")))
    kept = blocks.where((F.col("n") >= 2) & (F.col("n") <= limit)
                        & (~cross | ((F.col("s") > 0) & (F.col("s") < F.col("n")))))
    return kept.select("block", "entries").mapInArrow(_block_pairs, "a long, b long").distinct()


def _block_pairs(batches: Any) -> Any:
    """The pairs inside the blocks of each Arrow batch (one row per block, its entries a list)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for batch in batches:
        lists = batch.column("entries")
        parent = pc.list_parent_indices(lists).to_numpy()
        values = pc.list_flatten(lists)
        flat = pd.DataFrame({"id": parent, "block": batch.column("block").to_numpy()[parent],
                             **{name: values.field(name).to_numpy(zero_copy_only=False)
                                for name in ("row", "side", "usable", "length")}})
        yield pa.RecordBatch.from_pandas(block_pairs(flat), preserve_index=False)


def block_pairs(flat: pd.DataFrame) -> pd.DataFrame:
    """Pairs (a, b), a < b, of the entries of each block (``id``): one entry of each side in the CROSS
    blocks, any two otherwise; EVENT pairs only when a serial is not usable or the lengths differ by
    two or more (tracecheck.matching.blocking.block_entries)."""
    m = flat.merge(flat, on=["block", "id"], suffixes=("_a", "_b"))
    pair = np.where(m["block"].isin(CROSS), (m["side_a"] == 0) & (m["side_b"] == 1), m["row_a"] < m["row_b"])
    event = (m["block"] != EVENT) | ~m["usable_a"] | ~m["usable_b"] | ((m["length_a"] - m["length_b"]).abs() >= 2)
    m = m[pair & event.to_numpy() & (m["row_a"] != m["row_b"]).to_numpy()]
    a, b = m["row_a"].to_numpy(np.int64), m["row_b"].to_numpy(np.int64)
    return pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b)})


def components(pairs: Any, *, driver_pairs: int = DRIVER_PAIRS) -> Any:
    """DataFrame (row, comp): every row on a pair, with the smallest row of its component. Up to
    ``driver_pairs`` pairs are gathered on the driver and labelled there (``label_components``: two
    int64 per pair, 16 bytes); more are labelled by iterative joins in Spark (``_joined_components``)."""
    import pyarrow as pa

    if pairs.count() > driver_pairs:
        return _joined_components(pairs)
    table = pairs.toArrow()
    rows, comp = label_components(table.column("a").to_numpy(), table.column("b").to_numpy())
    spark = pairs.sparkSession
    return spark.createDataFrame(pa.table({"row": rows, "comp": comp}), "row long, comp long")


def label_components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, component) of the rows on the edges a-b, the component named by its smallest row:
    minimum-label propagation with pointer jumping, vectorised (a few passes per doubling of the
    longest chain)."""
    rows = np.unique(np.concatenate([a, b]))
    ia, ib = np.searchsorted(rows, a), np.searchsorted(rows, b)
    label = np.arange(len(rows))
    while True:
        low = np.minimum(label[ia], label[ib])
        new = label.copy()
        np.minimum.at(new, ia, low)
        np.minimum.at(new, ib, low)
        new = new[new]  # pointer jumping: a label's own label
        if np.array_equal(new, label):
            return rows, rows[label]
        label = new


def _joined_components(pairs: Any) -> Any:
    """``components`` by minimum-label propagation in Spark, one join per round. Raises RuntimeError
    past MAX_ROUNDS rounds."""
    from pyspark.sql import functions as F

    edges = pairs.select(F.col("a").alias("src"), F.col("b").alias("dst")).unionByName(
        pairs.select(F.col("b").alias("src"), F.col("a").alias("dst"))).localCheckpoint()
    labels = (edges.groupBy("src").agg(F.least(F.min("dst"), F.first("src")).alias("comp"))
              .withColumnRenamed("src", "row").localCheckpoint())
    for _ in range(MAX_ROUNDS):
        seen = (edges.join(labels.withColumnRenamed("row", "dst").withColumnRenamed("comp", "near"), "dst")
                .groupBy("src").agg(F.min("near").alias("near")).withColumnRenamed("src", "row"))
        new = (labels.join(seen, "row").select("row", F.least("comp", "near").alias("comp"))
               .localCheckpoint())
        changed = new.join(labels.withColumnRenamed("comp", "old"), "row").where(F.col("comp") != F.col("old"))
        if changed.isEmpty():
            return new
        labels = new
    raise RuntimeError(f"candidate pairs chain over more than {MAX_ROUNDS} rounds")
