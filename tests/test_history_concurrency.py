"""Writers on one history store, as real processes, on SQLite and on a real PostgreSQL: two
``check --record`` at the same time both succeed and each batch is recorded exactly once; a
process killed while recording leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from history_batches import JUNE, MARCH, write

from tracecheck import History

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def record_command(path: Path, store: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "tracecheck", "check", str(path), "--history", store, "--record", "--out",
            str(out), "-q", "--as-of", "2026-11-22"]


def engine_of(store: str) -> sa.Engine:
    return sa.create_engine(store if "://" in store else f"sqlite:///{store}")


def table_counts(store: str) -> dict[str, int]:
    engine = engine_of(store)
    with engine.connect() as connection:
        counts = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("batches", "agency_quality", "requests", "serial_deletions")}
    engine.dispose()
    return counts


def big_batch(path: Path, rows: int, seed: int) -> Path:
    from synth.duplicates import TRUTH_COLUMNS, generate_linked_batch

    generate_linked_batch(rows, seed=seed).drop(columns=list(TRUTH_COLUMNS)).to_csv(path, index=False)
    return path


def test_two_processes_recording_at_once_both_land_once_each(store_url: str, tmp_path: Path) -> None:
    # the store does not exist yet: the three processes also race to create its schema
    paths = write(tmp_path, march=MARCH, june=JUNE)
    copy = tmp_path / "june_again.csv"
    copy.write_bytes(paths["june"].read_bytes())
    # march and june differ; june and its copy are the same batch (same bytes): recorded once
    procs = [subprocess.Popen(record_command(p, store_url, tmp_path / f"out{k}"), env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k, p in enumerate((paths["march"], paths["june"],
                                                                                         copy))]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for code, stderr in results:
        assert code == 0, stderr
    with History(store_url) as history:
        batches = history.batches()
    assert sorted(batches["source"]) in (["june.csv", "march.csv"], ["june_again.csv", "march.csv"])
    assert table_counts(store_url)["requests"] == 5 + 6
    assert batches["digest"].is_unique


def test_a_process_killed_while_recording_leaves_the_store_as_it_was(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH)
    with History(store_url) as history:
        history.record(__import__("tracecheck").check(paths["march"], history=history, as_of="2026-11-22"))
    before = table_counts(store_url)
    batch = big_batch(tmp_path / "national.csv", 40_000, seed=7)
    proc = subprocess.Popen(record_command(batch, store_url, tmp_path / "out"), env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        assert _wait_until_writing(store_url, proc), "the recording transaction was never seen"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert table_counts(store_url) == before
    if "://" not in store_url:
        engine = engine_of(store_url)
        with engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
        engine.dispose()
    done = subprocess.run(record_command(batch, store_url, tmp_path / "out"), env=ENV, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    after = table_counts(store_url)
    assert after["batches"] == before["batches"] + 1 and after["requests"] == before["requests"] + 40_000


def _wait_until_writing(store: str, proc: subprocess.Popen, timeout: float = 300) -> bool:
    """True once ``proc`` is inside its recording transaction and has written into it: on SQLite it
    holds the write lock and the write-ahead log has grown; on PostgreSQL its backend has a
    transaction id (assigned at the first write)."""
    engine = engine_of(store)
    wal = Path(f"{store}-wal")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if "://" in store:
                with engine.connect() as connection:
                    writing = connection.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tracecheck' "
                        "AND datname = current_database() AND backend_xid IS NOT NULL")).scalar_one()
                if writing:
                    return True
            elif wal.exists() and wal.stat().st_size > 2_000_000 and _sqlite_locked(store):
                return True
            time.sleep(0.01)
        return False
    finally:
        engine.dispose()


def _sqlite_locked(path: str) -> bool:
    import sqlite3

    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()
