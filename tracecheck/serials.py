"""Serial-number analysis shared by the TC10x checks: placeholders, label noise, cleaning.

Computed once per batch (the engine caches it) and vectorised: the expensive regular
expressions only run on the minority of values that are not already plain letters,
digits and dashes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracecheck.reference import Reference
from tracecheck.text import fold_series

_SEPARATORS = r"[\s\-./,_]+"
_TRAILING_NOTE = r"\s*\([^)]*\)\s*$"  # "ABC123 (29N)"
# "1.23457E+11": a spreadsheet turned the serial into a number. Spreadsheets always write the sign
# of the exponent, so "58E123456" (a plausible Sig Sauer serial) is not scientific notation.
SCIENTIFIC = r"\d+(?:[.,]\d+)?[eE][+-]\d+|\d+[.,]\d+[eE]\d+"


def analyse(values: pd.Series, ref: Reference) -> pd.DataFrame:
    """Per row: blank, placeholder (no usable serial), obliterated, cleaned value, label_noise.

    Only values that could be a placeholder are folded in Python: a value of letters, digits
    and dashes holding a digit other than 0 never is.
    """
    blank = values.isna().to_numpy()
    upper = values.str.upper()
    ordinary = upper.str.fullmatch(r"[A-Z0-9\-]*[1-9][A-Z0-9\-]*").fillna(True).to_numpy()
    suspects = values[~ordinary]
    keys = fold_series(suspects).fillna("")
    placeholder = np.zeros(len(values), dtype=bool)
    obliterated = np.zeros(len(values), dtype=bool)
    placeholder[~ordinary] = (keys.isin(ref.missing_words) | keys.str.fullmatch(r"0+") | keys.eq("")).to_numpy()
    obliterated[~ordinary] = keys.str.contains(ref.obliterated_re, regex=True).to_numpy()
    placeholder |= obliterated
    cleaned, noisy = _clean(upper, ref)
    scientific = values.str.fullmatch(SCIENTIFIC).fillna(False).to_numpy()
    return pd.DataFrame({"blank": blank, "placeholder": placeholder, "obliterated": obliterated,
                         "scientific": scientific, "cleaned": cleaned, "label_noise": noisy & ~placeholder},
                        index=values.index)


def _clean(upper: pd.Series, ref: Reference) -> tuple[pd.Series, np.ndarray]:
    """Labels and trailing notes removed, separators dropped (as NCIC entry does)."""
    plain = upper.str.fullmatch(r"[A-Z0-9\-]+").fillna(True).to_numpy()
    noisy = np.zeros(len(upper), dtype=bool)
    messy = upper[~plain]
    if len(messy):
        stripped = messy.str.replace(ref.serial_label_re, "", regex=True).str.replace(_TRAILING_NOTE, "", regex=True)
        noisy[~plain] = (stripped.str.replace(_SEPARATORS, "", regex=True)
                         != messy.str.replace(_SEPARATORS, "", regex=True)).to_numpy()
        upper = upper.copy()
        upper[~plain] = stripped
    cleaned = upper.str.replace(_SEPARATORS, "", regex=True).astype("str")  # stays Arrow-backed text
    return cleaned, noisy


def malformed_reason(cleaned: pd.Series, *, min_length: int, max_length: int) -> pd.Series:
    """The first problem with each cleaned serial, or missing when it looks plausible."""
    length = cleaned.str.len()
    ok = cleaned.str.fullmatch(r"[A-Z0-9]+").fillna(True) & length.between(min_length, max_length)
    ok &= ~_one_repeated_character(cleaned)
    reason = pd.Series(np.nan, index=cleaned.index, dtype="str")
    bad = cleaned[~ok]
    if len(bad):
        blen = bad.str.len()
        reason[~ok] = np.select(
            [bad.str.contains(r"[^\x00-\x7f]", regex=True), _one_repeated_character(bad),
             blen < min_length, blen > max_length],
            ["non_ascii", "repeated_character", "too_short", "too_long"], default="invalid_characters")
    return reason


def _one_repeated_character(values: pd.Series) -> pd.Series:
    """True for "1111111": a string equals itself shifted by one exactly when all its characters
    are the same (vectorised; a back-reference regex would fall back to Python per value)."""
    return ((values.str.len() >= 2) & (values.str.slice(1) == values.str.slice(0, -1))).fillna(False)
