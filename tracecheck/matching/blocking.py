"""Candidate pairs: rows that share a blocking key. Never all pairs.

Serial keys (rows with a usable serial), each a join between two key sets:
* folded serial = folded serial: identical after cleaning and folding confusables;
* folded serial = a one-character deletion of another: one character dropped or added;
* a swap key (the unordered deletions at p and p+1): two adjacent characters swapped.
A serial with one character substituted shares no key with the original and is never paired:
a folded confusable is already caught by the first key, and any other substitution is evidence
of a different gun (consecutive serials of a straw purchase).

Event key: maker family + model + caliber class + recovery date, for blocks of at most
``max_event_block`` rows. Its pairs are kept only when one row has no usable serial (possible
duplicates) or the serial lengths differ by two or more (a missing prefix or suffix).

Serials become integer keys directly (a base-37 polynomial over the characters, exact up to 12
characters, hashed beyond), so deletions and swaps are computed arithmetically and every join
is one numpy sort: no string hashing of the ~20 keys per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracecheck.matching.keys import Keys, keys_from_columns

MIN_DELETION_LENGTH = 5  # shorter serials only match on themselves
AFFIX_LENGTHS = (4, 5, 6)  # short serials looked for inside longer ones
WIDTH = 20  # characters considered: the NCIC serial limit (longer serials are cut)
BASE = np.uint64(37)
MIX_A, MIX_B, MIX_C = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)


def candidate_pairs(keys: Keys, *, max_block: int, max_event_block: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of every candidate pair, deduplicated and sorted."""
    rows, full, deletions, swaps, digits, length = _serial_keys(keys)
    has_deletion = deletions != 0
    has_swap = swaps != 0
    owner = np.broadcast_to(rows[:, None], deletions.shape)
    parts = [
        _join(full, rows, full, rows, max_block, same_set=True),
        _join(full, rows, deletions[has_deletion], owner[has_deletion], max_block),
        _pairs_in_blocks(swaps[has_swap], owner[:, 1:][has_swap], max_block),
        *_affix_pairs(rows, full, digits, length, max_block),
        _event_pairs(keys, max_event_block),
    ]
    left = np.concatenate([p[0] for p in parts])
    right = np.concatenate([p[1] for p in parts])
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    keep = lo != hi
    n = len(keys.rows)
    packed = np.unique(lo[keep].astype(np.int64) * n + hi[keep])
    return packed // n, packed % n


def cross_pairs(keys: Keys, split: int, *, max_block: int, max_event_block: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i, j) with i < ``split`` <= j: the blocking of ``candidate_pairs`` joined
    only across two sets, a batch (positions before ``split``) and earlier requests (from it on),
    deduplicated and sorted. The two sets' own pairs are never formed (the batch's are the
    in-batch duplicates; the earlier requests' were found when they were checked)."""
    rows, full, deletions, swaps, digits, length = _serial_keys(keys)
    new = rows < split
    has_deletion = deletions != 0
    owner = np.broadcast_to(rows[:, None], deletions.shape)
    old_deletion, new_deletion = has_deletion & ~new[:, None], has_deletion & new[:, None]
    parts = [
        _join(full[new], rows[new], full[~new], rows[~new], max_block),
        _join(full[new], rows[new], deletions[old_deletion], owner[old_deletion], max_block),
        _join(full[~new], rows[~new], deletions[new_deletion], owner[new_deletion], max_block),
        _pairs_in_blocks(swaps[swaps != 0], owner[:, 1:][swaps != 0], max_block),
        *_affix_pairs(rows, full, digits, length, max_block),
        _event_pairs(keys, max_event_block),
    ]
    left = np.concatenate([p[0] for p in parts])
    right = np.concatenate([p[1] for p in parts])
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    keep = (lo < split) & (hi >= split)
    n = len(keys.rows)
    packed = np.unique(lo[keep].astype(np.int64) * n + hi[keep])
    return packed // n, packed % n


