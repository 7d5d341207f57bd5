"""Comparison keys per request: cleaned and folded serial, maker family, model, caliber class.

Pure and vectorised: serial work runs on Arrow-backed text; maker, model and caliber are
looked up once per distinct spelling (a batch has few).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracecheck.reference import Reference
from tracecheck.serials import analyse, malformed_reason
from tracecheck.text import fold, map_distinct


@dataclass(frozen=True)
class Keys:
    """Per-row comparison keys, positionally aligned with the batch frame."""

    rows: np.ndarray  # sheet row numbers
    usable: np.ndarray  # bool: the serial can be matched on
    serial: np.ndarray  # object: cleaned serial (None when not usable)
    folded: np.ndarray  # object: cleaned serial with confusable characters folded
    undone: np.ndarray  # object: what cleaning undid in the serial (float_suffix, wrapper, lookalike...) or None
    maker: np.ndarray  # int code of the maker family (-1 unknown)
    importer: np.ndarray  # int code of the importer's family, same code space (-1 unknown)
    model: np.ndarray  # int code of the model key (-1 unknown)
    caliber: np.ndarray  # int code of the caliber class (-1 unknown)
    recovery: np.ndarray  # float days since epoch (nan unknown)
    agency: np.ndarray  # int code of the folded agency (-1 unknown)
    labels: dict[str, np.ndarray]  # code -> display text, per coded field


def build_keys(frame: pd.DataFrame, ref: Reference, config: dict, calibers: dict[str, str],
               serials: pd.DataFrame | None = None) -> Keys:
    """``serials`` is the serial analysis the TC10x rules already made (computed here if absent)."""
    info = serials if serials is not None else analyse(frame["serial_number"], ref)
    ok = ~(info["blank"] | info["placeholder"] | info["scientific"] | info["partial"] | info["spoiled"].eq("date_text"))
    bad = malformed_reason(info["cleaned"], min_length=int(config["min_serial_length"]), max_length=30)
    usable = (ok & bad.isna()).to_numpy(dtype=bool)
    serial = info["cleaned"].where(usable)
    folded = _fold_confusables(serial, config["confusables"])
    maker_names = _families(frame["manufacturer"], ref)
    importer_names = _families(frame["import_marking"], ref)
    maker, importer, maker_labels = _shared_codes(maker_names, importer_names)
    model, model_labels = _codes(map_distinct(frame["model"], lambda m: _model_key(m, config["model_stopwords"])))
    caliber, caliber_labels = _codes(map_distinct(frame["caliber"], lambda c: calibers.get(fold(c)) or _compact(c)))
    agency, agency_labels = _codes(map_distinct(frame["agency"], fold))
    recovery = (frame["recovery_date"].to_numpy(dtype="datetime64[D]").astype("float64"))
    recovery[np.isnat(frame["recovery_date"].to_numpy(dtype="datetime64[D]"))] = np.nan
    return Keys(rows=frame.index.to_numpy(), usable=usable,
                serial=serial.astype(object).where(serial.notna(), None).to_numpy(),
                folded=folded.astype(object).where(folded.notna(), None).to_numpy(),
                undone=_undone(info, usable),
                maker=maker, importer=importer, model=model, caliber=caliber, recovery=recovery, agency=agency,
                labels={"maker": maker_labels, "model": model_labels, "caliber": caliber_labels,
                        "agency": agency_labels})


def _undone(info: pd.DataFrame, usable: np.ndarray) -> np.ndarray:
    """Per row, what cleaning undid in a usable serial (a spreadsheet's damage first), or None."""
    spoiled = info["spoiled"].to_numpy(dtype=object)
    mended = info["mended"].to_numpy(dtype=object)
    undone = np.where(pd.notna(spoiled), spoiled, mended)
    out = np.full(len(undone), None, dtype=object)
    keep = usable & pd.notna(undone)
    out[keep] = undone[keep]
    return out


def _fold_confusables(serial: pd.Series, confusables: dict[str, str]) -> pd.Series:
    folded = serial
    for char, digit in confusables.items():
        folded = folded.str.replace(str(char), str(digit), regex=False)
    return folded


def _families(values: pd.Series, ref: Reference) -> np.ndarray:
    """Maker family name per row: the reference table's name, else the folded spelling."""
    def family(name: str) -> str | None:
        key = fold(name)
        if not key or key in ref.missing_words:
            return None
        maker = ref.maker_for(key)
        return maker.name if maker else key

    return map_distinct(values, family)


def _model_key(model: str, stopwords: list[str]) -> str | None:
    """"MODEL 19" → "19"; "AR-15" / "AR 15" → "AR15"."""
    words = [w for w in fold(model).split() if w not in stopwords]
    return "".join(words) or None


def _compact(text: str) -> str | None:
    return fold(text).replace(" ", "") or None


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _shared_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes for two columns in one code space, so a maker can be compared with an importer."""
    codes, uniques = pd.factorize(pd.Series(np.concatenate([a, b]), dtype=object))
    return codes[: len(a)].astype(np.int64), codes[len(a):].astype(np.int64), np.asarray(uniques, dtype=object)
