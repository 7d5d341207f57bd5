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

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, and_, select, tuple_

from tracecheck.history.tables import batches, requests, serial_deletions
from tracecheck.matching.blocking import serial_keys, serial_values
from tracecheck.matching.keys import KEY_COLUMNS, keys_from_columns
from tracecheck.read import SHEET_ROW_BLOCK

CHUNK = 5_000  # keys per IN (...) list (SQLite allows 32,766 parameters, PostgreSQL 65,535)
EVENT_CHUNK = 1_000  # (maker, model, caliber, day) tuples per query
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
    parts = [_fetch(connection, select(*FETCHED).where(requests.c.serial_key.in_(chunk)), before)
             for chunk in _chunks(_signed(serial_lookups), CHUNK)]
    joined = and_(serial_deletions.c.batch == requests.c.batch, serial_deletions.c.row == requests.c.row)
    parts += [_fetch(connection, select(*FETCHED).join(serial_deletions, joined)
                     .where(serial_deletions.c.key.in_(chunk)), before)
              for chunk in _chunks(_signed(np.unique(full)), CHUNK)]
    found = _capped(pd.concat(parts, ignore_index=True) if parts else _empty(), "serial_key",
                    int(config["max_block_size"]))
    events = new.loc[new[list(EVENT)].notna().all(axis=1), list(EVENT)].drop_duplicates()
    tuples = [(a, b, c, int(d)) for a, b, c, d in events.itertuples(index=False, name=None)]
    by_event = [_fetch(connection, select(*FETCHED).where(tuple_(*(requests.c[n] for n in EVENT)).in_(chunk)),
                       before) for chunk in _chunks(tuples, EVENT_CHUNK)]
    if by_event:
        found = pd.concat([found, _capped(pd.concat(by_event, ignore_index=True), list(EVENT),
                                          int(config["max_event_block_size"]))], ignore_index=True)
    found = found.drop_duplicates(["batch", "row"]).sort_values(["batch", "row"], kind="stable")
    return _with_batches(connection, found.reset_index(drop=True))


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
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


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
