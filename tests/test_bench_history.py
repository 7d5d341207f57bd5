"""benchmarks/history.py runs end to end at a small size (SQLite): the store is filled, the batch is
checked against it and recorded, and the prior duplicates it finds are most of those the generator
planted (its truth)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_history_benchmark_small_run(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "history.py"), "--sizes", "20000", "--engines",
                           "sqlite", "--batch-rows", "2000", "--store-batch", "10000", "--data", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in (tmp_path / "history_results.jsonl").read_text().splitlines()]
    run = next(r for r in results if r.get("engine") == "sqlite" and r.get("stored") == 20000)
    assert run["requests"] == 20000 and run["rows"] == 2000
    assert run["check_s"] > 0 and run["record_s"] > 0 and run["peak_mb"] > 0
    assert 0 < run["tc204_rows"] <= run["rows"]
    assert run["truth_event"] > 0 and run["tc204_rows"] >= 0.8 * run["truth_event"]
    assert "sqlite" in done.stdout and "TC204" in done.stdout
