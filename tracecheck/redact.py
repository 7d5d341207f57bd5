"""Personal data out of the reports: purchaser and possessor names become stable keyed hashes.

``redact(batch, key)`` returns a batch whose name cells (in the submitted cells and in the
canonical table) read ``person-<16 hex>``: HMAC-SHA256 of the folded name under ``key``, cut to
64 bits, so the same person gets the same token across rows and runs with the same key, and
nobody without the key can test a guessed name against it. 64 bits because tokens must not
collide: among a million distinct names, 40 bits collide with about a one-in-three chance, 64
bits with about one in 36 million. The batch also keeps, per name field, a keyed match key of
each name with its words sorted (``tracecheck.sales.person_keys``), so the multiple-sales rules
still match "PEREZ, JUAN" with "Juan Pérez" after the names are gone. Pure: no I/O.

Findings also carry cell text read before the names were replaced: what the reader noted (control
characters removed, a formula without a saved result), schema failures. The redacted batch keeps
the keyed ``token`` function (``Batch.personal_token``) and the engine passes every finding on a
personal field through ``hide_personal``: its ``value``, and any context text equal to it, become the
token before the message is written, so no report shows the cell text of a name column.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import re
from collections.abc import Callable

import pandas as pd

from tracecheck.normalise import Batch
from tracecheck.sales import TOKEN_HEX, person_keys
from tracecheck.text import fold, map_distinct

PERSONAL_FIELDS = ("purchaser", "possessor")
_TOKEN = re.compile(rf"person-[0-9a-f]{{{TOKEN_HEX}}}")


def token(name: str, key: bytes) -> str:
    """``person-`` and the first 64 bits (16 hex) of HMAC-SHA256(key, folded name)."""
    digest = hmac.new(key, fold(name).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"person-{digest[:TOKEN_HEX]}"


def redact(batch: Batch, key: str) -> Batch:
    if not key:
        raise ValueError("redaction needs a key (--redact-key or TRACECHECK_REDACT_KEY)")
    secret = key.encode("utf-8")
    frame, raw_frame = batch.frame, batch.raw.frame
    from tracecheck.checks.structure import formula_text_mask  # the checks import this module

    changes_raw, changes, keys, formulas = {}, {}, {}, {}
    for field in PERSONAL_FIELDS:
        header = batch.mapping.header_for(field)
        if header is None:
            continue
        formulas[header] = formula_text_mask(raw_frame[header])  # still found once the text is a token
        changes_raw[header] = _hashed(raw_frame[header], secret)
        changes[field] = _hashed(frame[field], secret)
        keys[field] = person_keys(frame[field], secret)
    tokenise = functools.partial(token, key=secret)
    if not changes:
        return dataclasses.replace(batch, personal_token=tokenise)
    raw = dataclasses.replace(batch.raw, frame=raw_frame.assign(**changes_raw))
    return dataclasses.replace(batch, frame=frame.assign(**changes), raw=raw, match_keys=keys,
                               personal_token=tokenise, formula_texts=formulas)


def hide_personal(fields: pd.Series, values: pd.Series, context: pd.DataFrame,
                  tokenise: Callable[[str], str]) -> tuple[pd.Series, pd.DataFrame]:
    """``values`` with the text of every finding on a personal field (purchaser, possessor) replaced by
    its token (tokens already there are kept), and ``context`` with every text equal to such a value
    replaced the same way. Whatever check made the finding, from whatever cell text."""
    personal = fields.isin(PERSONAL_FIELDS).to_numpy(dtype=bool) & values.notna().to_numpy(dtype=bool)
    if not personal.any():
        return values, context
    originals = values[personal]
    hidden = originals.map(lambda v: v if _TOKEN.fullmatch(str(v)) else tokenise(str(v)))
    values = values.copy()
    values[personal] = hidden.to_numpy()
    swap = dict(zip(originals.astype(str), hidden.astype(str)))
    context = context.copy()
    for name in context.columns:
        column = context[name]
        selected = column[personal]
        texts = selected.map(lambda v: isinstance(v, str) and v in swap)
        if texts.any():
            column = column.astype(object)
            column.loc[selected.index[texts.to_numpy(dtype=bool)]] = selected[texts].map(swap).to_numpy()
            context[name] = column
    return values, context


def _hashed(values: pd.Series, secret: bytes) -> pd.Series:
    hashed = map_distinct(values, lambda v: token(str(v), secret) if str(v).strip() else None)
    return pd.Series(hashed, index=values.index, dtype="str")
