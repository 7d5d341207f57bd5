"""The wheel must carry the rule packs, the JSON Schemas and py.typed: a plain ``pip install .`` finds them
without the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out)], check=True, capture_output=True, text=True)
    (built,) = out.glob("tracecheck-*.whl")
    return built


def test_wheel_contains_every_rule_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "rules").glob("*.yml"):
        assert f"tracecheck/_rules/{path.name}" in names
    assert "tracecheck/cli.py" in names and "tracecheck/checks/identifiers.py" in names
    for path in (ROOT / "tracecheck" / "locales").glob("*.yml"):  # the message catalogues
        assert f"tracecheck/locales/{path.name}" in names


def test_wheel_is_production_only(wheel: Path) -> None:
    """The test-data generators (synth/), tests and benchmarks stay out of the installed package."""
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("synth/", "tests/", "benchmarks/")) or "synth" in n]


def test_wheel_contains_the_schemas_and_the_typed_marker(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    for name in ("rule-pack.schema.json", "report.schema.json"):
        assert archive.read(f"tracecheck/schemas/{name}") == (ROOT / "docs" / name).read_bytes()
    assert "tracecheck/py.typed" in archive.namelist()
    assert "tracecheck/ruleset/models.py" in archive.namelist()


def test_installed_wheel_runs_without_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, text=True)
    batch = tmp_path / "batch.csv"
    batch.write_text("Serial Number,Manufacturer\nSIN MATRICULA,Glock\n", encoding="utf-8")
    code = ("import tracecheck, pathlib, json, importlib.resources as r; "
            "from tracecheck.ruleset import default_rules_dir; "
            "print(pathlib.Path(tracecheck.__file__).parent); print(default_rules_dir()); "
            "print(tracecheck.load_pack().name); "
            "print(sorted(set(tracecheck.check('batch.csv').findings['name']))); "
            "schemas = r.files('tracecheck') / 'schemas'; "
            "print(json.loads((schemas / 'rule-pack.schema.json').read_text(encoding='utf-8'))['title']); "
            "print(sorted(json.loads((schemas / 'report.schema.json').read_text(encoding='utf-8'))['properties'])); "
            "print((r.files('tracecheck') / 'py.typed').is_file())")
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    package_dir, rules_dir, pack_name, names, pack_title, report_keys, typed = result.stdout.splitlines()
    assert Path(package_dir).is_relative_to(site)  # the wheel's copy, not the checkout
    assert Path(rules_dir) == Path(package_dir) / "_rules"
    assert pack_name == "tracecheck-default"
    assert "serial-missing" in names
    assert pack_title == "tracecheck rule pack"
    assert "findings" in report_keys and "rule_pack" in report_keys
    assert typed == "True"


def test_init_pack_from_the_wheel_points_at_the_installed_schema(wheel: Path, tmp_path: Path) -> None:
    """The starter pack's yaml-language-server comment names the schema the wheel ships."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, text=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-m", "tracecheck", "init-pack", "my.yml"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    first = (tmp_path / "my.yml").read_text(encoding="utf-8").splitlines()[0]
    schema = (tmp_path / first.split("$schema=", 1)[1]).resolve()
    assert schema == (site / "tracecheck" / "schemas" / "rule-pack.schema.json").resolve() and schema.is_file()
