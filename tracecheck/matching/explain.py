"""Evidence for pairs in words a reviewer understands, with what each field contributed.

Each field's comparison level picks a phrase from the message catalogue (``evidence.*``: "same
serial {a}", "makers differ ({a} / {b})"), filled with the two values as submitted; phrases are
rendered for all reported pairs at once, one template per level, then one pass turns the columns
into the report's evidence lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.catalogue import Catalogue
from tracecheck.matching.keys import Keys
from tracecheck.templates import render

FIELDS = ("serial", "maker", "model", "caliber", "recovery")


def evidence_columns(pairs: pd.DataFrame, keys: Keys, raw: dict[str, pd.Series], weights: dict[str, float],
                     words: Catalogue) -> pd.DataFrame:
    """For every pair in ``pairs`` (columns i, j and a level per field), in the language of ``words``
    (``raw``: each field's values as submitted, by position):
    ``w_<field>`` the weight the field's level contributed, ``t_<field>`` its evidence text (missing
    when nothing is said about the field) and ``explanation``, the texts joined. Indexed like ``pairs``."""
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    needed = np.unique(np.concatenate([i, j]))  # only the rows some pair names are turned into text
    blank = words.text("words", "blank")
    shown, same = {}, {}
    for f, values in raw.items():
        submitted = values.iloc[needed].astype("str")
        shown[f] = np.full(len(values), None, dtype=object)
        shown[f][needed] = submitted.fillna(blank).to_numpy(dtype=object)
        upper = submitted.str.strip().str.upper()
        same[f] = np.full(len(values), None, dtype=object)
        same[f][needed] = upper.astype(object).where(upper.notna(), None).to_numpy()
    phrase = {f: _phrase_keys(f, pairs, same.get(f, np.empty(0, dtype=object)), i, j, keys) for f in FIELDS}
    texts = {f: _render(phrase[f], _values(f, pairs, keys, shown, i, j, words), words) for f in FIELDS}
    separator = words.text("evidence", "separator")
    sentence: Any = texts["serial"]
    for field in FIELDS[1:]:
        text = texts[field]
        sentence = np.where(text == None, sentence, sentence + separator + np.where(text == None, "", text))  # noqa: E711
    out: dict[str, Any] = {}
    for f in FIELDS:
        level = pairs[f].to_numpy(dtype=object)
        out[f"w_{f}"] = pd.Series(level, dtype=object).map(
            {lvl: float(weights.get(f"{f}_{lvl}", 0)) for lvl in pd.unique(level)}).to_numpy(dtype=float)
    for f in FIELDS:
        out[f"t_{f}"] = pd.Series(texts[f], dtype="str")
    out["explanation"] = pd.Series(sentence, dtype="str")
    return pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) else v) for k, v in out.items()},
                        index=pairs.index).astype({f"t_{f}": "str" for f in FIELDS} | {"explanation": "str"})


def _phrase_keys(field: str, pairs: pd.DataFrame, same: np.ndarray, i: np.ndarray, j: np.ndarray,
                 serials: Keys) -> np.ndarray:
    """The catalogue key of each pair's phrase for ``field`` (None: nothing worth saying)."""
    level = pairs[field].to_numpy(dtype=object)
    keys = (f"{field}." + level.astype(str)).astype(object)
    if field == "serial":
        undone = _said_undone(serials, i, j)
        keys = np.where((level == "exact") & (same[i] == same[j]), "serial.same", keys)
        return np.where((level == "exact") & (undone != None), "serial.undone", keys)  # noqa: E711
    if field == "recovery":
        return keys
    identical = same[i] == same[j]
    keys = np.where((level == "same") & ~identical, f"{field}.alias", keys)
    if field != "maker":
        keys[level == "unknown"] = None  # an unknown model or caliber is not mentioned
    return keys


def _values(field: str, pairs: pd.DataFrame, keys: Keys, shown: dict[str, np.ndarray], i: np.ndarray,
            j: np.ndarray, words: Catalogue) -> dict[str, np.ndarray]:
    """The placeholders of the field's phrases, one value per pair."""
    if field == "recovery":
        days = np.nan_to_num(pairs["days_apart"].to_numpy(), nan=0).astype(np.int64).astype(str).astype(object)
        unknown = words.text("words", "unknown_date")
        return {"a": _days(keys.recovery[i], unknown), "b": _days(keys.recovery[j], unknown), "days": days}
    a, b = shown[field][i], shown[field][j]
    values = {"a": a, "b": b}
    if field == "serial":
        level = pairs["serial"].to_numpy(dtype=object)
        values["missing"] = np.where(keys.usable[i], b, a)
        changes = np.full(len(level), "", dtype=object)
        for k in np.flatnonzero(level == "folded"):
            changes[k] = _folds(keys.serial[i[k]], keys.serial[j[k]]) or words.text("evidence", "serial.folded_any")
        values["changes"] = changes
        undone = _said_undone(keys, i, j)
        values["undone"] = np.array([words.text("evidence", f"undone.{u}") if u is not None else "" for u in undone],
                                    dtype=object)
    if field == "maker":
        values["family"] = np.array([keys.labels["maker"][c] if c >= 0 else "" for c in keys.maker[i]], dtype=object)
    return values


def _render(phrase_keys: np.ndarray, values: dict[str, np.ndarray], words: Catalogue) -> np.ndarray:
    out = np.full(len(phrase_keys), None, dtype=object)
    for key in pd.unique(phrase_keys[phrase_keys != None]):  # noqa: E711
        sel = phrase_keys == key
        fields = {name: pd.Series(v[sel], dtype=object) for name, v in values.items()}
        text = render(words.text("evidence", key), fields, words)
        out[sel] = text
    return out


def _said_undone(keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Per pair, what cleaning undid in either serial that the evidence should name (label text is
    named by the plain "same after removing labels" phrase), or None."""
    a, b = keys.undone[i], keys.undone[j]
    first = np.where(pd.notna(a) & (a != "label_noise"), a, b)
    out = np.full(len(first), None, dtype=object)
    keep = pd.notna(first) & (first != "label_noise")
    out[keep] = first[keep]
    return out


def _folds(x: str, y: str) -> str:
    changes = sorted({f"{p}→{q}" if q.isdigit() else f"{q}→{p}" for p, q in zip(x, y) if p != q})
    return ", ".join(changes)


def _days(values: np.ndarray, unknown: str) -> np.ndarray:
    known = ~np.isnan(values)
    out = np.full(len(values), unknown, dtype=object)
    epoch = np.datetime64(dt.date(1970, 1, 1), "D")
    out[known] = np.datetime_as_string(epoch + values[known].astype(np.int64), unit="D").astype(object)
    return out
