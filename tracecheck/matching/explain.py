"""Evidence for pairs in words a reviewer understands, with what each field contributed.

Each field's comparison level picks a phrase from the message catalogue (``evidence.*``: "same
serial {a}", "makers differ ({a} / {b})"), filled with the two values as submitted. Phrases are
rendered for all reported pairs at once, one template per level, by Arrow (no Python string per
pair): the result is a text column per field and the joined explanation.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tracecheck.catalogue import PLURAL, Catalogue
from tracecheck.matching.keys import Keys

FIELDS = ("serial", "maker", "model", "caliber", "recovery")


def evidence_columns(pairs: pd.DataFrame, keys: Keys, raw: dict[str, pd.Series], weights: dict[str, float],
                     words: Catalogue) -> pd.DataFrame:
    """For every pair in ``pairs`` (columns i, j and a level per field), in the language of ``words``
    (``raw``: each field's values as submitted, by position):
    ``w_<field>`` the weight the field's level contributed, ``t_<field>`` its evidence text (missing
    when nothing is said about the field) and ``explanation``, the texts joined. Indexed like ``pairs``.

    Text is assembled by Arrow: each phrase's template is cut into literals and placeholders once,
    and the placeholders are columns taken from the submitted values by the pairs' positions."""
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    at_i, at_j = pa.array(i, type=pa.int64()), pa.array(j, type=pa.int64())
    blank = words.text("words", "blank")
    shown, identical = {}, {}
    for f, column in raw.items():
        text = _arrow_text(column)
        filled = pc.fill_null(text, blank)
        shown[f] = {"a": pc.take(filled, at_i), "b": pc.take(filled, at_j)}
        upper = pc.utf8_upper(pc.utf8_trim_whitespace(text))
        ui, uj = pc.take(upper, at_i), pc.take(upper, at_j)
        both_missing = pc.and_(pc.is_null(ui), pc.is_null(uj))
        identical[f] = np.asarray(pc.or_(pc.fill_null(pc.equal(ui, uj), False), both_missing))
    phrase = {f: _phrase_keys(f, pairs, identical.get(f, np.zeros(len(i), dtype=bool)), i, j, keys) for f in FIELDS}
    texts = {f: _render(phrase[f], _values(f, pairs, keys, shown, i, j, words), words) for f in FIELDS}
    explanation = pc.binary_join_element_wise(*(texts[f] for f in FIELDS), words.text("evidence", "separator"),
                                              null_handling="skip")
    out: dict[str, Any] = {}
    for f in FIELDS:
        weight = np.array([float(weights.get(f"{f}_{lvl}", 0)) for lvl in pairs[f].cat.categories])
        out[f"w_{f}"] = weight[pairs[f].cat.codes.to_numpy()]
    for f in FIELDS:
        out[f"t_{f}"] = pd.array(texts[f], dtype="str")
    out["explanation"] = pd.array(explanation, dtype="str")
    return pd.DataFrame(out, index=pairs.index)


def _level_names(levels: pd.Series) -> np.ndarray:
    """A categorical level column as an array of its names (one object per category, shared)."""
    return np.asarray(levels.cat.categories, dtype=object)[levels.cat.codes.to_numpy()]


