"""The README's two newcomer commands stay true: the example exists and CI runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_blocks() -> list[str]:
    return [line.strip() for block in re.findall(r"```bash\n(.*?)```", README, re.S) for line in block.splitlines()
            if line.strip()]


def test_readme_check_command_names_a_bundled_example() -> None:
    (check,) = [c for c in command_blocks() if "tracecheck check examples/" in c]
    example = re.search(r"tracecheck check (examples/\S+)", check).group(1)
    assert (ROOT / example).is_file()
    assert "pip install ." in check and "--out" in check


def test_ci_runs_exactly_the_readme_test_command() -> None:
    (test_command,) = [c for c in command_blocks() if "pytest" in c]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines


def test_the_readme_rule_table_names_every_rule_of_the_shipped_pack() -> None:
    """Each family row of the Rules table names exactly that family's rules (removed ones left out)."""
    from tracecheck.ruleset import load_pack

    table = re.search(r"^## Rules\n.*?\n(\| family \| rules \|\n\|---\|---\|\n(?:\|[^\n]*\n)+)", README, re.S | re.M)
    assert table
    listed = {}
    for row in table.group(1).splitlines()[2:]:
        family, rules = row.strip("|").split("|", 1)
        # a rule's name is backticked; words in parentheses after it are not rules
        listed[family.split("(")[0].strip()] = set(re.findall(r"`([a-z0-9-]+)`", re.sub(r"\([^()]*\)", "", rules)))
    shipped: dict[str, set[str]] = {}
    for rule in load_pack().all_rules:
        if rule.status != "removed":
            shipped.setdefault(rule.family, set()).add(rule.name)
    assert listed == shipped


def test_the_readme_plugin_example_is_the_tested_plugin() -> None:
    """The "Check plugins" example is the plugin tests/test_plugins.py installs and runs, and gives
    each finding its field and value (for the sheet column and ``{value!r}`` in messages)."""
    block = re.search(r"```python\n(import re\n.*?def serial_denylisted.*?)```", README, re.S).group(1)
    plugin = (ROOT / "tests" / "plugins" / "tracecheck_denylist" / "tracecheck_denylist" / "__init__.py")
    assert block in plugin.read_text(encoding="utf-8")
    assert "field=column, value=values[hit]" in block
