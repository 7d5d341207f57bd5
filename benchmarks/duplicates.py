"""Speed, memory and accuracy of tracecheck's duplicate-request finder (TC2) on labelled batches,
side by side with a generic probabilistic linker (splink).

    python benchmarks/duplicates.py [--sizes 10000,100000,1000000] [--seed 5]
                                    [--no-splink] [--splink-max 100000]

For each size it generates a labelled batch with ``synth.duplicates.generate_linked_batch``
(not timed against the targets), removes the ``_truth_*`` columns and runs, each in a child process
of this script (hidden ``--one SIZE`` mode) so that peak RSS (``os.wait4``) is per run:

* ``tracecheck.check(frame, select=["TC101"])``: everything except duplicate detection (baseline);
* ``tracecheck.check(frame, select=["TC2"])``: the same plus duplicate detection;
* splink (``splink_reference.py``) on sizes <= --splink-max.

Duplicate detection time = time(TC2) - time(TC101). Each child first checks a 50-row slice to
warm imports and rule loading, then times the real call.

Accuracy against the truth columns (pairs of sheet rows; see dupe_metrics.py):
duplicate-request pairs vs "same _truth_event" (all pairs, and pairs where both rows have a usable
serial), re-recovery pairs vs "same _truth_gun, different _truth_event", possible-duplicate pair
precision vs "same event", B-cubed F1 of duplicate-request groups vs events, and blocking recall
when the finder exposes its candidate pairs.

Exit status: 0 unless a tracecheck run crashed (1). A missed target prints MISSED and exits 0;
a splink failure prints its error and the benchmark carries on without it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import dupe_metrics as dm  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
TRUTH = ["_truth_gun", "_truth_event", "_truth_serial_usable", "_truth_noise"]
KINDS = ("duplicate-request", "re-recovery", "possible-duplicate")
TARGET_F1_USABLE, TARGET_PRECISION = 0.99, 0.99
TARGET_ROWS, TARGET_SECONDS, TARGET_MB = 1_000_000, 30.0, 3 * 1024


# ------------------------------------------------------------------ child side (--one SIZE)

def _capture_duplicate_result(store: dict) -> None:
    """Keep a reference to the finder's internal result (``engine.run(...).duplicates``).

    The report does not carry the candidate pairs; the internal result does, and it is alive
    until ``check`` returns anyway, so keeping a reference does not raise the measured peak.
    Any change in those internals just makes blocking recall "n/a".
    """
    try:
        from tracecheck import engine
    except ImportError:
        return
    original = getattr(engine, "run", None)
    if original is None:
        return

    def run(*args, **kwargs):
        result = original(*args, **kwargs)
        store["duplicates"] = getattr(result, "duplicates", None)
        return result

    engine.run = run


def _finder_candidates(report, store: dict) -> np.ndarray | None:
    """Candidate (blocked) pairs of sheet rows, if the finder exposes them; None otherwise."""
    internal = getattr(store.get("duplicates"), "candidate_pairs", None)
    for value in (getattr(report, "duplicate_candidates", None), internal):
        if value is None:
            continue
        if isinstance(value, pd.DataFrame):
            value = value.iloc[:, :2].to_numpy()
        arr = np.asarray(value, dtype=np.int64).reshape(-1, 2)
        return dm.encode_pairs(arr[:, 0], arr[:, 1])
    return None


def _child_tracecheck(frame: pd.DataFrame, select: str) -> dict:
    import tracecheck

    store: dict = {}
    if select != "TC101":
        _capture_duplicate_result(store)
    tracecheck.check(frame.head(50), as_of=AS_OF, select=[select])      # warm-up
    store.clear()
    start = time.perf_counter()
    report = tracecheck.check(frame, as_of=AS_OF, select=[select])
    seconds = time.perf_counter() - start
    out: dict = {"seconds": seconds, "findings": len(report.findings)}
    if select == "TC101":
        return out
    groups = getattr(report, "duplicate_groups", None)
    out["has_groups"] = groups is not None
    out["groups"] = [{"id": g.get("id"), "kind": g.get("kind"), "rows": [int(r) for r in g.get("rows", [])],
                      "confidence": g.get("confidence"), "n_pairs": len(g.get("pairs") or [])}
                     for g in (groups or [])]
    column = report.rows["duplicate_group"] if "duplicate_group" in report.rows.columns else None
    out["row_groups"] = None if column is None else pd.Series(column.to_numpy(), index=report.rows["row"].to_numpy())
    out["candidates"] = _finder_candidates(report, store)
    out["summary_duplicates"] = {k: v for k, v in report.summary.items() if "dup" in str(k).lower()}
    return out


def _child_splink(frame: pd.DataFrame, seed: int) -> dict:
    from splink_reference import run_splink

    result = run_splink(frame, seed=seed)
    return {"seconds": result.seconds, "groups": result.groups, "candidates": result.candidates,
            "version": result.version, "config": result.config, "timings": result.timings}


def child_main(args: argparse.Namespace) -> int:
    frame = pd.read_pickle(args.input)
    try:
        if args.engine == "splink":
            out = _child_splink(frame, args.seed)
        else:
            out = _child_tracecheck(frame, args.select)
        out["ok"] = True
    except Exception as exc:   # reported by the parent; splink failures must not stop the benchmark
        out = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    with open(args.result, "wb") as fh:
        pickle.dump(out, fh)
    return 0 if out["ok"] else 3


# ------------------------------------------------------------------ parent side

def run_child(size: int, engine: str, select: str, batch: Path, workdir: Path, seed: int) -> dict:
    """Run one measurement in a child process; adds wall, peak MB and exit info."""
    result = workdir / f"{engine}_{select}_{size}.pkl"
    log = workdir / f"{engine}_{select}_{size}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", str(size), "--engine", engine,
           "--select", select, "--input", str(batch), "--result", str(result), "--seed", str(seed)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = {"ok": False}
    if result.exists():
        with open(result, "rb") as fh:
            out = pickle.load(fh)
    out["peak_mb"] = usage.ru_maxrss / 1024          # KiB on Linux
    out["exit"] = proc.returncode
    if not out.get("ok"):
        tail = log.read_text(errors="replace")[-3000:]
        out.setdefault("error", f"child exited {proc.returncode}")
        out["log_tail"] = tail
    return out


def evaluate(groups_by_kind: dict[str, list[list[int]]], truth: pd.DataFrame, candidates: np.ndarray | None) -> dict:
    """All accuracy numbers for one engine on one batch; ids are sheet rows."""
    ids = np.arange(len(truth), dtype=np.int64) + 2
    event = dm.pairs_from_labels(truth["_truth_event"].to_numpy(), ids)
    gun = dm.pairs_from_labels(truth["_truth_gun"].to_numpy(), ids)
    rerec_true = dm.difference(gun, event)
    usable = ids[truth["_truth_serial_usable"].fillna(False).astype(bool).to_numpy()]

    dup_groups = groups_by_kind.get("duplicate-request", [])
    dup = dm.pairs_from_groups(dup_groups)
    m: dict = {"true_pairs": len(event), "true_rerec_pairs": len(rerec_true)}
    m["dup"] = dm.pair_scores(dup, event)
    m["dup_same_gun"] = dm.pair_scores(dup, gun).precision
    m["usable"] = dm.pair_scores(dm.restrict(dup, usable), dm.restrict(event, usable))
    m["unusable_recall"] = dm.pair_scores(dup, dm.difference(event, dm.restrict(event, usable))).recall
    overlap = "raise"
    try:
        pred_labels = dm.labels_from_groups(dup_groups, ids)
    except ValueError:
        overlap = "first"
        pred_labels = dm.labels_from_groups(dup_groups, ids, overlap="first")
    m["overlapping_dup_groups"] = overlap == "first"
    m["bcubed"] = dm.bcubed(pred_labels, truth["_truth_event"].to_numpy())
    if "re-recovery" in groups_by_kind:
        rerec = dm.difference(dm.pairs_from_groups(groups_by_kind["re-recovery"]), dup)
        m["rerec"] = dm.pair_scores(rerec, rerec_true)
    if "possible-duplicate" in groups_by_kind:
        possible = dm.pairs_from_groups(groups_by_kind["possible-duplicate"])
        m["possible"] = dm.pair_scores(possible, event)
        m["possible_same_gun"] = dm.pair_scores(possible, gun).precision
    if "flagged" in groups_by_kind:  # groups at the flag threshold only (review groups left out)
        m["flagged"] = dm.pair_scores(dm.pairs_from_groups(groups_by_kind["flagged"]), event)
    m["blocking_recall"] = None if candidates is None else dm.candidate_recall(candidates, event)
    m["blocking_recall_usable"] = (None if candidates is None
                                   else dm.candidate_recall(candidates, dm.restrict(event, usable)))
    return m


def check_contract(out: dict, n_rows: int) -> list[str]:
    """Contract checks on the finder's output; returns human-readable problems."""
    problems = []
    if not out.get("has_groups"):
        return ["report.duplicate_groups missing"]
    kinds = {g["kind"] for g in out["groups"]}
    if kinds - set(KINDS):
        problems.append(f"unknown group kinds {sorted(kinds - set(KINDS))}")
    rows = [r for g in out["groups"] for r in g["rows"]]
    if rows and (min(rows) < 2 or max(rows) > n_rows + 1):
        problems.append("group rows outside sheet rows 2..n+1")
    dup_rows = [r for g in out["groups"] if g["kind"] == "duplicate-request" for r in g["rows"]]
    if len(dup_rows) != len(set(dup_rows)):
        problems.append("a row is in more than one duplicate-request group")
    if out.get("row_groups") is None:
        problems.append("report.rows has no duplicate_group column")
    else:
        col = out["row_groups"]
        ids = {g["id"] for g in out["groups"]}
        stray = set(col.dropna().unique()) - ids
        if stray:
            problems.append(f"duplicate_group ids not in duplicate_groups: {sorted(map(str, stray))[:3]}")
        dup_map = {r: g["id"] for g in out["groups"] if g["kind"] == "duplicate-request" for r in g["rows"]}
        wrong = sum(1 for r, gid in dup_map.items() if col.get(r) != gid)
        if wrong:
            problems.append(f"{wrong} rows of duplicate-request groups carry another duplicate_group value")
    return problems


