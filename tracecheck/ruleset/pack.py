"""The loaded pack: ``Rule`` and ``RulePack``, the records the engine, report and docs read."""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from tracecheck.errors import RulePackError
from tracecheck.findings import Severity
from tracecheck.ruleset.select import resolve_selection


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
    params: dict[str, Any] = field(default_factory=dict)  # as validated by the check kind's signature
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
    return Path(__file__).resolve().parents[2] / "rules"
