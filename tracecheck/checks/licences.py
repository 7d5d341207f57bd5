"""TC13x check kind: dealer licence (FFL) numbers, and the dealer's state against the licence.

The parsing is ``tracecheck.ffl``; the region/district -> state table and the state names are the
pack's (rules/ffl_districts.yml, compiled in ``tracecheck.reference``). Each distinct cell is read
once, and each aspect is judged once per distinct value (the state, once per distinct pair of
licence district and state). Blank cells, placeholders (N/A, SIN LICENCIA, the pack's missing words)
and all-zero numbers give no finding: the licence column is optional, a request is complete without it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import FieldName
from tracecheck.ffl import MONTHS, REGIONS, RESERVED_TYPES, TYPES, parse_many
from tracecheck.text import fold

Aspect = Literal["shape", "region_district", "type", "expiry", "state"]
_CONTEXT = {"likely": str, "characters": str, "segment": str, "length": int, "expected": int, "region": str,
            "district": str, "home_region": str, "licence_type": str, "expiry": str, "month": str,
            "dealer_state": str, "state_code": str, "district_states": str}
_DEALER_TYPES = sorted(set(TYPES) - {"03"})


def licences(ctx: CheckContext, column: str) -> tuple[np.ndarray, pd.DataFrame]:
    """The batch's licences, read once per distinct cell: (code per row, -1 for a missing cell;
    ``tracecheck.ffl.parse_many`` of the distinct cells, ``form`` None for blanks and placeholders)."""
    missing = ctx.reference.missing_words

    def compute() -> tuple[np.ndarray, pd.DataFrame]:
        codes, uniques = pd.factorize(ctx.frame[column])
        parts = parse_many(pd.Series(uniques, dtype=object), skip=lambda text: _placeholder(fold(text), missing))
        return codes, parts

    return ctx.cached(f"ffl:{column}", compute)


def _placeholder(key: str, missing: frozenset[str]) -> bool:
    """A folded cell that stands for "no licence": blank, a pack placeholder word, or zeros only."""
    return key.replace(" ", "").strip("0") == "" or key in missing


def _home_regions(districts: dict[str, frozenset[str]]) -> dict[str, str]:
    """District digits -> the region(s) the table lists it under ("1", or "1, 8")."""
    homes: dict[str, list[str]] = {}
    for key in sorted(districts):
        region, district = key.split("-")
        homes.setdefault(district, []).append(region)
    return {d: ", ".join(r) for d, r in homes.items()}


@check("ffl_number", context=_CONTEXT,
       reasons=("invalid_characters", "letter_in_digits", "wrong_length", "wrong_shape", "short_sequence",
                "float_suffix", "no_region", "other_region", "unknown_district", "reserved", "unknown_type",
                "collector", "bad_month", "month_not_letter", "state_mismatch"))
def ffl_number(ctx: CheckContext, *, column: FieldName, aspect: Aspect,
               state: FieldName = "dealer_state") -> pd.DataFrame:
    """One aspect of a dealer licence number (domain notes §6), full or abbreviated form:

    * ``shape``: not readable as a licence (``invalid_characters``, ``letter_in_digits``,
      ``wrong_length``, ``wrong_shape``), or a 4-digit sequence (``short_sequence``, with the
      ``likely`` value: a lost leading zero), or a number column's ``.0`` (``float_suffix``, with the
      ``likely`` licence);
    * ``region_district``: a region ATF does not use (``no_region``), a district listed under
      another region (``other_region``, ``home_region``), or one the table lists nowhere
      (``unknown_district``);
    * ``type`` (full form): reserved 04/05 (``reserved``), 00 or above 11 (``unknown_type``),
      a collector's 03 (``collector``);
    * ``expiry`` (full form): a month letter outside A-M or I (``bad_month``), a digit in its
      place (``month_not_letter``);
    * ``state``: the ``state`` cell names a state the licence's district does not cover
      (``state_mismatch``); only when the state is recognised and the district is in the table.
    """
    if not ctx.present(column) or (aspect == "state" and not ctx.present(state)):
        return findings_frame([])
    codes, parts = licences(ctx, column)
    if aspect == "state":
        rows, found = _state(ctx, codes, parts, state)
    else:
        judged = _judge(parts, aspect, ctx.reference.ffl_districts)
        flagged = np.zeros(len(parts) + 1, dtype=bool)  # the last slot stands for a missing cell (code -1)
        flagged[judged.index.to_numpy()] = True
        rows = np.flatnonzero(flagged[codes])
        found = judged.loc[codes[rows]].reset_index(drop=True)
    found = found.reindex(columns=["reason", *_CONTEXT])
    for name in ("length", "expected"):
        found[name] = found[name].astype("Int64")
    return findings_frame(ctx.frame.index[rows], field=column, value=ctx.frame[column].iloc[rows],
                          **{name: found[name] for name in found.columns})


def _judge(parts: pd.DataFrame, aspect: str, districts: dict[str, frozenset[str]]) -> pd.DataFrame:
    """The distinct values ``aspect`` flags: index = row of ``parts``, column ``reason`` and context."""
    read = parts["form"].notna()
    if aspect == "shape":
        hit = parts["problem"].notna()
        return parts.loc[hit, ["likely", "characters", "segment", "length", "expected"]].assign(
            reason=parts.loc[hit, "problem"])
    where = parts[["region", "district"]]
    if aspect == "region_district":
        homes = _home_regions(districts)
        key = parts["region"].fillna("") + "-" + parts["district"].fillna("")
        no_region = read & ~parts["region"].isin(list(REGIONS))
        elsewhere = read & ~no_region & ~key.isin(list(districts))
        reason = np.where(no_region, "no_region", np.where(parts["district"].isin(list(homes)), "other_region",
                                                           "unknown_district"))
        hit = no_region | elsewhere
        return where[hit].assign(reason=reason[hit.to_numpy()], home_region=parts.loc[hit, "district"].map(homes))
    full = parts["form"].eq("full")
    if aspect == "type":
        kind = parts["type"]
        hit = full & ~kind.isin(_DEALER_TYPES)
        reason = np.where(kind.eq("03"), "collector", np.where(kind.isin(list(RESERVED_TYPES)), "reserved",
                                                                "unknown_type"))
        return pd.DataFrame({"reason": reason[hit.to_numpy()], "licence_type": kind[hit]}, index=kind.index[hit])
    month = parts["expiry"].str[1:]
    hit = full & ~month.isin(list(MONTHS))
    reason = np.where(month.str.isdigit().fillna(False).astype(bool), "month_not_letter", "bad_month")
    return pd.DataFrame({"reason": reason[hit.to_numpy()], "expiry": parts.loc[hit, "expiry"], "month": month[hit]},
                        index=parts.index[hit])


def _state(ctx: CheckContext, codes: np.ndarray, parts: pd.DataFrame, state: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Rows whose recognised dealer state is outside their licence district's states, judged once per
    distinct (district, state) pair; with reason and context."""
    districts = ctx.reference.ffl_districts
    key = (parts["region"].fillna("") + "-" + parts["district"].fillna("")).where(parts["form"].notna())
    key_codes, keys = pd.factorize(key)
    state_codes, state_values = pd.factorize(ctx.frame[state])
    named = [ctx.reference.state_codes.get(fold(v)) for v in state_values]
    row_key = np.where(codes >= 0, np.append(key_codes, -1)[codes], -1)
    pair = np.where((row_key >= 0) & (state_codes >= 0), row_key * (len(named) + 1) + state_codes, -1)
    distinct, first = np.unique(pair, return_index=True)
    bad: dict[int, dict[str, object]] = {}
    for p, f in zip(distinct.tolist(), first.tolist(), strict=True):
        if p < 0:
            continue
        lic_key, code = keys[row_key[f]], named[state_codes[f]]
        covered = districts.get(lic_key)
        if code is not None and covered is not None and code not in covered:
            region, district = lic_key.split("-")
            bad[p] = {"reason": "state_mismatch", "region": region, "district": district, "state_code": code,
                      "district_states": ", ".join(sorted(covered))}
    rows = np.flatnonzero(np.isin(pair, list(bad)))
    columns = ["reason", "region", "district", "state_code", "district_states"]
    found = pd.DataFrame.from_dict(bad, orient="index", columns=columns).loc[pair[rows]].reset_index(drop=True)
    found["dealer_state"] = ctx.frame[state].iloc[rows].to_numpy(dtype=object)
    return rows, found
