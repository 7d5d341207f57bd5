"""Rule documentation: generated pages are current, `explain` and `rules` show the packs' text,
in English and Spanish, and say where each rule lives (check function, case file, matching file)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracecheck.catalogue import catalogue
from tracecheck.cli import main
from tracecheck.docs import check_function, index_markdown, one_line, rule_markdown
from tracecheck.ruleset import load_pack

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
EN = catalogue("en")


def test_generated_rule_pages_are_current() -> None:
    """Fails when a pack changed without `tracecheck docs` being run (and the pages committed)."""
    pack = load_pack()
    expected = {f"{r.code}.md": rule_markdown(r, EN) for r in pack.all_rules}
    expected["README.md"] = index_markdown(pack, EN)
    actual = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in expected if actual.get(name) != expected[name])
    extra = sorted(set(actual) - set(expected))
    assert not stale and not extra, f"run `tracecheck docs`: stale {stale}, extra {extra}"


def test_docs_command_writes_every_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pack = load_pack()
    assert {p.name for p in tmp_path.glob("*.md")} == {f"{r.code}.md" for r in pack.all_rules} | {"README.md"}
    assert "# serial-missing (TC101): Serial number missing" in (tmp_path / "TC101.md").read_text(encoding="utf-8")


def test_explain_prints_why_fix_and_examples() -> None:
    for key in ("TC101", "serial-missing"):
        result = CliRunner().invoke(main, ["explain", key])
        assert result.exit_code == 0
        assert "# serial-missing (TC101)" in result.output
        assert "## Why" in result.output and "## How to fix" in result.output
        assert "SIN MATRICULA" in result.output and "BXYZ123" in result.output  # bad and good example rows


@pytest.mark.parametrize("rule", load_pack().all_rules, ids=lambda r: r.code)
def test_explain_names_where_the_rule_lives(rule) -> None:
    """One step from a rule to its code: the check function (that really exists), its case file and,
    for duplicate rules, the matching parameters file."""
    page = CliRunner().invoke(main, ["explain", rule.code]).output
    module, function = check_function(rule).split(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert f"`{module}:{function}`" in page
    case_file = f"tests/cases/{rule.code}.yml"
    assert case_file in page and (ROOT / case_file).is_file()
    assert ("rules/matching.yml" in page) == rule.code.startswith("TC2")
    assert (ROOT / "rules" / "matching.yml").is_file()


def test_explain_in_spanish() -> None:
    result = CliRunner().invoke(main, ["explain", "TC101", "--lang", "es"])
    assert result.exit_code == 0, result.output
    for text in ("## Por qué", "## Cómo corregir", "Falta la matrícula", "Un rastreo no puede empezar sin la matrícula",
                 "Gravedad: **error**", "La matrícula {value!r} es un marcador"):
        assert text in result.output, text
    for english in ("## Why", "## How to fix", "A trace cannot start", "Serial number is blank"):
        assert english not in result.output, english


def test_explain_unknown_rule_is_one_line_exit_2() -> None:
    result = CliRunner().invoke(main, ["explain", "TC999"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "TC999" in result.output


def test_rules_lists_one_line_per_rule() -> None:
    pack = load_pack()
    lines = CliRunner().invoke(main, ["rules"]).output.strip().splitlines()
    assert len(lines) == len(pack.all_rules)
    tc101 = next(line for line in lines if line.startswith("TC101"))
    assert one_line(pack.rule("TC101"), EN) in tc101 and "Serial number missing" in tc101


def test_rules_in_spanish() -> None:
    pack = load_pack()
    es = catalogue("es")
    lines = CliRunner().invoke(main, ["rules", "--lang", "es"]).output.strip().splitlines()
    assert len(lines) == len(pack.all_rules)
    tc310 = next(line for line in lines if line.startswith("TC310"))
    assert "Compra antigua" in tc310 and "advertencia" in tc310 and one_line(pack.rule("TC310"), es) in tc310
    assert "Dealers' records" not in tc310
