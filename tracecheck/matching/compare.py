"""Score candidate pairs with discrete comparison levels per field (log2-odds weights that add up).

Every pair keeps its level per field, so its score can be explained: which fields agreed, at
which level, and what each contributed. Vectorised over pairs; only the small set of pairs one
edit apart is classified one by one (which characters changed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.fuzz import ratio
from rapidfuzz.process import cpdist

from tracecheck.matching.keys import Keys

# Serial levels, in the order they are tested. "none": at least one row has no usable serial.
SERIAL_LEVELS = ("exact", "folded", "transposed", "indel", "affix", "letter_changed", "digit_changed",
                 "different", "none")
MAKER_LEVELS = ("same", "importer", "different", "unknown")
MODEL_LEVELS = ("same", "similar", "different", "unknown")
CALIBER_LEVELS = ("same", "different", "unknown")
RECOVERY_LEVELS = ("same_day", "within_window", "apart", "unknown")
SIMILAR_MODEL = 85.0


def score_pairs(keys: Keys, i: np.ndarray, j: np.ndarray, config: dict) -> pd.DataFrame:
    """One row per candidate pair: positions, level per field, days apart, total score."""
    weights = config["weights"]
    pairs = pd.DataFrame({"i": i, "j": j})
    pairs["serial"] = _serial_levels(keys, i, j)
    pairs["maker"] = _maker_levels(keys, i, j)
    pairs["model"] = _coded_levels(keys.model, i, j, similar=_similar(keys, i, j))
    pairs["caliber"] = _coded_levels(keys.caliber, i, j)
    days = np.abs(keys.recovery[i] - keys.recovery[j])
    pairs["days_apart"] = days
    pairs["recovery"] = np.select([np.isnan(days), days == 0, days <= config["recovery_window_days"]],
                                  ["unknown", "same_day", "within_window"], "apart")
    score = np.zeros(len(pairs))
    for field in ("serial", "maker", "model", "caliber", "recovery"):
        level_weight = {lvl: float(weights.get(f"{field}_{lvl}", 0)) for lvl in pairs[field].unique()}
        score += pairs[field].map(level_weight).to_numpy(dtype=float)
    pairs["score"] = score
    pairs["both_usable"] = keys.usable[i] & keys.usable[j]
    return pairs


def _serial_levels(keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    level = np.full(len(i), "none", dtype=object)
    both = keys.usable[i] & keys.usable[j]
    a, b = keys.serial[i], keys.serial[j]
    fa, fb = keys.folded[i], keys.folded[j]
    exact = both & (a == b)
    folded = both & ~exact & (fa == fb)
    level[exact], level[folded] = "exact", "folded"
    rest = np.flatnonzero(both & ~exact & ~folded)
    if len(rest):
        level[rest] = _edit_levels(list(fa[rest]), list(fb[rest]))
    return level


def _edit_levels(a: list[str], b: list[str]) -> np.ndarray:
    """Classify folded serial pairs that are not equal: one swap, one indel, one substitution, affix."""
    lev = cpdist(a, b, scorer=Levenshtein.distance, workers=-1)
    osa = cpdist(a, b, scorer=OSA.distance, workers=-1)
    out = np.full(len(a), "different", dtype=object)
    for k in np.flatnonzero((lev == 1) | (osa == 1)):
        x, y = a[k], b[k]
        if osa[k] == 1 and lev[k] == 2:
            out[k] = "transposed"
        elif len(x) != len(y):
            out[k] = "indel"
        else:
            cx, cy = next((p, q) for p, q in zip(x, y) if p != q)
            out[k] = "digit_changed" if cx.isdigit() and cy.isdigit() else "letter_changed"
    lengths = np.abs(np.fromiter(map(len, a), int, len(a)) - np.fromiter(map(len, b), int, len(b)))
    for k in np.flatnonzero((lev >= 2) & (lengths >= 2)):
        short, long_ = sorted((a[k], b[k]), key=len)
        if len(short) >= 4 and short in long_:
            out[k] = "affix"
    return out


def _maker_levels(keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    mi, mj = keys.maker[i], keys.maker[j]
    known = (mi >= 0) & (mj >= 0)
    via_importer = ((mi >= 0) & (mi == keys.importer[j])) | ((mj >= 0) & (mj == keys.importer[i]))
    return np.select([known & (mi == mj), via_importer, known], ["same", "importer", "different"], "unknown")


def _coded_levels(codes: np.ndarray, i: np.ndarray, j: np.ndarray, similar: np.ndarray | None = None
                  ) -> np.ndarray:
    ci, cj = codes[i], codes[j]
    known = (ci >= 0) & (cj >= 0)
    conditions = [known & (ci == cj)]
    choices = ["same"]
    if similar is not None:
        conditions.append(known & similar)
        choices.append("similar")
    return np.select(conditions + [known], choices + ["different"], "unknown")


def _similar(keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Model keys that differ but read alike ("WASR10" / "WASR10M"), by rapidfuzz ratio."""
    ci, cj = keys.model[i], keys.model[j]
    check = np.flatnonzero((ci >= 0) & (cj >= 0) & (ci != cj))
    similar = np.zeros(len(i), dtype=bool)
    if len(check):
        labels = keys.labels["model"]
        scores = cpdist(list(labels[ci[check]]), list(labels[cj[check]]), scorer=ratio, workers=-1)
        similar[check] = scores >= SIMILAR_MODEL
    return similar