def serial_keys(keys: Keys) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per usable row: its position, its folded serial's integer key and the keys of its
    one-character deletions (0 where there is none), as ``candidate_pairs`` joins them: what the
    history store indexes so that a later batch finds the same candidates."""
    rows, full, deletions, _swaps, _digits, _length = _serial_keys(keys)
    return rows, full, deletions


def serial_values(serials: np.ndarray) -> np.ndarray:
    """The integer key of each folded serial (uint64), as ``serial_keys`` computes it."""
    digits = _digits(serials)
    with np.errstate(over="ignore"):
        return (digits * _powers()).sum(axis=1, dtype=np.uint64)


def _powers() -> np.ndarray:
    return np.cumprod(np.r_[np.uint64(1), np.full(WIDTH - 1, BASE)].astype(np.uint64))[::-1]


def _digits(serials: np.ndarray) -> np.ndarray:
    """Characters mapped to 0-9 → 1-10, A-Z → 11-36, padding → 0 (uint8 keeps this matrix small)."""
    text = np.array([s[:WIDTH] for s in serials], dtype=f"S{WIDTH}")
    chars = text.view(np.uint8).reshape(len(serials), WIDTH)
    return np.where(chars == 0, 0, np.where(chars <= 57, chars - 47, chars - 54)).astype(np.uint8)


def _serial_keys(keys: Keys) -> tuple[np.ndarray, ...]:
    """Per usable row: its position; the folded serial as an integer; per position p the serial
    with character p deleted (0 where there is none); and a key for "characters p and p+1
    swapped" in two mirrored forms, equal for two serials exactly when they differ by that swap.

    A serial s (characters mapped to 1..36, padded with 0) is V(s) = Σ d_k·37^(W-1-k) in wrapping
    uint64 arithmetic: injective up to 12 characters, a hash beyond. With P_p the sum of the first
    p terms, deleting character p gives P_p + 37·(V − P_(p+1)): all positions in a few array ops.
    """
    rows = np.flatnonzero(keys.usable)
    digits = _digits(keys.folded[rows])
    length = (digits > 0).sum(axis=1)
    with np.errstate(over="ignore"):
        powers = _powers()
        prefix = np.zeros((len(rows), WIDTH + 1), dtype=np.uint64)
        np.cumsum(digits * powers, axis=1, out=prefix[:, 1:])
        full = prefix[:, WIDTH].copy()
        deletions = full[:, None] - prefix[:, 1:]  # deletion p = P_p + 37·(V − P_(p+1)), in one buffer
        deletions *= BASE
        deletions += prefix[:, :WIDTH]
        del prefix
    position = np.arange(WIDTH)
    deletions[(position[None, :] >= length[:, None]) | (length[:, None] < MIN_DELETION_LENGTH)] = 0
    swaps = _swap_keys(deletions)
    return rows, full, deletions, swaps, digits, length


def _affix_pairs(rows: np.ndarray, full: np.ndarray, digits: np.ndarray, length: np.ndarray, max_block: int
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """A short serial (4-6 characters) found inside a serial at least two characters longer: a
    factory number inside an importer serial (AC-5007-79), or a dropped prefix or suffix."""
    powers = _powers()
    out = []
    for size in AFFIX_LENGTHS:
        short = length == size
        if not short.any():
            continue
        subs, owners = [], []
        short_keys = pd.Index(pd.unique(full[short]))
        for start in range(WIDTH - size + 1):
            host = length >= start + size
            host &= length >= size + 2
            if not host.any():
                break
            with np.errstate(over="ignore"):
                value = (digits[host, start:start + size].astype(np.uint64) * powers[:size]).sum(axis=1,
                                                                                                dtype=np.uint64)
            found = short_keys.get_indexer(value) >= 0  # short serials are few: keep substrings that are one
            subs.append(value[found])
            owners.append(rows[host][found])
        if subs:
            out.append(_join(full[short], rows[short], np.concatenate(subs), np.concatenate(owners), max_block))
    return out


def _swap_keys(deletions: np.ndarray) -> np.ndarray:
    """Serials a and b differ by swapping characters p and p+1 exactly when the unordered pair
    {del_p, del_p+1} is the same for both (if the ordered pairs are equal, a == b), so one
    symmetric key per position, hashed with p, finds swaps by a self-join."""
    here, after = deletions[:, :-1], deletions[:, 1:]
    low, high = np.minimum(here, after), np.maximum(here, after)
    position = np.arange(WIDTH - 1, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        swaps = low * MIX_A + high * MIX_B + position * MIX_C
    swaps[(after == 0) | (here == 0)] = 0
    return swaps


def _join(keys_a: np.ndarray, rows_a: np.ndarray, keys_b: np.ndarray, rows_b: np.ndarray, max_block: int,
          same_set: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows whose keys are equal, one from each set (or any two from one set). Keys that
    cannot meet a partner are dropped first with hash tables (linear time), so the sort that forms
    the blocks only sees the few keys that matter: of ~20 deletion keys per row, almost none."""
    if same_set:
        return _pairs_in_blocks(keys_a, rows_a, max_block)
    keep_b = _member(keys_b, keys_a)
    keys_b, rows_b = keys_b[keep_b], rows_b[keep_b]
    keep_a = _member(keys_a, keys_b)
    keys_a, rows_a = keys_a[keep_a], rows_a[keep_a]
    keys = np.concatenate([keys_a, keys_b])
    rows = np.concatenate([rows_a, rows_b])
    side = np.concatenate([np.zeros(len(keys_a), bool), np.ones(len(keys_b), bool)])
    i, j = _pairs_in_blocks(keys, np.arange(len(keys)), max_block, prefilter=False)
    cross = side[i] != side[j]
    return rows[i[cross]], rows[j[cross]]


