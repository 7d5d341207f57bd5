"""From the merged pack to a ``RulePack``: apply the overrides, validate every rule with its check
kind's model, attach translations, resolve the pack's own selection."""

from __future__ import annotations

import copy
import difflib
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracecheck.checks import REGISTRY
from tracecheck.errors import RulePackError
from tracecheck.ruleset.load import BOOKKEEPING, digest
from tracecheck.ruleset.models import RuleSpec, params_model, rule_model, template_problem, template_samples
from tracecheck.ruleset.pack import Rule, RulePack
from tracecheck.ruleset.problems import from_validation, problem
from tracecheck.ruleset.select import SELECTOR_HINT, matches_any, resolve_selection


def build(merged: dict[str, Any]) -> RulePack:
    by_key: dict[str, dict[str, Any]] = {}
    for entry in merged["rules"]:
        for field in ("code", "name"):
            key = entry.get(field)
            if key is not None and key in by_key:
                first = Path(by_key[key]["_source"]).name
                raise problem(entry["_trail"], (field,), f"{key!r} is defined twice (first in {first})",
                              label=f"rule {entry.get('code') or key}: ")
        by_key.update({entry[f]: entry for f in ("code", "name") if entry.get(f) is not None})
    for override in merged["overrides"]:
        key = override.get("code") or override.get("name")
        if key not in by_key:
            raise problem(override["_trail"], (), f"override names unknown rule {key!r}", label=f"rule {key}: ")
        _apply_override(by_key[key], override)
    fields = {f: sorted(set(a)) for f, a in merged["fields"].items()}
    rules = tuple(sorted((_make_rule(e, set(fields)) for e in merged["rules"]), key=lambda r: r.code))
    rules = _translated(rules, merged["translations"])
    _check_selectors(merged, rules)
    active_default = {r.code for r in rules if r.status not in ("removed", "preview")}
    active = resolve_selection(rules, merged["select"] or [], merged["ignore"], default=active_default)
    if not active:
        raise RulePackError("the pack runs no rule (an empty pack, one without `extends: default`, or select "
                            "and ignore that leave nothing)")
    for fname in merged["map"]:
        if fname not in fields:
            source, loc = merged["_where"]["map"][fname]
            raise problem([(source, ())], loc, f"unknown field {fname!r}; known fields: {', '.join(fields)}")
    pack = RulePack(
        name=str(merged.get("name", "custom")), version=str(merged.get("version", "0")),
        rules=tuple(r for r in rules if r.code in active), all_rules=rules, fields=fields, fixed_map={},
        fuzzy_threshold=float(merged.get("fuzzy_threshold", 88)), reference=merged["reference"],
        digest=digest(merged), vocabulary=merged["vocabulary"])
    _check_vocabulary(merged)
    for fname, header in merged["map"].items():
        pack = pack.with_map({fname: header}, origin=merged["_where"]["map"][fname][0])
    return pack


