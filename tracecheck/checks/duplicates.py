"""TC2xx check kind: members of duplicate groups (the matching runs once per batch, cached)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.identifiers import serial_analysis
from tracecheck.matching import DuplicateResult, find_duplicates

DuplicateKind = Literal["duplicate-request", "re-recovery", "possible-duplicate"]  # tracecheck.matching's group kinds


def duplicates(ctx: CheckContext) -> DuplicateResult:
    """The batch's DuplicateResult, computed on first use."""
    serials = serial_analysis(ctx, "serial_number")
    pairs = ctx.cache.get("candidate_pairs")  # given by an engine that did the blocking itself (tracecheck.spark)
    return ctx.cached("duplicates", lambda: find_duplicates(ctx.frame, ctx.reference, ctx.words, serials=serials,
                                                            candidates=pairs))


@check("duplicate_group", context={"group": str, "related_rows": list[int], "score": float}, reasons=("flag", "review"),
       scope="duplicates")
def duplicate_group(ctx: CheckContext, *, kind: DuplicateKind) -> pd.DataFrame:
    """One finding per member row of each group of ``kind``; reason = the group's confidence. The
    evidence is said once per pair, in the report's duplicate groups, not in each finding."""
    if not ctx.present("serial_number"):
        return findings_frame([])
    members = duplicates(ctx).members
    mine = members[members["kind"] == kind]
    return findings_frame(mine["row"], field="serial_number", reason=mine["confidence"], group=mine["group"],
                          related_rows=mine["related_rows"], score=mine["score"])


@check("prior_duplicate", reasons=("flag", "review", "re-recovery", "possible"), scope="batch",
       context={"score": float, "earlier_batch": str, "earlier_source": str, "earlier_row": str,
                "earlier_request_id": str, "earlier_agency": str, "earlier_recovery_date": str,
                "earlier_recorded": str, "evidence": str, "other_matches": int})
def prior_duplicate(ctx: CheckContext) -> pd.DataFrame:
    """One finding per row that matches a request of an earlier batch in the history store (its best
    match: ``tracecheck.history.prior``); none when the batch is checked without a store."""
    prior = ctx.prior
    if prior is None or not len(prior) or not ctx.present("serial_number"):
        return findings_frame([])
    return findings_frame(prior["row"], field="serial_number", reason=prior["reason"],
                          **{c: prior[c] for c in prior.columns if c not in ("row", "reason")})
