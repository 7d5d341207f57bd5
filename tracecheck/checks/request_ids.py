"""TC0xx check kind for request ids: the form of the id itself (blank and repeated ids use
``value_missing`` and ``value_repeated``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import FieldName, Pattern
from tracecheck.reference import agency_key, agency_name
from tracecheck.text import fold_series, map_distinct

# What a spreadsheet leaves of an id it read as a number: a float's ".0", or scientific notation
# (1.2346E+11: the digits past the fourth are gone). The same faults as serials (TC103).
_FLOAT_SUFFIX = re.compile(r"^\d+\.0+$")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)
ANY_AGENCY = "*"


@check("request_id_format", context={"pattern": str, "agency_name": str},
       reasons=("scientific_notation", "float_suffix", "pattern", "pattern_any"))
def request_id_format(ctx: CheckContext, *, column: FieldName = "request_id",
                      patterns: dict[str, Pattern] | None = None, agency: FieldName = "agency") -> pd.DataFrame:
    """Request ids a spreadsheet turned into a number (``scientific_notation``: digits are lost;
    ``float_suffix``: a trailing ``.0``), and ids that do not match their agency's pattern
    (``pattern``; ``pattern_any`` for the ``*`` pattern). ``patterns`` maps an agency, by any name the
    pack's ``agency_aliases`` give it (matched ignoring case, accents, punctuation and spaces), or ``*``
    for every other row, to a regular expression the whole id must match; without ``patterns`` only
    the number faults are looked for. ``agency_name`` is the agency whose own pattern the id missed."""
    if not ctx.present(column):
        return findings_frame([])
    ids = ctx.frame[column].str.strip()
    known = ids.notna() & ids.ne("") & ~fold_series(ids).isin(ctx.reference.missing_words)
    reason = pd.Series(np.select([ids.str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool),
                                 ids.str.fullmatch(_FLOAT_SUFFIX).fillna(False).astype(bool)],
                                ["scientific_notation", "float_suffix"], ""), index=ids.index)
    wanted = pd.Series(None, index=ids.index, dtype="object")
    named = pd.Series(None, index=ids.index, dtype="object")
    if patterns:
        entries: list[tuple[str | None, str]] = [(None, text) for name, text in patterns.items() if name == ANY_AGENCY]
        other = 0 if entries else -1
        by_key: dict[str, int] = {}
        for given, text in patterns.items():
            if given != ANY_AGENCY:
                by_key[agency_key(agency_name(given, ctx.reference.agencies))] = len(entries)
                entries.append((given, text))
        agencies = ctx.frame["agency__name"] if ctx.present(agency) else pd.Series(None, index=ids.index, dtype="str")
        picked = map_distinct(agencies, lambda name: by_key.get(agency_key(name), other), missing=other).astype(int)
        for number, (owner, pattern) in enumerate(entries):
            mine = picked == number
            missed = mine & reason.eq("").to_numpy() & ~ids.str.fullmatch(pattern).fillna(True).astype(bool).to_numpy()
            reason[missed] = "pattern_any" if owner is None else "pattern"
            wanted[missed] = pattern
            named[missed] = owner
    hit = known & reason.ne("")
    return findings_frame(ids.index[hit], value=ids[hit], reason=reason[hit], pattern=wanted[hit],
                          agency_name=named[hit])
