"""Rule documentation: generated pages are current, `explain` and `rules` show the packs' text,
in English and Spanish, and say where each rule lives (check function, case file, matching file)."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
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


def rule_blocks(output: str) -> dict[str, str]:
    """`tracecheck rules` output per rule: its lines (the first starts with the code, the others are
    indented under it) joined back into one text."""
    blocks: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.strip():
            if not line.startswith(" "):
                blocks[line.split()[0]] = []
            blocks[list(blocks)[-1]].append(line.strip())
    return {code: " ".join(lines) for code, lines in blocks.items()}


def test_rules_lists_one_block_per_rule() -> None:
    pack = load_pack()
    blocks = rule_blocks(CliRunner().invoke(main, ["rules"]).output)
    assert list(blocks) == [r.code for r in pack.all_rules]
    tc101 = blocks["TC101"]
    assert one_line(pack.rule("TC101"), EN) in tc101 and "Serial number missing" in tc101


def test_rules_in_spanish() -> None:
    pack = load_pack()
    es = catalogue("es")
    blocks = rule_blocks(CliRunner().invoke(main, ["rules", "--lang", "es"]).output)
    assert list(blocks) == [r.code for r in pack.all_rules]
    tc310 = blocks["TC310"]
    assert "Compra antigua" in tc310 and "advertencia" in tc310 and one_line(pack.rule("TC310"), es) in tc310
    assert "Dealers' records" not in tc310


@pytest.mark.parametrize("columns", [60, 80, 132])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_rules_wrap_to_the_terminal_width(columns: int, lang: str) -> None:
    """No line wider than the terminal ($COLUMNS, as shutil.get_terminal_size reads it); wrapped
    lines sit under the rule's code; nothing is cut."""
    result = CliRunner().invoke(main, ["rules", "--lang", lang], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= columns
    wide = CliRunner().invoke(main, ["rules"], env={"COLUMNS": "400"}).output.splitlines()
    assert max(len(line) for line in wide) > 132  # the width really follows $COLUMNS
    assert all(line.startswith("TC") or line.startswith(" " * 7) for line in lines)
    words = catalogue(lang)
    blocks = rule_blocks(result.output)
    for rule in load_pack().all_rules:
        assert one_line(rule, words) in blocks[rule.code]


@pytest.mark.parametrize("how", ["runner", "module"])
def test_rules_show_every_severity_a_rule_fires_at(how: str) -> None:
    if how == "runner":
        output = CliRunner().invoke(main, ["rules"], env={"COLUMNS": "200"}).output
    else:
        output = subprocess.run([sys.executable, "-m", "tracecheck", "rules"], capture_output=True, text=True,
                                env={**os.environ, "COLUMNS": "200"}, check=True).stdout
    lines = output.splitlines()
    facts = {line.split()[0]: lines[i + 1].strip() for i, line in enumerate(lines) if line.startswith("TC")}
    assert facts["TC201"] == "warning; info for review · duplicates"
    assert facts["TC102"] == "error; warning for label_noise, lookalike, text_prefix, statement · identifiers"
    assert facts["TC103"] == "warning; error for scientific_notation, date_cell, date_text · identifiers"
    assert facts["TC306"] == "info; warning for recovery_date, request_date · dates"
    assert facts["TC101"] == "error · identifiers"
    spanish = CliRunner().invoke(main, ["rules", "--lang", "es"], env={"COLUMNS": "200"}).output.splitlines()
    at = next(i for i, line in enumerate(spanish) if line.startswith("TC201"))
    assert spanish[at + 1].strip() == "advertencia; información para review · duplicados"


def _section(page: str, title: str) -> list[str]:
    """The lines of a page's section ``## title`` (up to the next section)."""
    body = page.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in body.strip().splitlines() if line.strip()]


