"""The per-row table and the summary counts of a Spark check, computed in Spark, as
``tracecheck.report.build`` computes them for one batch (same names, same meanings)."""

from __future__ import annotations

from typing import Any

from tracecheck.findings import SEVERITIES
from tracecheck.matching.tables import KINDS
from tracecheck.metrics import BUCKETS
from tracecheck.report.build import is_identification
from tracecheck.spark.parts import ROW, Plan


def row_table(prep: Any, findings: Any, members: Any, plan: Plan) -> Any:
    """One row per request: row, index, request_id, status (worst severity of its findings that are
    not facts, else ok), the three ages in days, duplicate_group (its primary group) and agency."""
    from pyspark.sql import functions as F

    facts = [r.code for r in plan.pack.all_rules if r.fact]
    mine = findings.where(F.col("row").isNotNull() & ~F.col("rule").isin(*facts) if facts else F.col("row").isNotNull())
    worst = mine.groupBy("row").agg(*[F.max(F.when(F.col("severity") == s, 1).otherwise(0)).alias(s)
                                      for s in SEVERITIES])
    status = F.coalesce(*[F.when(F.col(s) == 1, F.lit(s)) for s in SEVERITIES], F.lit("ok"))
    table = prep.select(F.col(ROW).alias("row"), "index", "request_id", "agency", *BUCKETS)
    table = table.join(worst, "row", "left").withColumn("status", status).drop(*SEVERITIES)
    if members is not None:
        rank = F.create_map(*[x for i, k in enumerate(KINDS) for x in (F.lit(k), F.lit(i))])
        first = F.split(F.col("group"), "-").getItem(1).cast("long")
        primary = (members.withColumn("order", F.struct(rank[F.col("kind")].alias("k"), first.alias("f"),
                                                        F.col("group").alias("group")))
                   .groupBy("row").agg(F.min("order").getField("group").alias("duplicate_group")))
        table = table.join(primary, "row", "left")
    else:
        table = table.withColumn("duplicate_group", F.lit(None).cast("string"))
    return table.select("row", "index", "request_id", "status", *BUCKETS, "duplicate_group", "agency")


