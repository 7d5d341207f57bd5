"""The stages of ``tracecheck.spark.check`` (see the package docstring), one function each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tracecheck import engine
from tracecheck.checks import REGISTRY, context_schema
from tracecheck.metrics import BUCKETS
from tracecheck.normalise import normalise
from tracecheck.read import read_frame
from tracecheck.ruleset import RulePack
from tracecheck.schema import METRICS
from tracecheck.spark import tasks
from tracecheck.spark.parts import ROW, UNIT, Plan, finding_table, group_specs, safe_names, with_headers
from tracecheck.spark.summary import row_table, summary

PARTITION_ROWS = 200_000  # rows per partition of the numbered input (at least two partitions per core)
BUCKET_ROWS = 50_000  # rows of connected components matched in one task (one find_duplicates run)
TEXT = ("column", "header", "rule", "name", "severity", "field", "value", "reason", "message")


def finding_schema() -> pa.Schema:
    """The findings table's Arrow schema: FINDING_COLUMNS, context the same struct as the pandas path's."""
    text = {name: pa.string() for name in (*TEXT, "sheet")}
    fields = [("row", pa.int64()), *[(n, text[n]) for n in TEXT], ("index", pa.int64()), ("sheet", pa.string()),
              ("context", pa.struct(list(context_schema().items())))]
    return pa.schema(fields)


def run(df: Any, pack: RulePack, *, date_order: str, as_of: dt.date, lang: str, locale: str | None, name: str,
        sample_rows: int, secret: bytes, progress: Callable[[str], None] | None = None) -> Any:
    from pyspark.sql import functions as F

    from tracecheck.spark import SparkResult

    def done(stage: str, frame: Any = None) -> None:
        """Each stage run to its end before the next (timed apart; what follows reads it persisted)."""
        if frame is not None:
            frame.count()
        if progress:
            progress(stage)

    pack = replace(pack, rules=tuple(r for r in pack.rules if r.check != "prior_duplicate"))
    headers = tuple(str(c) for c in df.columns)
    numbered = _numbered(df.toDF(*safe_names(len(headers))))
    done("number", numbered)
    sample = numbered.where(F.col(ROW) < sample_rows + 2).toPandas()
    data = with_headers(headers, sample.drop(columns=[ROW]))
    data.index = pd.Index(sample[ROW].to_numpy(dtype=np.int64) - 2)
    first = normalise(read_frame(data, name=name, rows=sample[ROW].to_numpy(dtype=np.int64)), pack,
                      date_order=date_order, as_of=as_of)
    plan = Plan(pack=pack, mapping=first.mapping, date_plan=dict(first.date_order_basis), as_of=as_of, lang=lang,
                locale=locale, name=name, secret=secret, groups=group_specs(pack), headers=headers)
    done("plan")
    spark = df.sparkSession
    schema = finding_schema()
    parts = [_frame(spark, finding_table(engine.run(first, plan.rules("batch"), words=plan.words).findings), schema)]
    rows_found = numbered.mapInArrow(tasks.row_findings(plan, schema), _spark(schema)).persist()
    done("rows", rows_found)
    parts.append(_merged_batch_level(rows_found, plan, first, schema, spark))
    parts.append(rows_found.where(F.col("row").isNotNull()))
    prepared = numbered.mapInArrow(tasks.prepare(plan, _prep_schema(plan)), _spark(_prep_schema(plan))).persist()
    done("prepare", prepared)
    prep = prepared.where(F.col("dropped").isNull())
    dropped = {r["dropped"]: int(r["count"]) for r in prepared.where(F.col("dropped").isNotNull())
               .groupBy("dropped").count().collect()}
    members = _duplicates(numbered, prep, plan, schema, parts, done)
    units = members.where(F.col(UNIT) != F.col("row")).select("row", UNIT).distinct() if members is not None else None
    for position, (_key, codes) in enumerate(plan.groups):
        parts.append(_group_stage(numbered, prep, plan, position, codes, schema, units).persist())
        done(f"group:{'+'.join(codes)}", parts[-1])
    findings = reduce(lambda a, b: a.unionByName(b), parts).persist()
    done("findings", findings)
    rows = row_table(prep, findings, members, plan).persist()
    counts = {**summary(findings, rows, members, plan), "rows_dropped": dropped}
    done("summary")
    # whole days as whole numbers, as in the JSON report (NaN, no date, as null)
    days = {b: F.when(F.isnan(b), None).otherwise(F.col(b)).cast("long") for b in BUCKETS}
    rows = rows.withColumns(days).select(*rows.columns)
    return SparkResult(findings=findings, rows=rows, members=members, summary=counts,
                       batch={"source": name, "row_count": rows.count(), "sample_rows": len(sample),
                              "partitions": numbered.rdd.getNumPartitions(),
                              "date_order": {f: o.order for f, o in plan.date_plan.items()},
                              "mapping": {c.field: c.header for c in plan.mapping.columns},
                              "as_of": as_of.isoformat(), "lang": lang})


def _frame(spark: Any, table: pd.DataFrame, schema: pa.Schema) -> Any:
    """A pandas findings table as a Spark DataFrame of ``schema`` (through Arrow)."""
    return spark.createDataFrame(pa.Table.from_batches([tasks.parts.to_arrow(table, schema)]), _spark(schema))


def _spark(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _numbered(df: Any) -> Any:
    """``df`` with ROW: each row's position in the input + 2, as tracecheck.check numbers a DataFrame."""
    import pyspark.sql.types as T

    counts = df.mapInArrow(tasks.count_rows(), "pid int, n long").collect()
    offsets, at = {}, 0
    for row in sorted(counts, key=lambda r: r["pid"]):
        offsets[row["pid"]] = at
        at += row["n"]
    schema = T.StructType([*df.schema.fields, T.StructField(ROW, T.LongType(), False)])
    from pyspark.sql.pandas.types import to_arrow_schema

    numbered = df.mapInArrow(tasks.number_rows(offsets, to_arrow_schema(schema)), schema)
    # a csv read whole (quoted line breaks) is one partition: spread the rows, in runs of consecutive rows
    parallel = df.sparkSession.sparkContext.defaultParallelism
    partitions = max(2 * parallel, -(-at // PARTITION_ROWS), 1)
    return numbered.repartitionByRange(partitions, ROW).sortWithinPartitions(ROW).persist()


def _prep_schema(plan: Plan) -> pa.Schema:
    from tracecheck.matching.keys import KEY_COLUMNS

    fields = [(ROW, pa.int64()), ("index", pa.int64()), ("request_id", pa.string()), ("agency", pa.string()),
              *[(m, pa.float64()) for m in METRICS],
              *[(f"key_{k}", pa.float64() if k == "recovery" else pa.string()) for k in KEY_COLUMNS],
              *[(f"g{i}", pa.string()) for i in range(len(plan.groups))], ("dropped", pa.string())]
    return pa.schema(fields)


def _merged_batch_level(found: Any, plan: Plan, first: Any, schema: pa.Schema, spark: Any) -> Any:
    """The batch-level findings of rows-scope rules, made once per part: one of each, with the context
    fields the kind ``counts`` added up over the parts and the message written again."""
    from pyspark.sql import functions as F

    level = found.where(F.col("row").isNull()).toPandas()
    if not len(level):
        return _frame(spark, finding_table(engine.empty_findings()), schema)
    out = []
    by_code = {r.code: r for r in plan.pack.rules}
    for _key, same in level.groupby(["rule", "field", "column", "reason", "value"], dropna=False, sort=True):
        rule = by_code[same["rule"].iloc[0]]
        counted = REGISTRY[rule.check].counts
        context = dict(same["context"].iloc[0])
        for name in counted:
            context[name] = int(sum(c[name] or 0 for c in same["context"]))
        kept = {k: v for k, v in context.items() if k in REGISTRY[rule.check].context}
        result = pd.DataFrame([{"row": None, "field": same["field"].iloc[0], "column": same["column"].iloc[0],
                                "value": same["value"].iloc[0], "reason": same["reason"].iloc[0], **kept}])
        result["row"] = result["row"].astype("Int64")
        for name in counted:
            result[name] = result[name].astype("Int64")
        out.append(finding_table(engine.findings_from(rule, result, first, plan.words)))
    return _frame(spark, pd.concat(out, ignore_index=True), schema)


def _duplicates(numbered: Any, prep: Any, plan: Plan, schema: pa.Schema, parts: list,
                done: Callable[..., None]) -> Any:
    """Duplicate findings appended to ``parts``; the members DataFrame (group, kind, confidence, row,
    UNIT), None when no duplicate rule or multiple-sale rule runs."""
    from pyspark.sql import functions as F

    from tracecheck.reference import compile_reference
    from tracecheck.spark.graph import candidate_pairs, components

    needed = [r for r in plan.pack.rules if REGISTRY[r.check].scope == "duplicates"
              or REGISTRY[r.check].after_duplicates]
    if not needed or not plan.mapping.header_for("serial_number"):
        return None
    short_schema = pa.schema([("size", pa.int32()), ("key", pa.int64())])
    found: dict[int, list[int]] = {}
    for row in prep.mapInArrow(tasks.short_keys(short_schema), _spark(short_schema)).distinct().collect():
        found.setdefault(row["size"], []).append(row["key"])
    short = {size: np.array(keys, dtype=np.int64).view(np.uint64) for size, keys in found.items()}
    entry_schema = pa.schema([("block", pa.int8()), ("key", pa.int64()), ("row", pa.int64()), ("side", pa.int8()),
                              ("usable", pa.bool_()), ("length", pa.int64())])
    entries = prep.mapInArrow(tasks.block_entries(short, entry_schema), _spark(entry_schema)).persist()
    config = compile_reference(plan.pack.reference).matching
    pairs = candidate_pairs(entries, max_block=int(config["max_block_size"]),
                            max_event_block=int(config["max_event_block_size"])).persist()
    done("blocking", pairs)
    comps = components(pairs)
    done("components")
    # Components are matched in buckets of about BUCKET_ROWS rows: one matching run per bucket, not per
    # component (a dense batch has a component per gun). Pairs never cross components, so a bucket is
    # matched as the whole batch is: the pandas path is the one bucket that holds every component.
    buckets = max(2 * numbered.sparkSession.sparkContext.defaultParallelism, -(-comps.count() // BUCKET_ROWS))
    bucket = (F.col("comp") % F.lit(buckets)).alias("bucket")
    rows = numbered.join(comps.select(F.col("row").alias(ROW), bucket), ROW)
    linked = pairs.join(comps.select(F.col("row").alias("a"), bucket), "a").localCheckpoint()  # no self-join
    out_schema = pa.schema([*schema, ("what", pa.string()), ("group_id", pa.string()), ("group_kind", pa.string()),
                            ("group_confidence", pa.string()), ("member_row", pa.int64()), (UNIT, pa.int64()),
                            ("group_members", pa.string())])
    out = (rows.groupBy("bucket").cogroup(linked.groupBy("bucket"))
           .applyInArrow(tasks.component(plan, out_schema), _spark(out_schema))).persist()
    done("duplicates", out)
    parts.append(out.where(F.col("what") == "finding").select(*schema.names))
    return out.where(F.col("what") == "member").select(
        F.col("group_id").alias("group"), F.col("group_kind").alias("kind"),
        F.col("group_confidence").alias("confidence"), F.col("member_row").alias("row"), UNIT, "group_members")


def _group_stage(numbered: Any, prep: Any, plan: Plan, position: int, codes: tuple[str, ...], schema: pa.Schema,
                 units: Any) -> Any:
    """The rules ``codes`` on the rows partitioned by their group key (a row without one alone)."""
    from pyspark.sql import functions as F

    key = F.coalesce(F.col(f"g{position}"), F.concat(F.lit("\u0000"), F.col(ROW).cast("string")))
    keyed = numbered.join(prep.select(ROW, key.alias("__key")), ROW)
    with_units = units is not None and any(REGISTRY[r.check].after_duplicates for r in plan.pack.rules
                                           if r.code in codes)
    if with_units:
        keyed = keyed.join(units.withColumnRenamed("row", ROW), ROW, "left")
    else:
        keyed = keyed.withColumn(UNIT, F.lit(None).cast("long"))
    columns = [*numbered.columns, UNIT, "__key"]
    parted = keyed.select(*columns).repartition("__key").sortWithinPartitions(ROW)
    return parted.mapInArrow(tasks.group_findings(plan, codes, schema, with_units), _spark(schema))
