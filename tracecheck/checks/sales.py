"""TC4xx check kind: multiple sales to one purchaser (an investigative lead, tracecheck.sales)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from annotated_types import Ge, Le

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.duplicates import duplicates
from tracecheck.sales import TOKEN_HEX, business_days, caliber_over_22, person_keys, state_code, windows, words_re
from tracecheck.text import fold, map_distinct

Window = Annotated[int, Ge(1), Le(60)]  # business days
_SAME_GUN = ("duplicate-request", "re-recovery")  # duplicate kinds that are one firearm (tracecheck.matching)


def _redacted(ctx: CheckContext) -> bool:
    return "purchaser" in ctx.batch.match_keys


def _purchasers(ctx: CheckContext) -> pd.Series:
    """Per row, the purchaser's match key (tracecheck.sales.person_keys) or missing: made with the
    --redact-key by ``tracecheck.redact`` when the batch was redacted (the names are gone by now),
    else here with a random key of this run, so no match key can be linked outside it."""
    if _redacted(ctx):
        return ctx.batch.match_keys["purchaser"]
    secret = ctx.cached("sales_secret", lambda: secrets.token_bytes(32))  # one per run, whatever reads it
    return ctx.cached("sales_purchasers", lambda: person_keys(ctx.frame["purchaser"], secret))


def _purchaser_key(ctx: CheckContext, **_: object) -> pd.Series:
    """The group of a row for multiple sales: its purchaser's match key (missing without a purchaser)."""
    if not ctx.present("purchaser"):
        return pd.Series(None, index=ctx.frame.index, dtype="str")
    return _purchasers(ctx)


def _gun_units(ctx: CheckContext) -> np.ndarray:
    """Per row, a firearm id: the first row of its duplicate-request or re-recovery group (the same
    gun in several rows counts once), else the row itself."""
    rows = ctx.frame.index.to_numpy(dtype=np.int64)
    if not ctx.present("serial_number"):
        return rows
    return gun_units(rows, duplicates(ctx).members)


def gun_units(rows: np.ndarray, members: pd.DataFrame) -> np.ndarray:
    """Per row of ``rows`` (sheet rows), the first row of its duplicate-request or re-recovery group
    among ``members`` (tracecheck.matching.tables: group, kind, row), else the row itself."""
    same = members[members["kind"].isin(_SAME_GUN)]
    if not len(same):
        return rows
    first = same.groupby("group")["row"].transform("min")
    here = same["row"].isin(rows).to_numpy()  # a part of a batch holds only some members of a group
    unit = pd.Series(rows, index=rows)
    unit.loc[same["row"].to_numpy(dtype=np.int64)[here]] = first.to_numpy(dtype=np.int64)[here]
    return unit.to_numpy(dtype=np.int64)


def _has(values: pd.Series, words: list[str]) -> np.ndarray:
    """Per row, whether the folded value holds one of ``words`` (whole words); computed per distinct value."""
    if not words:
        return np.zeros(len(values), dtype=bool)
    pattern = words_re(words)
    return map_distinct(values, lambda v: bool(pattern.search(fold(v))), missing=False).astype(bool)


@check("multiple_sale", context={"related_rows": list[int], "guns": int, "span": int, "first_sale": str,
                                 "last_sale": str, "counted_as": str, "purchaser_token": str},
       reasons=("within", "one_day", "one_business_day", "connected"), scope="group", key=_purchaser_key,
       after_duplicates=True)
