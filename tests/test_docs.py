"""Rule documentation: generated pages are current, `explain` and `rules` show the packs' text."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tracecheck.cli import main
from tracecheck.docs import index_markdown, one_line, rule_markdown
from tracecheck.ruleset import load_pack

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_generated_rule_pages_are_current() -> None:
    """Fails when a pack changed without `tracecheck docs` being run (and the pages committed)."""
    pack = load_pack()
    expected = {f"{r.code}.md": rule_markdown(r) for r in pack.all_rules}
    expected["README.md"] = index_markdown(pack)
    actual = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in expected if actual.get(name) != expected[name])
    extra = sorted(set(actual) - set(expected))
    assert not stale and not extra, f"run `tracecheck docs`: stale {stale}, extra {extra}"


def test_docs_command_writes_every_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pack = load_pack()
    assert {p.name for p in tmp_path.glob("*.md")} == {f"{r.code}.md" for r in pack.all_rules} | {"README.md"}
    assert "# serial-missing (TC101)" in (tmp_path / "TC101.md").read_text(encoding="utf-8")


def test_explain_prints_why_fix_and_examples() -> None:
    for key in ("TC101", "serial-missing"):
        result = CliRunner().invoke(main, ["explain", key])
        assert result.exit_code == 0
        assert "# serial-missing (TC101)" in result.output
        assert "## Why" in result.output and "## How to fix" in result.output
        assert "SIN MATRICULA" in result.output and "BXYZ123" in result.output  # bad and good example rows


def test_explain_unknown_rule_is_one_line_exit_2() -> None:
    result = CliRunner().invoke(main, ["explain", "TC999"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "TC999" in result.output


def test_rules_lists_one_line_per_rule() -> None:
    pack = load_pack()
    lines = CliRunner().invoke(main, ["rules"]).output.strip().splitlines()
    assert len(lines) == len(pack.all_rules)
    tc101 = next(line for line in lines if line.startswith("TC101"))
    assert one_line(pack.rule("TC101")) in tc101
