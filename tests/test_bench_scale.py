"""benchmarks/scale.py: stage-log parsing, per-stage durations and growth exponents on a hand-made
log, and one small end-to-end run of the script."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402

# A stage line is written when the stage starts: read lasts 0.0 -> 1.5, normalise 1.5 -> 2.0, ...
LOG = """\
read\t0.000\t100
normalise\t1.500\t400
TC001\t2.000\t450
TC101\t2.250\t460
TC201\t3.000\t470
TC202\t9.000\t1200
TC203\t9.100\t1250
TC301\t9.200\t1300
TC312\t9.700\t1310
report\t10.000\t1320
write:json\t11.000\t1500
done\t13.500\t1700
"""


def test_parse_stage_log_reads_lines_and_skips_malformed_ones():
    entries = scale.parse_stage_log(LOG + "garbage line\nTC9\tnot-a-number\t5\n\n")
    assert len(entries) == 12
    assert entries[0] == ("read", 0.0, 100.0)
    assert entries[4] == ("TC201", 3.0, 470.0)
    assert entries[-1] == ("done", 13.5, 1700.0)


def test_stage_durations_groups_rules_and_matching():
    groups = scale.stage_durations(scale.parse_stage_log(LOG))
    assert list(groups) == ["read", "normalise", "rules", "matching", "report", "write:json"]
    seconds = {name: s for name, (s, _) in groups.items()}
    assert seconds["read"] == pytest.approx(1.5)
    assert seconds["normalise"] == pytest.approx(0.5)
    # TC001 0.25 + TC101 0.75 + TC301 0.5 + TC312 0.3
    assert seconds["rules"] == pytest.approx(1.8)
    # matching = first stage after the last TC2xx (TC301, 9.2) - first TC2xx (TC201, 3.0)
    assert seconds["matching"] == pytest.approx(9.2 - 3.0)
    assert seconds["report"] == pytest.approx(1.0)
    assert seconds["write:json"] == pytest.approx(2.5)
    # every logged second is in exactly one group
    assert sum(seconds.values()) == pytest.approx(13.5)
    # peak at the end of a stage is the peak on the next line
    peaks = {name: p for name, (_, p) in groups.items()}
    assert peaks["read"] == 400
    assert peaks["matching"] == 1300
    assert peaks["rules"] == 1320
    assert peaks["write:json"] == 1700


def test_stage_durations_of_a_crashed_run_leaves_out_the_unfinished_stage():
    entries = scale.parse_stage_log("read\t0\t100\nnormalise\t2\t300\nTC201\t3\t400\n")
    groups = scale.stage_durations(entries)
    assert groups == {"read": (2.0, 300.0), "normalise": (1.0, 400.0)}
    assert scale.stage_durations([]) == {}


def test_growth_exponent():
    assert scale.growth_exponent(100_000, 1.0, 1_000_000, 10.0) == pytest.approx(1.0)
    assert scale.growth_exponent(100_000, 1.0, 1_000_000, 100.0) == pytest.approx(2.0)
    # n log n from 1e5 to 1e6 is k = 1 + log10(6/5) ~ 1.08: under the 1.15 flag
    k = scale.growth_exponent(100_000, 1e5 * math.log(1e5), 1_000_000, 1e6 * math.log(1e6))
    assert k == pytest.approx(1 + math.log10(6 / 5))
    assert k < scale.K_FLAG
    # times are floored at 1 ms, so a stage too quick to time does not blow up
    assert scale.growth_exponent(1000, 0.0, 10_000, 0.0) == pytest.approx(0.0)


def test_classify_unknown_format_is_not_a_crash():
    err = ["tracecheck: error: Invalid value for --format: unknown format 'parquet'"]
    assert scale.classify({"code": 2, "stderr": err}) == "unsupported"
    assert scale.classify({"code": 1, "stderr": []}) == "ok"
    assert scale.classify({"code": 70, "stderr": ["internal error"]}) == "crashed"
    assert scale.classify({"code": -9, "stderr": []}) == "crashed"


def test_script_end_to_end_small(tmp_path, capsys):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale.py"), "--sizes", "2000,4000",
                           "--data", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "generated dense_2000_seed" in out and "(not counted)" in out
    assert "read_csv" in out and "text read" in out
    assert "2,000 rows  --format json" in out and "4,000 rows  --format json" in out
    assert out.count("Stages, ") == 2
    for stage in ("read", "normalise", "rules", "matching", "report", "write:json"):
        assert f"\n    {stage} " in out
    assert "Growth (time per row" in out and "(k=" in out
    assert "Targets:" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dense_2000_seed20261122.csv",
                                                         "dense_4000_seed20261122.csv"]
    # the cached files are reused, not generated again
    before = (tmp_path / "dense_2000_seed20261122.csv").stat().st_mtime_ns
    assert scale.ensure_csv(tmp_path, 2000) == tmp_path / "dense_2000_seed20261122.csv"
    assert "reused " in capsys.readouterr().out
    assert (tmp_path / "dense_2000_seed20261122.csv").stat().st_mtime_ns == before
