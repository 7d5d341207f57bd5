"""The wheel must carry the rule packs: a plain ``pip install .`` finds them without the repo."""

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


def test_installed_wheel_runs_without_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, text=True)
    batch = tmp_path / "batch.csv"
    batch.write_text("Serial Number,Manufacturer\nSIN MATRICULA,Glock\n", encoding="utf-8")
    code = ("import tracecheck, pathlib; from tracecheck.ruleset import default_rules_dir; "
            "print(pathlib.Path(tracecheck.__file__).parent); print(default_rules_dir()); "
            "print(tracecheck.load_pack().name); "
            "print(sorted(set(tracecheck.check('batch.csv').findings['name'])))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    package_dir, rules_dir, pack_name, names = result.stdout.splitlines()
    assert Path(package_dir).is_relative_to(site)  # the wheel's copy, not the checkout
    assert Path(rules_dir) == Path(package_dir) / "_rules"
    assert pack_name == "tracecheck-default"
    assert "serial-missing" in names