def measure_size(size: int, args: argparse.Namespace, workdir: Path) -> tuple[list[dict], bool]:
    from synth.duplicates import generate_linked_batch

    start = time.perf_counter()
    batch = generate_linked_batch(size, seed=args.seed)
    gen_seconds = time.perf_counter() - start
    missing = [c for c in TRUTH[:3] if c not in batch.columns]
    if missing:
        raise RuntimeError(f"generator output lacks truth columns {missing}")
    truth = batch[[c for c in TRUTH if c in batch.columns]].reset_index(drop=True)
    path = workdir / f"batch_{size}.pkl"
    batch.drop(columns=[c for c in batch.columns if c.startswith("_truth_")]).reset_index(drop=True).to_pickle(path)
    del batch
    print(f"\n{size:,} rows: generated in {gen_seconds:.1f} s (not timed); "
          f"{truth['_truth_gun'].nunique():,} guns, {truth['_truth_event'].nunique():,} events, "
          f"{(~truth['_truth_serial_usable'].astype(bool)).sum():,} rows without a usable serial", flush=True)

    results, crashed = [], False
    base = run_child(size, "tracecheck", "TC101", path, workdir, args.seed)
    full = run_child(size, "tracecheck", "TC2", path, workdir, args.seed)
    for name, out in (("TC101", base), ("TC2", full)):
        if not out.get("ok"):
            crashed = True
            print(f"  tracecheck select={name} CRASHED: {out.get('error')}\n"
                  f"{out.get('traceback') or out.get('log_tail', '')}")
    if base.get("ok") and full.get("ok"):
        by_kind: dict[str, list[list[int]]] = {k: [] for k in KINDS}
        for g in full["groups"]:
            by_kind.setdefault(g["kind"], []).append(g["rows"])
            if g["kind"] == "duplicate-request" and g.get("confidence") == "flag":
                by_kind.setdefault("flagged", []).append(g["rows"])
        row = {"engine": "tracecheck", "rows": size, "dupe_s": full["seconds"] - base["seconds"],
               "tc2_s": full["seconds"], "tc101_s": base["seconds"], "peak_mb": full["peak_mb"],
               "base_mb": base["peak_mb"], "metrics": evaluate(by_kind, truth, full.get("candidates")),
               "counts": {k: len(v) for k, v in by_kind.items()},
               "review": sum(1 for g in full["groups"] if g.get("confidence") == "review"),
               "contract": check_contract(full, size), "summary": full.get("summary_duplicates")}
        results.append(row)
        print(f"  tracecheck: TC2 {full['seconds']:.2f} s, TC101 {base['seconds']:.2f} s, "
              f"groups {row['counts']} ({row['review']} review)", flush=True)
        for problem in row["contract"]:
            print(f"  CONTRACT: {problem}")

    if args.splink and size <= args.splink_max:
        out = run_child(size, "splink", "-", path, workdir, args.seed)
        if out.get("ok"):
            results.append({"engine": "splink", "rows": size, "dupe_s": out["seconds"], "tc2_s": None,
                            "tc101_s": None, "peak_mb": out["peak_mb"], "base_mb": None,
                            "metrics": evaluate({"duplicate-request": out["groups"]}, truth, out["candidates"]),
                            "counts": {"clusters": len(out["groups"])}, "version": out["version"],
                            "config": out["config"], "timings": out["timings"]})
            print(f"  splink {out['version']}: {out['seconds']:.2f} s {out['timings']}, "
                  f"{len(out['groups']):,} clusters", flush=True)
        else:
            print(f"  splink FAILED (continuing without it): {out.get('error')}\n"
                  f"{out.get('traceback') or out.get('log_tail', '')}")
    path.unlink(missing_ok=True)
    return results, crashed