def _member(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Mask of ``values`` found in ``among``, by hash table (pandas), not by sorting."""
    if not len(values) or not len(among):
        return np.zeros(len(values), dtype=bool)
    return pd.Index(pd.unique(among)).get_indexer(values) >= 0


def _event_pairs(keys: Keys, max_block: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sharing maker, model, caliber class and recovery date where the serial cannot
    decide alone: one row has no usable serial, or the lengths differ by two or more."""
    known = (keys.maker >= 0) & (keys.model >= 0) & (keys.caliber >= 0) & ~np.isnan(keys.recovery)
    positions = np.flatnonzero(known)
    frame = pd.DataFrame({"maker": keys.maker[positions], "model": keys.model[positions],
                          "caliber": keys.caliber[positions], "day": keys.recovery[positions]})
    codes = frame.groupby(["maker", "model", "caliber", "day"], sort=False).ngroup().to_numpy()
    i, j = _pairs_in_blocks(codes, positions, max_block)
    length = np.zeros(len(keys.rows), dtype=np.int64)
    usable = np.flatnonzero(keys.usable)
    length[usable] = [len(s) for s in keys.folded[usable]]
    keep = ~keys.usable[i] | ~keys.usable[j] | (np.abs(length[i] - length[j]) >= 2)
    return i[keep], j[keep]


def _pairs_in_blocks(codes: np.ndarray, rows: np.ndarray, max_block: int, *, prefilter: bool = True
                     ) -> tuple[np.ndarray, np.ndarray]:
    """All pairs inside each block of equal codes; blocks larger than ``max_block`` are skipped
    (a key that many rows share says nothing about any two of them). With ``prefilter``, codes
    seen once are dropped by a hash table before the sort (most keys of a large batch are unique)."""
    empty = (np.empty(0, np.int64), np.empty(0, np.int64))
    if len(codes) < 2:
        return empty
    if prefilter:
        shared = pd.Series(codes).duplicated(keep=False).to_numpy()
        codes, rows = codes[shared], rows[shared]
        if len(codes) < 2:
            return empty
    order = np.argsort(codes)  # order inside a block does not matter: pairs are deduplicated later
    codes, rows = codes[order], rows[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    lefts, rights = [empty[0]], [empty[1]]
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block)]):
        a, b = np.triu_indices(size, 1)
        members = starts[sizes == size][:, None] + np.arange(size)[None, :]
        lefts.append(rows[members[:, a]].ravel())
        rights.append(rows[members[:, b]].ravel())
    return np.concatenate(lefts), np.concatenate(rights)


