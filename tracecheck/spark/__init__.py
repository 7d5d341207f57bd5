"""tracecheck's own checks on Apache Spark: ``tracecheck.spark.check(df)`` (extra ``tracecheck[spark]``).

The same rule pack, check kinds, normalisation and duplicate matching as ``tracecheck.check``, run on
the parts of a Spark DataFrame, so a national archive or an agency's data platform needs no second
validator. How the batch is split follows what each check kind declares (tracecheck.checks.SCOPES):

1. the driver reads the header and a sample (the first ``sample_rows`` rows) and decides the column
   mapping, the day/month order of each date column (and of agencies read in their own) and the
   pack: the ``Plan``, sent to every task; the "batch" rules (header, mapping, date orders) run here;
2. "rows" rules run per partition (mapInArrow) on the very check functions;
3. each "group" rule runs once its rows are partitioned by the key its kind computes (same value
   of a repeated request id, same import marking, same purchaser);
4. duplicates: blocking entries per partition, blocks and candidate pairs in Spark, connected
   components of the pairs (tracecheck.spark.graph), then buckets of whole components matched by
   ``tracecheck.matching`` (applyInArrow): group ids (D-12, R-40, P-7) are the pandas path's.

On a batch the sample covers (every row), findings are those of ``tracecheck.check`` on the same
rows (tests/test_spark.py proves it); on a larger one, the mapping and date orders are the sample's.
Not on Spark: the history store (TC204) and redaction.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tracecheck.api import _selectors, _without_history_rules, as_of_date
from tracecheck.catalogue import catalogue
from tracecheck.ruleset import RulePack, load_pack

SAMPLE_ROWS = 100_000


@dataclass
class SparkResult:
    """What ``check`` returns: Spark DataFrames and the summary.

    ``findings``: one row per finding, the columns of ``tracecheck.findings.FINDING_COLUMNS`` (row
    int64, missing for a batch-level finding; ``index`` the row's position in the input, int64;
    ``context`` the same struct as the pandas path's). ``rows``: one row per input row that is a
    request (``tracecheck.report.model.ROW_COLUMNS`` plus ``agency``): status, the three ages in days,
    the primary duplicate group. ``members``: one row per member of a duplicate group (group, kind,
    confidence, row). ``summary``: the report's summary counts (docs/report.schema.json) that do not
    need the cells: rows, findings, by_severity, by_rule, fix_list, batch_facts, traceable rows and
    share, age buckets and medians, duplicates, by_agency. ``batch``: the mapping and date orders
    decided on the driver, the sample size and the rows read.
    """

    findings: Any
    rows: Any
    members: Any
    summary: dict[str, Any]
    batch: dict[str, Any]


def check(df: Any, rules: str | os.PathLike[str] | RulePack | None = None, *, mapping: dict[str, str] | None = None,
          date_order: str = "auto", select: str | Iterable[str] | None = None,
          ignore: str | Iterable[str] | None = None, as_of: str | dt.date | None = None, lang: str = "en",
          locale: str | None = None, name: str | None = None, sample_rows: int = SAMPLE_ROWS,
          progress: Callable[[str], None] | None = None) -> SparkResult:
    """Check the batch in the Spark DataFrame ``df`` (one request per row, the sheet's columns; text
    or typed) and return its SparkResult. Arguments as ``tracecheck.check``; ``sample_rows``: how many
    of the first rows decide the mapping and the date orders; ``progress`` is called with each stage's
    name once it has run (number, plan, rows, prepare, blocking, components, duplicates, group:<rules>,
    findings, summary). Raises what ``tracecheck.check`` raises
    for a bad pack, selector or argument, and ImportError naming the extra without pyspark."""
    from tracecheck.spark.run import run

    if date_order not in ("auto", "dayfirst", "monthfirst"):
        raise ValueError("date_order must be one of auto, dayfirst, monthfirst")
    catalogue(lang, locale)  # a bad language or locale fails before any Spark job
    full = rules if isinstance(rules, RulePack) else load_pack(None if rules is None else os.fspath(rules))
    pack = full
    if select or ignore:
        pack = full.with_selection(_selectors(select), _selectors(ignore))
    if mapping:
        pack = pack.with_map(mapping)
    pack = _without_history_rules(pack)  # no history store on Spark: run.run drops TC204 whatever was selected
    return run(df, pack, date_order=date_order, as_of=as_of_date(as_of), lang=lang, locale=locale,
               name=name or "<spark>", sample_rows=int(sample_rows), secret=secrets.token_bytes(32), progress=progress)


def frame_of(findings: Any) -> pd.DataFrame:
    """A Spark findings DataFrame collected as pandas, sorted as ``tracecheck.check`` sorts findings
    (row, rule, field; batch-level first), ``context`` as dicts: for tests and small batches."""
    frame = findings.toPandas()
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["row", "rule", "field", "column", "value"], na_position="first",
                             kind="stable").reset_index(drop=True)
