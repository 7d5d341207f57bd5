"""Rule packs: validation at load time, user packs that extend the default, selection."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

import tracecheck
from tracecheck.ruleset import default_rules_dir, load_pack

GOOD_RULE = """
  - code: TC901
    name: agency-missing
    severity: warning
    check: value_missing
    params: {column: agency}
    message: "Agency is missing ({reason})"
    fix: "Enter the requesting agency"
    why: The agency (ORI) authorises the request.
    example:
      bad: [{serial_number: ABC1234, manufacturer: Glock, agency: ""}]
      good: [{serial_number: ABC1234, manufacturer: Glock, agency: FGR}]
"""


def write_pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pack.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_default_pack_is_valid_and_complete() -> None:
    pack = load_pack()
    codes = [r.code for r in pack.all_rules]
    names = [r.name for r in pack.all_rules]
    assert len(codes) == len(set(codes)) and len(names) == len(set(names))
    for required in ("serial-missing", "serial-malformed", "import-marking-missing", "manufacturer-missing",
                     "date-unparseable", "date-order", "date-future", "date-ambiguous", "stale-purchase",
                     "short-time-to-crime", "late-submission"):
        assert required in names
    assert all(name.startswith("date-") for name in names if pack.rule(name).family == "dates"
               and pack.rule(name).check.startswith("date_"))


def test_user_pack_adds_a_rule_and_overrides_another(tmp_path: Path) -> None:
    body = ('extends: default\nname: fiscalia\nversion: "2"\nrules:' + GOOD_RULE +
            "  - code: TC310\n    severity: error\n    params: {max_years: 3}\n")
    path = tmp_path / "pack.yml"
    path.write_text(body, encoding="utf-8")
    pack = load_pack(path)
    assert (pack.name, pack.version) == ("fiscalia", "2")
    assert pack.rule("agency-missing").severity == tracecheck.Severity.WARNING
    assert pack.rule("TC310").params["max_years"] == 3
    assert pack.rule("TC310").params["start"] == "purchase_date"  # params merge, not replace
    assert pack.rule("stale-purchase").severity == tracecheck.Severity.ERROR
    assert load_pack().rule("TC310").params["max_years"] == 5  # the default pack is untouched


def test_override_shorthand_by_name_and_columns(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        extends: default
        rules:
          late-submission: {params: {max_days: 30}}
        columns:
          serial_number: ["No. de arma"]
        map:
          request_id: "Folio interno"
    """)
    pack = load_pack(path)
    assert pack.rule("TC312").params["max_days"] == 30
    assert "No. de arma" in pack.fields["serial_number"]
    assert pack.fixed_map == {"request_id": "Folio interno"}