@pytest.mark.parametrize("rule", load_pack().all_rules, ids=lambda r: r.code)
def test_explain_shows_the_messages_its_example_really_gives(rule) -> None:
    """Each message under "Messages" is what `tracecheck.check` gives on the rule's flagged example
    (no {placeholder} left, no template); rules about the file itself say why they show none."""
    import pandas as pd

    import tracecheck
    from tracecheck.docs import EXAMPLE_AS_OF, _table

    page = CliRunner().invoke(main, ["explain", rule.code]).output
    shown = _section(page, "Messages")
    columns, rows = _table(rule.example["bad"])
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    if rule.example.get("earlier"):  # a rule about earlier batches: checked against a store holding them
        from tracecheck.history.examples import store_with

        before, earlier = _table(rule.example["earlier"])
        with store_with(pd.DataFrame(earlier, columns=before, dtype=object), load_pack(),
                        as_of=EXAMPLE_AS_OF) as history:
            report = tracecheck.check(frame, select=rule.code, as_of=EXAMPLE_AS_OF, history=history)
    else:
        report = tracecheck.check(frame, select=rule.code, as_of=EXAMPLE_AS_OF)
    real = report.findings[report.findings["rule"] == rule.code]
    if rule.code in ("TC010", "TC011", "TC012"):  # a line in another encoding, control bytes, a split line
        assert real.empty and shown == [EN.text("docs", "no_example_messages")]
        return
    assert len(real) > 0, "the flagged example must flag"
    assert shown[0] == EN.text("docs", "example_messages", as_of="2026-01-01")
    expected = [f"- Row {int(r)}: {m}" if pd.notna(r) else f"- {m}" for r, m in zip(real["row"], real["message"])]
    assert shown[1:] == expected
    assert not any("{" in line for line in shown)
    templates = _section(page, "Message templates")
    assert templates[1] == f"- `{rule.message}`"  # the templates are there too, labelled as such


def test_explain_in_spanish_renders_spanish_messages() -> None:
    page = CliRunner().invoke(main, ["explain", "tc008", "--lang", "es"]).output
    assert _section(page, "Mensajes")[1:] == ["- Fila 2: El folio 'R1' aparece también en la fila 3",
                                              "- Fila 3: El folio 'R1' aparece también en la fila 2"]


@pytest.fixture
def user_pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yml"
    path.write_text("extends: default\nname: fiscalia-jalisco\nversion: \"1\"\nrules:\n"
                    "  - code: TC312\n    severity: error\n    params: {max_days: 180}\n"
                    "  - code: TC901\n    name: agency-missing\n    severity: warning\n    check: value_missing\n"
                    "    params: {column: agency}\n    message: \"Agency is missing ({reason})\"\n"
                    "    fix: \"Enter the requesting agency\"\n    why: The agency (ORI) authorises the request.\n"
                    "    example:\n      bad: [{serial_number: ABC1234, manufacturer: Glock, agency: \"\"}]\n"
                    "      good: [{serial_number: ABC1234, manufacturer: Glock, agency: FGR}]\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["runner", "module"])
def test_explain_labels_what_a_pack_changed(user_pack: Path, how: str) -> None:
    args = ["explain", "tc312", "--rules", str(user_pack)]
    if how == "runner":
        page = CliRunner().invoke(main, args).output
    else:
        page = subprocess.run([sys.executable, "-m", "tracecheck", *args], capture_output=True, text=True,
                              check=True).stdout
    assert "- Severity: **error** (set by pack fiscalia-jalisco; default: warning)\n" in page
    assert _section(page, "Parameters") == ["| name | value (pack fiscalia-jalisco) | default |", "|---|---|---|",
                                            "| `metric` | `submission_lag_days` | `submission_lag_days` |",
                                            "| `max_days` | `180` | `365` |"]
    assert "(limit 180 days)" in _section(page, "Messages")[1]  # the pack's value, in the real message
    shipped = CliRunner().invoke(main, ["explain", "tc312"]).output
    assert "- Severity: **warning**\n" in shipped and "| name | default |" in shipped and "set by pack" not in shipped


def test_explain_a_rule_the_pack_defines_and_one_it_leaves_alone(user_pack: Path) -> None:
    page = CliRunner().invoke(main, ["explain", "agency-missing", "--rules", str(user_pack)]).output
    assert _section(page, "Parameters")[0] == "| name | value (pack fiscalia-jalisco) |"
    assert "set by pack" not in page and _section(page, "Messages")[1] == "- Row 2: Agency is missing (blank)"
    untouched = CliRunner().invoke(main, ["explain", "TC310", "--rules", str(user_pack), "--lang", "es"]).output
    assert _section(untouched, "Parámetros")[0] == "| nombre | valor por omisión |" and "fijada por" not in untouched


def test_explain_with_a_pack_that_fixes_headers(tmp_path: Path) -> None:
    """A pack's map: names the agency's own headers; the rule's example has its own and still runs."""
    pack = tmp_path / "maponly.yml"
    pack.write_text('extends: default\nmap:\n  request_id: "Folio"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", "TC101", "--rules", str(pack)])
    assert result.exit_code == 0, result.output
    assert "Serial number 'SIN MATRICULA' is a placeholder" in result.output
