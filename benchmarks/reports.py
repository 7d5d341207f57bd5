"""Time and peak memory of writing each report format for one batch, end to end through the CLI.

    python benchmarks/reports.py [--rows 100000] [--keep DIR]

Generates a seeded csv batch (synth.batches), then runs `tracecheck check` once per format
(json, xlsx, html, csv) and once with `--format all`, each in its own process so that peak
memory is per run. The json run is the baseline: the difference is what the format costs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import make_csv, run_cli  # noqa: E402  (benchmarks/run.py)

FORMATS = ("json", "xlsx", "html", "csv", "all")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="keep the batch and reports here")
    args = parser.parse_args(argv)
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tracecheck-reports-"))
    workdir.mkdir(parents=True, exist_ok=True)
    failed = False
    try:
        path = workdir / f"reports_{args.rows}.csv"
        start = time.perf_counter()
        make_csv(path, args.rows)
        print(f"generated {path.name}: {args.rows:,} rows in {time.perf_counter() - start:.1f} s (not counted)")
        baseline = None
        for fmt in FORMATS:
            outdir = workdir / f"out_{fmt}"
            code, seconds, peak = run_cli(path, outdir, workdir, ("--format", fmt), tag=f".{fmt}")
            failed |= code >= 2 or code < 0
            baseline = seconds if fmt == "json" else baseline
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(outdir.glob("*")))
            extra = "" if fmt == "json" else f" (+{seconds - baseline:.1f} s over json)"
            print(f"--format {fmt:<5} {seconds:6.1f} s{extra}  peak {peak:,.0f} MB  exit {code}  [{sizes}]",
                  flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
