"""TC3xx check kinds: unreadable, ambiguous, future and out-of-order dates, and age thresholds."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import DateField, Days, Metric, Years
from tracecheck.metrics import FALLBACK, METRIC_SPANS, effective
from tracecheck.text import map_distinct

DateStatus = Literal["unparseable", "ambiguous", "placeholder", "order_conflict"]  # parse statuses worth a finding


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else findings_frame([])


def _iso(dates: pd.Series) -> np.ndarray:
    return dates.dt.strftime("%Y-%m-%d").to_numpy()


_DIGITS = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*$")
_COMPACT_MIN = 19000101  # 8-digit YYYYMMDD numbers are dates in their own right, not serials


def _source(ctx: CheckContext, name: str) -> pd.Series:
    """A field's cells as read (numbers, dates, times of day or text), aligned to the frame."""
    return ctx.batch.raw.frame[ctx.batch.mapping.header_for(name)].reindex(ctx.frame.index)


def _is_number(value: object) -> bool:
    """A numeric cell, or text that is only digits (with one decimal point or comma)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        return value == value
    return isinstance(value, str) and bool(_DIGITS.match(value))


def _numeric_cells(source: pd.Series) -> np.ndarray:
    """Mask of cells that are numbers (vectorised for typed and text columns)."""
    if pd.api.types.is_bool_dtype(source.dtype) or pd.api.types.is_datetime64_any_dtype(source.dtype):
        return np.zeros(len(source), dtype=bool)
    if pd.api.types.is_numeric_dtype(source.dtype):
        return source.notna().to_numpy()
    if source.dtype != object:
        # Arrow-vectorised pre-test (digits once "." and "," are removed); the regex confirms the few hits
        digits = source.str.replace(".", "", regex=False).str.replace(",", "", regex=False).str.isdigit()
        hit = digits.fillna(False).to_numpy(dtype=bool, copy=True)
        hit[hit] = source[hit].str.match(_DIGITS).fillna(False).to_numpy(dtype=bool)
        return hit
    return map_distinct(source, _is_number, missing=False).astype(bool)


def _unparseable_reason(value: object) -> str:
    if isinstance(value, dt.time):  # calamine's reading of a date-formatted cell before 1900
        return "time_only"
    return "number" if _is_number(value) else "text"


@check("date_status", context={"parsed": str}, reasons=("time_only", "number", "text", "placeholder"))
def date_status(ctx: CheckContext, *, status: DateStatus, fields: list[DateField]) -> pd.DataFrame:
    """Date cells whose parse status is ``status`` (unparseable, ambiguous or placeholder). An
    unparseable cell has a reason: ``time_only`` (a time of day, no date), ``number`` or ``text``; an
    unknown date written as a placeholder (9999-12-31, N/D, sin fecha) has reason ``placeholder``."""
    parts = []
    for name in fields:
        if not ctx.present(name):
            continue
        hit = ctx.frame[f"{name}__status"].eq(status).to_numpy()
        rows = ctx.frame.loc[hit, [name, f"{name}__raw"]]
        reason = (_source(ctx, name)[hit].map(_unparseable_reason) if status == "unparseable"
                  else "placeholder" if status == "placeholder" else None)
        parts.append(findings_frame(rows.index, field=name, value=rows[f"{name}__raw"], parsed=_iso(rows[name]),
                                    reason=reason))
    return _combine(parts)


@check("date_order_assumed", context={"used": str, "explanation": str}, reasons=("sheet_convention", "agency"),
       scope="batch")
def date_order_assumed(ctx: CheckContext, *, fields: list[DateField]) -> pd.DataFrame:
    """One batch-level finding per date column whose day/month order no value settled and that was read
    by the sheet's convention (reason ``sheet_convention``: Spanish headers, a ``;`` delimiter), and per
    column some of whose agencies were read in their own, opposite order (reason ``agency``)."""
    said: list[tuple[str, str | None, str, str]] = []  # (field, order used, explanation, reason)
    for name in fields:
        basis = ctx.batch.date_order_basis.get(name)
        if basis is None:
            continue
        if basis.basis == "sheet_convention" and basis.order:
            signals = ", ".join(ctx.words.text("date_signal", s) for s in basis.signals)
            said.append((name, ctx.words.text("date_order", basis.order), signals, "sheet_convention"))
        if basis.agencies:
            named = ", ".join(f"{agency} ({ctx.words.text('date_order', own)})" for agency, own in basis.agencies)
            said.append((name, None, named, "agency"))
    field, used, why, reason = (list(c) for c in zip(*said)) if said else ([], [], [], [])
    rows = [None] * len(field)
    return findings_frame(rows, field=field, used=used, explanation=why, reason=reason)


@check("date_numeric", context={"parsed": str, "date_system": int})
def date_numeric(ctx: CheckContext, *, fields: list[DateField]) -> pd.DataFrame:
    """Dates read from a plain number (an Excel serial such as 45000); YYYYMMDD numbers are not reported."""
    parts = []
    for name in fields:
        if not ctx.present(name):
            continue
        source = _source(ctx, name)
        hit = _numeric_cells(source) & ctx.frame[f"{name}__status"].eq("ok").to_numpy()
        if hit.any():
            number = pd.to_numeric(source[hit].astype("str").str.replace(",", ".", regex=False), errors="coerce")
            hit[hit] = (number < _COMPACT_MIN).to_numpy()
        rows = ctx.frame.loc[hit, [name, f"{name}__raw"]]
        parts.append(findings_frame(rows.index, field=name, value=rows[f"{name}__raw"], parsed=_iso(rows[name]),
                                    date_system=ctx.batch.raw.date_system))
    return _combine(parts)


@check("date_order", context={"date": str, "other_date": str},
       reasons=("purchase_date_after_recovery_date", "recovery_date_after_request_date",
                "purchase_date_after_request_date"))
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
        parts.append(findings_frame(rows.index, field=first, value=rows[f"{first}__raw"], date=_iso(rows[first]),
                                    other_date=_iso(rows[second]), reason=f"{first}_after_{second}"))
    return _combine(parts)


@check("date_future")
def date_future(ctx: CheckContext, *, fields: list[DateField]) -> pd.DataFrame:
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
    last = effective(frame, end)  # a blank recovery date: the request date, as the tracing center measures
    return (last <= limit).where(frame[start].notna() & last.notna())


def _age_findings(frame: pd.DataFrame, hit: pd.Series, metric: str, field: str) -> pd.DataFrame:
    hit = hit.fillna(False).astype(bool) & frame[metric].notna()  # no figure, no age finding
    rows = frame.loc[hit.to_numpy(), [metric, f"{field}__raw"]]
    days = rows[metric]
    return findings_frame(rows.index, field=field, value=rows[f"{field}__raw"], days=days,
                          years=(days.astype("float64") / 365.25).round(1))


@check("age_over", context={"days": int, "years": float})
def age_over(ctx: CheckContext, *, metric: Metric, start: DateField, end: DateField,
             max_years: Years) -> pd.DataFrame:
    """More than ``max_years`` calendar years between ``start`` and ``end`` (e.g. purchase → request)."""
    return _age_findings(ctx.frame, ~_within_years(ctx.frame, start, end, max_years).astype("boolean"), metric, start)


@check("age_within", context={"days": int, "years": float})
def age_within(ctx: CheckContext, *, metric: Metric, start: DateField, end: DateField,
               max_years: Years) -> pd.DataFrame:
    """``end`` on or after ``start`` and within ``max_years`` calendar years (e.g. short time-to-crime)."""
    frame = ctx.frame
    hit = _within_years(frame, start, end, max_years).astype("boolean") & (frame[metric] >= 0)
    return _age_findings(frame, hit, metric, start)


@check("days_over", context={"days": int, "years": float})
def days_over(ctx: CheckContext, *, metric: Metric, max_days: Days) -> pd.DataFrame:
    """A day-count metric above ``max_days`` (e.g. submission lag); reported on the later date."""
    later = METRIC_SPANS[metric][0]
    return _age_findings(ctx.frame, ctx.frame[metric] > max_days, metric, later)


@check("date_fallback", context={"substitute": str, "used": str}, reasons=("blank", "placeholder"))
def date_fallback(ctx: CheckContext, *, field: Literal["recovery_date"] = "recovery_date") -> pd.DataFrame:
    """Rows whose ``field`` is blank (reason ``blank``) or a placeholder (``placeholder``) while its
    substitute is known: the tracing center measures time-to-crime to the substitute (the request
    date), and so do tracecheck's metrics (tracecheck.metrics.FALLBACK); ``used`` is that date."""
    flag = ctx.frame[f"{field}__fallback"].to_numpy(dtype=bool)
    rows = ctx.frame.loc[flag, [f"{field}__status", f"{field}__raw", FALLBACK[field]]]
    return findings_frame(rows.index, field=field, value=rows[f"{field}__raw"],
                          reason=rows[f"{field}__status"].astype("str"), substitute=FALLBACK[field],
                          used=_iso(rows[FALLBACK[field]]))
