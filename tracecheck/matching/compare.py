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


LEVELS = {"serial": SERIAL_LEVELS, "maker": MAKER_LEVELS, "model": MODEL_LEVELS, "caliber": CALIBER_LEVELS,
          "recovery": RECOVERY_LEVELS}


def score_pairs(keys: Keys, i: np.ndarray, j: np.ndarray, config: dict) -> pd.DataFrame:
    """One row per candidate pair: positions, level per field (a categorical over ``LEVELS``: a
    small integer code per pair), days apart, total score."""
    weights = config["weights"]
    pairs = pd.DataFrame({"i": i, "j": j})
    days = np.abs(keys.recovery[i] - keys.recovery[j])
    codes = {"serial": _serial_levels(keys, i, j), "maker": _maker_levels(keys, i, j),
             "model": _coded_levels(keys.model, i, j, similar=_similar(keys, i, j)),
             "caliber": _coded_levels(keys.caliber, i, j),
             "recovery": np.select([np.isnan(days), days == 0, days <= config["recovery_window_days"]], [3, 0, 1], 2)}
    score = np.zeros(len(pairs))
    for field, levels in LEVELS.items():
        pairs[field] = pd.Categorical.from_codes(codes[field].astype(np.int8), categories=pd.Index(list(levels)))
        if field == "recovery":
            pairs["days_apart"] = days
        weight = np.array([float(weights.get(f"{field}_{lvl}", 0)) for lvl in levels])
        score += weight[codes[field]]
    pairs["score"] = score
    pairs["both_usable"] = keys.usable[i] & keys.usable[j]
    return pairs


def _serial_levels(keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """SERIAL_LEVELS codes."""
    level = np.full(len(i), SERIAL_LEVELS.index("none"), dtype=np.int64)
    both = keys.usable[i] & keys.usable[j]
    a, b = keys.serial[i], keys.serial[j]
    fa, fb = keys.folded[i], keys.folded[j]
    exact = both & (a == b)
    folded = both & ~exact & (fa == fb)
    level[exact], level[folded] = SERIAL_LEVELS.index("exact"), SERIAL_LEVELS.index("folded")
    rest = np.flatnonzero(both & ~exact & ~folded)
    if len(rest):
        level[rest] = _edit_levels(list(fa[rest]), list(fb[rest]))
    return level


def _edit_levels(a: list[str], b: list[str]) -> np.ndarray:
    """Classify folded serial pairs that are not equal (SERIAL_LEVELS codes): one swap, one indel,
    one substitution, affix."""
    code = {name: k for k, name in enumerate(SERIAL_LEVELS)}
    lev = cpdist(a, b, scorer=Levenshtein.distance, workers=-1)
    osa = cpdist(a, b, scorer=OSA.distance, workers=-1)
    out = np.full(len(a), code["different"], dtype=np.int64)
    for k in np.flatnonzero((lev == 1) | (osa == 1)):
        x, y = a[k], b[k]
        if osa[k] == 1 and lev[k] == 2:
            out[k] = code["transposed"]
        elif len(x) != len(y):
            out[k] = code["indel"]
        else:
            cx, cy = next((p, q) for p, q in zip(x, y) if p != q)
            out[k] = code["digit_changed"] if cx.isdigit() and cy.isdigit() else code["letter_changed"]
    lengths = np.abs(np.fromiter(map(len, a), int, len(a)) - np.fromiter(map(len, b), int, len(b)))
    for k in np.flatnonzero((lev >= 2) & (lengths >= 2)):
        short, long_ = sorted((a[k], b[k]), key=len)
        if len(short) >= 4 and short in long_:
            out[k] = code["affix"]
    return out


def _maker_levels(keys: Keys, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """MAKER_LEVELS codes: same, importer, different, unknown."""
    mi, mj = keys.maker[i], keys.maker[j]
    known = (mi >= 0) & (mj >= 0)
    via_importer = ((mi >= 0) & (mi == keys.importer[j])) | ((mj >= 0) & (mj == keys.importer[i]))
    return np.select([known & (mi == mj), via_importer, known], [0, 1, 2], 3)


def _coded_levels(codes: np.ndarray, i: np.ndarray, j: np.ndarray, similar: np.ndarray | None = None
                  ) -> np.ndarray:
    """MODEL_LEVELS codes (same, similar, different, unknown) with ``similar``; else CALIBER_LEVELS
    codes (same, different, unknown)."""
    ci, cj = codes[i], codes[j]
    known = (ci >= 0) & (cj >= 0)
    if similar is None:
        return np.select([known & (ci == cj), known], [0, 1], 2)
    return np.select([known & (ci == cj), known & similar, known], [0, 1, 2], 3)


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
