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


# The key columns as text (``key_columns``): what the history store keeps per request, and what
# ``keys_from_columns`` codes into Keys. Serial columns are None where the serial is not usable.
KEY_COLUMNS = ("serial", "folded", "undone", "maker", "importer", "model", "caliber", "recovery", "agency")


def build_keys(frame: pd.DataFrame, ref: Reference, config: dict, calibers: dict[str, str],
               serials: pd.DataFrame | None = None) -> Keys:
    """``serials`` is the serial analysis the TC10x rules already made (computed here if absent)."""
    return keys_from_columns(key_columns(frame, ref, config, calibers, serials))


def key_columns(frame: pd.DataFrame, ref: Reference, config: dict, calibers: dict[str, str],
                serials: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comparison keys of each row as plain values, indexed by sheet row (``KEY_COLUMNS``):
    ``serial`` cleaned and ``folded`` (confusables folded), both None when the serial is not usable;
    ``undone`` what cleaning undid; ``maker``/``importer`` family names; ``model`` key ("19",
    "AR15"); ``caliber`` class ("9x19"); ``recovery`` days since 1970-01-01 (float, NaN unknown);
    ``agency`` folded as submitted."""
    info = serials if serials is not None else analyse(frame["serial_number"], ref)
    ok = ~(info["blank"] | info["placeholder"] | info["scientific"] | info["partial"] | info["spoiled"].eq("date_text"))
    bad = malformed_reason(info["cleaned"], min_length=int(config["min_serial_length"]), max_length=30)
    usable = (ok & bad.isna()).to_numpy(dtype=bool)
    serial = info["cleaned"].where(usable)
    folded = _fold_confusables(serial, config["confusables"])
    recovery = frame["recovery_date"].to_numpy(dtype="datetime64[D]")
    days = recovery.astype("float64")
    days[np.isnat(recovery)] = np.nan
    return pd.DataFrame({
        "serial": serial.astype(object).where(serial.notna(), None).to_numpy(),
        "folded": folded.astype(object).where(folded.notna(), None).to_numpy(),
        "undone": _undone(info, usable),
        "maker": _families(frame["manufacturer"], ref), "importer": _families(frame["import_marking"], ref),
        "model": map_distinct(frame["model"], lambda m: _model_key(m, config["model_stopwords"])),
        "caliber": map_distinct(frame["caliber"], lambda c: calibers.get(fold(c)) or _compact(c)),
        "recovery": days, "agency": map_distinct(frame["agency"], fold)}, index=frame.index)


def keys_from_columns(columns: pd.DataFrame) -> Keys:
    """Keys from ``key_columns``' shape (index: sheet rows), coded for comparison: a batch's own,
    or a batch and the earlier requests of the history store side by side."""
    maker, importer, maker_labels = _shared_codes(columns["maker"].to_numpy(dtype=object),
                                                  columns["importer"].to_numpy(dtype=object))
    model, model_labels = _codes(columns["model"].to_numpy(dtype=object))
    caliber, caliber_labels = _codes(columns["caliber"].to_numpy(dtype=object))
    agency, agency_labels = _codes(columns["agency"].to_numpy(dtype=object))
    serial = columns["serial"].to_numpy(dtype=object)
    return Keys(rows=columns.index.to_numpy(), usable=pd.notna(serial),
                serial=serial, folded=columns["folded"].to_numpy(dtype=object),
                undone=columns["undone"].to_numpy(dtype=object),
                maker=maker, importer=importer, model=model, caliber=caliber,
                recovery=columns["recovery"].to_numpy(dtype="float64"), agency=agency,
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