def summary(findings: Any, rows: Any, members: Any, plan: Plan) -> dict[str, Any]:
    """The summary counts (docs/report.schema.json ``summary``) that need no cell text."""
    from pyspark.sql import functions as F

    n_rows = rows.count()
    facts = [r.code for r in plan.pack.all_rules if r.fact] or ["-"]
    identification = [r.code for r in plan.pack.rules if is_identification(r)] or ["-"]
    is_fact, has_row = F.col("rule").isin(*facts), F.col("row").isNotNull()
    severe = F.col("severity").isin("error", "warning")
    totals = findings.agg(
        F.count(F.lit(1)).alias("findings"),
        *[F.sum(F.when(F.col("severity") == s, 1).otherwise(0)).alias(s) for s in SEVERITIES],
        F.sum(F.when((F.col("severity") == "error") & ~has_row, 1).otherwise(0)).alias("batch_errors"),
        F.sum(F.when(~is_fact & severe, 1).otherwise(0)).alias("fix"),
        F.sum(F.when(~is_fact & severe & ~has_row, 1).otherwise(0)).alias("fix_batch"),
        F.sum(F.when(is_fact, 1).otherwise(0)).alias("facts"),
        F.countDistinct(F.when(is_fact & has_row, F.col("row"))).alias("fact_rows"),
        F.sum(F.when((F.col("rule") == "TC101") & (F.col("reason") == "obliterated"), 1).otherwise(0)).alias("obl"),
        F.sum(F.when((F.col("rule") == "TC101") & (F.col("reason") == "privately_made"), 1).otherwise(0)).alias("pm"),
    ).first()
    id_errors = findings.where(F.col("rule").isin(*identification) & (F.col("severity") == "error"))
    blocked = id_errors.where(~has_row).limit(1).count() > 0
    untraceable = id_errors.where(has_row).select("row").distinct().count()
    traceable = 0 if blocked else n_rows - untraceable
    statuses = {r["status"]: r["count"] for r in rows.groupBy("status").count().collect()}
    by_rule = sorted((r["rule"], r["name"], r["severity"], r["count"])
                      for r in findings.groupBy("rule", "name", "severity").count().collect())
    return {
        "rows": n_rows, "findings": int(totals["findings"]),
        "by_severity": {s: int(totals[s] or 0) for s in SEVERITIES},
        "by_rule": [{"rule": a, "name": b, "severity": c, "count": int(n)} for a, b, c, n in by_rule],
        "batch_errors": int(totals["batch_errors"] or 0),
        "rows_with_errors": int(statuses.get("error", 0)), "rows_with_warnings": int(statuses.get("warning", 0)),
        "rows_traceable": traceable, "traceable_share": _share(traceable, n_rows),
        "rows_obliterated": int(totals["obl"] or 0), "rows_privately_made": int(totals["pm"] or 0),
        "fix_list": {"findings": int(totals["fix"] or 0),
                     "rows": int(statuses.get("error", 0) + statuses.get("warning", 0)),
                     "batch_level": int(totals["fix_batch"] or 0)},
        "batch_facts": {"findings": int(totals["facts"] or 0), "rows": int(totals["fact_rows"] or 0)},
        "age_buckets": {m: _buckets(rows, m) for m in BUCKETS},
        "age_medians_days": {m: _median(rows, m) for m in BUCKETS},
        "duplicates": _duplicates(members, n_rows),
        "by_agency": _by_agency(findings, rows, facts),
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _buckets(rows: Any, metric: str) -> dict[str, int]:
    from pyspark.sql import functions as F

    days, lower, columns = F.col(metric), 0.0, []
    for upper, label in BUCKETS[metric]:
        inside = days >= lower if upper is None else (days >= lower) & (days < upper)
        columns.append(F.sum(F.when(inside & ~F.isnan(days), 1).otherwise(0)).alias(label))
        lower = float(upper) if upper is not None else lower
    columns.append(F.sum(F.when(days.isNull() | F.isnan(days), 1).otherwise(0)).alias("unknown"))
    found = rows.agg(*columns).first()
    return {name: int(found[name] or 0) for name in [label for _u, label in BUCKETS[metric]] + ["unknown"]}


def _median(rows: Any, metric: str) -> float | None:
    from pyspark.sql import functions as F

    valid = rows.where(F.col(metric).isNotNull() & ~F.isnan(metric))
    value = valid.agg(F.percentile(metric, 0.5).alias("m")).first()["m"]
    return None if value is None else float(value)


def _duplicates(members: Any, n_rows: int) -> dict[str, Any]:
    from pyspark.sql import functions as F

    counts = {k: 0 for k in KINDS}
    review = dup_rows = removed = 0
    if members is not None:
        groups = (members.groupBy("group", "kind", "confidence", "group_members")
                  .agg(F.count(F.lit(1)).alias("size")).collect())
        for g in groups:
            counts[g["kind"]] += 1
            if g["kind"] == "duplicate-request" and g["confidence"] == "review":
                review += 1
            if g["kind"] == "duplicate-request" and g["confidence"] == "flag":
                dup_rows += g["size"]
                removed += g["size"] - 1
    return {"groups": counts, "review_groups": review, "duplicate_rows": dup_rows,
            "requests_after_removing_duplicates": n_rows - removed}


def _by_agency(findings: Any, rows: Any, facts: list[str]) -> list[dict[str, Any]]:
    from pyspark.sql import functions as F

    per_row = findings.where(F.col("row").isNotNull()).groupBy("row").agg(
        *[F.sum(F.when(~F.col("rule").isin(*facts) & (F.col("severity") == s), 1).otherwise(0)).alias(n)
          for s, n in zip(SEVERITIES, ("errors", "warnings", "infos"))],
        F.sum(F.when(F.col("rule").isin(*facts), 1).otherwise(0)).alias("facts"))
    table = (rows.select("row", "agency").join(per_row, "row", "left").groupBy("agency")
             .agg(F.count(F.lit(1)).alias("requests"),
                  *[F.coalesce(F.sum(n), F.lit(0)).alias(n) for n in ("errors", "warnings", "infos", "facts")])
             .collect())
    ordered = sorted(table, key=lambda r: (-r["errors"], -r["warnings"], r["agency"]))
    return [{"agency": r["agency"] or None, **{k: int(r[k]) for k in ("requests", "errors", "warnings", "infos",
                                                                      "facts")}} for r in ordered]