def _check_vocabulary(merged: dict[str, Any]) -> None:
    """Every concept a field's names, weak names, qualifiers or an abbreviation use must have words."""
    vocabulary = merged["vocabulary"]
    known = set(vocabulary.get("words") or {})
    specs = (vocabulary.get("fields") or {}).items()
    used: list[tuple[tuple[str, ...], Any]] = [(("vocabulary", "fields", f, key), c) for f, spec in specs
            for key in ("names", "weak") for combo in spec.get(key) or [] for c in combo]
    used += [(("vocabulary", "fields", f, "qualifiers"), c) for f, spec in (vocabulary.get("fields") or {}).items()
             for c in spec.get("qualifiers") or []]
    used += [(("vocabulary", section, short), c) for section in ("abbreviations", "leading")
             for short, concepts in (vocabulary.get(section) or {}).items() for c in concepts]
    for loc, concept in used:
        if concept not in known:
            source = merged["_where"].get("vocabulary") or "pack"
            close = difflib.get_close_matches(concept, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "add it under vocabulary.words"
            raise problem([(source, ())], loc, f"unknown concept {concept!r} (no words name it); {hint}")


def _apply_override(entry: dict[str, Any], override: dict[str, Any]) -> None:
    """Merge an (already validated) override into the rule it names, remembering where it was written."""
    entry["_source"] = override["_source"]  # errors from here on name the file that changed the rule
    entry["_trail"] = [*entry["_trail"], *override["_trail"]]
    entry["_overridden"] = set(entry.get("_overridden", ())) | (set(override) & {"title", "message", "messages", "fix"})
    if "severity" in override:  # a new severity is every reason's, but for those the same override sets apart
        entry["severity_by_reason"], entry["severity_by_field"] = {}, {}
    for key, value in override.items():
        if key in BOOKKEEPING or key in ("code", "name"):
            continue
        if key in ("params", "messages", "severity_by_reason", "severity_by_field"):
            entry[key] = {**copy.deepcopy(entry.get(key) or {}), **(value or {})}
        else:
            entry[key] = value


def _make_rule(entry: dict[str, Any], fields: set[str]) -> Rule:
    """Validate a merged rule with its check kind's model; the check receives the validated parameters."""
    label = f"rule {entry.get('code') or entry.get('name')}: "
    kind = entry.get("check")
    if not isinstance(kind, str) or kind not in REGISTRY:
        close = difflib.get_close_matches(str(kind), sorted(REGISTRY), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(REGISTRY))}"
        raise problem(entry["_trail"], ("check",), f"unknown check kind {kind!r}; {hint}", label=label)
    data = {"params": {}, **{k: v for k, v in entry.items() if k not in BOOKKEEPING}}  # errors say params.column
    try:
        spec = rule_model(kind).model_validate(data, context={"fields": fields})
    except ValidationError as exc:
        takes = ", ".join(params_model(kind).model_fields) or "none"
        raise from_validation(exc, entry["_trail"], data, label=label, phrases={
            ("extra", ()): f"unknown key; a rule has: {', '.join(RuleSpec.model_fields)}",
            ("missing", ()): "missing; every new rule needs it",
            ("extra", ("params",)): f"check {kind!r} takes no such parameter; it takes: {takes}",
            ("missing", ("params",)): f"missing; check {kind!r} needs this parameter"}) from None
    return Rule(code=spec.code, name=spec.name, severity=spec.severity, check=kind, family=spec.family,
                message=spec.message, fix=spec.fix, why=" ".join(spec.why.split()),
                params={k: getattr(spec.params, k) for k in data.get("params") or {}},
                messages=dict(spec.messages), severity_by_reason=dict(spec.severity_by_reason),
                severity_by_field=dict(spec.severity_by_field),
                example=entry["example"], since=spec.since, status=spec.status, title=spec.title or "", fact=spec.fact,
                overridden=frozenset(entry.get("_overridden", ())))


def _translated(rules: tuple[Rule, ...], translations: dict[str, dict[str, Any]]) -> tuple[Rule, ...]:
    """Attach each language's messages and fix hints to the rules, validating their placeholders."""
    by_code = {r.code: r for r in rules}
    extra: dict[str, dict[str, dict[str, Any]]] = {}
    for lang, entries in translations.items():
        for code, entry in entries.items():
            if code not in by_code:
                raise problem(entry["_trail"], (), f"translation names unknown rule {code!r}",
                              label=f"rule {code} ({lang}): ")
            rule = by_code[code]
            kind = REGISTRY[rule.check]
            unknown = sorted(set(entry.get("messages") or {}) - set(kind.reasons))
            if unknown:
                raise problem(entry["_trail"], ("messages", unknown[0]), f"check {rule.check!r} gives no reason "
                              f"{unknown[0]!r}; its reasons: {', '.join(kind.reasons) or 'none'}",
                              label=f"rule {code} ({lang}): ")
            samples = template_samples(rule.params, kind)
            templates: list[tuple[tuple[str, ...], Any]] = [(("message",), entry.get("message") or "")]
            templates += [(("messages", reason), t) for reason, t in (entry.get("messages") or {}).items()]
            for loc, template in templates:
                trouble = template_problem(template, samples)
                if trouble:
                    raise problem(entry["_trail"], loc, trouble, label=f"rule {code} ({lang}): ")
            extra.setdefault(code, {})[lang] = {k: v for k, v in entry.items() if k not in BOOKKEEPING}
    return tuple(replace(r, translations=extra.get(r.code, {})) for r in rules)


def _check_selectors(merged: dict[str, Any], rules: tuple[Rule, ...]) -> None:
    """A pack's ``select`` and ``ignore`` must each name a rule; the error points at the selector."""
    for key in ("select", "ignore"):
        for (source, loc), selector in zip(merged["_where"][key], merged[key] or []):
            if not matches_any(selector, rules):
                raise problem([(source, ())], loc, f"selector {selector!r} matches no rule ({SELECTOR_HINT})")
