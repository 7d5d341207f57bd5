"""National-archive scale benchmark: the tracecheck CLI end to end on dense duplicate batches.

    python benchmarks/scale.py [--sizes 100000,1000000] [--formats json] [--data DIR] [--keep]
                               [--root CHECKOUT]
    python benchmarks/scale.py --sizes 100000,1000000,3000000       # adds 3M to the growth table

For each size it generates (not timed) a CSV with ``synth.duplicates.generate_linked_batch(n,
profile="dense")`` from a fixed seed, minus the truth columns, cached in --data. It times a bare
``pandas.read_csv(path)`` and a text read ``read_csv(path, dtype=str, keep_default_na=False)``
(best of 3, each in a child process), then runs ``python -m tracecheck check FILE --format FMT``
once per size and format in a child process with TRACECHECK_STAGE_LOG set, and prints wall time,
ratios to both reads, rows/s, peak RSS (``os.wait4``), report size, a per-stage table, a growth
table (time per row and the exponent k in t ~ n^k) and the targets.

--root names the tracecheck checkout the CLI runs from (PYTHONPATH and cwd of the child);
generation always uses this script's own repository. A checkout that predates the stage log
(no tracecheck/stages.py) is started through a small launcher that writes the same log from
outside (see SHIM).

Exit status: 0 unless a CLI run crashed (exit code >= 2 or killed by a signal): then 1. A missed
target prints MISSED and exits 0; a format the checkout does not know is reported as failed and
does not change the exit status.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261122
AS_OF = "2026-11-22"
SMALL_S = 0.5  # a stage shorter than this at the larger size is too small to judge its growth
K_FLAG = 1.15  # t ~ n^k with k above this grows faster than n log n over these sizes
# rows -> (max ratio of total wall time to bare read_csv or None, max peak MB)
TARGETS = {1_000_000: (6.0, 2.5 * 1024), 3_000_000: (None, 8 * 1024)}
GROUPS = ("read", "normalise", "rules", "matching", "report")

# Stage log for checkouts without tracecheck/stages.py: wraps the CLI's (tty-only) progress bar and
# write_report so the same lines reach TRACECHECK_STAGE_LOG. Times are relative to launcher start.
SHIM = r"""
import os, resource, runpy, sys, time
import tracecheck.cli as cli, tracecheck.writers as writers
start = time.perf_counter()
def step(stage):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(os.environ["TRACECHECK_STAGE_LOG"], "a", encoding="utf-8") as fp:
        fp.write(f"{stage}\t{time.perf_counter() - start:.3f}\t{peak:.0f}\n")
class progress:
    def __init__(self, *args): pass
    def __enter__(self): return step
    def __exit__(self, *exc):
        if not any(exc): step("done")
        return False
cli._progress = progress
write_report = writers.write_report
def write_each(report, out_dir, formats="json"):
    written = []
    for fmt in writers.parse_formats(formats):
        step("write:" + fmt)
        written += write_report(report, out_dir, fmt)
    return written