@pytest.mark.parametrize("body, message", [
    ("extends: default\nrules:\n  TC999: {severity: error}\n", "unknown rule 'TC999'"),
    ("extends: default\nrules:\n  TC101: {check: other}\n", "'TC101' is defined twice"),
    ("extends: default\nrules:\n  TC101: {color: red}\n", "color: cannot be overridden"),
    ("extends: default\nrules:\n  TC101: {severity: fatal}\n", "severity: Input should be 'error', 'warning'"),
    ("extends: default\nrules:\n  TC101: {params: {min_len: 3}}\n", "params.min_len: check 'serial_missing' takes no"),
    ("extends: default\nrules:\n  TC101: {message: 'Bad {nonsense}'}\n", "{nonsense}"),
    ("extends: default\nselect: [TC9]\n", "selector 'TC9' matches no rule"),
    ("extends: default\nbogus: 1\n", "bogus: unknown key"),
    ("extends: default\nmap: {gun_colour: Color}\n", "unknown field 'gun_colour'"),
    ("extends: default\nrules: [\n", "invalid YAML"),
    ("extends: missing.yml\n", "not found"),
])
def test_bad_packs_fail_early_with_a_named_cause(tmp_path: Path, body: str, message: str) -> None:
    path = write_pack(tmp_path, body)
    with pytest.raises(tracecheck.RulePackError) as err:
        load_pack(path)
    assert message in str(err.value)
    assert str(path.name) in str(err.value) or "missing.yml" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("change, message", [
    (("code: TC901", "code: X901"), "code: 'X901' must look like TC123"),
    (("name: agency-missing", "name: Agency_Missing"), "kebab-case"),
    (("      good: [{serial_number: ABC1234, manufacturer: Glock, agency: FGR}]\n", ""), "example.good: missing"),
    (("    why: The agency (ORI) authorises the request.\n", ""), "why: missing"),
    (("check: value_missing\n    params: {column: agency}", "check: value_missing"),
     "params.column: missing; check 'value_missing' needs this parameter"),
])
def test_new_rules_are_validated(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "pack.yml"
    path.write_text("extends: default\nrules:" + GOOD_RULE.replace(*change), encoding="utf-8")
    with pytest.raises(tracecheck.RulePackError, match="TC901|X901") as err:
        load_pack(path)
    assert message in str(err.value)


def test_duplicate_codes_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "pack.yml"
    path.write_text("extends: default\nrules:" + GOOD_RULE.replace("TC901", "TC101"), encoding="utf-8")
    with pytest.raises(tracecheck.RulePackError, match="defined twice"):
        load_pack(path)


def test_selection_precedence_codes_over_prefixes_over_families() -> None:
    pack = load_pack()
    active = lambda p: {r.code for r in p.rules}  # noqa: E731
    assert active(pack.with_selection(["identifiers"], ["TC102"])) == \
        {r.code for r in pack.all_rules if r.family == "identifiers"} - {"TC102"}
    # the more specific selector wins whichever list it is in
    assert "TC101" in active(pack.with_selection(["TC101"], ["identifiers"]))
    assert active(pack.with_selection(["TC3"], ["TC31"])) == {"TC301", "TC302", "TC303", "TC304", "TC305",
                                                                            "TC306", "TC307", "TC308"}
    assert active(pack.with_selection(["serial-missing", "date-order"], [])) == {"TC101", "TC302"}
    assert "TC101" not in active(pack.with_selection(None, ["serial-missing"]))
    assert len(active(pack.with_selection(None, None))) == len(pack.all_rules)


def test_pack_select_and_ignore_in_a_file(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, "extends: default\nselect: [TC1]\nignore: [TC123]\n"))
    codes = {r.code for r in pack.rules}
    assert codes and all(c.startswith("TC1") for c in codes) and "TC123" not in codes
    assert len(pack.all_rules) > len(pack.rules)


def test_removed_rules_stay_as_tombstones(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, "extends: default\nrules:\n  TC311: {status: removed}\n"))
    assert "TC311" not in {r.code for r in pack.rules}
    assert pack.rule("short-time-to-crime").status == "removed"


def test_default_rules_dir_is_the_repository_rules_in_a_checkout() -> None:
    assert (default_rules_dir() / "pack.yml").is_file()


def test_check_renders_messages_in_the_requested_language() -> None:
    import pandas as pd

    frame = pd.DataFrame([{"serial_number": "SIN MATRICULA", "manufacturer": "Glock"}])
    spanish = tracecheck.check(frame, select=["TC101"], lang="es")
    english = tracecheck.check(frame, select=["TC101"])
    assert spanish.findings["message"].tolist() == [
        "La matrícula 'SIN MATRICULA' es un marcador, no un número de serie"]
    assert english.findings["message"].tolist() == ["Serial number 'SIN MATRICULA' is a placeholder, not a serial"]
    assert spanish.rule_pack["rules"][0]["fix"].startswith("Anote la matrícula")


def test_bad_translations_fail_early(tmp_path: Path) -> None:
    path = write_pack(tmp_path, """
        extends: default
        translations:
          es:
            TC101: {message: "Falta {nada}"}
    """)
    with pytest.raises(tracecheck.RulePackError, match=r"TC101 \(es\).*\{nada\}"):
        load_pack(path)
    path = write_pack(tmp_path, "extends: default\ntranslations: {es: {TC999: {message: x}}}\n")
    with pytest.raises(tracecheck.RulePackError, match="unknown rule 'TC999'"):
        load_pack(path)


# ---------------------------------------------------------------- typed packs: one test per kind of load error


def new_rule(old: str = "", new: str = "") -> str:
    """A pack adding GOOD_RULE (TC901, on line 3), with ``old`` replaced by ``new``."""
    return "extends: default\nrules:" + GOOD_RULE.replace(old, new)


def override(body: str) -> str:
    return "extends: default\nrules:\n" + textwrap.indent(textwrap.dedent(body), "  ")


