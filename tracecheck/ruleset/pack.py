"""The loaded pack: ``Rule`` and ``RulePack``, the records the engine, report and docs read."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tracecheck.catalogue import Catalogue
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
    severity_by_field: dict[str, Severity] = field(default_factory=dict)  # a reason's severity wins over its field's
    example: dict[str, Any] = field(default_factory=dict)
    since: str = "0.1.0"
    status: str = "stable"
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang -> title/message(s)/fix/why
    title: str = ""  # a short human title; the kebab-case name stays the stable id
    overridden: frozenset[str] = frozenset()  # texts a user pack changed: the catalogue's translation no longer fits
    fact: bool = False  # a fact about the gun or the request, not a problem to fix in the sheet (RuleSpec.fact)

    def text(self, part: str, words: Catalogue) -> str:
        """The rule's ``part`` (title, fix, why) in the catalogue's language: the pack's own translation,
        else the catalogue's (unless a user pack changed the English text), else English."""
        own = self.translations.get(words.lang, {}).get(part)
        if own is not None:
            return " ".join(str(own).split())
        local = words.rule_text(self.code, part) if part not in self.overridden else None
        english = {"title": self.title or self.name.replace("-", " ").capitalize(), "fix": self.fix,
                   "why": self.why, "message": self.message}[part]
        return local if local is not None else english

    def template(self, reason: str | None, words: Catalogue) -> str:
        """The message template for a finding's ``reason`` in the catalogue's language. In order: the
        pack's own translation for the reason, the catalogue's, the pack's general translation, the
        catalogue's general message, then the English text for the reason, then the English message.
        The catalogue is skipped for a message a user pack changed."""
        own = self.translations.get(words.lang, {})
        use_catalogue = not {"message", "messages"} & self.overridden
        candidates = []
        if reason is not None:
            candidates += [(own.get("messages") or {}).get(reason),
                           words.rule_text(self.code, "messages", reason) if use_catalogue else None]
        candidates += [own.get("message"), words.rule_text(self.code, "message") if use_catalogue else None]
        if reason is not None:
            candidates.append(self.messages.get(reason))
        return next((str(c) for c in candidates if c is not None), self.message)


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
    vocabulary: dict[str, Any] = field(default_factory=dict)  # header words, abbreviations, field names
    map_origins: dict[str, str] = field(default_factory=dict)  # field -> where its fixed header was given


    def rule(self, key: str) -> Rule:
        """The rule with code or name ``key``, in any case ("TC101", "tc101", "Serial-Missing"), as
        ``--select`` takes them. RulePackError for an unknown rule."""
        wanted = key.strip().casefold()
        for rule in self.all_rules:
            if wanted in (rule.code.casefold(), rule.name.casefold()):
                return rule
        raise RulePackError(f"unknown rule {key!r}")

    def with_selection(self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> RulePack:
        active = resolve_selection(self.all_rules, list(select or []), list(ignore or []),
                                   default={r.code for r in self.rules})
        if not active:
            raise RulePackError(f"the selection runs no rule (select {', '.join(select or []) or '-'}, "
                                f"ignore {', '.join(ignore or []) or '-'})")
        return replace(self, rules=tuple(r for r in self.all_rules if r.code in active))

    def with_map(self, mapping: dict[str, str], origin: str = "--map") -> RulePack:
        """The pack with fixed headers for fields (field -> header), given by ``origin`` ("--map" or
        a pack file). RulePackError for an unknown field."""
        unknown = sorted(set(mapping) - set(self.fields))
        if unknown:
            raise RulePackError(f"--map names unknown field {unknown[0]!r}; known fields: {', '.join(self.fields)}")
        return replace(self, fixed_map={**self.fixed_map, **mapping},
                       map_origins={**self.map_origins, **dict.fromkeys(mapping, origin)})


def default_rules_dir() -> Path:
    """The shipped rules: ``tracecheck/_rules`` in a wheel, ``<repo>/rules`` in a checkout."""
    packaged = importlib.resources.files("tracecheck") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"
