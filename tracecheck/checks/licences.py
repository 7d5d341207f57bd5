"""TC13x check kind: dealer licence (FFL) numbers, and the dealer's state against the licence.

The parsing is ``tracecheck.ffl``; the region/district -> state table and the state names are the
pack's (rules/ffl_districts.yml, compiled in ``tracecheck.reference``). Each distinct cell is read
once. Blank cells and placeholders (N/A, UNKNOWN, ...) give no finding: the licence column is
optional, a request is complete without it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import FieldName
from tracecheck.ffl import REGIONS, RESERVED_TYPES, TYPES, Licence, parse
from tracecheck.text import fold

Aspect = Literal["shape", "region_district", "type", "expiry", "state"]
_CONTEXT = {"likely": str, "characters": str, "segment": str, "length": int, "expected": int, "region": str,
            "district": str, "home_region": str, "licence_type": str, "expiry": str, "month": str,
            "dealer_state": str, "state_code": str, "district_states": str}


def licences(ctx: CheckContext, column: str) -> tuple[np.ndarray, list[Licence | None]]:
    """The batch's licences, read once per distinct cell: (code per row, -1 for a missing cell; the
    ``Licence`` of each code, None for a blank cell or a placeholder)."""
    missing = ctx.reference.missing_words

    def read(value: object) -> Licence | None:
        key = fold(value)
        return None if key == "" or key in missing else parse(value)

    def compute() -> tuple[np.ndarray, list[Licence | None]]:
        codes, uniques = pd.factorize(ctx.frame[column])
        return codes, [read(v) for v in uniques]

    return ctx.cached(f"ffl:{column}", compute)


def _home_regions(districts: dict[str, frozenset[str]]) -> dict[str, str]:
    """District digits -> the region(s) the table lists it under ("1", or "1, 8")."""
    homes: dict[str, list[str]] = {}
    for key in sorted(districts):
        region, district = key.split("-")
        homes.setdefault(district, []).append(region)
    return {d: ", ".join(r) for d, r in homes.items()}


@check("ffl_number", context=_CONTEXT,
       reasons=("invalid_characters", "letter_in_digits", "wrong_length", "wrong_shape", "short_sequence",
                "no_region", "other_region", "unknown_district", "reserved", "unknown_type", "collector",
                "bad_month", "month_not_letter", "state_mismatch"))
def ffl_number(ctx: CheckContext, *, column: FieldName, aspect: Aspect,
               state: FieldName = "dealer_state") -> pd.DataFrame:
    """One aspect of a dealer licence number (domain notes §6), full or abbreviated form:

    * ``shape``: not readable as a licence (``invalid_characters``, ``letter_in_digits``,
      ``wrong_length``, ``wrong_shape``), or a 4-digit sequence (``short_sequence``, with the
      ``likely`` value: a lost leading zero);
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
    codes, parsed = licences(ctx, column)
    districts = ctx.reference.ffl_districts
    homes = _home_regions(districts)
    if aspect == "state":  # judged once per distinct (licence, state) pair
        state_codes, state_values = pd.factorize(ctx.frame[state])
        named = [ctx.reference.state_codes.get(fold(v)) for v in state_values]
        pair = np.where((codes >= 0) & (state_codes >= 0), codes * (len(named) + 1) + state_codes, -1)
        keys, firsts = np.unique(pair, return_index=True)
        judged = [None if k < 0 else _judge(parsed[codes[f]], aspect, districts, homes, named[state_codes[f]])
                  for k, f in zip(keys, firsts)]
        slot = np.searchsorted(keys, pair)
    else:
        judged = [_judge(lic, aspect, districts, homes, None) for lic in parsed]
        slot = codes
    flagged = np.array([j is not None for j in judged] + [False], dtype=bool)
    hit = np.flatnonzero(flagged[slot])  # slot -1 (a missing cell) reads the trailing False
    found = pd.DataFrame([judged[k] for k in slot[hit]], columns=["reason", *_CONTEXT])
    if aspect == "state":
        found["dealer_state"] = ctx.frame[state].iloc[hit].to_numpy(dtype=object)
    found["length"] = found["length"].astype("Int64")
    found["expected"] = found["expected"].astype("Int64")
    return findings_frame(ctx.frame.index[hit], field=column, value=ctx.frame[column].iloc[hit],
                          **{name: found[name] for name in found.columns})


def _judge(lic: Licence | None, aspect: str, districts: dict[str, frozenset[str]], homes: dict[str, str],
           state_code: str | None) -> dict[str, object] | None:
    """The finding (reason and context) ``aspect`` gives ``lic``, or None (also for no licence)."""
    if lic is None:
        return None
    if aspect == "shape":
        if lic.problem is None:
            return None
        return {"reason": lic.problem, "likely": lic.likely, "characters": lic.characters or None,
                "segment": lic.segment or None, "length": lic.length, "expected": lic.expected}
    if lic.form is None:
        return None  # unreadable: the shape rule says so
    where = {"region": lic.region, "district": lic.district}
    if aspect == "region_district":
        if lic.region not in REGIONS:
            return {"reason": "no_region", **where}
        if lic.key in districts:
            return None
        if lic.district in homes:
            return {"reason": "other_region", **where, "home_region": homes[lic.district]}
        return {"reason": "unknown_district", **where}
    if aspect == "type":
        if lic.form != "full" or (lic.type in TYPES and lic.type != "03"):
            return None
        reason = "collector" if lic.type == "03" else "reserved" if lic.type in RESERVED_TYPES else "unknown_type"
        return {"reason": reason, "licence_type": lic.type}
    if aspect == "expiry":
        if lic.form != "full" or lic.month_ok:
            return None
        month = lic.expiry[1:]
        return {"reason": "month_not_letter" if month.isdigit() else "bad_month", "expiry": lic.expiry,
                "month": month}
    covered = districts.get(lic.key)
    if state_code is None or covered is None or state_code in covered:
        return None
    return {"reason": "state_mismatch", **where, "state_code": state_code,
            "district_states": ", ".join(sorted(covered))}

