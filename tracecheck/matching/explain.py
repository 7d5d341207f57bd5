"""Evidence for pairs in words a reviewer understands, with what each field contributed.

Built for all reported pairs at once: each field's text is assembled with vectorised string
operations, then one pass turns the columns into the report's evidence lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.matching.keys import Keys

SERIAL_TEXT = {
    "exact": "same after removing case, spaces, dashes and labels",
    "transposed": "two adjacent characters swapped",
    "indel": "one character dropped or added",
    "affix": "one contains the other (missing prefix or suffix)",
    "letter_changed": "one letter differs (often the next gun of a series)",
    "digit_changed": "one digit differs: consecutive serials are different guns",
    "different": "different serials",
}
FIELDS = ("serial", "maker", "model", "caliber", "recovery")


def evidence_lists(pairs: pd.DataFrame, keys: Keys, raw: dict[str, np.ndarray], weights: dict[str, float]
                   ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, str]]:
    """For every pair in ``pairs``: pair id → evidence items (field, level, weight, text), and
    pair id → the texts joined into one explanation."""
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    shown = {f: _shown(v) for f, v in raw.items()}
    same = {f: _upper(v) for f, v in raw.items()}
    texts = {"serial": _serial_text(pairs, keys, shown["serial"], same["serial"], i, j),
             "maker": _maker_text(pairs, keys, shown["maker"], same["maker"], i, j),
             "model": _plain_text("model", pairs, shown["model"], same["model"], i, j),
             "caliber": _plain_text("caliber", pairs, shown["caliber"], same["caliber"], i, j),
             "recovery": _recovery_text(pairs, keys, i, j)}
    levels = {f: pairs[f].to_numpy(dtype=object) for f in FIELDS}
    weight = {f: np.array([float(weights.get(f"{f}_{lvl}", 0)) for lvl in levels[f]]) for f in FIELDS}
    sentence = texts["serial"]
    for field in FIELDS[1:]:
        text = texts[field]
        sentence = np.where(text == None, sentence, sentence + "; " + np.where(text == None, "", text))  # noqa: E711
    out: dict[int, list[dict[str, Any]]] = {}
    columns = [(f, levels[f], weight[f].tolist(), texts[f]) for f in FIELDS]
    for k, pair_id in enumerate(pairs.index.tolist()):
        out[pair_id] = [{"field": f, "level": lv[k], "weight": w[k], "text": t[k]}
                        for f, lv, w, t in columns if t[k] is not None]
    return out, dict(zip(pairs.index.tolist(), sentence.tolist()))


def _shown(values: np.ndarray) -> np.ndarray:
    return np.array(["blank" if v is None else str(v) for v in values], dtype=object)


def _upper(values: np.ndarray) -> np.ndarray:
    return pd.Series(values, dtype=object).astype("str").str.strip().str.upper().to_numpy(dtype=object,
                                                                                          na_value=None)


def _serial_text(pairs: pd.DataFrame, keys: Keys, shown: np.ndarray, same: np.ndarray, i: np.ndarray,
                 j: np.ndarray) -> np.ndarray:
    level = pairs["serial"].to_numpy(dtype=object)
    a, b = shown[i], shown[j]
    text = "serial " + a + " vs " + b + ": " + np.array([SERIAL_TEXT.get(lv, "") for lv in level], dtype=object)
    text = np.where((level == "exact") & (same[i] == same[j]), "same serial " + a, text)
    folded = np.flatnonzero(level == "folded")
    text[folded] = [f"serial {a[k]} vs {b[k]}: same after folding {_folds(keys.serial[i[k]], keys.serial[j[k]])}"
                    for k in folded]
    none = level == "none"
    missing = np.where(keys.usable[i], b, a)
    text[none] = "no usable serial (" + missing[none] + ")"
    return text


def _folds(x: str, y: str) -> str:
    changes = sorted({f"{p}→{q}" if q.isdigit() else f"{q}→{p}" for p, q in zip(x, y) if p != q})
    return ", ".join(changes) or "confusable characters"


def _maker_text(pairs: pd.DataFrame, keys: Keys, shown: np.ndarray, same: np.ndarray, i: np.ndarray,
                j: np.ndarray) -> np.ndarray:
    level = pairs["maker"].to_numpy(dtype=object)
    a, b = shown[i], shown[j]
    family = np.array([keys.labels["maker"][c] if c >= 0 else "" for c in keys.maker[i]], dtype=object)
    text = np.full(len(level), "maker missing on one row", dtype=object)
    text = np.where(level == "same", np.where(same[i] == same[j], "same maker " + a,
                                              "maker " + a + " = " + b + " (" + family + ")"), text)
    text = np.where(level == "importer", "maker " + a + " / " + b + ": one row names the importer as maker", text)
    return np.where(level == "different", "makers differ (" + a + " / " + b + ")", text)


def _plain_text(field: str, pairs: pd.DataFrame, shown: np.ndarray, same: np.ndarray, i: np.ndarray,
                j: np.ndarray) -> np.ndarray:
    level = pairs[field].to_numpy(dtype=object)
    a, b = shown[i], shown[j]
    text = np.full(len(level), None, dtype=object)  # unknown: not reported
    text = np.where(level == "same", np.where(same[i] == same[j], f"same {field} " + a,
                                              f"{field} " + a + " = " + b), text)
    text = np.where(level == "similar", f"{field} " + a + " / " + b + " read alike", text)
    return np.where(level == "different", f"{field}s differ (" + a + " / " + b + ")", text)


def _recovery_text(pairs: pd.DataFrame, keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    level = pairs["recovery"].to_numpy(dtype=object)
    a, b = _days(keys.recovery[i]), _days(keys.recovery[j])
    apart = np.nan_to_num(pairs["days_apart"].to_numpy(), nan=0).astype(np.int64).astype(str).astype(object)
    text = np.full(len(level), "a recovery date is missing", dtype=object)
    text = np.where(level == "same_day", "same recovery date " + a, text)
    text = np.where(level == "within_window", "recovery dates " + a + " and " + b + ", " + apart + " days apart",
                    text)
    return np.where(level == "apart", "recovered on different occasions (" + a + " and " + b + ", " + apart
                    + " days apart)", text)


def _days(values: np.ndarray) -> np.ndarray:
    known = ~np.isnan(values)
    out = np.full(len(values), "unknown", dtype=object)
    epoch = np.datetime64(dt.date(1970, 1, 1), "D")
    out[known] = np.datetime_as_string(epoch + values[known].astype(np.int64), unit="D").astype(object)
    return out