# (id, pack text, rule, key path, words, line of the offending key in the pack)
LOAD_ERRORS = [
    ("code-pattern", new_rule("code: TC901", "code: X901"), "rule X901", "code", "must look like TC123", 3),
    ("name-kebab-case", new_rule("name: agency-missing", "name: Agency_Missing"), "rule TC901", "name",
     "must be kebab-case", 4),
    ("code-defined-twice", new_rule("code: TC901", "code: TC101"), "rule TC101", "code", "defined twice", 3),
    ("name-defined-twice", new_rule("name: agency-missing", "name: serial-missing"), "rule TC901", "name",
     "defined twice", 4),
    ("severity", override("TC101: {severity: fatal}"), "rule TC101", "severity",
     "Input should be 'error', 'warning' or 'info' (got 'fatal')", 3),
    ("severity-of-a-new-rule", new_rule("severity: warning", "severity: loud"), "rule TC901", "severity",
     "(got 'loud')", 5),
    ("severity-by-reason", override("TC102:\n  severity_by_reason: {too_short: meh}"), "rule TC102",
     "severity_by_reason.too_short", "(got 'meh')", 4),
    ("status", override("TC101: {status: gone}"), "rule TC101", "status", "'deprecated' or 'removed'", 3),
    ("message-placeholder", override("TC101: {message: 'Bad {nonsense}'}"), "rule TC101", "message",
     "placeholder {nonsense} is not a finding, parameter or context field", 3),
    ("messages-placeholder", override("TC101:\n  messages:\n    blank: 'Bad {nonsense}'"), "rule TC101",
     "messages.blank", "{nonsense}", 5),
    ("why-missing", new_rule("    why: The agency (ORI) authorises the request.\n"), "rule TC901", "why",
     "missing", 3),
    ("example-good-missing", new_rule("      good: [{serial_number: ABC1234, manufacturer: Glock, agency: FGR}]\n"),
     "rule TC901", "example.good", "missing", 11),
    ("check-kind-unknown", new_rule("check: value_missing", "check: value_absent"), "rule TC901", "check",
     "unknown check kind 'value_absent'; did you mean 'value_missing'?", 6),
    ("rule-key-unknown", new_rule("    why:", "    colour: red\n    why:"), "rule TC901", "colour",
     "unknown key; a rule has: code, name", 10),
    ("override-key-not-overridable", override("TC101: {color: red}"), "rule TC101", "color",
     "cannot be overridden; overridable: severity", 3),
    ("override-names-unknown-rule", override("TC999: {severity: error}"), "rule TC999", "TC999",
     "override names unknown rule 'TC999'", 3),
    ("param-unknown", override("TC101: {params: {min_len: 3}}"), "rule TC101", "params.min_len",
     "check 'serial_missing' takes no such parameter; it takes: column", 3),
    ("param-missing", new_rule("    params: {column: agency}\n"), "rule TC901", "params.column",
     "missing; check 'value_missing' needs this parameter", 3),
    ("param-wrong-type", override('TC310: {params: {max_years: "five"}}'), "rule TC310", "params.max_years",
     "Input should be a valid number, unable to parse string as a number (got 'five')", 3),
    ("param-boolean-for-a-number", override("TC312: {params: {max_days: true}}"), "rule TC312", "params.max_days",
     "Input should be a whole number", 3),
    ("param-not-in-the-closed-set", override("TC301: {params: {status: unparsable}}"), "rule TC301",
     "params.status",
     "Input should be 'unparseable', 'ambiguous', 'placeholder' or 'order_conflict' (got 'unparsable')", 3),
    ("param-list-item", override("TC303:\n  params:\n    fields: [purchase_date, serial_number]"), "rule TC303",
     "params.fields[1]", "(got 'serial_number')", 5),
    ("param-field-unknown", override("TC101:\n  params:\n    column: serail_number"), "rule TC101",
     "params.column", "unknown field 'serail_number'; did you mean 'serial_number'?", 5),
    ("param-field-of-a-new-rule", new_rule("{column: agency}", "{column: agencia}"), "rule TC901",
     "params.column", "unknown field 'agencia'; did you mean 'agency'?", 7),
    ("select-matches-nothing", "extends: default\nselect: [TC1, TC9]\n", "", "select[1]",
     "selector 'TC9' matches no rule", 2),
    ("ignore-matches-nothing", "extends: default\nignore:\n  - nonsense\n", "", "ignore[0]",
     "selector 'nonsense' matches no rule", 3),
    ("translation-of-unknown-rule", "extends: default\ntranslations:\n  es:\n    TC999: {message: x}\n",
     "rule TC999 (es)", "TC999", "translation names unknown rule 'TC999'", 4),
    ("translation-of-untranslatable-key", "extends: default\ntranslations:\n  es:\n    TC101: {severity: x}\n",
     "rule TC101 (es)", "severity", "cannot be translated; translatable: title, message, messages, fix, why", 4),
    ("translation-placeholder", "extends: default\ntranslations:\n  es:\n    TC101:\n      message: 'Falta {nada}'\n",
     "rule TC101 (es)", "message", "{nada}", 5),
    ("pack-key-unknown", "extends: default\nbogus: 1\n", "", "bogus", "unknown key; a pack has: name", 2),
    ("pack-value-wrong-type", "extends: default\nfuzzy_threshold: high\n", "", "fuzzy_threshold",
     "valid number", 2),
    ("map-field-unknown", "extends: default\nmap: {gun_colour: Color}\n", "", "map.gun_colour",
     "unknown field 'gun_colour'", 2),
    ("pack-list-item-not-text", "extends: default\nselect: [101]\n", "", "select[0]",
     "Input should be a valid string (got 101)", 2),
    ("pack-value-of-either-type", "extends: default\ncolumns: {serial_number: 5}\n", "", "columns.serial_number",
     "Input should be a valid string or a valid list (got 5)", 2),
    ("pack-regular-expression", "extends: default\nplaceholders:\n  serial_label: '(S/N'\n", "",
     "placeholders.serial_label", "not a valid regular expression", 3),
    ("rules-entry-not-a-mapping", override("TC101: error"), "rule TC101", "", "expected a mapping", 3),
    ("rules-entry-without-code", "extends: default\nrules:\n  - {severity: error}\n", "", "rules[0]",
     "each rule needs a code or a name", 3),
    # found by trying to break it: values that loaded, then crashed the run (exit 70) or silently did nothing
    ("param-pattern-does-not-compile", override("TC014:\n  params:\n    patterns: {FGR: 'FGR/(\\d+'}"),
     "rule TC014", "params.patterns.FGR", "not a valid regular expression: missing ), unterminated subpattern", 5),
    ("param-not-finite", override("TC310: {params: {max_years: .nan}}"), "rule TC310", "params.max_years",
     "finite number", 3),
    ("param-out-of-range", override("TC310: {params: {max_years: -5}}"), "rule TC310", "params.max_years",
     "greater than 0", 3),
    ("param-too-large", override("TC312: {params: {max_days: 1.0e+300}}"), "rule TC312", "params.max_days",
     "max_days", 3),
    ("message-format-spec", override('TC310: {message: "Old {years:%Q}"}'), "rule TC310", "message",
     "Invalid format specifier", 3),
    ("message-conversion", override('TC310: {message: "Old {years!z}"}'), "rule TC310", "message",
     "only !r is supported", 3),
    ("message-nested-spec", override('TC310: {message: "Old {years:{max_years}}"}'), "rule TC310", "message",
     "years", 3),
    ("reason-unknown-severity", override("TC101: {severity_by_reason: {blnk: info}}"), "rule TC101",
     "severity_by_reason.blnk", "gives no reason 'blnk'", 3),
    ("reason-unknown-message", override("TC101: {messages: {blnk: x}}"), "rule TC101", "messages.blnk",
     "gives no reason 'blnk'", 3),
    ("columns-unknown-field", "extends: default\ncolumns: {serial_numbr: [x]}\n", "", "columns.serial_numbr",
     "did you mean 'serial_number'", 2),
    ("matching-unknown-key", "extends: default\nmatching: {foo: 1}\n", "", "matching.foo", "unknown key", 2),
    ("matching-weight-type", "extends: default\nmatching: {weights: {serial_exact: high}}\n", "",
     "matching.weights.serial_exact", "valid number", 2),
    ("translation-language", "extends: default\ntranslations: {xx: {TC310: {title: Hola}}}\n", "", "translations.xx",
     "no message catalogue", 2),
    ("duplicate-yaml-key", override("TC310: {params: {max_years: 3}}\nTC310: {severity: error}"), "",
     "", "key 'TC310' is written twice", 4),
    ("runs-no-rule", "extends: default\nselect: [TC1]\nignore: [TC1]\n", "", "", "runs no rule", None),
]


