"""Rule packs: load the declarative YAML, validate it, resolve selection and overrides.

A pack is a YAML file. The default pack (``rules/pack.yml``, shipped in the wheel as
``tracecheck/_rules``) includes the column aliases, reference tables and the family files.
A user pack ``extends`` the default (or another pack file) and may override rule severity,
parameters and messages, add column aliases or fixed mappings, select and ignore rules,
and add new rules built on existing check kinds.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import json
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import yaml

from tracecheck.errors import RulePackError
from tracecheck.findings import Severity

CODE_RE = re.compile(r"^TC\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
RULE_KEYS = {"code", "name", "severity", "severity_by_reason", "check", "params", "message", "messages",
             "fix", "why", "example", "since", "status", "family"}
OVERRIDABLE = {"severity", "severity_by_reason", "params", "message", "messages", "fix", "status"}
PACK_KEYS = {"name", "version", "description", "include", "extends", "select", "ignore", "rules",
             "columns", "map", "fuzzy_threshold", "fields", "placeholders", "us_country_names",
             "manufacturers", "family", "serial_label", "matching", "calibers", "translations"}
TRANSLATABLE = {"message", "messages", "fix"}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: str
    family: str
    message: str
    fix: str
    why: str
    params: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    severity_by_reason: dict[str, Severity] = field(default_factory=dict)
    example: dict[str, Any] = field(default_factory=dict)
    since: str = "0.1.0"
    status: str = "stable"
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang -> message/messages/fix

    def template_for(self, reason: str | None, lang: str = "en") -> str:
        """The message template for a finding's reason, in ``lang`` when translated (else English)."""
        local = self.translations.get(lang, {})
        messages = {**self.messages, **local.get("messages", {})} if local else self.messages
        message = local.get("message", self.message)
        return messages.get(reason, message) if reason else message

    def fix_for(self, lang: str = "en") -> str:
        return self.translations.get(lang, {}).get("fix", self.fix)


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    rules: tuple[Rule, ...]  # the active rules, in code order
    all_rules: tuple[Rule, ...]  # every known rule, active or not
    fields: dict[str, list[str]]  # canonical field -> aliases
    fixed_map: dict[str, str]  # canonical field -> exact header (user overrides)
    fuzzy_threshold: float
    reference: dict[str, Any]
    digest: str

    def rule(self, key: str) -> Rule:
        for rule in self.all_rules:
            if key in (rule.code, rule.name):
                return rule
        raise RulePackError(f"unknown rule {key!r}")

    def with_selection(self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> "RulePack":
        active = resolve_selection(self.all_rules, list(select or []), list(ignore or []),
                                   default={r.code for r in self.rules})
        return replace(self, rules=tuple(r for r in self.all_rules if r.code in active))

    def with_map(self, mapping: dict[str, str]) -> "RulePack":
        unknown = sorted(set(mapping) - set(self.fields))
        if unknown:
            raise RulePackError(f"--map names unknown field {unknown[0]!r}; known fields: {', '.join(self.fields)}")
        return replace(self, fixed_map={**self.fixed_map, **mapping})


def default_rules_dir() -> Path:
    """The shipped rules: ``tracecheck/_rules`` in a wheel, ``<repo>/rules`` in a checkout."""
    packaged = importlib.resources.files("tracecheck") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rules"


def load_pack(source: str | Path | None = None) -> RulePack:
    """Load the default pack, or a user pack file (which usually ``extends: default``)."""
    path = default_rules_dir() / "pack.yml" if source is None or str(source) == "default" else Path(source)
    merged = _load_tree(path, seen=())
    try:
        return _build(merged)
    except RulePackError as exc:
        if exc.path:
            raise
        raise RulePackError(exc.bare_message, path=str(path)) from None


# ---------------------------------------------------------------- loading and merging

def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulePackError("rule pack file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"cannot read rule pack: {exc}", path=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RulePackError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=str(path),
                            row=mark.line + 1 if mark else None) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulePackError("a rule pack must be a YAML mapping", path=str(path))
    unknown = sorted(set(data) - PACK_KEYS)
    if unknown:
        raise RulePackError(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(PACK_KEYS))}", path=str(path))
    return data


