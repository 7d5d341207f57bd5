"""History stores the tests fill with small synthetic batches, and a batch that repeats requests of
the first of them (shared by the HTML, terminal and workbook tests of batch.history)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

import tracecheck
from synth.batches import generate_batch

AS_OF = dt.date(2026, 11, 22)
FIRST_RECORDED = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)


def earlier_batch(k: int, rows: int = 30) -> pd.DataFrame:
    """The k-th batch recorded (a different synthetic batch each, with its own request ids)."""
    return generate_batch(rows, seed=100 + k, start_request_id=1000 * (k + 1))


def fill_store(path: Path, batches: int, *, rows: int = 30) -> tracecheck.History:
    """A SQLite store at ``path`` holding ``batches`` batches of ``rows`` rows, recorded a month apart
    under long file names (as monthly sheets are often named)."""
    store = tracecheck.History(path)
    for k in range(batches):
        report = tracecheck.check(earlier_batch(k, rows), as_of=AS_OF, history=store,
                                  name=f"solicitudes_de_rastreo_2026_{k + 1:02d}.xlsx")
        store.record(report, recorded_at=FIRST_RECORDED + dt.timedelta(days=30 * k))
    return store


def repeating_batch(rows: int = 60, repeats: int = 10, earlier_rows: int = 30) -> pd.DataFrame:
    """A new batch followed by the first ``repeats`` rows of the first recorded batch (requests sent again)."""
    fresh = generate_batch(rows, seed=7, start_request_id=90_000)
    return pd.concat([fresh, earlier_batch(0, earlier_rows).iloc[:repeats]], ignore_index=True)
