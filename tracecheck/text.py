"""Text folding shared by header mapping and value rules (pure functions, no I/O)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_PLAIN = re.compile(r"^[A-Za-z0-9]*$")


def fold(text: object) -> str:
    """Upper case, accents removed, punctuation and spacing collapsed to single spaces.

    ``"Matrícula:"`` → ``"MATRICULA"``; ``"S/N"`` → ``"S N"``; ``"Nº de serie"`` → ``"NO DE SERIE"``.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    text = str(text)
    if text.isascii():  # nothing to decompose: the same result, several times faster
        return _NON_ALNUM.sub(" ", text.upper()).strip()
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.upper()).strip()


def fold_series(values: pd.Series) -> pd.Series:
    """``fold`` over a column of text, computed once per distinct value. Missing stays missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    folded = np.array([v.upper() if _PLAIN.match(v) else fold(v) for v in map(str, uniques)], dtype=object)
    out = np.full(len(values), None, dtype=object)
    found = codes >= 0
    out[found] = folded[codes[found]]
    return pd.Series(out, index=values.index, dtype=object)


def map_distinct(values: pd.Series, fn, *, missing=None) -> np.ndarray:
    """``fn`` applied once per distinct value, spread back over the rows (``missing`` for NA)."""
    codes, uniques = pd.factorize(values)
    results = np.array([fn(v) for v in uniques] + [missing], dtype=object)
    return results[codes]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_INITIAL = re.compile(r"(?:^|[\s.(])[^\W\d_]\.$")  # "U.S." / "J.": a single letter and its period


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, whitespace collapsed. A sentence ends at ".", "!" or "?"
    followed by a space and an upper-case letter (or "¿", "¡"), but not after a single-letter
    initial: "18 U.S.C. 923" and "U.S. Code" do not end one."""
    text = " ".join(text.split())
    for end in _SENTENCE_END.finditer(text):
        following = text[end.end()]
        if not (following.isupper() or following in "¿¡"):
            continue
        if text[end.start() - 1] == "." and _INITIAL.search(text, 0, end.start()):
            continue
        return text[:end.start()]
    return text
