"""A "Make/Model" column: one header naming the maker and the model, split at a known maker.

Exports often carry the maker and the model in one column ("GLOCK 19", "SMITH & WESSON M&P9",
"Taurus/PT-92"). The mapper reports such a header as compound (it names two fields). When no other
header feeds either field and most of the column's values start with a maker the pack knows, the
column feeds both: ``split_columns`` adds it to the mapping as the ``split`` method for
``manufacturer`` and ``model`` (so the identifier rules see both fields), and ``split_values``
divides each value at the longest known maker name it starts with. A value that does not start
with a known maker is kept whole as the maker (so the maker rules still see it) and is reported by
rule TC015 (make-model-split), with the split itself. Pure.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pandas as pd

from tracecheck.mapping.records import ColumnMapping, Evidence, MappedColumn
from tracecheck.reference import Reference
from tracecheck.text import fold, map_distinct

SPLIT_FIELDS = ("manufacturer", "model")
MIN_SHARE = 0.5  # of sampled values that must start with a known maker for the column to be split
MAX_MAKER_WORDS = 4  # "FABRICA DE ARME CUGIR" is the longest maker name in the default pack
_SEPARATOR = re.compile(r"\s*[/,;|-]\s*|\s+")


def split_value(value: str, reference: Reference) -> tuple[str, str | None] | None:
    """(maker as written, model or None) when ``value`` starts with a known maker name (the longest
    that fits, up to MAX_MAKER_WORDS words), else None."""
    text = value.strip()
    cuts = [m for m in _SEPARATOR.finditer(text) if m.start() > 0]
    ends = [m.start() for m in cuts][:MAX_MAKER_WORDS] + ([len(text)] if len(cuts) < MAX_MAKER_WORDS else [])
    for end in sorted(set(ends), reverse=True):
        maker = text[:end]
        if fold(maker) in reference.makers:  # an exact maker name or alias: "GLOCK 19" is not a maker
            rest = text[end:].strip(" /,;|-\t")
            return maker, rest or None
    return None


def split_columns(mapping: ColumnMapping, samples: dict[str, list[Any]], reference: Reference) -> ColumnMapping:
    """``mapping`` with a compound maker+model header feeding the fields of the two that no other
    header feeds (method ``split``), when at least MIN_SHARE of its sampled values start with a
    known maker: both fields, or only the model beside a maker column ("Marca" and "Marca/Modelo")."""
    targets = tuple(f for f in SPLIT_FIELDS if f not in mapping.fields)
    if not targets:
        return mapping
    for header, fields in mapping.compound:
        if not set(SPLIT_FIELDS) <= set(fields):
            continue
        values = [str(v) for v in samples.get(header, [])]
        share = sum(split_value(v, reference) is not None for v in values) / len(values) if values else 0.0
        if share < MIN_SHARE:
            continue
        evidence = (Evidence("parts", " / ".join(SPLIT_FIELDS)), Evidence("maker_first", None, share))
        added = tuple(MappedColumn(f, header, "split", 0.0, round(share, 3), evidence) for f in targets)
        decisions = tuple(dataclasses.replace(d, status="mapped", field=targets[0]) if d.header == header else d
                          for d in mapping.decisions)
        return dataclasses.replace(mapping, columns=mapping.columns + added, decisions=decisions,
                                   compound=tuple(c for c in mapping.compound if c[0] != header))
    return mapping


def split_values(values: pd.Series, reference: Reference) -> pd.DataFrame:
    """Each value divided at its maker: columns ``manufacturer``, ``model`` (text, missing when
    absent), ``whole`` (the value as written) and ``split`` (True where a known maker was found;
    the caller keeps a value without one whole). Blank values stay blank and count as split."""
    found = map_distinct(values, lambda v: split_value(str(v), reference), missing=False)
    makers = [p[0] if p else (None if p is False else v) for p, v in zip(found, values, strict=True)]
    models = [p[1] if p else None for p in found]
    return pd.DataFrame({"manufacturer": pd.Series(makers, index=values.index, dtype="str"),
                         "model": pd.Series(models, index=values.index, dtype="str"),
                         "whole": values, "split": [p is not None for p in found]}, index=values.index)

