"""What kind of seized item a row describes: a firearm, or ammunition, a magazine, a part, an accessory.

Seizure exports (a police or forensic system's year of records) mix firearms with the ammunition,
magazines, parts and accessories seized with them; only firearms are traced. The kind is read from
the row's type cell (``firearm_type``: "Tipo", "Clase", "Item") with the words of the rule pack's
``items`` table (English, Spanish, Portuguese; plurals in -S/-ES are the same word).

A description names its item first and then what it belongs to or carries: "MAGAZINE FOR PISTOL",
"CARGADOR DE PISTOLA", "PISTOLA CON CARGADOR", "ARMA DE FUEGO". So the text is cut at the first
connecting word (FOR, WITH, AND, OF; PARA, CON, DE, DEL, Y; COM, DO, DA, E) and the head decides:
in English the head's last item word ("PISTOL MAGAZINE" is a magazine), else the first item word
anywhere. A cell with no item word is a firearm: a row is never left out on weak evidence.
"""

from __future__ import annotations

import re

import pandas as pd

from tracecheck.text import fold

FIREARM = "firearm"
CONNECTORS = frozenset({"FOR", "WITH", "AND", "OF", "W", "PARA", "CON", "DE", "DEL", "Y", "COM", "DO", "DA",
                        "E", "SEM", "SIN", "WITHOUT"})
_WORD = re.compile(r"[A-Z]+")


def item_kinds(values: pd.Series, words: dict[str, str]) -> pd.Series:
    """Per row, the kind of item the type cell names: "firearm" or a kind from ``words``.

    ``values``: the type cells as text (missing = unknown, a firearm). ``words``: folded word (or
    phrase) -> kind, "firearm" for firearm words (:attr:`tracecheck.reference.Reference.item_words`).
    Returns a Series of str on the same index. Work is done once per distinct value.
    """
    out = pd.Series(FIREARM, index=values.index, dtype=object)
    present = values.notna()
    if not words or not present.any():
        return out
    distinct = pd.unique(values[present].to_numpy(dtype=object))
    kinds = {v: item_kind(str(v), words) for v in distinct}
    out[present] = values[present].map(kinds)
    return out


def item_kind(text: str, words: dict[str, str]) -> str:
    """The kind of item one type cell names (see the module docstring)."""
    tokens = _WORD.findall(fold(text))
    head: list[str] = []
    for token in tokens:
        if token in CONNECTORS and head:
            break
        head.append(token)
    head_kinds = _kinds(head, words)
    if head_kinds:
        return head_kinds[-1]
    rest = _kinds(tokens, words)
    return rest[0] if rest else FIREARM


def _kinds(tokens: list[str], words: dict[str, str]) -> list[str]:
    """Item kinds named in ``tokens``, in order; two-word phrases ("SPARE PART") count as one."""
    kinds: list[str] = []
    i = 0
    while i < len(tokens):
        pair = f"{tokens[i]} {tokens[i + 1]}" if i + 1 < len(tokens) else None
        if pair and (kind := _word_kind(pair, words)):
            kinds.append(kind)
            i += 2
            continue
        if kind := _word_kind(tokens[i], words):
            kinds.append(kind)
        i += 1
    return kinds


def _word_kind(word: str, words: dict[str, str]) -> str | None:
    """The kind of a word, its plural in -S or -ES read as the singular (CARTUCHOS, MUNICIONES)."""
    for candidate in (word, word[:-1] if word.endswith("S") else None, word[:-2] if word.endswith("ES") else None):
        if candidate and candidate in words:
            return words[candidate]
    return None

