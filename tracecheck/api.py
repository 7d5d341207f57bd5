"""The library entry point: ``tracecheck.check(source, ...)`` → Report. Never raises on bad data."""

from __future__ import annotations

import datetime as dt
import os
from typing import Callable, Iterable

import pandas as pd

from tracecheck import engine
from tracecheck.read.limits import Limits
from tracecheck.normalise import normalise
from tracecheck.read import read_batch, read_frame
from tracecheck.redact import redact
from tracecheck.report import Report, build_report
from tracecheck.ruleset import RulePack, load_pack

DATE_ORDERS = ("auto", "dayfirst", "monthfirst")


def check(source: str | os.PathLike | pd.DataFrame, rules: str | os.PathLike | RulePack | None = None, *,
          sheet: str | None = None, mapping: dict[str, str] | None = None, date_order: str = "auto",
          select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
          as_of: dt.date | None = None, name: str | None = None, lang: str = "en",
          limits: Limits | None = None, redact_key: str | None = None,
          progress: Callable[[str], None] | None = None) -> Report:
    """Check one trace-request batch and return its Report.

    ``source`` is a path to an .xlsx/.csv file or a pandas DataFrame (whose rows are numbered
    as if written to a sheet with the header on row 1). ``rules`` is a rule-pack path or a
    loaded RulePack (default: the shipped pack). ``mapping`` forces field → header mappings.
    ``as_of`` is the reference date for future dates and two-digit years (default: today).
    ``lang`` ("en" or "es") is the language of the finding messages and fix hints.
    ``limits`` bounds file size, unpacked size, rows, columns and cell length (safe defaults).
    ``redact_key`` replaces purchaser and possessor names with stable keyed hashes in every report.

    Problems in the data are findings, never exceptions. Misuse raises: ``InputError`` for an
    unreadable file or unknown sheet, ``RulePackError`` for a bad pack or selector,
    ``ValueError`` for a bad argument.
    """
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
    if lang not in ("en", "es"):
        raise ValueError("lang must be en or es")
    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    if select or ignore:
        pack = pack.with_selection(select, ignore)
    if mapping:
        pack = pack.with_map(mapping)
    as_of = as_of or dt.date.today()
    _step(progress, "read")
    raw = read_frame(source, name=name) if isinstance(source, pd.DataFrame) else read_batch(source, sheet=sheet, limits=limits)
    _step(progress, "normalise")
    batch = normalise(raw, pack, date_order=date_order, as_of=as_of)
    if redact_key is not None:
        batch = redact(batch, redact_key)
    result = engine.run(batch, pack, progress=progress, lang=lang)
    _step(progress, "report")
    return build_report(batch, pack, result.findings, duplicates=result.duplicates, lang=lang,
                        checked_at=dt.datetime.now(dt.timezone.utc))


def _step(progress: Callable[[str], None] | None, stage: str) -> None:
    if progress:
        progress(stage)
