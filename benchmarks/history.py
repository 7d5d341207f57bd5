"""History-store benchmark: a 10,000-row batch checked against (and recorded into) stores of 1M and 5M
earlier requests, on SQLite and PostgreSQL.

    python benchmarks/history.py [--sizes 1000000,5000000] [--engines sqlite,postgresql] [--data DIR]
                                 [--batch-rows 10000] [--store-batch 50000] [--keep]
    python benchmarks/history.py --sizes 100000                     # a quick run

Data (not timed, cached in --data): ``synth.duplicates.generate_linked_batch(n, seed=20261122,
profile="dense")`` (about 40 % repeat requests, many agencies), sorted by request date. The cut lies
at about 80 % of that timeline (the generator's last months are distorted by its "today"): the
checked batch is the ``--batch-rows`` requests right after the cut, written as a CSV; a store of S
requests holds the S requests right before it, as batches of ``--store-batch`` rows (oldest first).

Fill (per engine and size, a new empty store): each earlier batch is normalised and turned into
``tracecheck.history.requests.request_frame`` once (cached), then inserted with the store's own
functions (``store._add_batch`` and ``store._add_requests``, one transaction per batch, its own
digest) -- what ``History.record`` does, without checking 5M rows first. PostgreSQL is then given a
``VACUUM ANALYZE`` (what autovacuum does for a store filled over months; timed apart).

Check (a child per measurement: the peak RSS is that run's own): ``tracecheck.check(batch.csv,
history=History(url))`` after a 50-row warm-up, its ``history`` stage (progress callback) split into
the store lookup and the matching, the TC204 findings against the truth columns, the peak RSS, then
``History.record(report)``. The same check without history runs once for reference.

PostgreSQL: the server named by TRACECHECK_BENCH_POSTGRES (a URL; a database is made and dropped
per store), else a throw-away cluster started like tests/postgres.py (fsync off).
Exit status: 1 when a child failed, else 0 (a missed target prints MISSED).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261122
AS_OF = "2026-11-22"
CUT_SHARE = 0.8  # where the cut lies in the generated timeline
PG_ENV = "TRACECHECK_BENCH_POSTGRES"
TARGET_S, TARGET_SIZE = 10.0, 5_000_000  # check and record of the batch, each, against 5M requests


# ------------------------------------------------------------------ children (hidden modes)

def prepare(out: Path, total: int, cut: int, batch_rows: int, store_batch: int) -> None:
    """Generate, sort, cut; write batch.csv, requests_<k>.pkl (k = 0: the newest earlier batch) and meta.json."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch
    from tracecheck.history.requests import request_frame
    from tracecheck.history.store import STORED
    from tracecheck.normalise import normalise
    from tracecheck.read import read_frame
    from tracecheck.reference import compile_reference
    from tracecheck.ruleset import load_pack

    start = time.perf_counter()
    frame = generate_linked_batch(total, seed=SEED, profile="dense")
    frame = frame.sort_values("Request Date", kind="stable").reset_index(drop=True).iloc[:cut + batch_rows]
    print(f"generated {total:,} rows in {time.perf_counter() - start:.0f} s; the batch's requests are dated "
          f"{frame['Request Date'].iloc[cut]} to {frame['Request Date'].iloc[-1]}", flush=True)
    batch = frame.iloc[cut:]
    batch.drop(columns=TRUTH_COLUMNS).to_csv(out / "batch.csv", index=False)
    # per batch row: how far back (rows before the cut) its newest earlier request of the same event/gun is
    meta: dict = {"total": total, "cut": cut, "batch_rows": batch_rows, "store_batch": store_batch}
    position = pd.Series(np.arange(cut), dtype="int64")
    for truth, name in (("_truth_event", "event"), ("_truth_gun", "gun")):
        newest = position.groupby(frame[truth].iloc[:cut].to_numpy()).max()
        back = cut - batch[truth].map(newest).to_numpy(dtype="float64")
        meta[name] = np.nan_to_num(back, nan=-1).astype(int).tolist()
    pack = load_pack(None)
    reference = compile_reference(pack.reference)
    for k in range(cut // store_batch):
        part = frame.iloc[cut - (k + 1) * store_batch:cut - k * store_batch]
        normalised = normalise(read_frame(part.drop(columns=TRUTH_COLUMNS)), pack, as_of=dt.date.fromisoformat(AS_OF))
        requests = request_frame(normalised, reference)[list(STORED)]
        requests.attrs["last_request"] = str(part["Request Date"].iloc[-1])
        requests.to_pickle(out / f"requests_{k:04d}.pkl")
        if k % 10 == 9:
            print(f"  prepared {(k + 1) * store_batch:,} earlier requests, {time.perf_counter() - start:.0f} s",
                  flush=True)
    (out / "meta.json").write_text(json.dumps(meta))


def fill(url: str, data: Path, size: int) -> dict:
    """Insert the newest ``size`` earlier requests into the (new) store at ``url``, oldest batch first."""
    import datetime as dt
    import hashlib
    from types import SimpleNamespace

    import pandas as pd
    from sqlalchemy import text

    import tracecheck
    from tracecheck.history import History
    from tracecheck.history.database import writing
    from tracecheck.history.store import _add_batch, _add_requests
    from tracecheck.matching.keys import KEY_COLUMNS, keys_from_columns

    meta = json.loads((data / "meta.json").read_text())
    chunks = size // meta["store_batch"]
    inserting = reading = 0.0
    with History(url) as history:
        for k in reversed(range(chunks)):
            start = time.perf_counter()
            new = pd.read_pickle(data / f"requests_{k:04d}.pkl")
            reading += time.perf_counter() - start
            start = time.perf_counter()
            digest = hashlib.sha256(f"history-bench {SEED} {meta['total']} {meta['cut']} {k}".encode()).hexdigest()
            report = SimpleNamespace(batch={"source": f"earlier_{k:04d}.csv", "sheet": None, "as_of": AS_OF,
                                            "tracecheck_version": tracecheck.__version__}, rule_pack={"digest": ""})
            usable = int(keys_from_columns(new[list(KEY_COLUMNS)]).usable.sum())
            totals = {"rows": len(new), "usable_serial": usable, "missing_import_marking": 0, "duplicate_rows": 0,
                      "prior_duplicate_rows": 0, "request_age_median": None}
            recorded = dt.datetime.fromisoformat(new.attrs["last_request"]).replace(tzinfo=dt.UTC)
            with writing(history.engine.connect()) as connection, connection.begin():
                number = _add_batch(connection, report, digest, totals, 0, recorded)
                _add_requests(connection, number, new)
            inserting += time.perf_counter() - start
        settle, disk = 0.0, None
        if history.engine.dialect.name == "postgresql":
            start = time.perf_counter()
            with history.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
                disk = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
            settle = time.perf_counter() - start
        counts = history.counts()
    return {"requests": counts["requests"], "batches": counts["batches"], "insert_s": inserting, "read_s": reading,
            "settle_s": settle, "disk_bytes": disk}


def measure(url: str | None, data: Path) -> dict:
    """Check batch.csv (with the store at ``url``, or without history), time its stages, then record it."""
    import tracecheck
    from tracecheck.history import History, store

    split = {"lookup": 0.0, "match": 0.0, "candidates": 0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            result = function(*args, **kwargs)
            split[name] += time.perf_counter() - start
            if name == "lookup":
                split["candidates"] += len(result)
            return result
        return wrapper

    store.candidates, store.prior_matches = timed("lookup", store.candidates), timed("match", store.prior_matches)
    path = data / "batch.csv"
    with ExitStack() as stack:
        history = stack.enter_context(History(url, create=False)) if url else None
        warm = Path(tempfile.mkdtemp()) / "warm.csv"
        warm.write_text("".join(path.open().readlines()[:51]))
        tracecheck.check(warm, as_of=AS_OF, history=history)
        shutil.rmtree(warm.parent)
        split.update(lookup=0.0, match=0.0, candidates=0)
        stages: list[tuple[str, float]] = []
        start = time.perf_counter()
        report = tracecheck.check(path, as_of=AS_OF, history=history,
                                  progress=lambda stage: stages.append((stage, time.perf_counter())))
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out = {"check_s": seconds, "peak_mb": peak, "rows": len(report.rows)}
        if history is None:
            return out
        times = [t for _, t in stages] + [start + seconds]
        out["history_s"] = next(times[i + 1] - t for i, (name, t) in enumerate(stages) if name == "history")
        prior = report.findings[report.findings["name"].eq("prior-duplicate")]
        out.update(split, tc204=len(prior), tc204_rows=int(prior["row"].nunique()),
                   reasons=prior["reason"].value_counts().to_dict())
        start = time.perf_counter()
        recorded = history.record(report)
        out.update(record_s=time.perf_counter() - start, recorded=recorded.requests)
    return out


# ------------------------------------------------------------------ parent side

def child(mode: str, *args: object, log: Path) -> tuple[dict, float, float]:
    """Run this script in ``mode`` as a child; (its JSON result, wall seconds, peak RSS MB from os.wait4)."""
    result = log.with_suffix(".json")
    cmd = [sys.executable, __file__, f"--{mode}", *map(str, args), "--result", str(result)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    start = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0 or not result.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{mode} failed (exit code {code}):\n{tail}")
    return json.loads(result.read_text()), seconds, usage.ru_maxrss / 1024


def ensure_data(data_dir: Path, sizes: list[int], batch_rows: int, store_batch: int, workdir: Path) -> Path:
    cut = max(sizes)
    total = int((cut + batch_rows) / CUT_SHARE)
    path = data_dir / f"history_seed{SEED}_{total}rows_cut{cut}_batch{batch_rows}_by{store_batch}"
    if (path / "meta.json").exists():
        print(f"reused {path}", flush=True)
        return path
    tmp = path.with_name(path.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _, seconds, peak = child("prepare", tmp, total, cut, batch_rows, store_batch, log=workdir / "prepare.log")
    print((workdir / "prepare.log").read_text().rstrip())
    tmp.replace(path)
    print(f"prepared {path.name} in {seconds:.0f} s, peak {peak:,.0f} MB (not counted)", flush=True)
    return path


@contextmanager
def postgres_server():
    sys.path.insert(0, str(ROOT / "tests"))
    import postgres  # tests/postgres.py: the throw-away cluster of the test suite

    if os.environ.get(PG_ENV):
        scheme, rest = os.environ[PG_ENV].split("://", 1)
        yield ("postgresql+psycopg" if scheme in ("postgresql", "postgres") else scheme) + "://" + rest, PG_ENV
        return
    initdb = postgres.find_initdb()
    if initdb is None:
        raise RuntimeError(f"no PostgreSQL (initdb) found: install it or set {PG_ENV}")
    with postgres.throwaway_cluster(initdb) as url:
        yield url, f"throw-away cluster ({initdb.parent.parent.name}, fsync off)"


@contextmanager
def new_store(engine: str, server: str | None, workdir: Path, size: int):
    """A URL of a new empty store; the store is removed afterwards."""
    if engine == "sqlite":
        path = workdir / f"store_{size}.sqlite"
        try:
            yield str(path)
        finally:
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
    else:
        import postgres

        with postgres.fresh_database(server) as url:
            yield url


def sqlite_bytes(url: str) -> int:
    return sum(Path(f"{url}{extra}").stat().st_size for extra in ("", "-wal") if Path(f"{url}{extra}").exists())


def expected(meta: dict, size: int) -> tuple[int, int]:
    """Batch rows whose recovery event has an earlier request in the store; rows whose gun has (another event)."""
    event = sum(1 for back in meta["event"] if 0 < back <= size)
    gun = sum(1 for e, g in zip(meta["event"], meta["gun"]) if not 0 < e <= size and 0 < g <= size)
    return event, gun


def print_table(rows: list[dict], plain: dict, store_batch: int) -> None:
    print(f"\nStores filled with the S requests dated right before the batch, in earlier batches of {store_batch:,} "
          "rows, through\nstore._add_batch/_add_requests (what History.record writes), one transaction each; "
          "fill s and rows/s: inserting only.\nCheck: tracecheck.check(batch.csv, history=...) in a child, after a "
          "50-row warm-up; history s: its 'history' stage\n(lookup: the store queries; match: prior_matches); "
          "peak MB: the child's peak RSS after the check; record s: History.record.\n"
          f"TC204: prior-duplicate findings; truth: batch rows whose recovery event has an earlier request in the "
          f"store + rows whose\ngun does (another event). No history: check {plain['check_s']:.2f} s, peak "
          f"{plain['peak_mb']:,.0f} MB; x plain = check s / that.\n")
    head = (f"{'engine':<10} {'stored':>9} {'fill s':>7} {'rows/s':>8} {'disk MB':>8} {'check s':>8} {'x plain':>7} "
            f"{'history s':>9} {'lookup s':>8} {'match s':>7} {'peak MB':>8} {'record s':>8} {'TC204':>6} "
            f"{'truth':>11}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['engine']:<10} {r['stored']:>9,} {r['insert_s']:>7.1f} {r['stored'] / r['insert_s']:>8,.0f} "
              f"{r['disk_mb']:>8,.0f} {r['check_s']:>8.2f} {r['check_s'] / plain['check_s']:>7.2f} "
              f"{r['history_s']:>9.2f} {r['lookup']:>8.2f} {r['match']:>7.2f} {r['peak_mb']:>8,.0f} "
              f"{r['record_s']:>8.2f} {r['tc204']:>6,} {r['truth_event']:>5,}+{r['truth_gun']:<5,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000", help="comma-separated store sizes (earlier requests)")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--batch-rows", type=int, default=10_000, help="rows of the checked batch")
    parser.add_argument("--store-batch", type=int, default=50_000, help="rows per earlier batch in the store")
    parser.add_argument("--data", metavar="DIR", help="cache the generated data here (reused when present)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, data)")
    for mode, nargs in (("prepare", 5), ("fill", 3), ("measure", 2)):
        parser.add_argument(f"--{mode}", nargs=nargs, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare or args.fill or args.measure:
        if args.prepare:
            out, (total, cut, batch_rows, store_batch) = Path(args.prepare[0]), map(int, args.prepare[1:])
            prepare(out, total, cut, batch_rows, store_batch)
            result: dict = {}
        elif args.fill:
            result = fill(args.fill[0], Path(args.fill[1]), int(args.fill[2]))
        else:
            result = measure(args.measure[0] or None, Path(args.measure[1]))
        Path(args.result).write_text(json.dumps(result))
        return 0

    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if any(size % args.store_batch for size in sizes):
        parser.error(f"every size must be a multiple of --store-batch ({args.store_batch:,})")
    if set(engines) - {"sqlite", "postgresql"}:
        parser.error("--engines takes sqlite and/or postgresql")
    commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %<(60,trunc)%s"], capture_output=True,
                            text=True).stdout.strip()
    print(f"tracecheck {ROOT} ({commit}); seed {SEED}; batch {args.batch_rows:,} rows; stores of "
          f"{', '.join(f'{s:,}' for s in sizes)} earlier requests in batches of {args.store_batch:,}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="tracecheck-history-"))
    data_dir = Path(args.data) if args.data else workdir / "data"
    rows: list[dict] = []
    try:
        data = ensure_data(data_dir, sizes, args.batch_rows, args.store_batch, workdir)
        meta = json.loads((data / "meta.json").read_text())
        plain, _, _ = child("measure", "", data, log=workdir / "plain.log")
        print(f"check without history: {plain['check_s']:.2f} s, peak {plain['peak_mb']:,.0f} MB", flush=True)
        for engine in engines:
            with ExitStack() as stack:
                server, where = stack.enter_context(postgres_server()) if engine == "postgresql" else (None, "file")
                for size in sizes:
                    with new_store(engine, server, workdir, size) as url:
                        tag = f"{engine}_{size}"
                        filled, wall, fill_peak = child("fill", url, data, size, log=workdir / f"fill_{tag}.log")
                        disk = filled["disk_bytes"] if engine == "postgresql" else sqlite_bytes(url)
                        print(f"{engine} ({where}): filled {filled['requests']:,} requests in {filled['batches']} "
                              f"batches: insert {filled['insert_s']:.1f} s "
                              f"({filled['requests'] / filled['insert_s']:,.0f} rows/s), reading the prepared "
                              f"frames {filled['read_s']:.1f} s, VACUUM ANALYZE {filled['settle_s']:.1f} s, "
                              f"child {wall:.0f} s, peak {fill_peak:,.0f} MB; {disk / 1e6:,.0f} MB", flush=True)
                        got, _, _ = child("measure", url, data, log=workdir / f"measure_{tag}.log")
                        event, gun = expected(meta, size)
                        row = {"engine": engine, "stored": size, **filled, **got, "disk_mb": disk / 1e6,
                               "truth_event": event, "truth_gun": gun, "server": where}
                        rows.append(row)
                        print(f"  check {got['check_s']:.2f} s (history {got['history_s']:.2f} s: lookup "
                              f"{got['lookup']:.2f} s, {got['candidates']:,} candidates; match {got['match']:.2f} s),"
                              f" peak {got['peak_mb']:,.0f} MB; TC204 {got['tc204']:,} findings on "
                              f"{got['tc204_rows']:,} rows {got['reasons']}; truth: {event:,} rows repeat an "
                              f"event in the store, {gun:,} more a gun; record {got['record_s']:.2f} s", flush=True)
        print_table(rows, plain, args.store_batch)
        for engine in engines:
            peaks = [(r["stored"], r["peak_mb"]) for r in rows if r["engine"] == engine]
            if len(peaks) > 1:
                (small, low), (large, high) = peaks[0], peaks[-1]
                print(f"{engine}: check peak {low:,.0f} MB with {small:,} stored, {high:,.0f} MB with {large:,} "
                      f"({high - low:+,.0f} MB)")
        with open(data_dir / "history_results.jsonl", "a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({"commit": commit, "plain_check_s": plain["check_s"], **row}) + "\n")
        print(f"\nresults appended to {data_dir / 'history_results.jsonl'}")
        for r in (r for r in rows if r["stored"] == TARGET_SIZE):
            verdict = {name: "met" if r[key] <= TARGET_S else "MISSED" for name, key in
                       (("check", "check_s"), ("record", "record_s"))}
            print(f"target {r['engine']} 5M: check {r['check_s']:.1f} s {verdict['check']}, record "
                  f"{r['record_s']:.1f} s {verdict['record']} (<= {TARGET_S:.0f} s each)")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"this script's own peak RSS: {own:,.0f} MB (each child's peak includes it as a floor)")
    except RuntimeError as exc:
        print(exc)
        return 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
