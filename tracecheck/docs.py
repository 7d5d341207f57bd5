"""Rule documentation rendered from the packs: the terminal (`tracecheck explain`, `tracecheck rules`)
and docs/rules/*.md, in any catalogue language.

Pure: returns text. The pages under docs/rules/ are generated (in English) by `tracecheck docs`
and a test fails when they differ from what the packs say. Each page says where the rule lives:
its check function (module:function), its case file and, for duplicate rules, the matching
parameters file.
"""

from __future__ import annotations

from typing import Any

from tracecheck.catalogue import Catalogue
from tracecheck.checks import REGISTRY
from tracecheck.ruleset import Rule, RulePack
from tracecheck.text import first_sentence

CASE_FILE = "tests/cases/{code}.yml"
MATCHING_FILE = "rules/matching.yml"
MATCHING_CHECKS = {"duplicate_group"}


def check_function(rule: Rule) -> str:
    """Where a rule's logic lives: ``module:function`` of its check kind."""
    fn = REGISTRY[rule.check].fn
    return f"{fn.__module__}:{fn.__qualname__}"


def one_line(rule: Rule, words: Catalogue) -> str:
    """The first sentence of the rule's "why", in the catalogue's language."""
    return first_sentence(rule.text("why", words))


def rules_table(pack: RulePack, words: Catalogue) -> list[str]:
    """One line per rule for `tracecheck rules`: code, name, title, severity, family, why."""
    active = {r.code for r in pack.rules}
    off = words.text("docs", "off")
    return [f"{r.code}  {r.name:<28} {r.text('title', words):<40} {words.severity(r.severity.value):<12} "
            f"{r.family:<12} {one_line(r, words)}{'' if r.code in active else '  ' + off}" for r in pack.all_rules]


def rule_markdown(rule: Rule, words: Catalogue) -> str:
    """A rule's page: title, severity, where it lives, why, fix, parameters, messages, bad/good example."""
    t = words.text
    lines = [f"# {rule.name} ({rule.code}): {rule.text('title', words)}", "",
             f"- {t('docs', 'severity')}: **{words.severity(rule.severity.value)}**" + _by_reason(rule, words),
             f"- {t('docs', 'family')}: {rule.family}",
             f"- {t('docs', 'status')}: {rule.status}, {t('docs', 'since')} {rule.since}",
             f"- {t('docs', 'check')}: `{rule.check}` (`{check_function(rule)}`)",
             f"- {t('docs', 'case_file')}: `{CASE_FILE.format(code=rule.code)}`"]
    if rule.check in MATCHING_CHECKS:
        lines.append(f"- {t('docs', 'matching')}: `{MATCHING_FILE}`")
    lines += ["", f"## {t('docs', 'why')}", "", rule.text("why", words), "",
              f"## {t('docs', 'fix')}", "", rule.text("fix", words), ""]
    if rule.params:
        lines += [f"## {t('docs', 'parameters')}", "", f"| {t('docs', 'parameter')} | {t('docs', 'default')} |",
                  "|---|---|"]
        lines += [f"| `{name}` | `{value}` |" for name, value in rule.params.items()]
        lines.append("")
    lines += [f"## {t('docs', 'message')}", "", f"`{rule.template(None, words)}`", ""]
    if rule.messages:
        lines += [f"## {t('docs', 'messages')}", ""]
        lines += [f"- `{reason}`: `{rule.template(reason, words)}`" for reason in rule.messages]
        lines.append("")
    lines += _example(t("docs", "bad"), rule.example.get("bad"), words)
    lines += _example(t("docs", "good"), rule.example.get("good"), words)
    return "\n".join(lines).rstrip() + "\n"


def index_markdown(pack: RulePack, words: Catalogue) -> str:
    t = words.text
    lines = [f"# {t('docs', 'index_title', pack=pack.name, version=pack.version)}", "", t("docs", "index_note"), "",
             f"| {t('labels', 'code')} | {t('labels', 'name')} | {t('labels', 'rule')} | {t('docs', 'severity')} | "
             f"{t('docs', 'family')} | {t('docs', 'why')} |", "|---|---|---|---|---|---|"]
    lines += [f"| [{r.code}]({r.code}.md) | {r.name} | {_cell(r.text('title', words))} | "
              f"{words.severity(r.severity.value)} | {r.family} | {_cell(one_line(r, words))} |" for r in pack.all_rules]
    return "\n".join(lines) + "\n"


def _by_reason(rule: Rule, words: Catalogue) -> str:
    if not rule.severity_by_reason:
        return ""
    parts = ", ".join(f"{reason}: {words.severity(level.value)}" for reason, level in rule.severity_by_reason.items())
    return f" ({words.text('docs', 'by_reason')}: {parts})"


def _example(title: str, example: Any, words: Catalogue) -> list[str]:
    if example is None:
        return []
    if isinstance(example, dict):
        columns, rows = list(example.get("columns", [])), [list(r) for r in example.get("rows", [])]
    else:
        columns = list(dict.fromkeys(k for row in example for k in row))
        rows = [[row.get(c, "") for c in columns] for row in example]
    if not columns:
        return [f"## {title}", "", words.text("docs", "no_columns"), ""]
    out = [f"## {title}", "", "| " + " | ".join(map(_cell, columns)) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows] or [f"| {words.text('docs', 'no_rows')} |"]
    return out + [""]


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", "\\n")