@pytest.mark.parametrize("body, rule, key, words, line", [pytest.param(*case[1:], id=case[0]) for case in LOAD_ERRORS])
def test_each_load_error_is_one_line_naming_file_line_rule_and_key(tmp_path: Path, body: str, rule: str, key: str,
                                                                   words: str, line: int) -> None:
    path = tmp_path / "my-pack.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(tracecheck.RulePackError) as err:
        load_pack(path)
    message = str(err.value)
    assert type(err.value) is tracecheck.RulePackError and err.value.exit_code == 2
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: " if line else f"{path}: "), message  # file, line of the key
    assert f"{rule}: " in message if rule else True, message
    assert key in message and words in message, message
    assert (err.value.path, err.value.line) == (str(path), line)


def test_extends_and_include_cycles_name_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("extends: default\ninclude: [b.yml]\n", encoding="utf-8")
    (tmp_path / "b.yml").write_text("name: b\ninclude:\n  - a.yml\n", encoding="utf-8")
    with pytest.raises(tracecheck.RulePackError) as err:
        load_pack(tmp_path / "a.yml")
    assert str(err.value) == (f"{tmp_path / 'b.yml'}:3: include[0]: a.yml extends or includes itself "
                              f"(a.yml -> b.yml -> a.yml)")
    (tmp_path / "c.yml").write_text("extends: c.yml\n", encoding="utf-8")
    with pytest.raises(tracecheck.RulePackError, match=r"c\.yml:1: extends: c\.yml extends or includes itself"):
        load_pack(tmp_path / "c.yml")


