"""Rule packs: load the declarative YAML, validate it, resolve selection and overrides.

A pack is a YAML file. The default pack (``rules/pack.yml``, shipped in the wheel as
``tracecheck/_rules``) includes the column aliases, reference tables and the family files.
A user pack ``extends`` the default (or another pack file) and may override rule severity,
parameters and messages, add column aliases or fixed mappings, select and ignore rules,
and add new rules built on existing check kinds.

* ``models``: the file format as pydantic models (pack, rule per check kind, override) and the
  JSON Schema generated from them; a check kind's parameters come from its signature.
* ``load``: reading the YAML files and merging ``extends`` and ``include``.
* ``build``: overrides, rule validation and translations, giving a ``RulePack``.
* ``select``: ``--select`` / ``--ignore`` resolution. ``problems``: one-line errors with file and line.

Dependencies run one way: this package imports the check registry (``tracecheck.checks``);
nothing under ``tracecheck/checks`` imports the ruleset.
"""

from __future__ import annotations

from pathlib import Path

from tracecheck.checks.plugins import load_plugins
from tracecheck.errors import RulePackError
from tracecheck.ruleset.build import build
from tracecheck.ruleset.load import read_tree
from tracecheck.ruleset.pack import Rule, RulePack, default_rules_dir
from tracecheck.ruleset.select import resolve_selection

__all__ = ["Rule", "RulePack", "default_rules_dir", "load_pack", "resolve_selection"]


def load_pack(source: str | Path | None = None) -> RulePack:
    """Load the default pack, or a user pack file (which usually ``extends: default``).
    RulePackError for a bad pack; PluginError for a check plugin that does not load (plugins load
    first: a pack's rules may use their kinds)."""
    load_plugins()
    path = default_rules_dir() / "pack.yml" if source is None or str(source) == "default" else Path(source)
    merged = read_tree(path)
    try:
        return build(merged)
    except RulePackError as exc:
        if exc.path:
            raise
        raise RulePackError(exc.bare_message, path=str(path)) from None
