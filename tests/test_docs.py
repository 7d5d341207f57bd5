"""Rule documentation: generated pages are current, `explain` and `rules` show the packs' text,
in English and Spanish, and say where each rule lives (check function, case file, matching file)."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tracecheck.catalogue import catalogue
from tracecheck.cli import main
from tracecheck.docs import check_function, index_markdown, one_line, pack_schema_json, rule_markdown
from tracecheck.ruleset import default_rules_dir, load_pack

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
PACK_SCHEMA = ROOT / "docs" / "rule-pack.schema.json"
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


def test_generated_pack_schema_is_current() -> None:
    """Fails when the pack models (or a check kind's signature) changed without `tracecheck docs`."""
    assert PACK_SCHEMA.read_text(encoding="utf-8") == pack_schema_json(), "run `tracecheck docs`"


def test_docs_command_writes_every_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path / "rules")])
    assert result.exit_code == 0, result.output
    pack = load_pack()
    pages = tmp_path / "rules"
    assert {p.name for p in pages.glob("*.md")} == {f"{r.code}.md" for r in pack.all_rules} | {"README.md"}
    assert "# serial-missing (TC101): Serial number missing" in (pages / "TC101.md").read_text(encoding="utf-8")
    assert (tmp_path / "rule-pack.schema.json").read_text(encoding="utf-8") == pack_schema_json()  # beside the pages
    result = CliRunner().invoke(main, ["docs", "--out", str(pages), "--schema", str(tmp_path / "s" / "pack.json")])
    assert result.exit_code == 0 and (tmp_path / "s" / "pack.json").is_file()


def _schema_problems(document: object) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(PACK_SCHEMA.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_shipped_packs_and_the_readme_example_follow_the_schema() -> None:
    for path in sorted(default_rules_dir().glob("*.yml")):
        assert _schema_problems(yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path.name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(# my-pack\.yml.*?)```", readme, re.S).group(1)
    assert _schema_problems(yaml.safe_load(example)) == []


def test_the_schema_types_a_new_rules_params_by_its_check_kind() -> None:
    rules = yaml.safe_load(Path(default_rules_dir() / "tc3_dates.yml").read_text(encoding="utf-8"))["rules"]
    rule = next(r for r in rules if r["code"] == "TC310")
    assert _schema_problems({"rules": [rule]}) == []
    assert _schema_problems({"rules": [{**rule, "params": {**rule["params"], "max_years": "five"}}]})
    assert _schema_problems({"rules": [{**rule, "params": {**rule["params"], "max_days": 3}}]})  # not age_over's
    assert _schema_problems({"rules": [{**rule, "check": "value_missing"}]})  # value_missing takes a column
    assert _schema_problems({"rules": {"TC310": {"params": {"anything": 1}}}}) == []  # an override's params: free
    assert _schema_problems({"rules": {"TC310": {"colour": "red"}}})
    assert _schema_problems({"bogus": 1})


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
