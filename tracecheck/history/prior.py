"""Prior duplicates: each request of a batch against the earlier requests the store returned.

Pure (no I/O). The batch and the earlier requests are coded side by side as one set of Keys; the
pairs come from the same blocking as in-batch duplicates, joined only across the two sets
(``tracecheck.matching.blocking.cross_pairs``), and are scored and explained the same way, so a
prior duplicate carries the same evidence and confidence as an in-batch one.

Kinds, by the in-batch rules (``tracecheck.matching``): ``flag``/``review`` (duplicate request:
both serials usable, score at or above the flag/review threshold, recovered on the same occasion),
``re-recovery`` (a serial that matches exactly or after folding, score at or above flag, recovered
on another occasion) and ``possible`` (one serial unusable; maker, model, caliber and recovery
occasion agree; a different agency; exactly one earlier request so). One earlier agency filing the
same recovery again is a prior duplicate: the in-batch guard against one agency filing twice does
not apply across batches, where a resend is exactly what is looked for.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tracecheck.catalogue import Catalogue
from tracecheck.matching.blocking import cross_pairs
from tracecheck.matching.compare import score_pairs
from tracecheck.matching.explain import evidence_columns
from tracecheck.matching.keys import KEY_COLUMNS, keys_from_columns

REASONS = ("flag", "review", "re-recovery", "possible")  # best first
SHOWN = {"serial": "shown_serial", "maker": "shown_maker", "model": "shown_model", "caliber": "shown_caliber"}
# One row per batch request with an earlier match (the columns the prior-duplicate findings carry)
MATCH_COLUMNS = ["row", "reason", "score", "earlier_batch", "earlier_source", "earlier_row", "earlier_request_id",
                 "earlier_agency", "earlier_recovery_date", "earlier_recorded", "evidence", "other_matches"]


def prior_matches(new: pd.DataFrame, old: pd.DataFrame, config: dict, words: Catalogue) -> pd.DataFrame:
    """``new``: the batch's requests (``tracecheck.history.requests.request_frame``, index: sheet row);
    ``old``: the earlier requests the store returned (the same key columns, the SHOWN columns, and
    ``digest``, ``source``, ``row_label``, ``request_id``, ``agency_name``, ``recorded_at``), earliest
    batch first. Returns MATCH_COLUMNS, one row per batch request that matches an earlier one: its
    best match (strongest kind, then score, then the earliest), the evidence in the language of
    ``words`` (ending with how many other earlier requests it matched, when it matched several) and
    that number."""
    if new.empty or old.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    split = len(new)
    columns = pd.concat([new[list(KEY_COLUMNS)], old[list(KEY_COLUMNS)]], ignore_index=True)
    keys = keys_from_columns(columns)
    i, j = cross_pairs(keys, split, max_block=int(config["max_block_size"]),
                       max_event_block=int(config["max_event_block_size"]))
    pairs = score_pairs(keys, i, j, config)
    pairs["reason"] = _reasons(pairs, keys.agency, keys.usable, float(config["flag_threshold"]),
                               float(config["review_threshold"]))
    pairs = pairs[pairs["reason"].notna()]
    possible = pairs["reason"].eq("possible")
    ambiguous = possible & (pairs.groupby("i")["j"].transform("nunique") > 1)  # a raid: no single partner
    pairs = pairs[~ambiguous]
    if pairs.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    rank = pairs["reason"].map({r: k for k, r in enumerate(REASONS)}).to_numpy()
    order = np.lexsort((pairs["j"].to_numpy(), -pairs["score"].to_numpy(), rank, pairs["i"].to_numpy()))
    ranked = pairs.iloc[order]
    best = ranked[~ranked["i"].duplicated()]
    others = ranked.groupby("i")["j"].nunique().reindex(best["i"]).to_numpy() - 1
    raw = {f: pd.concat([new[c], old[c]], ignore_index=True) for f, c in SHOWN.items()}
    evidence = evidence_columns(best, keys, raw, config["weights"], words)["explanation"].to_numpy(dtype=object)
    also = np.array([words.text("evidence", "also_earlier", n=int(n)) if n else "" for n in others], dtype=object)
    evidence = np.where(others > 0, evidence + words.text("evidence", "separator") + also, evidence)
    earlier = old.iloc[best["j"].to_numpy() - split]
    recovery = earlier["recovery"].to_numpy(dtype="float64")
    return pd.DataFrame({
        "row": new.index.to_numpy()[best["i"].to_numpy()],
        "reason": best["reason"].to_numpy(dtype=object), "score": best["score"].to_numpy(dtype=float),
        "earlier_batch": earlier["digest"].str[:12].to_numpy(), "earlier_source": earlier["source"].to_numpy(),
        "earlier_row": earlier["row_label"].to_numpy(), "earlier_request_id": earlier["request_id"].to_numpy(),
        "earlier_agency": earlier["agency_name"].to_numpy(),
        "earlier_recovery_date": [_day(d) for d in recovery],
        "earlier_recorded": [_date(t) for t in earlier["recorded_at"]],
        "evidence": evidence, "other_matches": others.astype(np.int64)})


def _reasons(pairs: pd.DataFrame, agency: np.ndarray, usable_serial: np.ndarray, flag: float, review: float
             ) -> np.ndarray:
    """Each pair's prior-duplicate reason (REASONS), None when it is none of them. ``possible`` is
    said of a batch row without a usable serial (as in a batch: the weak row is the one flagged); a
    row with a serial is never called a possible copy of an earlier row that had none."""
    score, usable = pairs["score"].to_numpy(), pairs["both_usable"].to_numpy(dtype=bool)
    recovery, serial = pairs["recovery"].astype(str).to_numpy(), pairs["serial"].astype(str).to_numpy()
    apart = recovery == "apart"
    duplicate = usable & (score >= review) & ~apart
    again = usable & (score >= flag) & apart & np.isin(serial, ("exact", "folded"))
    ai, aj = agency[pairs["i"].to_numpy()], agency[pairs["j"].to_numpy()]
    agree = np.ones(len(pairs), dtype=bool)
    for field in ("maker", "model", "caliber"):
        agree &= pairs[field].astype(str).to_numpy() == "same"
    weak = (~usable_serial[pairs["i"].to_numpy()] & agree & np.isin(recovery, ("same_day", "within_window"))
            & ~((ai == aj) & (ai >= 0)))
    reason = np.full(len(pairs), None, dtype=object)  # None: no reason; the weakest first, the strongest last
    for mask, name in zip((weak, again, duplicate, duplicate & (score >= flag)), reversed(REASONS)):
        reason[mask] = name
    return reason


def _day(days: float) -> str | None:
    return None if np.isnan(days) else (dt.date(1970, 1, 1) + dt.timedelta(days=int(days))).isoformat()


def _date(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.date().isoformat()
