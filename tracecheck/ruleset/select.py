"""Rule selection, as in ruff: codes and names beat code prefixes, which beat families."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tracecheck.errors import RulePackError


class Rule(Protocol):
    """What selection reads of a rule (tracecheck.ruleset.pack.Rule has it)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def family(self) -> str: ...

SELECTOR_HINT = "use a code like TC101, a prefix like TC1, a rule name like serial-missing, or a family"


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


def matches_any(selector: str, rules: Iterable[Rule]) -> bool:
    """Whether ``selector`` (or ``ALL``) names at least one of ``rules``."""
    return selector.upper() == "ALL" or any(_specificity(selector, r) for r in rules)


def resolve_selection(rules: Iterable[Rule], select: list[str], ignore: list[str], *, default: set[str]) -> set[str]:
    rules = list(rules)
    for sel in [*select, *ignore]:
        if not matches_any(sel, rules):
            raise RulePackError(f"selector {sel!r} matches no rule ({SELECTOR_HINT})")
    active = set()
    for rule in rules:
        best_sel = max([_specificity(s, rule) if s.upper() != "ALL" else 1 for s in select] or [0])
        best_ign = max([_specificity(s, rule) if s.upper() != "ALL" else 1 for s in ignore] or [0])
        if best_ign and best_ign >= best_sel:
            continue
        if best_sel or (not select and rule.code in default):
            active.add(rule.code)
    return active
