"""Run a rule pack over a normalised batch and return the findings table. No I/O.

Each active rule's check kind returns a mask or a frame of hits (see ``tracecheck.checks``); the
engine gives every hit its sheet column letter, header, severity (by reason) and message (from
the rule's template in the report's language), then assembles one table in the shape
``tracecheck.findings`` documents: fixed columns, the rule-specific details in one typed
``context`` struct.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tracecheck.catalogue import Catalogue
from tracecheck.checks import REGISTRY, CheckContext, context_schema
from tracecheck.checks.plugins import PluginError, plugin_of
from tracecheck.findings import FINDING_COLUMNS
from tracecheck.normalise import Batch
from tracecheck.redact import hide_personal
from tracecheck.reference import compile_reference
from tracecheck.ruleset import Rule, RulePack
from tracecheck.templates import render

_RESERVED = {"row", "field", "value", "column", "reason"}
_TEXT_COLUMNS = ("column", "header", "rule", "name", "severity", "field", "value", "reason", "message", "sheet")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Run:
    findings: pd.DataFrame  # FINDING_COLUMNS
    duplicates: Any = None  # tracecheck.matching.DuplicateResult when a TC2xx rule ran


def run(batch: Batch, pack: RulePack, *, words: Catalogue, progress: Progress | None = None,
        prior: pd.DataFrame | None = None, seed: dict[str, Any] | None = None) -> Run:
    """Every active rule over ``batch``, messages in the language of ``words``. Findings are sorted by
    (row, rule, field) with batch-level findings (row missing) first. ``prior``: the batch's matches
    in a history store, for the prior-duplicate rule (none without a store). ``seed``: what the checks
    share (CheckContext.cache) decided beforehand for a whole batch of which ``batch`` is a part
    (tracecheck.spark: the candidate pairs, the duplicate groups, the run's purchaser key)."""
    ctx = CheckContext(batch=batch, reference=compile_reference(pack.reference), words=words, prior=prior,
                       cache=dict(seed or {}))
    parts = []
    for rule in pack.rules:
        if progress:
            progress(rule.code)
        part = _findings_of(rule, ctx, batch, words)
        if len(part):
            parts.append(part)
    duplicates = ctx.cache.get("duplicates")
    if not parts:
        return Run(empty_findings(), duplicates)
    findings = pd.concat(parts, ignore_index=True)
    parts.clear()  # one copy of the findings at a time: the parts, then the whole, then it sorted
    findings = findings.take(_order(findings)).reset_index(drop=True)
    return Run(_table(findings, batch), duplicates)


def findings_from(rule: Rule, result: pd.DataFrame, batch: Batch, words: Catalogue) -> pd.DataFrame:
    """A check result frame of ``rule`` (the shape a check returns) as findings in the documented
    shape: for results put together from the parts of a batch (tracecheck.spark)."""
    part = _to_findings(rule, result, batch, words)
    return _table(part.reset_index(drop=True), batch) if len(part) else empty_findings()


def _findings_of(rule: Rule, ctx: CheckContext, batch: Batch, words: Catalogue) -> pd.DataFrame:
    """The findings of one rule. A plugin's check kind that fails (raises, or returns neither a
    Series nor a DataFrame) is a PluginError naming the rule, the kind and the plugin, not a bug of
    tracecheck's; a built-in kind's failure propagates (an internal error)."""
    origin = plugin_of(rule.check)
    try:
        result = REGISTRY[rule.check](ctx, **rule.params)
        if origin is not None and not isinstance(result, (pd.Series, pd.DataFrame)):
            raise TypeError(f"returned {type(result).__name__}, not a pandas Series or DataFrame")
        return _to_findings(rule, result, batch, words)
    except Exception as exc:
        if origin is None:
            raise
        said = " ".join(str(exc).split())
        raise PluginError(f"rule {rule.code}: check {rule.check!r} from plugin {origin} failed: "
                          f"{type(exc).__name__}{': ' + said if said else ''}") from None


def _order(findings: pd.DataFrame) -> np.ndarray:
    """Positions sorting findings by (row, rule, field), batch-level (no row) and no-field first.
    Sorting on integer codes with numpy is several times faster than sort_values on text."""
    row = findings["row"].to_numpy(dtype="float64", na_value=-1.0)
    rule = pd.factorize(findings["rule"], sort=True)[0]
    field = pd.factorize(findings["field"], sort=True)[0]  # missing -> -1, sorts first
    return np.lexsort((field, rule, row))


def empty_findings() -> pd.DataFrame:
    """The findings table with no rows (its columns and types as always)."""
    columns: dict[str, Any] = {"row": pd.Series(dtype="Int64")}
    columns |= {c: pd.Series(dtype="str") for c in _TEXT_COLUMNS}
    columns["index"] = pd.Series(dtype=object)
    columns["context"] = pd.Series(pd.arrays.ArrowExtensionArray(pa.array([], type=_context_type())))
    return pd.DataFrame(columns)[FINDING_COLUMNS]


def _context_type() -> pa.StructType:
    return pa.struct(list(context_schema().items()))


def _table(findings: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """The sorted findings in the documented shape: header and index looked up, context packed."""
    letters = findings["column"]
    headers = batch.raw.header_by_letter()
    findings["header"] = letters.map({letter: headers.get(letter) for letter in letters.dropna().unique()}
                                     ).astype("str")
    findings["index"] = batch.raw.labels_of(findings["row"])
    findings["sheet"] = pd.Series(batch.raw.sheet_of(findings["row"]), index=findings.index, dtype="str")
    schema = context_schema()
    n = len(findings)
    children = [_arrow(findings[name], kind) if name in findings else pa.nulls(n, kind)
                for name, kind in schema.items()]
    context = (pa.StructArray.from_arrays(children, fields=list(_context_type())) if schema
               else pa.nulls(n, pa.struct([])))
    findings["context"] = pd.arrays.ArrowExtensionArray(context)
    return findings[FINDING_COLUMNS]


def _arrow(values: pd.Series, kind: pa.DataType) -> pa.Array:
    """A context column as one Arrow array of its declared type (missing -> null)."""
    array = pa.array(values, type=kind, from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _to_findings(rule: Rule, result: pd.Series | pd.DataFrame, batch: Batch, words: Catalogue) -> pd.DataFrame:
    if isinstance(result, pd.Series):  # boolean mask over the frame
        result = pd.DataFrame({"row": pd.Series(batch.frame.index[result.to_numpy(dtype=bool)], dtype="Int64")})
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
    out["reason"] = result["reason"].astype("str") if "reason" in result else pd.Series(np.nan, index=out.index,
                                                                                         dtype="str")
    context = result.drop(columns=[c for c in result.columns if c in _RESERVED]).set_axis(out.index)
    if batch.personal_token is not None:  # redacted: no cell text of a name column, whichever check read it
        out["value"], context = hide_personal(out["field"], out["value"], context, batch.personal_token)
    out["severity"] = _severities(rule, out["reason"], out["field"])
    out["message"] = _messages(rule, out, context, batch, words)
    return pd.concat([out, context], axis=1)


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


def _severities(rule: Rule, reasons: pd.Series, fields: pd.Series) -> np.ndarray:
    """The rule's severity, else its field's (severity_by_field), else its reason's (severity_by_reason)."""
    severity = np.full(len(reasons), rule.severity.value, dtype=object)
    for name, level in rule.severity_by_field.items():
        severity[fields.eq(name).fillna(False).to_numpy()] = level.value
    for reason, level in rule.severity_by_reason.items():
        severity[reasons.eq(reason).fillna(False).to_numpy()] = level.value
    return severity


def _messages(rule: Rule, out: pd.DataFrame, context: pd.DataFrame, batch: Batch, words: Catalogue) -> np.ndarray:
    labels = out["field"].map({f: words.field(f) for f in out["field"].dropna().unique()})
    fields = {"value": out["value"], "field": labels, "field_id": out["field"], "column": out["column"],
              "row": out["row"], "reason": out["reason"], "as_of": batch.as_of.isoformat(), **rule.params,
              **{c: context[c] for c in context.columns}}
    for name, section in words.vocabulary().items():  # words from the packs, in the report's language
        if isinstance(fields.get(name), pd.Series):
            values = fields[name]
            fields[name] = values.map({v: words.text(section, v) for v in values.dropna().unique()})
    reasons = out["reason"]
    messages = np.full(len(out), "", dtype=object)
    for reason in reasons.dropna().unique().tolist() + [None]:
        sel = reasons.isna().to_numpy() if reason is None else reasons.eq(reason).fillna(False).to_numpy()
        if sel.any():
            values = {k: v[sel] if isinstance(v, pd.Series) else v for k, v in fields.items()}
            messages[sel] = render(rule.template(reason, words), values, words)
    return messages
