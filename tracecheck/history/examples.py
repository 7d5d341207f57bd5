"""A throw-away history store holding one earlier batch: how a rule about earlier batches (TC204)
shows its example (``tracecheck explain``, the rule pages) and how its cases are checked."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from tracecheck.history.store import History


@contextmanager
def store_with(earlier: pd.DataFrame, pack: Any, *, as_of: dt.date) -> Iterator[History]:
    """A SQLite store in a temporary folder with ``earlier`` (rows as a DataFrame) checked with
    ``pack`` and recorded (on ``as_of``, so what the examples show does not change with the day);
    removed on exit."""
    from tracecheck.api import check

    with tempfile.TemporaryDirectory(prefix="tracecheck-history-") as folder:
        with History(Path(folder) / "history.sqlite") as history:
            recorded_at = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
            history.record(check(earlier, pack, history=history, as_of=as_of, name="earlier.xlsx"),
                           recorded_at=recorded_at)
            yield history
