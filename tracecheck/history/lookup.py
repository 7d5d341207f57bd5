"""Earlier requests that may match a batch's: fetched from the store by index, never by a scan.

The blocking keys of ``tracecheck.matching.blocking`` split between the batch and the store:
* the store's serial key equals the batch's serial key, one of its one-character deletions (the
  earlier serial lost a character) or one of its adjacent swaps;
* a stored deletion key equals the batch's serial key (the batch's serial lost a character);
* maker family + model + caliber class + recovery day equal (rows whose serial cannot decide).
Keys shared by more earlier requests than the blocking's block limits are dropped, as in a batch.
Memory follows the batch and its candidates, not the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    JSON,
    BigInteger,
    BindParameter,
    Connection,
    Integer,
    Select,
    Subquery,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)

from tracecheck.history.tables import batches, requests, serial_deletions
from tracecheck.matching.blocking import serial_keys, serial_values
from tracecheck.matching.keys import KEY_COLUMNS, keys_from_columns
from tracecheck.read import SHEET_ROW_BLOCK

CHUNK = 50_000  # keys per query (one JSON parameter each)
EVENT_CHUNK = 10_000  # (maker, model, caliber, day) tuples per query
EVENT = ("maker", "model", "caliber", "recovery")
FETCHED = [requests.c[name] for name in ("batch", "row", "sheet", "request_id", *KEY_COLUMNS, "agency_name",
                                         "serial_key")]


def candidates(connection: Connection, new: pd.DataFrame, config: dict, *, before: int | None) -> pd.DataFrame:
    """The earlier requests that share a blocking key with a request of ``new`` (request_frame's
    shape), with their batch's ``digest``, ``source`` and ``recorded_at`` and a ``row_label``, earliest
    batch first; with ``before`` (the batch's own number, when it was recorded), only batches
    recorded before it: a batch is never matched against itself or against those sent after it."""
    keys = keys_from_columns(new[list(KEY_COLUMNS)])
    _rows, full, deletions = serial_keys(keys)
    folded = keys.folded[keys.usable]
    serial_lookups = np.unique(np.concatenate([full, deletions[deletions != 0], _swaps(folded)]))
    parts = []
    for chunk in _chunks(_signed(serial_lookups), CHUNK):
        table = _key_table(connection, chunk)
        parts.append(_fetch(connection, select(*FETCHED).join_from(table, requests,
                                                                   requests.c.serial_key == table.c.key), before))
    joined = and_(serial_deletions.c.batch == requests.c.batch, serial_deletions.c.row == requests.c.row)
    for chunk in _chunks(_signed(np.unique(full)), CHUNK):
        table = _key_table(connection, chunk)
        parts.append(_fetch(connection, select(*FETCHED).join_from(table, serial_deletions,
                                                                   serial_deletions.c.key == table.c.key)
                            .join(requests, joined), before))
    found = _capped(pd.concat(parts, ignore_index=True) if parts else _empty(), "serial_key",
                    int(config["max_block_size"]))
    events = new.loc[new[list(EVENT)].notna().all(axis=1), list(EVENT)].drop_duplicates()
    tuples = [(str(a), str(b), str(c), int(d)) for a, b, c, d in events.itertuples(index=False, name=None)]
    limit = int(config["max_event_block_size"])
    by_event = [_event_rows(connection, chunk, limit, before) for chunk in _chunks(tuples, EVENT_CHUNK)]
    if by_event:
        found = pd.concat([found, _capped(pd.concat(by_event, ignore_index=True), list(EVENT), limit)],
                          ignore_index=True)
    found = found.drop_duplicates(["batch", "row"]).sort_values(["batch", "row"], kind="stable")
    return _with_batches(connection, found.reset_index(drop=True))


def _event_rows(connection: Connection, tuples: list, limit: int, before: int | None) -> pd.DataFrame:
    """The earlier requests of the events (maker, model, caliber, day) that at most ``limit`` of them
    share: counted on the index first, so a busy day's hundreds of requests are never fetched."""
    columns = [requests.c[name] for name in EVENT]
    table = _event_table(connection, tuples)
    small = select(*columns).join_from(table, requests, and_(*(c == table.c[c.name] for c in columns)))
    if before is not None:
        small = small.where(requests.c.batch < before)
    kept = [tuple(row) for row in connection.execute(small.group_by(*columns).having(func.count() <= limit))]
    if not kept:
        return _empty()
    table = _event_table(connection, kept)
    return _fetch(connection, select(*FETCHED).join_from(table, requests, and_(*(c == table.c[c.name]
                                                                                   for c in columns))), before)


def _key_table(connection: Connection, keys: list[int]) -> Subquery:
    """``keys`` as a one-column table (``key``) sent as one JSON parameter: one short statement for any
    number of keys, joined to the store's index (an IN list of thousands of parameters is slow to
    send and, on PostgreSQL, planned as a scan of the whole table)."""
    if connection.dialect.name == "postgresql":
        values = func.json_array_elements_text(cast(_json(keys), JSON)).table_valued("value")
        return select(cast(values.c.value, BigInteger).label("key")).subquery("k")
    values = func.json_each(_json(keys)).table_valued("value")
    return select(values.c.value.label("key")).subquery("k")


def _event_table(connection: Connection, tuples: list) -> Subquery:
    """(maker, model, caliber, day) tuples as a table with the EVENT columns (one JSON parameter)."""
    items: list[Any]
    if connection.dialect.name == "postgresql":
        values = func.json_array_elements(cast(_json(tuples), JSON)).table_valued("value")
        items = [values.c.value.op("->>")(literal_column(str(i))) for i in range(4)]
    else:
        values = func.json_each(_json(tuples)).table_valued("value")
        items = [func.json_extract(values.c.value, literal_column(f"'$[{i}]'")) for i in range(4)]
    return select(*(item.label(name) for item, name in zip(items[:3], EVENT)),
                  cast(items[3], Integer).label(EVENT[3])).subquery("e")


def _json(values: list) -> BindParameter:
    return bindparam(None, json.dumps(values), type_=Text)


def _swaps(folded: np.ndarray) -> np.ndarray:
    """Serial keys of every adjacent swap of each serial (characters that differ)."""
    variants = [s[:p] + s[p + 1] + s[p] + s[p + 2:] for s in folded for p in range(len(s) - 1) if s[p] != s[p + 1]]
    return serial_values(np.array(variants, dtype=object)) if variants else np.empty(0, np.uint64)


def _signed(values: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers the store holds (same bits)."""
    return np.asarray(values, dtype=np.uint64).view(np.int64).tolist()


def _chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _fetch(connection: Connection, query: Select, before: int | None) -> pd.DataFrame:
    if before is not None:
        query = query.where(requests.c.batch < before)
    result = connection.execute(query)
    columns = list(result.keys())
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=columns)  # pandas probes a Row slowly


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[c.name for c in FETCHED])


def _capped(found: pd.DataFrame, key: str | list[str], limit: int) -> pd.DataFrame:
    """``found`` without the keys that more than ``limit`` earlier requests share (a common
    placeholder serial, a raid's recovery day): such a key says nothing about any two of them."""
    if found.empty:
        return found
    unique = found.drop_duplicates(["batch", "row", *([key] if isinstance(key, str) else key)])
    sizes = unique.groupby(key, dropna=False)["row"].transform("size")
    wide = set(map(tuple, unique.loc[sizes > limit, [key] if isinstance(key, str) else key].to_numpy().tolist()))
    if not wide:
        return found
    keys = found[[key] if isinstance(key, str) else key].to_numpy().tolist()
    return found[[tuple(k) not in wide for k in keys]]


def _with_batches(connection: Connection, found: pd.DataFrame) -> pd.DataFrame:
    """``found`` with its batches' digest, source and recording time, and each row's label."""
    numbers = sorted(set(found["batch"].astype(int).tolist()))
    info = pd.DataFrame(connection.execute(select(batches.c.number, batches.c.digest, batches.c.source,
                                                  batches.c.recorded_at).where(batches.c.number.in_(numbers)))
                        .fetchall(), columns=["batch", "digest", "source", "recorded_at"])
    found = found.merge(info, on="batch", how="left")
    row = found["row"].astype("int64")
    label = (row % SHEET_ROW_BLOCK).astype(str)
    found["row_label"] = np.where(found["sheet"].notna(), found["sheet"].astype(str) + "!" + label, row.astype(str))
    found["recovery"] = found["recovery"].astype("float64")
    for name, column in (("serial", "serial"), ("maker", "maker"), ("model", "model"), ("caliber", "caliber")):
        found[f"shown_{name}"] = found[column]
    return found
