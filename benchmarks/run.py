"""End-to-end benchmark of the tracecheck CLI on large synthetic batches.

    python benchmarks/run.py [--rows-csv 1000000] [--rows-xlsx 100000] [--keep DIR]

Generates (from fixed seeds, not timed against the targets) a CSV and an XLSX batch, then runs
``python -m tracecheck check FILE --out OUTDIR --fail-on never`` on each as a child process and
measures its wall time and peak resident memory (``os.wait4`` rusage). Prints one line per file.

Exit status: 0 when every CLI run exited 0 or 1 (a missed target prints MISSED but still exits 0);
1 when a CLI run failed (exit code 2 or worse, or killed by a signal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from synth.batches import generate_batch  # noqa: E402

CSV_SEED, XLSX_SEED = 20261101, 20260930
# file kind -> (max seconds, max peak MB or None)
TARGETS = {"csv": (20.0, 2.5 * 1024), "xlsx": (15.0, None)}


def make_csv(path: Path, rows: int) -> None:
    frame = generate_batch(rows, seed=CSV_SEED, language="en", profile="us")
    frame.to_csv(path, index=False)


def make_xlsx(path: Path, rows: int) -> None:
    """Spanish fiscalía-style workbook, written with openpyxl in write-only mode.

    Cleanly typed dates become real Excel date cells; everything else stays text.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    frame = generate_batch(rows, seed=XLSX_SEED, language="es", profile="mexico")
    date_cols = ["Fecha de compra", "Fecha de aseguramiento", "Fecha de solicitud"]
    for col in date_cols:
        parsed = pd.to_datetime(frame[col], format="%d/%m/%Y", errors="coerce")
        as_date = pd.Series([d.date() if not pd.isna(d) else None for d in parsed], index=frame.index, dtype=object)
        frame[col] = as_date.where(parsed.notna(), frame[col])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Solicitudes")
    ws.append(["Fiscalía General del Estado — Solicitudes de rastreo enviadas a ATF"])
    ws.append(["Corte al 30/09/2026"])
    ws.append([])
    ws.append(list(frame.columns))
    date_idx = {frame.columns.get_loc(c) for c in date_cols}
    for values in frame.itertuples(index=False, name=None):
        row = list(values)
        for i in date_idx:
            if isinstance(row[i], dt.date):
                cell = WriteOnlyCell(ws, value=row[i])
                cell.number_format = "DD/MM/YYYY"
                row[i] = cell
        ws.append(row)
    wb.save(path)


def run_cli(path: Path, outdir: Path, logdir: Path, extra: tuple[str, ...] = (), tag: str = ""
            ) -> tuple[int, float, float]:
    """Run the CLI on `path` (plus `extra` options); return (exit code, wall seconds, peak RSS in MB)."""
    cmd = [sys.executable, "-m", "tracecheck", "check", str(path), "--out", str(outdir), "--fail-on", "never",
           *extra]
    out = open(logdir / f"{path.name}{tag}.stdout", "wb")
    err = open(logdir / f"{path.name}{tag}.stderr", "wb")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=str(ROOT))
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    out.close()
    err.close()
    return code, seconds, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows-csv", type=int, default=1_000_000)
    parser.add_argument("--rows-xlsx", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="write the batches and reports here and keep them")
    args = parser.parse_args(argv)

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tracecheck-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    failed = False
    try:
        jobs = []
        for kind, rows, maker in (("csv", args.rows_csv, make_csv), ("xlsx", args.rows_xlsx, make_xlsx)):
            if rows <= 0:
                continue
            path = workdir / f"bench_{rows}.{kind}"
            start = time.perf_counter()
            maker(path, rows)
            size = path.stat().st_size / 1e6
            print(f"generated {path.name}: {rows:,} rows, {size:.1f} MB in {time.perf_counter() - start:.1f} s "
                  f"(not counted)", flush=True)
            jobs.append((kind, rows, path))
        for kind, rows, path in jobs:
            outdir = workdir / f"out_{kind}"
            code, seconds, peak_mb = run_cli(path, outdir, workdir)
            max_s, max_mb = TARGETS[kind]
            target = f"< {max_s:.0f} s" + (f", < {max_mb / 1024:.1f} GB" if max_mb else "")
            if code >= 2 or code < 0:
                failed = True
                verdict = f"FAILED (exit code {code})"
                tail = (workdir / f"{path.name}.stderr").read_text(errors="replace").strip().splitlines()[-15:]
                verdict += "\n    " + "\n    ".join(tail) if tail else ""
            elif seconds < max_s and (max_mb is None or peak_mb < max_mb):
                verdict = f"met ({target})"
            else:
                verdict = f"MISSED ({target})"
            print(f"{path.name}: {rows:,} rows  {seconds:.1f} s  {rows / seconds:,.0f} rows/s  "
                  f"peak {peak_mb:,.0f} MB  exit {code}  target {verdict}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
