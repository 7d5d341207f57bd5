"""A tracecheck plugin: the check kind ``serial_denylisted`` (a serial on a list the organisation keeps,
such as guns already traced or known test serials). Importing this module registers it."""

from __future__ import annotations

import re

import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import FieldName


def _key(value: object) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(value).upper())


@check("serial_denylisted", context={"list_name": str}, reasons=("listed",))
def serial_denylisted(ctx: CheckContext, *, serials: list[str], list_name: str = "denylist",
                      column: FieldName = "serial_number") -> pd.DataFrame:
    """Rows whose serial is on the list (ignoring case, spaces and punctuation)."""
    if not ctx.present(column):
        return findings_frame([])
    listed = {_key(s) for s in serials}
    values = ctx.frame[column]
    hit = values.notna() & values.map(lambda v: _key(v) in listed).astype(bool)
    return findings_frame(values.index[hit.to_numpy()], field=column, value=values[hit], reason="listed",
                          list_name=list_name)