def test_a_missing_extended_file_is_named_with_the_key_that_names_it(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "name: mine\nextends: nowhere.yml\n")
    with pytest.raises(tracecheck.RulePackError) as err:
        load_pack(path)
    assert str(err.value) == f"{path}:2: extends: rule pack file not found: {tmp_path / 'nowhere.yml'}"


def test_an_error_names_the_file_that_wrote_the_bad_key(tmp_path: Path) -> None:
    """A rule added by one user file and changed by another: the error points at the change."""
    (tmp_path / "base.yml").write_text("extends: default\nrules:" + GOOD_RULE, encoding="utf-8")
    top = write_pack(tmp_path, "extends: base.yml\nrules:\n  TC901:\n    params: {column: agencia}\n")
    with pytest.raises(tracecheck.RulePackError) as err:
        load_pack(top)
    assert str(err.value).startswith(f"{top}:4: rule TC901: params.column: unknown field 'agencia'")
    (tmp_path / "pack.yml").write_text("extends: base.yml\nrules:\n  TC901: {severity: error}\n", encoding="utf-8")
    (tmp_path / "base.yml").write_text("extends: default\nrules:" + GOOD_RULE.replace("{column: agency}",
                                                                                     "{column: agencia}"))
    with pytest.raises(tracecheck.RulePackError) as err:
        load_pack(top)
    assert str(err.value).startswith(f"{tmp_path / 'base.yml'}:7: rule TC901: params.column")


def test_several_problems_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    path = write_pack(tmp_path, 'extends: default\nrules:\n  TC310: {params: {max_years: "five", start: 2}}\n')
    with pytest.raises(tracecheck.RulePackError, match=r"params\.start: .*\(got 2\) \(and 1 more problem\)$"):
        load_pack(path)


def test_a_good_user_pack_with_coerced_types_runs(tmp_path: Path) -> None:
    """Numbers written as text are coerced; the check receives the validated values."""
    import pandas as pd

    path = write_pack(tmp_path, """
        extends: default
        rules:
          TC310: {params: {max_years: "3"}}
          TC312: {params: {max_days: "30"}}
          TC102: {params: {min_length: 6.0}}
          TC110: {params: {fields: [import_marking]}}
    """)
    pack = load_pack(path)
    assert pack.rule("TC310").params["max_years"] == 3.0 and isinstance(pack.rule("TC310").params["max_years"], float)
    assert pack.rule("TC312").params["max_days"] == 30 and isinstance(pack.rule("TC312").params["max_days"], int)
    assert pack.rule("TC102").params["min_length"] == 6 and isinstance(pack.rule("TC102").params["min_length"], int)
    assert pack.rule("TC110").params["fields"] == ("import_marking",)  # the signature says tuple[FieldName, ...]
    frame = pd.DataFrame([{"serial_number": "ABC12", "manufacturer": "Glock", "recovery_date": "2021-01-01",
                           "request_date": "2021-03-01"}])
    report = tracecheck.check(frame, pack, select=["TC312", "TC102"], as_of=dt.date(2024, 1, 1))
    assert sorted(report.findings["rule"]) == ["TC102", "TC312"]
    assert "limit 30 days" in report.findings.set_index("rule").loc["TC312", "message"]