def _arrow_text(values: pd.Series) -> pa.Array:
    """A column's values as one Arrow string array (missing → null)."""
    array = pa.array(values.astype("str").array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array if array.type == pa.string() else array.cast(pa.string())


def _phrase_keys(field: str, pairs: pd.DataFrame, identical: np.ndarray, i: np.ndarray, j: np.ndarray,
                 serials: Keys) -> np.ndarray:
    """The catalogue key of each pair's phrase for ``field`` (None: nothing worth saying).
    ``identical``: the two values are the same text once trimmed and upper-cased."""
    level = _level_names(pairs[field])
    keys = np.array([f"{field}.{name}" for name in pairs[field].cat.categories], dtype=object)[
        pairs[field].cat.codes.to_numpy()]
    if field == "serial":
        undone = _said_undone(serials, i, j)
        keys = np.where((level == "exact") & identical, "serial.same", keys)
        return np.where((level == "exact") & (undone != None), "serial.undone", keys)  # noqa: E711
    if field == "recovery":
        return keys
    keys = np.where((level == "same") & ~identical, f"{field}.alias", keys)
    if field != "maker":
        keys[level == "unknown"] = None  # an unknown model or caliber is not mentioned
    return keys


def _values(field: str, pairs: pd.DataFrame, keys: Keys, shown: dict[str, dict[str, pa.Array]], i: np.ndarray,
            j: np.ndarray, words: Catalogue) -> dict[str, pa.Array]:
    """The placeholders of the field's phrases, one value per pair."""
    if field == "recovery":
        days = np.nan_to_num(pairs["days_apart"].to_numpy(), nan=0).astype(np.int64)
        unknown = words.text("words", "unknown_date")
        return {"a": pa.array(_days(keys.recovery[i], unknown)), "b": pa.array(_days(keys.recovery[j], unknown)),
                "days": pc.cast(pa.array(days), pa.string())}
    values = dict(shown[field])
    if field == "serial":
        level = _level_names(pairs["serial"])
        values["missing"] = pc.if_else(pa.array(keys.usable[i]), values["b"], values["a"])
        changes = np.full(len(level), "", dtype=object)
        for k in np.flatnonzero(level == "folded"):
            changes[k] = _folds(keys.serial[i[k]], keys.serial[j[k]]) or words.text("evidence", "serial.folded_any")
        values["changes"] = pa.array(changes, type=pa.string())
        undone = pd.Series(_said_undone(keys, i, j), dtype=object)
        said = undone.map({u: words.text("evidence", f"undone.{u}") for u in undone.dropna().unique()})
        values["undone"] = pa.array(said.astype(object).where(said.notna(), "").to_numpy(), type=pa.string())
    if field == "maker":
        labels = np.append(keys.labels["maker"].astype(object), "")
        values["family"] = pa.array(labels[np.where(keys.maker[i] >= 0, keys.maker[i], -1)], type=pa.string())
    return values


def _render(phrase_keys: np.ndarray, values: dict[str, pa.Array], words: Catalogue) -> pa.Array:
    """Each pair's phrase (null where its key is None): per phrase, the template's literals joined
    with the placeholder columns taken at that phrase's pairs, then all put back in pair order."""
    codes, uniques = pd.factorize(pd.Series(phrase_keys, dtype=object))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(-1, len(uniques) + 1))
    parts = [pa.nulls(int(bounds[1] - bounds[0]), pa.string())]  # code -1: nothing said
    for code, key in enumerate(uniques):
        at = pa.array(order[bounds[code + 1]:bounds[code + 2]], type=pa.int64())
        pieces: list[Any] = []
        for literal, name, spec, conversion in string.Formatter().parse(words.text("evidence", key)):
            if literal:
                pieces.append(literal)
            if name is not None:
                if conversion or (spec and not spec.startswith(PLURAL)):
                    raise ValueError(f"evidence phrase {key!r}: placeholders take no format but plural ({name})")
                taken = pc.take(values[name], at)
                pieces.append(_plural(taken, spec[len(PLURAL):], words) if spec else taken)
        arrays = [p for p in pieces if not isinstance(p, str)]
        parts.append(pc.binary_join_element_wise(*pieces, "") if arrays
                     else pa.array(["".join(pieces)] * len(at), type=pa.string()))
    texts = pa.concat_arrays(parts)
    return texts.take(pa.array(np.argsort(order, kind="stable")))


def _plural(values: pa.Array, forms: str, words: Catalogue) -> pa.Array:
    """``{days:plural:# day|# days}`` over a column: each distinct value's form, once."""
    codes, uniques = pd.factorize(values.to_numpy(zero_copy_only=False))
    texts = np.array([words.plural(v, forms) for v in uniques] + [None], dtype=object)
    return pa.array(texts[codes], type=pa.string())


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