# Block namespaces of ``block_entries``: the joins ``candidate_pairs`` makes, one code each.
FULL, DELETION, SWAP, EVENT = 0, 1, 2, 9
AFFIX = {size: 10 + size for size in AFFIX_LENGTHS}  # 14, 15, 16
CROSS = (DELETION, *AFFIX.values())  # joins between two key sets (pairs take one entry of each side)


def block_entries(columns: pd.DataFrame, short_keys: dict[int, np.ndarray]) -> pd.DataFrame:
    """The blocking of ``candidate_pairs`` as entries (block, key, row, side), for an engine that forms
    the blocks of a whole batch itself from its parts (tracecheck.spark). A candidate pair is two rows
    with entries in one (block, key) holding 2 to ``max_block`` entries (``max_event_block`` for
    EVENT), taking one entry of each side in the CROSS blocks (where both sides must be present),
    any two otherwise; EVENT pairs are kept only when one row's serial is not usable or the lengths
    differ by two or more (columns ``usable`` and ``length``). ``short_keys``: per affix size, the
    full keys of the batch's serials of that length (only host substrings equal to one are entries).
    An EVENT block's key is a 64-bit hash of maker, model, caliber and day (pandas' fixed-key
    hash, the same in every process; two blocks sharing one would add candidate pairs).
    ``columns``: the rows' key columns (tracecheck.matching.keys.key_columns, indexed by sheet row)."""
    keys = keys_from_columns(columns)
    rows_at, full, deletions, swaps, digits, length = _serial_keys(keys)
    rows = keys.rows[rows_at]
    parts = [_entries(FULL, full, rows, 0), _entries(DELETION, full, rows, 0)]
    has = deletions != 0
    parts.append(_entries(DELETION, deletions[has], np.broadcast_to(rows[:, None], deletions.shape)[has], 1))
    has = swaps != 0
    parts.append(_entries(SWAP, swaps[has], np.broadcast_to(rows[:, None], swaps.shape)[has], 0))
    powers = _powers()
    for size in AFFIX_LENGTHS:
        short = length == size
        parts.append(_entries(AFFIX[size], full[short], rows[short], 0))
        wanted = pd.Index(pd.unique(np.asarray(short_keys.get(size, ()), dtype=np.uint64)))
        for start in range(WIDTH - size + 1):
            host = (length >= start + size) & (length >= size + 2)
            if not host.any() or not len(wanted):
                break
            with np.errstate(over="ignore"):
                value = (digits[host, start:start + size].astype(np.uint64) * powers[:size]).sum(axis=1,
                                                                                                dtype=np.uint64)
            found = wanted.get_indexer(value) >= 0
            parts.append(_entries(AFFIX[size], value[found], rows[host][found], 1))
    event = columns[["maker", "model", "caliber", "recovery"]]
    known = np.flatnonzero(event.notna().all(axis=1).to_numpy())
    if len(known):
        codes = pd.util.hash_pandas_object(event.iloc[known].astype({"recovery": "float64"}), index=False)
        parts.append(_entries(EVENT, codes.to_numpy(dtype=np.uint64), keys.rows[known], 0))
    out = pd.concat(parts, ignore_index=True)
    usable_length = np.zeros(len(keys.rows), dtype=np.int64)
    usable_length[rows_at] = length
    position = pd.Index(keys.rows).get_indexer(out["row"].to_numpy())
    out["usable"] = keys.usable[position]
    out["length"] = usable_length[position]
    return out


def _entries(block: int, key: np.ndarray, rows: np.ndarray, side: int) -> pd.DataFrame:
    return pd.DataFrame({"block": np.full(len(key), block, dtype=np.int8),
                         "key": np.asarray(key, dtype=np.uint64).view(np.int64),
                         "row": np.asarray(rows, dtype=np.int64), "side": np.full(len(key), side, dtype=np.int8)})


def short_serial_keys(columns: pd.DataFrame) -> dict[int, np.ndarray]:
    """Per affix size, the full keys of the usable serials of that length (``block_entries``' input),
    from key columns (tracecheck.matching.keys.key_columns)."""
    _rows, full, _deletions, _swaps, _digits, length = _serial_keys(keys_from_columns(columns))
    return {size: np.unique(full[length == size]) for size in AFFIX_LENGTHS}
