"""Run a rule pack over a normalised batch and return the findings table. No I/O."""

from __future__ import annotations

import string
from typing import Any, Callable

import numpy as np
import pandas as pd

from tracecheck.checks import REGISTRY, CheckContext
from tracecheck.checks.reference import compile_reference
from tracecheck.findings import SEVERITY_RANK
from tracecheck.normalise import Batch
from tracecheck.ruleset import Rule, RulePack

CORE = ["row", "column", "rule", "name", "severity", "field", "value", "message"]
_RESERVED = {"row", "field", "value", "column"}
_MESSAGE_ONLY = {"detail"}

Progress = Callable[[str], None]


def run(batch: Batch, pack: RulePack, *, progress: Progress | None = None) -> pd.DataFrame:
    """Every active rule over ``batch``. Returns one row per finding: the CORE columns, then
    context columns (``reason``, ``days``, ``score``, ...), sorted by (row, rule, field) with
    batch-level findings (row missing) first."""
    ctx = CheckContext(batch=batch, reference=compile_reference(pack.reference))
    parts = []
    for rule in pack.rules:
        if progress:
            progress(rule.code)
        result = REGISTRY[rule.check](ctx, **rule.params)
        part = _to_findings(rule, result, batch)
        if len(part):
            parts.append(part)
    if not parts:
        return empty_findings()
    findings = pd.concat(parts, ignore_index=True)
    findings = findings.sort_values(["row", "rule", "field"], na_position="first", kind="stable")
    return findings.reset_index(drop=True)


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in CORE})


def _to_findings(rule: Rule, result: pd.Series | pd.DataFrame, batch: Batch) -> pd.DataFrame:
    if isinstance(result, pd.Series):  # boolean mask over the frame
        result = pd.DataFrame({"row": pd.array(batch.frame.index[result.to_numpy(dtype=bool)], dtype="Int64")})
    elif "row" not in result.columns:
        result = result.rename_axis("row").reset_index()
    if result.empty:
        return result
    out = pd.DataFrame({"row": result["row"].astype("Int64")})
    field = result["field"] if "field" in result else pd.Series(rule.params.get("column"), index=result.index)
    out["field"] = field.astype("str")
    out["value"] = _values(result, out, batch)
    letters = out["field"].map(lambda f: batch.letter(f) if isinstance(f, str) else None).astype("str")
    out["column"] = result["column"].astype("str").fillna(letters) if "column" in result else letters
    out["rule"], out["name"] = rule.code, rule.name
    context = result.drop(columns=[c for c in result.columns if c in _RESERVED])
    out["severity"] = _severities(rule, context)
    out["message"] = _messages(rule, out, context, batch)
    context = context.drop(columns=[c for c in context.columns if c in _MESSAGE_ONLY])
    return pd.concat([out[CORE], context.set_axis(out.index)], axis=1)


def _values(result: pd.DataFrame, out: pd.DataFrame, batch: Batch) -> pd.Series:
    if "value" in result:
        return result["value"].astype("str")
    values = pd.Series(np.nan, index=out.index, dtype="str")
    frame = batch.frame
    for name in out["field"].dropna().unique():
        sel = out["field"].eq(name).to_numpy() & out["row"].notna().to_numpy()
        source = f"{name}__raw" if f"{name}__raw" in frame else name
        if source in frame:
            values[sel] = frame[source].reindex(out.loc[sel, "row"].astype("int64")).to_numpy()
    return values


def _severities(rule: Rule, context: pd.DataFrame) -> np.ndarray:
    severity = np.full(len(context), rule.severity.value, dtype=object)
    if rule.severity_by_reason and "reason" in context:
        for reason, level in rule.severity_by_reason.items():
            severity[context["reason"].eq(reason).fillna(False).to_numpy()] = level.value
    return severity


def _messages(rule: Rule, out: pd.DataFrame, context: pd.DataFrame, batch: Batch) -> pd.Series:
    fields = {"value": out["value"], "field": out["field"], "column": out["column"], "row": out["row"],
              "as_of": batch.as_of.isoformat(), **rule.params, **{c: context[c] for c in context.columns}}
    reasons = context["reason"] if "reason" in context else pd.Series(None, index=out.index, dtype=object)
    messages = pd.Series("", index=out.index, dtype="str")
    for reason in reasons.dropna().unique().tolist() + [None]:
        sel = reasons.isna().to_numpy() if reason is None else reasons.eq(reason).fillna(False).to_numpy()
        if sel.any():
            messages[sel] = render(rule.template_for(reason), {k: _subset(v, sel) for k, v in fields.items()})
    return messages


def _subset(value: Any, sel: np.ndarray) -> Any:
    return value[sel] if isinstance(value, pd.Series) else value


def render(template: str, fields: dict[str, Any]) -> pd.Series | str:
    """Vectorised ``str.format``: scalars are formatted once, Series element-wise by concatenation."""
    pieces: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is not None:
            pieces.append(_format(fields[name], spec or "", conversion))
    series = [p for p in pieces if isinstance(p, pd.Series)]
    if not series:
        return "".join(pieces)
    out = pd.Series("", index=series[0].index, dtype="str")
    for piece in pieces:
        out = out + piece
    return out


def _format(value: Any, spec: str, conversion: str | None) -> Any:
    if not isinstance(value, pd.Series):
        text = repr(value) if conversion == "r" else format(value, spec)
        return text
    if conversion == "r":
        return "'" + value.astype("str").fillna("").str.replace("\\", "\\\\").str.replace("\n", "\\n") + "'"
    if not spec and value.dtype.kind in "iuf" and not value.hasnans:  # fast path for day counts etc.
        return value.astype("str")
    return value.map(lambda v: _scalar_text(v, spec)).astype("str")


def _scalar_text(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (np.bool_, bool)):
        return "yes" if value else "no"
    return format(value, spec)
