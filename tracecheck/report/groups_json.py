"""The JSON report's ``duplicate_groups``, streamed from the columnar duplicate tables.

Each group and each pair is assembled as JSON text by Arrow, column by column (as the findings
are in ``tracecheck.report.encode``), ``CHUNK`` groups at a time: memory for writing follows one
chunk, not the text of every group at once, and no Python object is built per pair.
"""

from __future__ import annotations

import json
from typing import TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tracecheck.matching.tables import FIELDS, DuplicateTables

CHUNK = 10_000  # groups per chunk


def write_groups(fp: TextIO, tables: DuplicateTables) -> None:
    """Write ``[group, ...]`` (docs/report.schema.json, ``duplicate_groups``) into ``fp``."""
    from tracecheck.report.encode import literals

    groups, members, pairs = tables.groups, tables.members, tables.pairs
    sizes = groups["size"].to_numpy(dtype=np.int64)
    counts = groups["pairs"].to_numpy(dtype=np.int64)
    member_start = np.r_[0, np.cumsum(sizes)]
    pair_start = np.r_[0, np.cumsum(counts)]
    fp.write("[")
    for start in range(0, len(groups), CHUNK):
        stop = min(start + CHUNK, len(groups))
        chunk = groups.iloc[start:stop]
        rows = members["row"].iloc[member_start[start]:member_start[stop]]
        pair_text = _pair_literals(pairs.iloc[pair_start[start]:pair_start[stop]], literals)
        weakest = pc.binary_join_element_wise(
            '{"rows":[', _numbers(chunk["weakest_a"]), ",", _numbers(chunk["weakest_b"]), '],"score":',
            _numbers(chunk["score"]), "}", "")
        weakest = pc.if_else(pc.is_valid(pa.array(chunk["weakest_a"], from_pandas=True)), weakest, "null")
        records = pc.binary_join_element_wise(
            '{"id":', literals(chunk["group"]), ',"kind":', literals(chunk["kind"]), ',"confidence":',
            literals(chunk["confidence"]), ',"score":', _numbers(chunk["score"]),
            ',"rows":[', _joined(_numbers(rows), sizes[start:stop], ","), '],"weakest_link":', weakest,
            ',"pairs":[', _joined(pair_text, counts[start:stop], ",\n"), "]}", "")
        if start:
            fp.write(",\n")
        fp.write(",\n".join(records.to_pylist()))
    fp.write("]")


def _pair_literals(pairs: pd.DataFrame, literals) -> pa.Array:
    """``{"rows":[a,b],"score":s,"explanation":...,"evidence":[{field, level, weight}...]}`` per pair;
    an evidence item per field the explanation speaks of."""
    items = []
    for field in FIELDS:
        item = pc.binary_join_element_wise(f'{{"field":{json.dumps(field)},"level":', literals(pairs[field]),
                                           ',"weight":', _numbers(pairs[f"w_{field}"]), "}", "")
        said = pa.array(pairs[f"t_{field}"].notna().to_numpy())
        items.append(pc.if_else(said, item, pa.scalar(None, pa.string())))
    evidence = pc.binary_join_element_wise(*items, ",", null_handling="skip") if items else ""
    return pc.binary_join_element_wise(
        '{"rows":[', _numbers(pairs["a"]), ",", _numbers(pairs["b"]), '],"score":', _numbers(pairs["score"]),
        ',"explanation":', literals(pairs["explanation"]), ',"evidence":[', evidence, "]}", "")


def _numbers(values: pd.Series) -> pa.Array:
    """Numbers as JSON text (``null`` when missing); whole floats keep a ``.0`` as Python writes them."""
    array = pa.array(values, from_pandas=True)
    text = pc.cast(array, pa.string())
    if pa.types.is_floating(array.type):
        whole = pc.and_(pc.is_finite(array), pc.equal(pc.floor(array), array))
        text = pc.if_else(pc.fill_null(whole, False), pc.binary_join_element_wise(text, ".0", ""), text)
    return pc.fill_null(text, "null")


def _joined(values: pa.Array, counts: np.ndarray, separator: str) -> pa.Array:
    """Consecutive runs of ``values`` (``counts`` long each) joined into one text per run."""
    offsets = pa.array(np.r_[0, np.cumsum(counts)].astype(np.int32))
    return pc.binary_join(pa.ListArray.from_arrays(offsets, values), separator)
