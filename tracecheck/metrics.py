"""Per-row age measures and the buckets the summary counts them in (pure, vectorised)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# metric -> (later date, earlier date)
METRIC_SPANS = {
    "request_age_days": ("request_date", "purchase_date"),
    "time_to_crime_days": ("recovery_date", "purchase_date"),
    "submission_lag_days": ("request_date", "recovery_date"),
}

# The order a firearm's dates come in: bought, recovered, then traced.
DATE_ORDER = ("purchase_date", "recovery_date", "request_date")

# When a request's recovery date is blank or a placeholder, the tracing center measures time-to-crime
# to the request date instead (domain.md, "Implications" §9: "fall back to the request or entry date,
# as ATF does, but flag it"). tracecheck does the same for rows whose recovery column exists, marks
# them in ``recovery_date__fallback`` and rule TC314 says so; the submission lag stays unknown.
FALLBACK = {"recovery_date": "request_date"}
FALLBACK_STATUSES = ("blank", "placeholder")

# Upper bounds in days (exclusive) and labels. Time-to-crime follows ATF's published buckets.
BUCKETS = {
    "request_age_days": [(365, "<1y"), (3 * 365, "1-<3y"), (5 * 365, "3-<5y"), (10 * 365, "5-<10y"),
                         (None, ">=10y")],
    "time_to_crime_days": [(91, "<3m"), (213, "3-<7m"), (365, "7-<12m"), (730, "1-<2y"), (1095, "2-<3y"),
                           (None, ">=3y")],
    "submission_lag_days": [(30, "<30d"), (90, "30-<90d"), (365, "90d-<1y"), (730, "1-<2y"), (None, ">=2y")],
}


def fallback_rows(status: pd.Series, substitute: pd.Series) -> pd.Series:
    """True where a date is missing (its ``status`` is blank or placeholder) and the ``substitute``
    date the tracing center uses instead is known: the rows measured on the substitute (bool)."""
    return (status.astype("str").isin(FALLBACK_STATUSES) & substitute.notna()).astype(bool)


def effective(frame: pd.DataFrame, field: str) -> pd.Series:
    """``field``'s dates with the fallback applied where ``{field}__fallback`` is set (datetime64)."""
    flag = f"{field}__fallback"
    if field not in FALLBACK or flag not in frame:
        return frame[field]
    return frame[field].mask(frame[flag], frame[FALLBACK[field]])


def compute(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Day differences for each metric as nullable Int64, in days.

    ``frame`` holds the parsed date columns of METRIC_SPANS (datetime64, NaT when unknown). A figure
    is only as honest as its dates, so a metric is missing (and the age rules stay quiet) when either
    of its two dates is unknown (blank, unparseable, a placeholder), after ``as_of`` (a date in the
    future is wrong), or when the two are out of order (a negative span: recovered before bought,
    requested before recovered). A metric whose own two dates are in order keeps its figure.
    Time-to-crime is measured to the request date on the rows marked ``recovery_date__fallback``
    (see FALLBACK); the submission lag is not.
    """
    dates = {f: frame[f].where(frame[f] <= pd.Timestamp(as_of)) for f in DATE_ORDER}
    out = {}
    for metric, (later, earlier) in METRIC_SPANS.items():
        end = dates[later]
        if metric == "time_to_crime_days" and f"{later}__fallback" in frame:
            end = end.mask(frame[f"{later}__fallback"], dates[FALLBACK[later]])
        delta = (end - dates[earlier]).dt.days.astype("Int64")
        out[metric] = delta.mask(delta < 0)
    return pd.DataFrame(out, index=frame.index)


def bucket_counts(values: pd.Series, metric: str) -> dict[str, int]:
    """Counts per bucket, in bucket order, and "unknown": rows without the figure (a date missing,
    unreadable, in the future or out of order; see :func:`compute`)."""
    days = values.astype("float64").to_numpy()
    counts: dict[str, int] = {}
    lower = 0.0
    for upper, label in BUCKETS[metric]:
        hi = np.inf if upper is None else upper
        counts[label] = int(np.count_nonzero((days >= lower) & (days < hi)))
        lower = hi
    counts["unknown"] = int(np.count_nonzero(np.isnan(days)))
    return counts
