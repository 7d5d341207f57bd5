"""Serial-number analysis shared by the TC10x checks: placeholders, label noise, cleaning.

Computed once per batch (the engine caches it) and vectorised: the expensive regular
expressions only run on the minority of values that are not already plain letters,
digits and dashes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracecheck.checks.reference import Reference
from tracecheck.text import fold_series

_SEPARATORS = r"[\s\-./,_]+"
_TRAILING_NOTE = r"\s*\([^)]*\)\s*$"  # "ABC123 (29N)"
SCIENTIFIC = r"\d+(?:[.,]\d+)?[eE][+-]?\d+"  # "1.23457E+11": a spreadsheet turned the serial into a number


def analyse(values: pd.Series, ref: Reference) -> pd.DataFrame:
    """Per row: blank, placeholder (no usable serial), obliterated, cleaned value, label_noise."""
    blank = values.isna().to_numpy()
    keys = fold_series(values)
    key_str = keys.fillna("")
    placeholder = (
        keys.isin(ref.missing_words).to_numpy()
        | key_str.str.fullmatch(r"0+").to_numpy()
        | (key_str.eq("").to_numpy() & ~blank)  # only punctuation: "-", "?", "--"
    )
    candidates = ~blank & key_str.str.contains(r"[A-Z]{4}", regex=True).to_numpy()
    obliterated = np.zeros(len(values), dtype=bool)
    obliterated[candidates] = key_str[candidates].str.contains(ref.obliterated_re, regex=True).to_numpy()
    placeholder |= obliterated
    cleaned, noisy = _clean(values, ref)
    scientific = values.str.fullmatch(SCIENTIFIC).fillna(False).to_numpy()
    return pd.DataFrame({"blank": blank, "placeholder": placeholder, "obliterated": obliterated,
                         "scientific": scientific, "cleaned": cleaned, "label_noise": noisy & ~placeholder},
                        index=values.index)


def _clean(values: pd.Series, ref: Reference) -> tuple[pd.Series, np.ndarray]:
    """Upper case, labels and trailing notes removed, separators dropped (as NCIC entry does)."""
    upper = values.str.upper()
    plain = upper.str.fullmatch(r"[A-Z0-9\-]+").fillna(True).to_numpy()
    noisy = np.zeros(len(values), dtype=bool)
    messy = upper[~plain]
    if len(messy):
        stripped = messy.str.replace(ref.serial_label_re, "", regex=True).str.replace(_TRAILING_NOTE, "", regex=True)
        noisy[~plain] = (stripped.str.replace(_SEPARATORS, "", regex=True)
                         != messy.str.replace(_SEPARATORS, "", regex=True)).to_numpy()
        upper = upper.copy()
        upper[~plain] = stripped
    cleaned = upper.str.replace(_SEPARATORS, "", regex=True)
    return cleaned, noisy


def malformed_reason(cleaned: pd.Series, *, min_length: int, max_length: int) -> pd.Series:
    """The first problem with each cleaned serial, or missing when it looks plausible."""
    length = cleaned.str.len()
    ok = cleaned.str.fullmatch(r"[A-Z0-9]+").fillna(True) & length.between(min_length, max_length)
    ok &= ~cleaned.str.fullmatch(r"(.)\1+").fillna(False)
    reason = pd.Series(np.nan, index=cleaned.index, dtype="str")
    bad = cleaned[~ok]
    if len(bad):
        blen = bad.str.len()
        reason[~ok] = np.select(
            [bad.str.contains(r"[^\x00-\x7f]", regex=True), bad.str.fullmatch(r"(.)\1+"),
             blen < min_length, blen > max_length],
            ["non_ascii", "repeated_character", "too_short", "too_long"], default="invalid_characters")
    return reason
