"""The library entry point: ``tracecheck.check(source, ...)`` → Report. Never raises on bad data."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from tracecheck import engine
from tracecheck.catalogue import catalogue
from tracecheck.normalise import normalise
from tracecheck.read import from_arrow, read_batch, read_frame
from tracecheck.read.limits import Limits
from tracecheck.redact import redact
from tracecheck.report import Report, build_report
from tracecheck.ruleset import RulePack, load_pack

DATE_ORDERS = ("auto", "dayfirst", "monthfirst")

Source = str | os.PathLike[str] | pd.DataFrame | Any  # Any: a pyarrow.Table (pyarrow is imported on use)


def check(source: Source, rules: str | os.PathLike[str] | RulePack | None = None, *,
          sheet: str | None = None, mapping: dict[str, str] | None = None, date_order: str = "auto",
          select: str | Iterable[str] | None = None, ignore: str | Iterable[str] | None = None,
          as_of: str | dt.date | None = None, name: str | None = None, lang: str = "en",
          locale: str | None = None, limits: Limits | None = None, redact_key: str | None = None,
          progress: Callable[[str], None] | None = None) -> Report:
    """Check one trace-request batch and return its Report.

    ``source`` is a path to an .xlsx/.csv file, a pandas DataFrame or a pyarrow Table (rows are
    numbered as if written to a sheet with the header on row 1; each finding also carries the
    row's index label, ``index``: the DataFrame's own, or the row's position in the Table).
    ``rules`` is a rule-pack path or a loaded RulePack (default: the shipped pack). ``mapping``
    forces field → header mappings. ``select``/``ignore`` take a code, prefix, name or family, a
    comma-separated string of them, or a list. ``as_of`` (a date, a datetime or ISO text such as
    "2026-11-30") is the reference date for future dates and two-digit years (default: today).
    ``lang`` (a catalogue language: "en", "es") is the language of every text in the report;
    ``locale`` (e.g. "es_ES") refines how numbers are written. ``limits`` bounds file size,
    unpacked size, rows, columns and cell length (safe defaults). ``redact_key`` replaces
    purchaser and possessor names with stable keyed hashes in every report. ``progress`` is
    called with each stage's name.

    Problems in the data are findings, never exceptions. Misuse raises: ``InputError`` for an
    unreadable file or unknown sheet, ``RulePackError`` for a bad pack or selector,
    ``ValueError`` for a bad argument (date order, as_of, language, locale).
    """
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
    words = catalogue(lang, locale)
    day = as_of_date(as_of)
    pack = rules if isinstance(rules, RulePack) else load_pack(None if rules is None else os.fspath(rules))
    selected, ignored = _selectors(select), _selectors(ignore)
    if selected or ignored:
        pack = pack.with_selection(selected, ignored)
    if mapping:
        pack = pack.with_map(mapping)
    _step(progress, "read")
    raw = _read(source, name=name, sheet=sheet, limits=limits)
    _step(progress, "normalise")
    batch = normalise(raw, pack, date_order=date_order, as_of=day)
    if redact_key is not None:
        batch = redact(batch, redact_key)
    result = engine.run(batch, pack, words=words, progress=progress)
    _step(progress, "report")
    return build_report(batch, pack, result.findings, duplicates=result.duplicates, words=words,
                        checked_at=dt.datetime.now(dt.UTC))


def as_of_date(value: str | dt.date | None) -> dt.date:
    """``as_of`` as a date: today when None; a datetime's date; ISO text ("2026-11-30", or a full ISO
    date-time). ValueError for anything else."""
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ValueError(f"as_of must be a date, a datetime or ISO text such as '2026-11-30', not {value!r}")


def _selectors(value: str | Iterable[str] | None) -> list[str]:
    """Selectors from "TC101", "TC1,dates" or a list of them."""
    items = [value] if isinstance(value, str) else list(value or [])
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _read(source: Source, *, name: str | None, sheet: str | None, limits: Limits | None) -> Any:
    if isinstance(source, pd.DataFrame):
        return read_frame(source, name=name)
    if type(source).__module__.startswith("pyarrow") and hasattr(source, "to_pandas"):
        return read_frame(from_arrow(source), name=name)
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(f"source must be a file path, a pandas DataFrame or a pyarrow Table, not "
                         f"{type(source).__name__}")
    return read_batch(source, sheet=sheet, limits=limits)


def _step(progress: Callable[[str], None] | None, stage: str) -> None:
    if progress:
        progress(stage)