# ------------------------------------------------------------------ printing

def _f(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def _p(scores: dm.PairScores | None, attr: str) -> str:
    """Precision is n/a when nothing was predicted, recall when there was nothing to find."""
    if scores is None:
        return "n/a"
    if attr == "precision" and scores.predicted == 0 or attr == "recall" and scores.actual == 0:
        return "n/a"
    return _f(getattr(scores, attr))


def print_tables(results: list[dict]) -> None:
    perf = pd.DataFrame([{
        "engine": r["engine"], "rows": f"{r['rows']:,}", "dupe s": _f(r["dupe_s"], 2),
        "TC2 s": _f(r["tc2_s"], 2), "TC101 s": _f(r["tc101_s"], 2),
        "rows/s": f"{r['rows'] / max(r['dupe_s'], 1e-9):,.0f}", "peak MB": f"{r['peak_mb']:,.0f}",
        "base MB": "n/a" if r["base_mb"] is None else f"{r['base_mb']:,.0f}"} for r in results])
    acc = pd.DataFrame([{
        "engine": r["engine"], "rows": f"{r['rows']:,}",
        "P": _p(m["dup"], "precision"), "R": _p(m["dup"], "recall"), "F1": _f(m["dup"].f1),
        "flag P": _p(m.get("flagged"), "precision"), "flag R": _p(m.get("flagged"), "recall"),
        "usable P": _p(m["usable"], "precision"), "usable R": _p(m["usable"], "recall"),
        "usable F1": _f(m["usable"].f1), "unusable R": _f(m["unusable_recall"]),
        "re-rec P": _p(m.get("rerec"), "precision"), "re-rec R": _p(m.get("rerec"), "recall"),
        "poss P": _p(m.get("possible"), "precision"), "B3 F1": _f(m["bcubed"].f1),
        "block R": _f(m["blocking_recall"])} for r in results for m in [r["metrics"]]])
    print("\nSpeed and memory (dupe s = duplicate detection; tracecheck: TC2 - TC101; rows/s = rows / dupe s)")
    print(perf.to_string(index=False))
    print("\nAccuracy (pairs of sheet rows; P/R/F1 = duplicate-request vs same recovery event)")
    print(acc.to_string(index=False))
    print("\nPair counts (true same-event pairs, predicted duplicate-request pairs, true positives, "
          "share of predicted pairs that are the same gun):")
    for r in results:
        m = r["metrics"]
        extra = ""
        if "possible" in m:
            extra = (f"; possible-duplicate pairs {m['possible'].predicted:,} "
                     f"(same gun {_f(m['possible_same_gun'])})")
        if "rerec" in m:
            extra += f"; re-recovery pairs true {m['true_rerec_pairs']:,} predicted {m['rerec'].predicted:,}"
        print(f"  {r['engine']:>10} {r['rows']:>9,}: true {m['true_pairs']:,}, predicted {m['dup'].predicted:,}, "
              f"tp {m['dup'].tp:,}, same gun {_f(m['dup_same_gun'])}{extra}")


def print_scaling(results: list[dict]) -> None:
    print("\nScaling (duplicate detection time per row; exponent k from t ~ n^k between sizes)")
    for engine in ("tracecheck", "splink"):
        rows = sorted((r for r in results if r["engine"] == engine), key=lambda r: r["rows"])
        if not rows:
            continue
        cells, verdict = [], []
        for i, r in enumerate(rows):
            cells.append(f"{r['rows']:,}: {max(r['dupe_s'], 0) / r['rows'] * 1e6:.1f} us/row")
            if i:
                prev = rows[i - 1]
                k = math.log(max(r["dupe_s"], 1e-3) / max(prev["dupe_s"], 1e-3)) / math.log(r["rows"] / prev["rows"])
                verdict.append(k)
                cells[-1] += f" (k={k:.2f})"
        ok = "" if not verdict else ("  near-linear" if max(verdict) <= 1.2 else "  SUPER-LINEAR")
        print(f"  {engine:>10}: " + "; ".join(cells) + ok)


def print_targets(results: list[dict]) -> None:
    print(f"\nTargets (tracecheck): usable-serial F1 >= {TARGET_F1_USABLE}, overall precision >= "
          f"{TARGET_PRECISION}; {TARGET_ROWS:,} rows: duplicate detection < {TARGET_SECONDS:.0f} s "
          f"and TC2 peak < {TARGET_MB / 1024:.0f} GB")
    for r in (r for r in results if r["engine"] == "tracecheck"):
        m = r["metrics"]
        checks = [("usable F1", m["usable"].f1 >= TARGET_F1_USABLE),
                  ("precision", m["dup"].precision >= TARGET_PRECISION)]
        if r["rows"] >= TARGET_ROWS:
            checks += [("time", r["dupe_s"] < TARGET_SECONDS), ("memory", r["peak_mb"] < TARGET_MB)]
        text = ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in checks)
        print(f"  {r['rows']:>9,} rows: {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-splink", dest="splink", action="store_false")
    parser.add_argument("--splink-max", type=int, default=100_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="tracecheck", help=argparse.SUPPRESS)
    parser.add_argument("--select", default="TC2", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        return child_main(args)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results, crashed = [], False
    with tempfile.TemporaryDirectory(prefix="tracecheck-dupes-") as tmp:
        for size in sizes:
            rows, bad = measure_size(size, args, Path(tmp))
            results += rows
            crashed |= bad
    if results:
        print_tables(results)
        print_scaling(results)
        print_targets(results)
        configs = {r["config"] for r in results if r["engine"] == "splink"}
        for config in configs:
            print(f"\nsplink configuration: {config}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