def test_whole_numbers_stay_whole_in_messages(tmp_path: Path) -> None:
    """A float parameter written as 3 stays 3, so the message reads "limit 3 years" (as before typing)."""
    pack = load_pack(write_pack(tmp_path, "extends: default\nrules:\n  TC310: {params: {max_years: 3}}\n"))
    assert pack.rule("TC310").params["max_years"] == 3 and isinstance(pack.rule("TC310").params["max_years"], int)
    assert load_pack().rule("TC310").params == {"metric": "request_age_days", "start": "purchase_date",
                                                "end": "request_date", "max_years": 5}


def test_every_check_kind_has_a_typed_parameter_schema() -> None:
    import inspect
    import typing

    from tracecheck.checks import REGISTRY
    from tracecheck.ruleset.models import params_model

    for kind, check in REGISTRY.items():
        hints = typing.get_type_hints(check.fn, include_extras=True)
        keyword_only = [n for n, p in inspect.signature(check.fn).parameters.items() if p.kind is p.KEYWORD_ONLY]
        assert all(n in hints and hints[n] is not typing.Any for n in keyword_only), kind
        assert list(params_model(kind).model_fields) == keyword_only
        assert params_model(kind) is params_model(kind)  # built once per kind


def test_closed_sets_in_signatures_match_their_sources() -> None:
    import typing

    from tracecheck.checks.dates import DateStatus
    from tracecheck.checks.duplicates import DuplicateKind
    from tracecheck.checks.params import DateField, Metric
    from tracecheck.dates import STATUSES
    from tracecheck.matching.tables import PREFIX
    from tracecheck.metrics import METRIC_SPANS
    from tracecheck.schema import DATE_FIELDS, METRICS

    assert set(typing.get_args(DateField)) == set(DATE_FIELDS)
    assert set(typing.get_args(Metric)) == set(METRIC_SPANS) == set(METRICS)
    assert set(typing.get_args(DuplicateKind)) == set(PREFIX)
    assert set(typing.get_args(DateStatus)) <= set(STATUSES)


def test_dependencies_run_one_way_from_ruleset_to_checks() -> None:
    """ruleset imports the check registry at module level; nothing under checks imports ruleset."""
    import ast

    root = Path(tracecheck.__file__).parent

    def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else list(ast.walk(tree))
        found = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        return found

    for path in (root / "checks").rglob("*.py"):
        assert not {m for m in imports(path) if m.startswith("tracecheck.ruleset")}, path
    assert "tracecheck.checks" in imports(root / "ruleset" / "build.py", top_level_only=True)
    assert "tracecheck.checks" in imports(root / "ruleset" / "models.py", top_level_only=True)


def test_a_pack_severity_applies_to_every_reason_unless_reasons_are_given(tmp_path: Path) -> None:
    """TC102 is an error with warning reasons; a pack's `severity: info` makes all of it info, and a pack
    that also gives severity_by_reason keeps exactly those reasons apart."""
    default = load_pack().rule("TC102")
    assert default.severity_by_reason and default.severity == "error"
    plain = tmp_path / "plain.yml"
    plain.write_text("extends: default\nrules:\n  TC102: {severity: info}\n", encoding="utf-8")
    rule = load_pack(plain).rule("TC102")
    assert rule.severity == "info" and rule.severity_by_reason == {}
    apart = tmp_path / "apart.yml"
    apart.write_text("extends: default\nrules:\n  TC102: {severity: info, severity_by_reason: {lookalike: error}}\n",
                     encoding="utf-8")
    assert load_pack(apart).rule("TC102").severity_by_reason == {"lookalike": "error"}
    reasons_only = tmp_path / "reasons.yml"
    reasons_only.write_text("extends: default\nrules:\n  TC102: {severity_by_reason: {too_short: info}}\n",
                            encoding="utf-8")
    merged = load_pack(reasons_only).rule("TC102").severity_by_reason
    assert merged["too_short"] == "info" and merged["lookalike"] == default.severity_by_reason["lookalike"]
