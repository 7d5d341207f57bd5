"""TC3xx check kinds: unreadable, ambiguous, future and out-of-order dates, and age thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.metrics import METRIC_SPANS

_LABEL = {"purchase_date": "Purchase date", "recovery_date": "Recovery date", "request_date": "Request date"}


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else findings_frame([])


def _iso(dates: pd.Series) -> np.ndarray:
    return dates.dt.strftime("%Y-%m-%d").to_numpy()


@check("date_status", context=("parsed",))
def date_status(ctx: CheckContext, *, status: str, fields: list[str]) -> pd.DataFrame:
    """Date cells whose parse status is ``status`` (unparseable or ambiguous)."""
    parts = []
    for name in fields:
        if not ctx.present(name):
            continue
        hit = ctx.frame[f"{name}__status"].eq(status).to_numpy()
        rows = ctx.frame.loc[hit, [name, f"{name}__raw"]]
        parts.append(findings_frame(rows.index, field=name, value=rows[f"{name}__raw"], parsed=_iso(rows[name])))
    return _combine(parts)


@check("date_order")
def date_order(ctx: CheckContext) -> pd.DataFrame:
    """Purchase after recovery, recovery after request (or purchase after request when recovery is blank)."""
    frame = ctx.frame
    pairs = [("purchase_date", "recovery_date", None), ("recovery_date", "request_date", None),
             ("purchase_date", "request_date", "recovery_date")]
    parts = []
    for first, second, only_if_blank in pairs:
        hit = (frame[first] > frame[second]).fillna(False).to_numpy()
        if only_if_blank:
            hit = hit & frame[only_if_blank].isna().to_numpy()
        rows = frame.loc[hit, [first, second, f"{first}__raw"]]
        detail = (f"{_LABEL[first]} " + pd.Series(_iso(rows[first]), dtype="str") + f" is after the "
                  f"{_LABEL[second].lower()} " + pd.Series(_iso(rows[second]), dtype="str"))
        parts.append(findings_frame(rows.index, field=first, value=rows[f"{first}__raw"], detail=detail,
                                    reason=f"{first}_after_{second}"))
    return _combine(parts)


@check("date_future")
def date_future(ctx: CheckContext, *, fields: list[str]) -> pd.DataFrame:
    limit = pd.Timestamp(ctx.batch.as_of)
    parts = []
    for name in fields:
        if ctx.present(name):
            rows = ctx.frame.loc[(ctx.frame[name] > limit).fillna(False).to_numpy(), [f"{name}__raw"]]
            parts.append(findings_frame(rows.index, field=name, value=rows[f"{name}__raw"]))
    return _combine(parts)


def _within_years(frame: pd.DataFrame, start: str, end: str, years: float) -> pd.Series:
    """True where ``end`` is no later than ``start`` plus ``years`` calendar years (missing when unknown)."""
    whole = int(years)
    limit = frame[start] + pd.DateOffset(years=whole, months=round((years - whole) * 12))
    return (frame[end] <= limit).where(frame[start].notna() & frame[end].notna())


def _age_findings(frame: pd.DataFrame, hit: pd.Series, metric: str, field: str) -> pd.DataFrame:
    rows = frame.loc[hit.fillna(False).astype(bool).to_numpy(), [metric, f"{field}__raw"]]
    days = rows[metric]
    return findings_frame(rows.index, field=field, value=rows[f"{field}__raw"], days=days,
                          years=(days.astype("float64") / 365.25).round(1))


@check("age_over", context=("days", "years"))
def age_over(ctx: CheckContext, *, metric: str, start: str, end: str, max_years: float) -> pd.DataFrame:
    """More than ``max_years`` calendar years between ``start`` and ``end`` (e.g. purchase → request)."""
    return _age_findings(ctx.frame, ~_within_years(ctx.frame, start, end, max_years).astype("boolean"), metric, start)


@check("age_within", context=("days", "years"))
def age_within(ctx: CheckContext, *, metric: str, start: str, end: str, max_years: float) -> pd.DataFrame:
    """``end`` on or after ``start`` and within ``max_years`` calendar years (e.g. short time-to-crime)."""
    frame = ctx.frame
    hit = _within_years(frame, start, end, max_years).astype("boolean") & (frame[metric] >= 0)
    return _age_findings(frame, hit, metric, start)


@check("days_over", context=("days", "years"))
def days_over(ctx: CheckContext, *, metric: str, max_days: int) -> pd.DataFrame:
    """A day-count metric above ``max_days`` (e.g. submission lag); reported on the later date."""
    later = METRIC_SPANS[metric][0]
    return _age_findings(ctx.frame, ctx.frame[metric] > max_days, metric, later)
