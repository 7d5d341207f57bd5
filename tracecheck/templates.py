"""Vectorised ``str.format`` for message templates over many findings or pairs at once.

``render(template, fields, words)``: scalar fields are formatted once; Series fields become object
arrays of text (formatted once per distinct value) that numpy concatenates element-wise, which is
much cheaper than a Python ``format`` call per finding. Booleans, lists and non-integer numbers
are written the way the catalogue ``words`` says (yes/no, the list separator, the locale's decimal
mark); the plural spec ``{related_rows:plural:row #|rows #}`` picks the form that agrees with the
count and writes a list in words (``Catalogue.plural``). Pure.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.catalogue import PLURAL, Catalogue


def render(template: str, fields: dict[str, Any], words: Catalogue) -> np.ndarray | str:
    """``template`` filled from ``fields``: a str when every field is a scalar, else an object array."""
    pieces: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is not None:
            pieces.append(_format(fields[name], spec or "", conversion, words))
    arrays = [p for p in pieces if isinstance(p, np.ndarray)]
    if not arrays:
        return "".join(pieces)
    out = np.full(len(arrays[0]), "", dtype=object)
    for piece in pieces:
        out = out + piece
    return out


def _format(value: Any, spec: str, conversion: str | None, words: Catalogue) -> Any:
    if spec.startswith(PLURAL):  # {related_rows:plural:row #|rows #}: the form agrees with the count
        forms = spec[len(PLURAL):]
        if not isinstance(value, pd.Series):
            return words.plural(value, forms)
        return _text_array(value, lambda v: words.plural(v, forms))
    if not isinstance(value, pd.Series):
        return repr(value) if conversion == "r" else _scalar_text(value, spec, words)
    if conversion == "r":
        return _text_array(value, lambda v: repr(str(v)))
    if not spec and value.dtype.kind in "iu" and not value.hasnans:  # day counts, row numbers
        return value.to_numpy().astype(str).astype(object)
    return _text_array(value, lambda v: _scalar_text(v, spec, words))


def _text_array(value: pd.Series, convert: Callable[[Any], str]) -> np.ndarray:
    """``convert`` applied once per distinct value (most columns repeat a lot), missing → ''."""
    try:
        codes, uniques = pd.factorize(value)
    except TypeError:  # unhashable values (lists): one call each
        return np.array([convert(v) if v is not None else "" for v in value], dtype=object)
    texts = np.array([convert(v) for v in uniques] + [""], dtype=object)
    return texts[codes]


def _scalar_text(value: Any, spec: str, words: Catalogue) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return words.join(str(v) for v in value)
    if isinstance(value, (np.bool_, bool)):
        return words.text("words", "yes" if value else "no")
    if isinstance(value, (float, np.floating)) and not spec:
        return words.number(value, "0.0##")  # 12.4 years ("12,4" where the locale writes a decimal comma)
    return format(value, spec)
