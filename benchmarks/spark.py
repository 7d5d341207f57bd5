"""Spark against pandas on dense duplicate batches: one command, both engines, the same file.

    python benchmarks/spark.py [--sizes 1000000,5000000] [--master local[2]] [--data DIR]
                               [--driver-memory 8g] [--skip-pandas]

For each size, the dense CSV of benchmarks/scale.py (``generate_linked_batch(n, profile="dense")``,
fixed seed, cached in --data) is checked by ``tracecheck check FILE --format json`` and by
``tracecheck spark-check FILE --out DIR --master MASTER``, each in a child process. Printed per run:
wall seconds, rows/second, the ratio Spark/pandas, and the peak RSS of the largest process of the
run (``os.wait4`` of the child: for Spark that is the JVM driver or a Python worker, whichever was
largest; the Python workers' memory adds to it and is not in this number), and whether both
engines counted the same findings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import ensure_csv, wait_child  # noqa: E402  (the generator and child-process timer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "scale"))
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_SUBMIT_ARGS": f"--driver-memory {args.driver_memory} pyspark-shell"}
    rows_out = []
    for size in [int(s) for s in args.sizes.split(",")]:
        path = ensure_csv(data, size)
        with tempfile.TemporaryDirectory(dir=data) as out:
            counts = {}
            runs = []
            if not args.skip_pandas:
                runs.append(("pandas", [sys.executable, "-m", "tracecheck", "check", str(path), "--out", out,
                                        "--format", "json", "--fail-on", "never", "-q"]))
            runs.append(("spark", [sys.executable, "-m", "tracecheck", "spark-check", str(path), "--out",
                                   str(Path(out) / "spark"), "--master", args.master, "--fail-on", "never"]))
            for engine, cmd in runs:
                log = Path(out) / f"{engine}.stages"
                code, seconds, peak = wait_child(cmd, stdout=sys.stderr, stderr=sys.stderr,
                                                 env={**env, "TRACECHECK_STAGE_LOG": str(log)}, cwd=str(ROOT))
                if code != 0:
                    print(f"{engine} {size:,}: exit {code}", flush=True)
                    return 1
                counts[engine] = _findings(engine, Path(out), path)
                rows_out.append((size, engine, seconds, peak))
                print(f"{engine:6} {size:>10,} rows: {seconds:8.1f} s, {size / seconds:10,.0f} rows/s, "
                      f"peak {peak:8,.0f} MB, findings {counts[engine]:,}", flush=True)
                if engine == "spark" and log.exists():
                    _stages(log)
            if len(counts) == 2:
                same = "same" if counts["pandas"] == counts["spark"] else "DIFFERENT"
                ratio = rows_out[-1][2] / rows_out[-2][2]
                print(f"  spark/pandas time {ratio:.2f}x; findings {same}", flush=True)
    return 0


def _stages(log: Path) -> None:
    """The Spark stages' durations (tracecheck.cli_spark's stage log: stage, seconds since start, MB)."""
    before = 0.0
    for line in log.read_text(encoding="utf-8").splitlines():
        stage, at, _mb = line.split("\t")
        print(f"    {stage.removeprefix('spark:'):28} {float(at) - before:8.1f} s", flush=True)
        before = float(at)


def _findings(engine: str, out: Path, path: Path) -> int:
    if engine == "pandas":
        report = json.loads((out / f"{path.stem}.report.json").read_text(encoding="utf-8"))
        return int(report["summary"]["findings"])
    summary = json.loads((out / "spark" / "summary.json").read_text(encoding="utf-8"))
    return int(summary[path.name]["summary"]["findings"])


if __name__ == "__main__":
    sys.exit(main())