def _load_tree(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    path = path.resolve()
    if path in seen:
        raise RulePackError("rule pack extends or includes itself", path=str(path))
    data = _read_yaml(path)
    merged: dict[str, Any] = {"rules": [], "overrides": [], "fields": {}, "map": {}, "reference": {},
                              "select": None, "ignore": [], "translations": {}}
    if "extends" in data:
        target = data["extends"]
        base = default_rules_dir() / "pack.yml" if target == "default" else (path.parent / str(target))
        _merge(merged, _load_tree(base, seen + (path,)))
    for inc in data.get("include", []) or []:
        _merge(merged, _load_tree(path.parent / inc, seen + (path,)))
    _merge(merged, _own_part(data, path))
    return merged


def _own_part(data: dict[str, Any], path: Path) -> dict[str, Any]:
    part: dict[str, Any] = {"rules": [], "overrides": [], "fields": {}, "map": dict(data.get("map") or {}),
                            "reference": {}, "select": data.get("select"), "ignore": data.get("ignore") or [],
                            "translations": {lang: {code: {**entry, "_source": str(path)} for code, entry in
                                                    (codes or {}).items()}
                                             for lang, codes in (data.get("translations") or {}).items()}}
    for key in ("name", "version", "fuzzy_threshold"):
        if key in data:
            part[key] = data[key]
    for fname, spec in (data.get("fields") or {}).items():
        part["fields"][fname] = list((spec or {}).get("aliases", []))
    for fname, aliases in (data.get("columns") or {}).items():  # user shorthand: field -> extra aliases
        part["fields"].setdefault(fname, []).extend([aliases] if isinstance(aliases, str) else list(aliases))
    for key in ("placeholders", "us_country_names", "manufacturers", "matching", "calibers"):
        if key in data:
            part["reference"][key] = data[key]
    family = data.get("family", "custom")
    rules = data.get("rules") or []
    if isinstance(rules, dict):  # override shorthand: {TC310: {severity: error}}
        rules = [{"code": k, **(v or {})} for k, v in rules.items()]
    for entry in rules:
        if not isinstance(entry, dict) or not ("code" in entry or "name" in entry):
            raise RulePackError(f"each rule needs a code or a name, got {entry!r}", path=str(path))
        entry = {**entry, "_source": str(path)}
        if "check" in entry:
            part["rules"].append({"family": family, **entry})
        else:
            part["overrides"].append(entry)
    return part


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key in ("name", "version", "fuzzy_threshold"):
        if key in part:
            into[key] = part[key]
    into["rules"].extend(part["rules"])
    into["overrides"].extend(part["overrides"])
    for fname, aliases in part["fields"].items():
        into["fields"].setdefault(fname, []).extend(aliases)
    into["map"].update(part["map"])
    into["reference"] = _deep_merge(into["reference"], part["reference"])
    into["translations"] = _deep_merge(into["translations"], part["translations"])
    if part.get("select") is not None:
        into["select"] = list(part["select"])
    into["ignore"] = list(into.get("ignore") or []) + list(part.get("ignore") or [])


def _translated(rules: tuple[Rule, ...], translations: dict[str, dict[str, Any]], registry: dict[str, Any]
                ) -> tuple[Rule, ...]:
    """Attach each language's messages and fix hints to the rules, validating their placeholders."""
    by_code = {r.code: r for r in rules}
    extra: dict[str, dict[str, dict[str, Any]]] = {}
    for lang, entries in translations.items():
        for code, entry in entries.items():
            source = entry.get("_source")
            if code not in by_code:
                raise RulePackError(f"translation ({lang}) names unknown rule {code!r}", path=source)
            unknown = sorted(set(entry) - TRANSLATABLE - {"_source"})
            if unknown:
                raise RulePackError(f"rule {code}: cannot translate {unknown[0]!r}", path=source)
            rule = by_code[code]
            allowed = set(rule.params) | registry[rule.check].context_fields
            fail = lambda msg, c=code, src=source, lg=lang: RulePackError(f"rule {c} ({lg}): {msg}", path=src)  # noqa: E731
            for template in [entry.get("message", ""), *(entry.get("messages") or {}).values()]:
                _validate_template(template, allowed, fail)
            extra.setdefault(code, {})[lang] = {k: v for k, v in entry.items() if k in TRANSLATABLE}
    return tuple(replace(r, translations=extra.get(r.code, {})) for r in rules)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key at every depth; anything else (lists, scalars) replaces."""
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        merged[key] = _deep_merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


# ---------------------------------------------------------------- building and validating

def _build(merged: dict[str, Any]) -> RulePack:
    from tracecheck.checks import REGISTRY  # late import: checks import ruleset types

    by_key: dict[str, dict[str, Any]] = {}
    for entry in merged["rules"]:
        for key in (entry.get("code"), entry.get("name")):
            if key in by_key:
                raise RulePackError(f"rule {key!r} is defined twice", path=entry["_source"])
        by_key[entry["code"]] = by_key[entry["name"]] = entry
    for override in merged["overrides"]:
        key = override.get("code") or override.get("name")
        if key not in by_key:
            raise RulePackError(f"override names unknown rule {key!r}", path=override["_source"])
        _apply_override(by_key[key], override)
    rules = tuple(sorted((_make_rule(e, REGISTRY) for e in merged["rules"]), key=lambda r: r.code))
    rules = _translated(rules, merged["translations"], REGISTRY)
    fields = {f: sorted(set(a)) for f, a in merged["fields"].items()}
    active_default = {r.code for r in rules if r.status not in ("removed", "preview")}
    active = resolve_selection(rules, merged["select"] or [], merged["ignore"], default=active_default)
    digest = _digest(merged)
    pack = RulePack(
        name=str(merged.get("name", "custom")), version=str(merged.get("version", "0")),
        rules=tuple(r for r in rules if r.code in active), all_rules=rules, fields=fields, fixed_map={},
        fuzzy_threshold=float(merged.get("fuzzy_threshold", 88)), reference=merged["reference"], digest=digest)
    return pack.with_map(merged["map"]) if merged["map"] else pack


def _digest(merged: dict[str, Any]) -> str:
    """Content hash of the merged pack; file locations are left out so every checkout agrees."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "_source"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return hashlib.sha256(json.dumps(strip(merged), sort_keys=True, default=str).encode()).hexdigest()[:16]


def _apply_override(entry: dict[str, Any], override: dict[str, Any]) -> None:
    extra = sorted(set(override) - OVERRIDABLE - {"code", "name", "_source"})
    if extra:
        raise RulePackError(f"rule {entry['code']}: cannot override {extra[0]!r}; overridable: "
                            f"{', '.join(sorted(OVERRIDABLE))}", path=override["_source"])
    entry["_source"] = override["_source"]  # errors from here on name the file that changed the rule
    for key in OVERRIDABLE & set(override):
        if key in ("params", "messages", "severity_by_reason"):
            entry[key] = {**copy.deepcopy(entry.get(key) or {}), **(override[key] or {})}
        else:
            entry[key] = override[key]


def _make_rule(entry: dict[str, Any], registry: dict[str, Any]) -> Rule:
    src, code = entry["_source"], entry.get("code", "?")

    def fail(msg: str) -> RulePackError:
        return RulePackError(f"rule {code}: {msg}", path=src)

    unknown = sorted(set(entry) - RULE_KEYS - {"_source"})
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}")
    for key in ("code", "name", "severity", "check", "message", "fix", "why"):
        if not entry.get(key):
            raise fail(f"missing {key!r}")
    if not CODE_RE.match(code):
        raise fail("code must look like TC123")
    if not NAME_RE.match(entry["name"]):
        raise fail(f"name {entry['name']!r} must be kebab-case")
    if entry["check"] not in registry:
        raise fail(f"unknown check {entry['check']!r}")
    example = entry.get("example") or {}
    if "bad" not in example or "good" not in example:
        raise fail("needs an example with 'bad' and 'good' rows")
    try:
        severity = Severity.parse(entry["severity"])
        by_reason = {k: Severity.parse(v) for k, v in (entry.get("severity_by_reason") or {}).items()}
    except ValueError as exc:
        raise fail(str(exc)) from None
    check = registry[entry["check"]]
    params = dict(entry.get("params") or {})
    check.validate_params(params, fail)
    rule = Rule(code=code, name=entry["name"], severity=severity, check=entry["check"],
                family=entry.get("family", "custom"), message=entry["message"], fix=entry["fix"],
                why=" ".join(str(entry["why"]).split()), params=params, messages=dict(entry.get("messages") or {}),
                severity_by_reason=by_reason, example=example, since=str(entry.get("since", "0.1.0")),
                status=entry.get("status", "stable"))
    for template in [rule.message, *rule.messages.values()]:
        _validate_template(template, set(params) | check.context_fields, fail)
    return rule


