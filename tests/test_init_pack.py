"""`tracecheck init-pack`: a commented starter pack that loads as written (and changes nothing), that
still loads, validates and runs with every example uncommented, in English and Spanish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from tracecheck.cli import main
from tracecheck.errors import EXIT_OK, EXIT_WRITE
from tracecheck.ruleset import load_pack
from tracecheck.starter import uncommented

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "rule-pack.schema.json").read_text(encoding="utf-8"))


def init(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    path = tmp_path / "agency-pack.yml"
    result = CliRunner().invoke(main, ["init-pack", str(path), *args])
    return result.exit_code, result.output, path


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_starter_pack_loads_validates_and_changes_nothing(tmp_path: Path, lang: str) -> None:
    code, output, path = init(tmp_path, "--lang", lang)
    assert code == EXIT_OK and output == (f"wrote a starter rule pack to {path}; use it with: tracecheck check "
                                          f"INPUT --rules {path}\n")
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).resolve() == (ROOT / "docs" / "rule-pack.schema.json").resolve()
    jsonschema.validate(yaml.safe_load(text), SCHEMA)
    pack, default = load_pack(path), load_pack()
    assert [(r.code, r.severity, r.params) for r in pack.rules] == [(r.code, r.severity, r.params)
                                                                     for r in default.rules]
    assert pack.fields == default.fields and pack.reference == default.reference


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_example_uncommented_still_loads_and_takes_effect(tmp_path: Path, lang: str) -> None:
    _, _, path = init(tmp_path, "--lang", lang)
    text = path.read_text(encoding="utf-8")
    examples = [line for line in text.splitlines() if line.startswith("# ") and not line.startswith("# yaml-")]
    assert len(examples) > 40  # every section has one
    full = tmp_path / "full.yml"
    full.write_text(uncommented(text), encoding="utf-8")
    jsonschema.validate(yaml.safe_load(full.read_text(encoding="utf-8")), SCHEMA)
    pack = load_pack(full)
    active = {r.code for r in pack.rules}
    assert {"TC901", "TC902"} <= active and "TC311" not in active  # new rules; short-time-to-crime ignored
    assert pack.rule("model-missing").severity == "error" and pack.rule("TC310").params["max_years"] == 3
    assert pack.rule("TC902").params == {"metric": "request_age_days", "start": "purchase_date",
                                         "end": "request_date", "max_years": 10}
    assert len(pack.fields["serial_number"]) == len(load_pack().fields["serial_number"]) + 2
    assert pack.fixed_map["request_id"] and pack.fuzzy_threshold == 90
    missing = pack.reference["placeholders"]["missing"]
    assert "DESCONOCIDO" in missing and len(missing) == len(load_pack().reference["placeholders"]["missing"]) + 2
    makers = {m["name"]: m for m in pack.reference["manufacturers"]}
    assert makers["Sarsilmaz"]["country"] == "Turkey" and "GLOCK GMBH" in makers["Glock"]["aliases"]
    assert len(pack.reference["agency_aliases"]) == len(load_pack().reference["agency_aliases"]) + 1


def test_it_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "agency-pack.yml"
    path.write_text("extends: default\n", encoding="utf-8")
    code, output, _ = init(tmp_path)
    assert (code, output) == (EXIT_WRITE, f"tracecheck: error: {path}: already exists; give --force to replace it\n")
    assert path.read_text(encoding="utf-8") == "extends: default\n"
    code, _, _ = init(tmp_path, "--force")
    assert code == EXIT_OK and "init-pack" in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["agency-pack.yml"]  # no temp file left behind


def test_a_real_process_writes_it_and_check_runs_with_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tracecheck", *args], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path, env=env)

    assert run("init-pack").returncode == EXIT_OK
    again = run("init-pack")
    assert (again.returncode, again.stderr.count("\n")) == (EXIT_WRITE, 1)
    full = tmp_path / "full.yml"
    text = uncommented((tmp_path / "agency-pack.yml").read_text(encoding="utf-8"))
    full.write_text(text.replace('"Internal ref"', '"Request ID"'), encoding="utf-8")  # a header of the batch
    done = run("check", str(ROOT / "examples" / "traces_us.csv"), "--rules", "full.yml", "--out", ".", "-q")
    assert done.returncode == 1, done.stderr
    report = json.loads((tmp_path / "traces_us.report.json").read_text(encoding="utf-8"))
    assert report["rule_pack"]["name"] == "my-agency"
    codes = {r["rule"] for r in report["rule_pack"]["rules"]}
    assert "TC901" in codes and "TC311" not in codes
