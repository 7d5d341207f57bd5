"""Candidate pairs and their connected components, in Spark.

The blocking entries (tracecheck.matching.blocking.block_entries, made per partition) are grouped by
block; blocks of 2 to ``max_block`` entries (``max_event_block`` for the event block) give their pairs,
exactly the candidate pairs ``tracecheck.matching.blocking.candidate_pairs`` gives on the whole batch.
Rows linked by a pair fall in one component (iterative minimum-label propagation: one join per round,
as many rounds as the longest chain of pairs); every duplicate group lies inside one component, so
each component is matched alone, with the same code as one batch.
"""

from __future__ import annotations

from typing import Any

from tracecheck.matching.blocking import CROSS, EVENT

MAX_ROUNDS = 100  # a chain of candidate pairs longer than this is not a batch of requests


def candidate_pairs(entries: Any, *, max_block: int, max_event_block: int) -> Any:
    """DataFrame (a, b) of sheet rows, a < b, one row per candidate pair. ``entries``: block, key, row,
    side, usable, length (block_entries' columns)."""
    from pyspark.sql import functions as F

    sizes = (entries.groupBy("block", "key")
             .agg(F.count(F.lit(1)).alias("n"), F.sum("side").alias("s")))
    limit = F.when(F.col("block") == EVENT, F.lit(max_event_block)).otherwise(F.lit(max_block))
    cross = F.col("block").isin(*CROSS)
    kept = sizes.where((F.col("n") >= 2) & (F.col("n") <= limit)
                       & (~cross | ((F.col("s") > 0) & (F.col("s") < F.col("n"))))).select("block", "key")
    inside = entries.join(kept, ["block", "key"], "left_semi").persist()  # joined with itself: computed once
    left = inside.select(*[F.col(c).alias(f"{c}_a") for c in ("block", "key", "row", "side", "usable", "length")])
    right = inside.select(*[F.col(c).alias(f"{c}_b") for c in ("block", "key", "row", "side", "usable", "length")])
    joined = left.join(right, (F.col("block_a") == F.col("block_b")) & (F.col("key_a") == F.col("key_b")))
    is_cross = F.col("block_a").isin(*CROSS)
    pair = F.when(is_cross, (F.col("side_a") == 0) & (F.col("side_b") == 1)).otherwise(F.col("row_a") < F.col("row_b"))
    event_ok = ((F.col("block_a") != EVENT) | ~F.col("usable_a") | ~F.col("usable_b")
                | (F.abs(F.col("length_a") - F.col("length_b")) >= 2))
    pairs = joined.where(pair & event_ok & (F.col("row_a") != F.col("row_b")))
    return pairs.select(F.least("row_a", "row_b").alias("a"), F.greatest("row_a", "row_b").alias("b")).distinct()


def components(pairs: Any) -> Any:
    """DataFrame (row, comp): every row on a pair, with the smallest row of its component. Raises
    RuntimeError past MAX_ROUNDS rounds."""
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