FINDING_FIELDS = {"value", "field", "column", "row", "reason", "as_of"}


def _validate_template(template: str, allowed: set[str], fail) -> None:
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    except ValueError as exc:
        raise fail(f"bad message template {template!r}: {exc}") from None
    unknown = sorted(n for n in names if n not in allowed | FINDING_FIELDS)
    if unknown:
        raise fail(f"message placeholder {{{unknown[0]}}} is not a finding, parameter or context field")


# ---------------------------------------------------------------- selection

def _specificity(selector: str, rule: Rule) -> int:
    """How precisely `selector` names `rule` (0 = not at all). Codes and names beat prefixes beat families."""
    sel = selector.strip()
    if sel.upper() == rule.code or sel == rule.name:
        return 100
    if sel.upper().startswith("TC") and rule.code.startswith(sel.upper()):
        return 10 + len(sel)
    if sel == rule.family:
        return 1
    return 0


def resolve_selection(rules: Iterable[Rule], select: list[str], ignore: list[str], *, default: set[str]) -> set[str]:
    rules = list(rules)
    for sel in [*select, *ignore]:
        if sel.upper() != "ALL" and not any(_specificity(sel, r) for r in rules):
            raise RulePackError(f"selector {sel!r} matches no rule (use a code like TC101, a prefix like TC1, "
                                f"a rule name like serial-missing, or a family)")
    active = set()
    for rule in rules:
        best_sel = max([_specificity(s, rule) if s.upper() != "ALL" else 1 for s in select] or [0])
        best_ign = max([_specificity(s, rule) if s.upper() != "ALL" else 1 for s in ignore] or [0])
        if best_ign and best_ign >= best_sel:
            continue
        if best_sel or (not select and rule.code in default):
            active.add(rule.code)
    return active
