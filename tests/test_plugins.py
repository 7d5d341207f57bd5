"""Check kinds from other packages (the ``tracecheck.checks`` entry-point group): a real plugin
package (tests/plugins/tracecheck_denylist) is installed into a folder and used by a pack in a
fresh process; a broken plugin is one line naming it, exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tracecheck.checks import REGISTRY, plugins
from tracecheck.errors import EXIT_FINDINGS, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "tests" / "plugins"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the plugin installed (offline: the build backend is tracecheck's own, hatchling)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    "--target", str(target), str(PLUGINS / "tracecheck_denylist")], check=True, timeout=300)
    return target


def run(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "tracecheck", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=env)


def test_an_installed_plugin_kind_runs_from_a_pack(site: Path, tmp_path: Path) -> None:
    (tmp_path / "batch.csv").write_text("Serial Number,Manufacturer,Model\nabc-1234,Glock,19\nQRS5678,Glock,17\n"
                                        "xyz0001,Beretta,92\ntest,Taurus,G2C\n", encoding="utf-8")
    done = run(["check", "--rules", str(PLUGINS / "plugin-pack.yml"), "batch.csv", "--out", ".", "-q"], site,
               tmp_path)
    assert done.returncode == EXIT_FINDINGS, done.stderr
    report = json.loads((tmp_path / "batch.report.json").read_text(encoding="utf-8"))
    found = [(f["row"], f["severity"], f["reason"], f["message"], f["context"]["list_name"], f["field"], f["column"],
              f["value"]) for f in report["findings"] if f["rule"] == "TC950"]
    said = "is on the already traced list: do not send it again"
    assert found == [(2, "error", "listed", f"Serial 'abc-1234' {said}", "already traced", "serial_number", "A",
                      "abc-1234"),
                     (4, "error", "listed", f"Serial 'xyz0001' {said}", "already traced", "serial_number", "A",
                      "xyz0001")]
    # the plugin's own rule, from the pack it ships (include: ["package:tracecheck_denylist/pack.yml"])
    assert [(f["row"], f["severity"], f["message"]) for f in report["findings"] if f["rule"] == "TC951"] == [
        (5, "warning", "Serial 'test' is on the test serials list")]
    listed = run(["rules", "--rules", str(PLUGINS / "plugin-pack.yml")], site, tmp_path)
    assert listed.returncode == 0 and "serial-denylisted" in listed.stdout and "serial-test-value" in listed.stdout
    explained = run(["explain", "TC950", "--rules", str(PLUGINS / "plugin-pack.yml")], site, tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert "serial_denylisted" in explained.stdout and "tests/cases/" not in explained.stdout  # no case file to name


def test_the_pack_schema_has_the_plugin_kind(site: Path, tmp_path: Path) -> None:
    """Plugins load before the pack models are built: the schema written by `docs` offers the kind."""
    done = run(["docs", "--out", "pages", "--schema", "schema.json"], site, tmp_path)
    assert done.returncode == 0, done.stderr
    schema = (tmp_path / "schema.json").read_text(encoding="utf-8")
    assert "SerialDenylistedRule" in schema and '"const": "serial_denylisted"' in schema


def test_without_the_plugin_its_kind_and_its_pack_are_unknown(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pack = tmp_path / "pack.yml"
    text = (PLUGINS / "plugin-pack.yml").read_text(encoding="utf-8")
    for body, said in ((text, f"{pack}:17: include[0]: cannot find the package of "
                              f"'package:tracecheck_denylist/pack.yml': No module named 'tracecheck_denylist'"),
                       (text.replace("include:", "# include:"),
                        f"{pack}:7: rule TC950: check: unknown check kind 'serial_denylisted'; "
                        f"did you mean 'serial_malformed'?")):
        pack.write_text(body, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "tracecheck", "rules", "--rules", str(pack)], capture_output=True,
                              text=True, timeout=300, cwd=tmp_path, env=env)
        assert (done.returncode, done.stderr) == (EXIT_USAGE, f"tracecheck: error: {said}\n")


def test_a_broken_plugin_is_one_line_naming_it(tmp_path: Path) -> None:
    """An installed distribution whose entry point names a module that fails to import."""
    dist = tmp_path / "tracecheck_broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tracecheck-broken\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[tracecheck.checks]\nbroken = tracecheck_broken\n", encoding="utf-8")
    (tmp_path / "tracecheck_broken.py").write_text("import no_such_module_here\n", encoding="utf-8")
    (tmp_path / "batch.csv").write_text("Serial Number,Manufacturer\nABC1234,Glock\n", encoding="utf-8")
    done = run(["check", "batch.csv", "--out", "."], tmp_path, tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == ("tracecheck: error: check plugin 'broken' (tracecheck_broken, from tracecheck-broken) "
                           "failed to load: ModuleNotFoundError: No module named 'no_such_module_here'\n")
    assert not (tmp_path / "batch.report.json").exists()


def point(name: str, load: Any) -> SimpleNamespace:
    return SimpleNamespace(name=name, value=f"{name}_module", dist=None, load=load)


def test_load_plugins_loads_once_and_keeps_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "_state", {"done": False, "error": None, "loaded": {}})
    calls: list[str] = []
    quiet = point("quiet", lambda: calls.append("quiet"))
    with pytest.raises(plugins.PluginError, match=r"^check plugin 'quiet' \(quiet_module\) registered no check kind"):
        plugins.load_plugins(lambda: [quiet])
    with pytest.raises(plugins.PluginError):  # the same error again, without loading again
        plugins.load_plugins(lambda: [quiet])
    assert calls == ["quiet"]

    monkeypatch.setattr(plugins, "_state", {"done": False, "error": None, "loaded": {}})
    kinds = set(REGISTRY)
    twice = point("twice", lambda: REGISTRY["value_missing"].fn)  # loads fine, registers nothing new
    with pytest.raises(plugins.PluginError, match="registered no check kind"):
        plugins.load_plugins(lambda: [twice])
    assert set(REGISTRY) == kinds


FAULTY = '''
import pandas as pd
from tracecheck.checks import check


@check("faulty_raises")
def faulty_raises(ctx, **params):
    raise RuntimeError("kaboom")


@check("faulty_returns")
def faulty_returns(ctx, **params):
    return 42
'''


@pytest.mark.parametrize(("kind", "error"), [
    ("faulty_raises", "RuntimeError: kaboom"),
    ("faulty_returns", "TypeError: returned int, not a pandas Series or DataFrame"),
])
def test_a_plugin_kind_that_fails_is_one_line_naming_it(tmp_path: Path, kind: str, error: str) -> None:
    """A second tiny plugin, installed as a distribution, whose kinds fail when a batch is checked:
    exit code 2 and one line naming the rule, the kind and the plugin, never a traceback."""
    dist = tmp_path / "tracecheck_faulty-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tracecheck-faulty\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[tracecheck.checks]\nfaulty = tracecheck_faulty\n", encoding="utf-8")
    (tmp_path / "tracecheck_faulty.py").write_text(FAULTY, encoding="utf-8")
    (tmp_path / "pack.yml").write_text(
        f"extends: default\nrules:\n  - {{code: TC960, name: faulty-rule, severity: error, check: {kind}, "
        f"params: {{}}, message: \"Faulty\", fix: \"None\", why: Tests a failing plugin.,\n"
        "     example: {bad: [{serial_number: ABC1234, manufacturer: Glock}], good: [{serial_number: QRS5678}]}}\n",
        encoding="utf-8")
    (tmp_path / "batch.csv").write_text("Serial Number,Manufacturer,Model\nABC1234,Glock,\n", encoding="utf-8")
    done = run(["check", "--rules", "pack.yml", "batch.csv", "--out", ".", "-q"], tmp_path, tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == (f"tracecheck: error: rule TC960: check '{kind}' from plugin 'faulty' (tracecheck_faulty, "
                           f"from tracecheck-faulty) failed: {error}\n")
    assert not (tmp_path / "batch.report.json").exists()


def test_a_built_in_kind_that_fails_stays_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracecheck.engine import _findings_of

    rule = SimpleNamespace(code="TC001", check="value_missing", params={})
    monkeypatch.setitem(REGISTRY, "value_missing", SimpleNamespace(__call__=None))
    with pytest.raises(TypeError):  # not a PluginError: tracecheck's own bug, exit 70 in the CLI
        _findings_of(rule, None, None, None)  # type: ignore[arg-type]
