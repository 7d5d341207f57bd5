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