def multiple_sale(ctx: CheckContext, *, types: list[str], semi_auto_words: list[str] | None = None,
                  semi_auto_models: list[str] | None = None, fixed_magazine_models: list[str] | None = None,
                  rimfire_calibers: list[str] | None = None,
                  states: list[str] | None = None, since: dt.date | None = None,
                  window_business_days: Window = 5, weekmask: Literal["1111100", "1111110", "1111111"] = "1111100"
                  ) -> pd.DataFrame:
    """Two or more different firearms whose type holds one of ``types`` (whole words, folded), sold to
    one purchaser within ``window_business_days`` consecutive business days (open days: ``weekmask``).

    With ``semi_auto_words``, a firearm counts only when its type or model holds one of them or its
    model one of ``semi_auto_models`` (AR-15, AK, WASR ...), and its model none of
    ``fixed_magazine_models`` (SKS: no detachable magazine); with ``rimfire_calibers`` (caliber
    classes, e.g. 22lr) only a caliber greater than .22 counts; with ``states`` only sales by a dealer
    in one of them (``dealer_state``: a code or name); with ``since`` only sales on or after it.
    Purchasers match on their keyed name hash (``tracecheck.sales.person_keys``); placeholder names
    (``tracecheck.sales.PLACEHOLDER_NAMES``: UNKNOWN, N/A, DESCONOCIDO ...) never match.

    One finding per firearm of a multiple sale, on the purchaser column of the firearm's first row,
    with the other firearms' rows (``related_rows``), ``guns``, ``span`` (business days, both ends
    counted), ``first_sale``/``last_sale`` (ISO dates) and, only when the batch was redacted,
    ``purchaser_token``: the redaction token of the name written in sorted word order (one token for
    "PEREZ, JUAN" and "Juan Pérez"). Reason ``within`` when the run spans at most the window,
    ``one_day`` when its sales were all on one date, ``one_business_day`` when they were on several
    dates that count as one business day (a Saturday and a Sunday: ``counted_as``, the open day they
    count as), ``connected`` for a chain of linked sales. The name itself is never in a finding: the field's
    value is left blank."""
    needed = ["purchaser", "purchase_date", "firearm_type"] + (["dealer_state"] if states else [])
    if not all(ctx.present(f) for f in needed):
        return findings_frame([])
    frame = ctx.frame
    person = _purchasers(ctx)
    date = frame["purchase_date"]
    ok = person.notna().to_numpy() & date.notna().to_numpy() & _has(frame["firearm_type"], types)
    if semi_auto_words is not None:
        model = frame["model"] if ctx.present("model") else pd.Series(None, index=frame.index, dtype=object)
        ok &= (_has(frame["firearm_type"], semi_auto_words) | _has(model, semi_auto_words)
               | _has(model, semi_auto_models or [])) & ~_has(model, fixed_magazine_models or [])
    if rimfire_calibers is not None:
        if not ctx.present("caliber"):
            return findings_frame([])
        ok &= caliber_over_22(frame["caliber"], ctx.reference.calibers, frozenset(rimfire_calibers))
    if states:
        codes = {state_code(s) or s for s in states}
        ok &= map_distinct(frame["dealer_state"], lambda v: state_code(v) in codes, missing=False).astype(bool)
    if since is not None:
        ok &= (date >= pd.Timestamp(since)).fillna(False).to_numpy(dtype=bool)
    pos = np.flatnonzero(ok)
    if len(pos) < 2:
        return findings_frame([])
    day = business_days(date.iloc[pos], weekmask)
    buyer = pd.factorize(person.to_numpy()[pos])[0]
    found = windows(buyer, pos, day, window_business_days)  # each row a gun: an upper bound, no matching yet
    if not len(found):
        return findings_frame([])
    found = windows(buyer, _gun_units(ctx)[pos], day, window_business_days)
    return _findings(ctx, found, pos, window_business_days, weekmask)


def _findings(ctx: CheckContext, found: pd.DataFrame, pos: np.ndarray, window: int, weekmask: str) -> pd.DataFrame:
    if not len(found):
        return findings_frame([])
    found = found.sort_values(["run", "pos"], kind="stable")
    at = pos[found["pos"].to_numpy()]
    rows = ctx.frame.index.to_numpy(dtype=np.int64)[at]
    run = found["run"].to_numpy()
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    related: list[list[int]] = []
    for members in np.split(rows, starts[1:]):
        listed = members.tolist()
        related.extend([r for r in listed if r != row] for row in listed)
    iso = ctx.frame["purchase_date"].to_numpy()[at].astype("datetime64[D]")
    sale = pd.Series(iso, dtype="datetime64[s]")
    first = sale.groupby(run).transform("min").dt.strftime("%Y-%m-%d")
    last = sale.groupby(run).transform("max").dt.strftime("%Y-%m-%d")
    span = found["span"].to_numpy(dtype=np.int64)
    one_date = (first == last).to_numpy()
    reason = np.where(span > window, "connected", np.where(span > 1, "within", np.where(one_date, "one_day",
                                                                                         "one_business_day")))
    opened = np.busday_offset(first.to_numpy().astype("datetime64[D]"), 0, roll="forward", weekmask=weekmask)
    counted = np.where(reason == "one_business_day", opened.astype(str).astype(object), None)
    token = np.full(len(at), None, dtype=object)
    if _redacted(ctx):  # one token for the matched names: the redaction token of the name in sorted word order
        token = np.array([f"person-{k[:TOKEN_HEX]}" for k in _purchasers(ctx).to_numpy()[at]], dtype=object)
    return findings_frame(rows, field="purchaser", value=np.full(len(at), None, dtype=object),
                          reason=reason, related_rows=related, counted_as=counted,
                          guns=found["guns"].to_numpy(dtype=np.int64), span=span, first_sale=first.to_numpy(),
                          last_sale=last.to_numpy(), purchaser_token=token)
