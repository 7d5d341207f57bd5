"""Run a rule pack over a normalised batch and return the findings table. No I/O."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from tracecheck.checks import REGISTRY, CheckContext
from tracecheck.checks.reference import compile_reference
from tracecheck.findings import FINDING_COLUMNS as CORE
from tracecheck.normalise import Batch
from tracecheck.ruleset import Rule, RulePack

_RESERVED = {"row", "field", "value", "column"}
_MESSAGE_ONLY = {"detail"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Run:
    findings: pd.DataFrame  # one row per finding: CORE columns, then context columns
    duplicates: Any = None  # tracecheck.matching.DuplicateResult when a TC2xx rule ran


def run(batch: Batch, pack: RulePack, *, progress: Progress | None = None, lang: str = "en") -> Run:
    """Every active rule over ``batch``. Findings are sorted by (row, rule, field) with
    batch-level findings (row missing) first."""
    ctx = CheckContext(batch=batch, reference=compile_reference(pack.reference))
    parts = []
    for rule in pack.rules:
        if progress:
            progress(rule.code)
        result = REGISTRY[rule.check](ctx, **rule.params)
        part = _to_findings(rule, result, batch, lang)
        if len(part):
            parts.append(part)
    duplicates = ctx.cache.get("duplicates")
    if not parts:
        return Run(empty_findings(), duplicates)
    findings = pd.concat(parts, ignore_index=True)
    return Run(findings.take(_order(findings)).reset_index(drop=True), duplicates)


def _order(findings: pd.DataFrame) -> np.ndarray:
    """Positions sorting findings by (row, rule, field), batch-level (no row) and no-field first.
    Sorting on integer codes with numpy is several times faster than sort_values on text."""
    row = findings["row"].to_numpy(dtype="float64", na_value=-1.0)
    rule = pd.factorize(findings["rule"], sort=True)[0]
    field = pd.factorize(findings["field"], sort=True)[0]  # missing -> -1, sorts first
    return np.lexsort((field, rule, row))


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in CORE})


def _to_findings(rule: Rule, result: pd.Series | pd.DataFrame, batch: Batch, lang: str = "en") -> pd.DataFrame:
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
    letters = out["field"].map({f: batch.letter(f) for f in out["field"].dropna().unique()}).astype("str")
    out["column"] = result["column"].astype("str").fillna(letters) if "column" in result else letters
    out["rule"], out["name"] = rule.code, rule.name
    context = result.drop(columns=[c for c in result.columns if c in _RESERVED])
    out["severity"] = _severities(rule, context)
    out["message"] = _messages(rule, out, context, batch, lang)
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


def _messages(rule: Rule, out: pd.DataFrame, context: pd.DataFrame, batch: Batch, lang: str) -> np.ndarray:
    fields = {"value": out["value"], "field": out["field"], "column": out["column"], "row": out["row"],
              "as_of": batch.as_of.isoformat(), **rule.params, **{c: context[c] for c in context.columns}}
    reasons = context["reason"] if "reason" in context else pd.Series(None, index=out.index, dtype=object)
    messages = np.full(len(out), "", dtype=object)
    for reason in reasons.dropna().unique().tolist() + [None]:
        sel = reasons.isna().to_numpy() if reason is None else reasons.eq(reason).fillna(False).to_numpy()
        if sel.any():
            messages[sel] = render(rule.template_for(reason, lang), {k: _subset(v, sel) for k, v in fields.items()})
    return messages


def _subset(value: Any, sel: np.ndarray) -> Any:
    return value[sel] if isinstance(value, pd.Series) else value


def render(template: str, fields: dict[str, Any]) -> np.ndarray | str:
    """Vectorised ``str.format``: scalars are formatted once; Series become object arrays of text
    that numpy concatenates element-wise (much cheaper than a Python format call per finding)."""
    pieces: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is not None:
            pieces.append(_format(fields[name], spec or "", conversion))
    arrays = [p for p in pieces if isinstance(p, np.ndarray)]
    if not arrays:
        return "".join(pieces)
    out = np.full(len(arrays[0]), "", dtype=object)
    for piece in pieces:
        out = out + piece
    return out


def _format(value: Any, spec: str, conversion: str | None) -> Any:
    if not isinstance(value, pd.Series):
        return repr(value) if conversion == "r" else format(value, spec)
    if conversion == "r":
        return _text_array(value, lambda v: repr(str(v)))
    if not spec and value.dtype.kind in "iuf" and not value.hasnans:  # day counts and the like
        return value.to_numpy().astype(str).astype(object)
    return _text_array(value, lambda v: _scalar_text(v, spec))


def _text_array(value: pd.Series, convert: Callable[[Any], str]) -> np.ndarray:
    """``convert`` applied once per distinct value (most columns repeat a lot), missing → ''."""
    codes, uniques = pd.factorize(value)
    texts = np.array([convert(v) for v in uniques] + [""], dtype=object)
    return texts[codes]


def _scalar_text(value: Any, spec: str) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (np.bool_, bool)):
        return "yes" if value else "no"
    return format(value, spec)
