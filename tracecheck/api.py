"""The library entry point: ``tracecheck.check(source, ...)`` → Report. Never raises on bad data."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Callable, Iterable

import pandas as pd

from tracecheck import engine
from tracecheck.normalise import normalise
from tracecheck.read import RawBatch, column_letter, read_batch
from tracecheck.report import Report, build_report
from tracecheck.ruleset import RulePack, load_pack

DATE_ORDERS = ("auto", "dayfirst", "monthfirst")


def check(source: str | os.PathLike | pd.DataFrame, rules: str | os.PathLike | RulePack | None = None, *,
          sheet: str | None = None, mapping: dict[str, str] | None = None, date_order: str = "auto",
          select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
          as_of: dt.date | None = None, name: str | None = None,
          progress: Callable[[str], None] | None = None) -> Report:
    """Check one trace-request batch and return its Report.

    ``source`` is a path to an .xlsx/.csv file or a pandas DataFrame (whose rows are numbered
    as if written to a sheet with the header on row 1). ``rules`` is a rule-pack path or a
    loaded RulePack (default: the shipped pack). ``mapping`` forces field → header mappings.
    ``as_of`` is the reference date for future dates and two-digit years (default: today).

    Problems in the data are findings, never exceptions. Misuse raises: ``InputError`` for an
    unreadable file or unknown sheet, ``RulePackError`` for a bad pack or selector,
    ``ValueError`` for a bad argument.
    """
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    if select or ignore:
        pack = pack.with_selection(select, ignore)
    if mapping:
        pack = pack.with_map(mapping)
    as_of = as_of or dt.date.today()
    _step(progress, "read")
    raw = raw_from_frame(source, name=name) if isinstance(source, pd.DataFrame) else read_batch(source, sheet=sheet)
    _step(progress, "normalise")
    batch = normalise(raw, pack, date_order=date_order, as_of=as_of)
    findings = engine.run(batch, pack, progress=progress)
    _step(progress, "report")
    return build_report(batch, pack, findings, checked_at=dt.datetime.now(dt.timezone.utc))


def _blank(column: pd.Series) -> pd.Series:
    blank = column.isna()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        text = column.map(lambda v: v if isinstance(v, str) else "x", na_action="ignore").astype("str")
        blank |= text.str.strip().eq("").fillna(False).to_numpy()
    return blank


def _step(progress: Callable[[str], None] | None, stage: str) -> None:
    if progress:
        progress(stage)


def raw_from_frame(frame: pd.DataFrame, *, name: str | None = None) -> RawBatch:
    """Wrap an in-memory table as a batch: header on row 1, first data row is row 2."""
    headers = [str(c).strip() for c in frame.columns]
    seen: dict[str, int] = {}
    unique, duplicates = [], []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        if seen[header] > 1:
            duplicates.append(header)
        unique.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    data = frame.set_axis(unique, axis=1).reset_index(drop=True)
    data.index = data.index + 2
    if len(data.columns):  # rows with no value at all are not requests, as in a sheet
        data = data[~pd.concat([_blank(data[c]) for c in data.columns], axis=1).all(axis=1).to_numpy()]
    digest = hashlib.sha256(pd.util.hash_pandas_object(data.astype(str), index=True).to_numpy().tobytes()).hexdigest()
    return RawBatch(frame=data, source=name or "<dataframe>", path=name or "<dataframe>", sheet=None,
                    sha256=digest, header_row=1, column_letters={h: column_letter(i) for i, h in enumerate(unique)},
                    duplicate_headers=sorted(set(duplicates)), dropped_rows=[], encoding=None, delimiter=None)

