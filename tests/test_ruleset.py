"""Rule packs: validation at load time, user packs that extend the default, selection."""

from __future__ import annotations

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
    ("extends: default\nrules:\n  TC101: {check: other}\n", "rule 'TC101' is defined twice"),
    ("extends: default\nrules:\n  TC101: {color: red}\n", "cannot override 'color'"),
    ("extends: default\nrules:\n  TC101: {severity: fatal}\n", "unknown severity 'fatal'"),
    ("extends: default\nrules:\n  TC101: {params: {min_len: 3}}\n", "takes no parameter 'min_len'"),
    ("extends: default\nrules:\n  TC101: {message: 'Bad {nonsense}'}\n", "{nonsense}"),
    ("extends: default\nselect: [TC9]\n", "selector 'TC9' matches no rule"),
    ("extends: default\nbogus: 1\n", "unknown key 'bogus'"),
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
    (("code: TC901", "code: X901"), "code must look like TC123"),
    (("name: agency-missing", "name: Agency_Missing"), "kebab-case"),
    (("      good: [{serial_number: ABC1234, manufacturer: Glock, agency: FGR}]\n", ""), "example"),
    (("    why: The agency (ORI) authorises the request.\n", ""), "missing 'why'"),
    (("check: value_missing\n    params: {column: agency}", "check: value_missing"), "needs parameter 'column'"),
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
    assert active(pack.with_selection(["TC3"], ["TC31"])) == {"TC301", "TC302", "TC303", "TC304", "TC305"}
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
    assert spanish.findings["message"].tolist() == ["La matrícula 'SIN MATRICULA' es un marcador, no un número de serie"]
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
