"""How a batch compares with the batches recorded before it in a history store (``batch.history``).

``comparison(report)`` reads only the Report: the earlier batches' numbers as the store gave them
(``batch.history.previous``) and this batch's, counted from the report the way the store counts
them when the batch is recorded (``tracecheck.history.requests.quality``), so this batch's bar now
and its bar in the next batch's chart agree: usable serials as ``summary.usable_serial_share``,
rows in a duplicate-request group (flagged or to review) and rows that repeat a request of an
earlier batch (prior-duplicate findings but re-recoveries), each row once. Writers show these
numbers; they compute none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tracecheck.report.model import Report

PRIOR_RULE = "prior-duplicate"  # the rule's name (its code is the pack's: TC204 by default)
DUPLICATE_PREFIX = "DR"  # duplicate-request group ids (tracecheck.matching.tables.PREFIX)


@dataclass(frozen=True)
class BatchPoint:
    """One batch in the comparison: an earlier one (``path`` is where its numbers are in the JSON
    report, ``batch.history.previous.<i>``) or this batch (``this``; ``path`` None). ``key`` names it
    among the view's numbers: ``previous.<i>`` or ``this``."""

    key: str
    source: str
    this: bool
    path: str | None
    batch: str | None  # the first 12 characters of the digest (earlier batches)
    recorded_at: str | None
    rows: int
    usable_serial_share: float | None
    duplicate_share: float | None  # rows in a duplicate-request group of the batch
    prior_duplicate_share: float | None  # rows repeating a request of an earlier batch
    repeat_share: float | None  # rows that are either, each once (an older store: the two added, at most 1)


@dataclass(frozen=True)
class Comparison:
    """What the store held before this batch and how this batch compares (see the module docstring)."""

    store: str
    batches: int  # batches recorded in the store when this one was checked
    requests: int
    recorded: bool  # this batch was already in the store: compared with those recorded before it
    points: list[BatchPoint]  # the earlier batches, oldest first, then this batch
    duplicate_rows: int  # this batch's rows in a duplicate-request group
    prior_duplicate_rows: int  # this batch's rows repeating an earlier request
    usable_average: float | None  # the earlier batches' mean share (batches without rows left out)
    repeat_average: float | None

    @property
    def previous(self) -> list[BatchPoint]:
        return self.points[:-1]

    @property
    def this(self) -> BatchPoint:
        return self.points[-1]


def comparison(report: Report) -> Comparison | None:
    """The comparison of ``report``'s batch with the earlier batches of its store; None when the
    batch was checked without a store."""
    about = report.batch.get("history")
    if about is None:
        return None
    rows = int(report.summary["rows"])
    grouped = report.rows["duplicate_group"].astype("str").str.startswith(DUPLICATE_PREFIX).fillna(False)
    duplicates = int(grouped.sum())
    repeats = prior_rows(report.findings)
    prior = len(repeats)
    repeated = int((grouped.to_numpy(dtype=bool) | report.rows["row"].isin(repeats).to_numpy()).sum())
    earlier = [_earlier(i, entry) for i, entry in enumerate(about["previous"])]
    usable = report.summary["usable_serial_share"] if rows else None
    this = BatchPoint(key="this", source=str(report.batch["source"]), this=True, path=None, batch=None,
                      recorded_at=None, rows=rows, usable_serial_share=usable,
                      duplicate_share=_share(duplicates, rows), prior_duplicate_share=_share(prior, rows),
                      repeat_share=_share(repeated, rows))
    return Comparison(store=str(about["store"]), batches=int(about["batches"]), requests=int(about["requests"]),
                      recorded=bool(about["recorded"]), points=[*earlier, this], duplicate_rows=duplicates,
                      prior_duplicate_rows=prior,
                      usable_average=_mean(p.usable_serial_share for p in earlier),
                      repeat_average=_mean(p.repeat_share for p in earlier))


def prior_duplicate_rows(report: Report) -> int:
    """How many rows of the batch repeat a request of an earlier batch (``prior_rows``)."""
    return len(prior_rows(report.findings))


def prior_rows(findings: Any) -> set[int]:
    """The sheet rows that repeat a request of an earlier batch: rows with a prior-duplicate finding
    other than a re-recovery (another recovery of the gun is not a resend). What the store counts
    (``tracecheck.history.requests.quality``) and the comparison shows."""
    prior = findings["name"].eq(PRIOR_RULE) & findings["reason"].ne("re-recovery") & findings["row"].notna()
    return set(findings.loc[prior, "row"].astype("int64").tolist())


def _earlier(i: int, entry: dict[str, Any]) -> BatchPoint:
    duplicate, prior = entry["duplicate_share"], entry["prior_duplicate_share"]
    return BatchPoint(key=f"previous.{i}", source=str(entry["source"]), this=False, path=f"batch.history.previous.{i}",
                      batch=entry["batch"], recorded_at=entry["recorded_at"], rows=int(entry["rows"]),
                      usable_serial_share=entry["usable_serial_share"], duplicate_share=duplicate,
                      prior_duplicate_share=prior,
                      repeat_share=entry.get("repeated_share") if entry.get("repeated_share") is not None
                      else _added(duplicate, prior))


def _share(part: int, whole: int) -> float | None:
    """As the store rounds its shares (4 places); None for a batch without rows."""
    return round(part / whole, 4) if whole else None


def _added(a: float | None, b: float | None) -> float | None:
    """A store older than revision 0002 kept no count of rows that are either: the two shares added,
    at most 1 (an upper bound: a row can be both)."""
    return None if a is None or b is None else min(1.0, round(a + b, 4))


def _mean(values: Any) -> float | None:
    known = [v for v in values if v is not None]
    return round(float(np.mean(known)), 4) if known else None