writers.write_report = write_each
sys.argv[0] = "tracecheck"
runpy.run_module("tracecheck", run_name="__main__")
"""

READ = r"""
import sys, time
import pandas as pd
kwargs = {"dtype": str, "keep_default_na": False} if sys.argv[2] == "text" else {}
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1], **kwargs)
print(time.perf_counter() - start, len(frame))
"""


# ------------------------------------------------------------------ pure functions (tested)

def parse_stage_log(text: str) -> list[tuple[str, float, float]]:
    """``stage<TAB>seconds<TAB>peak MB`` lines -> [(stage, seconds, peak MB)]; malformed lines skipped."""
    entries = []
    for line in text.splitlines():
        parts = line.strip().split("\t")
        if len(parts) == 3:
            try:
                entries.append((parts[0], float(parts[1]), float(parts[2])))
            except ValueError:
                continue
    return entries


def stage_group(stage: str) -> str:
    if stage.startswith("TC2"):
        return "matching"
    if stage.startswith("TC"):
        return "rules"
    return stage


def stage_durations(entries: list[tuple[str, float, float]]) -> dict[str, tuple[float, float]]:
    """Group a stage log into {group: (seconds, peak MB at the end of the group)}, in log order.

    A line is written when its stage starts, so a stage lasts until the next line, and the peak
    on that next line is the peak so far at the stage's end. Rules are every TCxxx stage other
    than TC2xx ("rules"); TC2xx stages are "matching". The final "done" line has no duration; a
    stage with no next line (a crashed run) is left out."""
    groups: dict[str, tuple[float, float]] = {}
    for (stage, t, _), (_, t_next, peak_next) in zip(entries, entries[1:]):
        name = stage_group(stage)
        seconds, peak = groups.get(name, (0.0, 0.0))
        groups[name] = (seconds + (t_next - t), max(peak, peak_next))
    return groups


def growth_exponent(n1: int, t1: float, n2: int, t2: float) -> float:
    """k in t ~ n^k between (n1, t1) and (n2, t2); times are floored at 1 ms."""
    return math.log(max(t2, 1e-3) / max(t1, 1e-3)) / math.log(n2 / n1)


# ------------------------------------------------------------------ measuring

def ensure_csv(data_dir: Path, rows: int) -> Path:
    """The dense CSV of ``rows`` rows in data_dir, generated (atomically) unless already there.

    Generation runs in a child process: Linux carries a parent's high-water RSS over fork and exec
    into the child's ``ru_maxrss``, so a parent that held a large frame would inflate every peak
    measured after it. The parent never imports pandas."""
    path = data_dir / f"dense_{rows}_seed{SEED}.csv"
    if path.exists():
        print(f"reused {path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
        return path
    tmp = path.with_suffix(".csv.partial")
    code, seconds, peak = wait_child([sys.executable, __file__, "--generate", str(rows), str(tmp)],
                                     stdout=None, stderr=None)
    if code != 0:
        raise RuntimeError(f"generating {rows:,} rows failed with exit code {code}")
    tmp.replace(path)
    print(f"generated {path.name}: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB in {seconds:.1f} s, "
          f"peak {peak:,.0f} MB (not counted)", flush=True)
    return path


def generate(rows: int, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch

    generate_linked_batch(rows, seed=SEED, profile="dense").drop(columns=TRUTH_COLUMNS).to_csv(path, index=False)


def wait_child(cmd: list[str], *, stdout, stderr, env=None, cwd=None) -> tuple[int, float, float]:
    """Run cmd; return (exit code, wall seconds, peak RSS MB of the child from os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    return code, seconds, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def time_read(path: Path, kind: str, repeats: int = 3) -> tuple[float, float]:
    """Best-of-`repeats` read_csv seconds (timed inside the child) and the largest child peak MB."""
    best, peak = math.inf, 0.0
    for _ in range(repeats):
        with tempfile.TemporaryFile() as out:
            code, _, mb = wait_child([sys.executable, "-c", READ, str(path), kind], stdout=out, stderr=None)
            out.seek(0)
            if code != 0:
                raise RuntimeError(f"read_csv ({kind}) of {path} failed with exit code {code}")
            best = min(best, float(out.read().split()[0]))
        peak = max(peak, mb)
    return best, peak


def run_cli(path: Path, outdir: Path, logdir: Path, root: Path, fmt: str) -> dict:
    """One CLI run in a child; returns its exit code, seconds, peak MB, stage entries and paths."""
    tag = f"{path.stem}.{fmt}"
    stage_log = logdir / f"{tag}.stages.tsv"
    stage_log.unlink(missing_ok=True)
    shim = not (root / "tracecheck" / "stages.py").exists()
    launch = ["-c", SHIM] if shim else ["-m", "tracecheck"]
    cmd = [sys.executable, *launch, "check", str(path), "--out", str(outdir), "--format", fmt,
           "--fail-on", "never", "--as-of", AS_OF]
    env = dict(os.environ, TRACECHECK_STAGE_LOG=str(stage_log))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    err_path = logdir / f"{tag}.stderr"
    with open(logdir / f"{tag}.stdout", "wb") as out, open(err_path, "wb") as err:
        code, seconds, peak = wait_child(cmd, stdout=out, stderr=err, env=env, cwd=str(root))
    entries = parse_stage_log(stage_log.read_text(encoding="utf-8")) if stage_log.exists() else []
    reports = sorted(outdir.glob("*.report.*")) if outdir.exists() else []
    return {"fmt": fmt, "code": code, "seconds": seconds, "peak_mb": peak, "entries": entries, "shim": shim,
            "reports": [(p.name, p.stat().st_size / 1e6) for p in reports],
            "stderr": err_path.read_text(errors="replace").strip().splitlines()[-15:]}


# ------------------------------------------------------------------ printing

def classify(run: dict) -> str:
    """"ok", "unsupported" (the checkout does not know the format) or "crashed"."""
    code = run["code"]
    if 0 <= code <= 1:
        return "ok"
    if code == 2 and any("format" in line for line in run["stderr"]):
        return "unsupported"
    return "crashed"


def print_run(rows: int, run: dict, reads: dict) -> None:
    bare, text = reads["bare"][0], reads["text"][0]
    status = classify(run)
    head = f"  {rows:>9,} rows  --format {run['fmt']:<7}"
    if status != "ok":
        what = "format not supported by this checkout" if status == "unsupported" else "CRASHED"
        print(f"{head} FAILED ({what}, exit code {run['code']})")
        for line in run["stderr"]:
            print(f"      {line}")
        return
    reports = ", ".join(f"{name} {mb:,.1f} MB" for name, mb in run["reports"]) or "no report file"
    print(f"{head} wall {run['seconds']:7.1f} s  {run['seconds'] / bare:5.1f}x read_csv  "
          f"{run['seconds'] / text:5.1f}x text read  {rows / run['seconds']:>9,.0f} rows/s  "
          f"peak {run['peak_mb']:>7,.0f} MB  report {reports}")


def print_stages(rows: int, run: dict) -> None:
    entries = run["entries"]
    print(f"\n  Stages, {rows:,} rows, --format {run['fmt']}"
          + (" (stage log written by the launcher shim: this checkout predates it)" if run["shim"] else ""))
    if not entries:
        print("    no stage log")
        return
    groups = stage_durations(entries)
    logged = entries[-1][1] - entries[0][1]
    print(f"    {'stage':<14} {'seconds':>8} {'share':>6} {'peak MB at end':>15}")
    for name, (seconds, peak) in groups.items():
        print(f"    {name:<14} {seconds:8.2f} {seconds / run['seconds']:6.1%} {peak:>15,.0f}")
    other = run["seconds"] - logged
    print(f"    {'(outside log)':<14} {other:8.2f} {other / run['seconds']:6.1%} {'':>15}"
          f"  start-up, rule loading, exit")


def print_growth(results: list[dict]) -> None:
    print(f"\nGrowth (time per row at each size; k from t ~ n^k between consecutive sizes; "
          f"k > {K_FLAG} flagged)")
    by_fmt: dict[str, list[tuple[int, dict[str, float]]]] = {}
    for res in results:
        for run in res["runs"]:
            if classify(run) != "ok":
                continue
            times = {name: s for name, (s, _) in stage_durations(run["entries"]).items()}
            times.update({"total": run["seconds"], "(read_csv)": res["reads"]["bare"][0],
                          "(text read)": res["reads"]["text"][0]})
            by_fmt.setdefault(run["fmt"], []).append((res["rows"], times))
    for fmt, points in by_fmt.items():
        if len(points) < 2:
            continue
        print(f"  --format {fmt}")
        names = list(dict.fromkeys(name for _, times in points for name in times))
        for name in names:
            cells, flags = [], []
            for i, (rows, times) in enumerate(points):
                if name not in times:
                    cells.append(f"{rows:,}: n/a")
                    continue
                cells.append(f"{rows:,}: {times[name] / rows * 1e6:7.2f} us/row")
                prev_rows, prev = points[i - 1] if i else (0, {})
                if i and name in prev:
                    k = growth_exponent(prev_rows, prev[name], rows, times[name])
                    cells[-1] += f" (k={k:.2f})"
                    if k > K_FLAG:
                        flags.append("SUPER-LINEAR" if times[name] >= SMALL_S else "k high but < 0.5 s")
            print(f"    {name:<14} " + "; ".join(cells) + (f"  {', '.join(dict.fromkeys(flags))}" if flags else ""))


def print_targets(results: list[dict]) -> None:
    print("\nTargets: 1,000,000 rows: total <= 6x bare read_csv and peak <= 2.5 GB; "
          "3,000,000 rows: peak <= 8 GB")
    if not any(res["rows"] in TARGETS for res in results):
        print("  (no target size in this run)")
    for res in results:
        target = TARGETS.get(res["rows"])
        if target is None:
            continue
        max_ratio, max_mb = target
        bare, text = res["reads"]["bare"][0], res["reads"]["text"][0]
        for run in res["runs"]:
            head = f"  {res['rows']:>9,} rows  --format {run['fmt']:<7}"
            if classify(run) != "ok":
                print(f"{head} MISSED (the run failed)")
                continue
            ratio = run["seconds"] / bare
            checks = [f"peak {run['peak_mb'] / 1024:.2f} GB "
                      f"{'met' if run['peak_mb'] <= max_mb else 'MISSED'} (<= {max_mb / 1024:.1f} GB)"]
            if max_ratio is not None:
                checks.insert(0, f"time {ratio:.1f}x read_csv {'met' if ratio <= max_ratio else 'MISSED'} "
                                 f"(<= {max_ratio:.0f}x; {run['seconds'] / text:.1f}x the text read)")
            print(f"{head} " + "; ".join(checks))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated row counts; add 3000000 for the growth table")
    parser.add_argument("--formats", default="json", help="comma-separated; one CLI run per format")
    parser.add_argument("--data", metavar="DIR", help="cache the generated CSVs here (reused when present)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, reports, logs)")
    parser.add_argument("--root", default=str(ROOT), help="tracecheck checkout the CLI runs from")
    parser.add_argument("--generate", nargs=2, metavar=("ROWS", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        return generate(int(args.generate[0]), args.generate[1]) or 0
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    formats = list(dict.fromkeys(f.strip() for f in args.formats.split(",") if f.strip()))
    root = Path(args.root).resolve()
    if not (root / "tracecheck").is_dir():
        parser.error(f"--root {root} has no tracecheck package")
    commit = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %<(60,trunc)%s"], capture_output=True,
                            text=True).stdout.strip()
    print(f"CLI from {root} ({commit or 'not a git checkout'}); generator from {ROOT}; seed {SEED}; "
          f"formats {', '.join(formats)}", flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="tracecheck-scale-"))
    data_dir = Path(args.data) if args.data else workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    results, crashed = [], False
    try:
        paths = {rows: ensure_csv(data_dir, rows) for rows in sizes}
        for rows, path in paths.items():
            reads = {kind: time_read(path, kind) for kind in ("bare", "text")}
            print(f"\n{rows:,} rows ({path.stat().st_size / 1e6:.1f} MB): read_csv {reads['bare'][0]:.2f} s "
                  f"(peak {reads['bare'][1]:,.0f} MB); text read (dtype=str, keep_default_na=False) "
                  f"{reads['text'][0]:.2f} s (peak {reads['text'][1]:,.0f} MB); best of 3", flush=True)
            runs = []
            for fmt in formats:
                outdir = workdir / f"out_{rows}_{fmt}"
                run = run_cli(path, outdir, workdir, root, fmt)
                crashed |= classify(run) == "crashed"
                print_run(rows, run, reads)
                if classify(run) == "ok":
                    print_stages(rows, run)
                runs.append(run)
                sys.stdout.flush()
            results.append({"rows": rows, "reads": reads, "runs": runs})
        if len(results) >= 2:
            print_growth(results)
        print_targets(results)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nthis script's own peak RSS: {own:,.0f} MB (each child's peak includes it as a floor)")
    finally:
        if args.keep:
            print(f"\nkept {workdir}" + (f"; data in {data_dir}" if args.data else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
