"""Personal data out of the reports: purchaser and possessor names become stable keyed hashes.

``redact(batch, key)`` returns a batch whose name cells (in the submitted cells and in the
canonical table) read ``person-<16 hex>``: HMAC-SHA256 of the folded name under ``key``, cut to
64 bits, so the same person gets the same token across rows and runs with the same key, and
nobody without the key can test a guessed name against it. 64 bits because tokens must not
collide: among a million distinct names, 40 bits collide with about a one-in-three chance, 64
bits with about one in 36 million. The batch also keeps, per name field, a keyed match key of
each name with its words sorted (``tracecheck.sales.person_keys``), so the multiple-sales rules
still match "PEREZ, JUAN" with "Juan Pérez" after the names are gone. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

import pandas as pd

from tracecheck.normalise import Batch
from tracecheck.sales import TOKEN_HEX, person_keys
from tracecheck.text import fold, map_distinct

PERSONAL_FIELDS = ("purchaser", "possessor")



def token(name: str, key: bytes) -> str:
    """``person-`` and the first 64 bits (16 hex) of HMAC-SHA256(key, folded name)."""
    digest = hmac.new(key, fold(name).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"person-{digest[:TOKEN_HEX]}"


def redact(batch: Batch, key: str) -> Batch:
    if not key:
        raise ValueError("redaction needs a key (--redact-key or TRACECHECK_REDACT_KEY)")
    secret = key.encode("utf-8")
    frame, raw_frame = batch.frame, batch.raw.frame
    changes_raw, changes, keys = {}, {}, {}
    for field in PERSONAL_FIELDS:
        header = batch.mapping.header_for(field)
        if header is None:
            continue
        changes_raw[header] = _hashed(raw_frame[header], secret)
        changes[field] = _hashed(frame[field], secret)
        keys[field] = person_keys(frame[field], secret)
    if not changes:
        return batch
    raw = dataclasses.replace(batch.raw, frame=raw_frame.assign(**changes_raw))
    return dataclasses.replace(batch, frame=frame.assign(**changes), raw=raw, match_keys=keys)


def _hashed(values: pd.Series, secret: bytes) -> pd.Series:
    hashed = map_distinct(values, lambda v: token(str(v), secret) if str(v).strip() else None)
    return pd.Series(hashed, index=values.index, dtype="str")
