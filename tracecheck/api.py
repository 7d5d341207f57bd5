"""The library entry point: ``tracecheck.check(source, ...)`` → Report. Never raises on bad data."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from tracecheck import engine
from tracecheck.catalogue import catalogue
from tracecheck.mapping import map_header_text
from tracecheck.normalise import normalise
from tracecheck.read import from_arrow, read_batch, read_frame
from tracecheck.read.limits import Limits
from tracecheck.redact import redact
from tracecheck.report import Report, build_report
from tracecheck.report.build import is_identification
from tracecheck.ruleset import RulePack, load_pack

DATE_ORDERS = ("auto", "dayfirst", "monthfirst")

Source = str | os.PathLike[str] | pd.DataFrame | Any  # Any: a pyarrow.Table (pyarrow is imported on use)


def check(source: Source, rules: str | os.PathLike[str] | RulePack | None = None, *,
          sheet: str | None = None, header_row: int | None = None, mapping: dict[str, str] | None = None,
          date_order: str = "auto",
          select: str | Iterable[str] | None = None, ignore: str | Iterable[str] | None = None,
          as_of: str | dt.date | None = None, name: str | None = None, lang: str = "en",
          locale: str | None = None, limits: Limits | None = None, redact_key: str | None = None,
          history: Any = None, store_rows: bool = False,
          progress: Callable[[str], None] | None = None) -> Report:
    """Check one trace-request batch and return its Report.

    ``source`` is a path to an .xlsx/.csv file, a pandas DataFrame or a pyarrow Table (rows are
    numbered as if written to a sheet with the header on row 1; each finding also carries the
    row's index label, ``index``: the DataFrame's own, or the row's position in the Table).
    ``rules`` is a rule-pack path or a loaded RulePack (default: the shipped pack). ``sheet`` names
    the worksheet to read (default: the one whose headers map best to the trace fields); ``"all"``
    checks every sheet of that sheet's layout as one batch (monthly tabs): findings name their
    ``sheet``, and the rows of the k-th sheet (from 0) are numbered k × 10,000,000 + their row.
    ``header_row`` (1-based) forces the header row instead of detecting it. ``mapping``
    forces field → header mappings. ``select``/``ignore`` take a code, prefix, name or family, a
    comma-separated string of them, or a list. ``as_of`` (a date, a datetime or ISO text such as
    "2026-11-30") is the reference date for future dates and two-digit years (default: today).
    ``lang`` (a catalogue language: "en", "es") is the language of every text in the report;
    ``locale`` (e.g. "es_ES") refines how numbers are written. ``limits`` bounds file size,
    unpacked size, rows, columns and cell length (safe defaults). ``redact_key`` replaces
    purchaser and possessor names with stable keyed hashes in every report (in the data and in
    every finding on those columns, cell text quoted by the reader included). ``history`` (a
    ``tracecheck.History``, or an existing store's path or URL, opened for this check) matches every row
    against the requests of the batches recorded in it before (rule TC204 prior-duplicate; the
    report's ``batch.history`` says what the store held) and keeps what ``History.record(report)``
    stores; ``store_rows`` keeps the submitted values of each row for the store too (names only as
    the keyed hashes of ``redact_key``, never as written). ``progress`` is called with each stage's
    name.

    Problems in the data are findings, never exceptions. Misuse raises: ``InputError`` for an
    unreadable file or unknown sheet, ``RulePackError`` for a bad pack or selector,
    ``ValueError`` for a bad argument (date order, as_of, language, locale), ``HistoryError`` for
    a history store that cannot be opened or read.
    """
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
    words = catalogue(lang, locale)
    day = as_of_date(as_of)
    full = rules if isinstance(rules, RulePack) else load_pack(None if rules is None else os.fspath(rules))
    pack, selected, ignored = full, _selectors(select), _selectors(ignore)
    if selected or ignored:
        pack = full.with_selection(selected, ignored)
    if mapping:
        pack = pack.with_map(mapping)
    if history is None:
        pack = _without_history_rules(pack)
    elif isinstance(history, (str, os.PathLike)):  # a store named by path or URL: opened for this check
        from tracecheck.history import History

        with History(history, create=False) as store:  # a path names a store to check against, not a new one
            return check(source, full, sheet=sheet, header_row=header_row, mapping=mapping, date_order=date_order,
                         select=select, ignore=ignore, as_of=as_of, name=name, lang=lang, locale=locale,
                         limits=limits, redact_key=redact_key, history=store, store_rows=store_rows,
                         progress=progress)
    _step(progress, "read")
    raw = read_source(source, pack, name=name, sheet=sheet, header_row=header_row, limits=limits)
    _step(progress, "normalise")
    with gc_paused():
        batch = normalise(raw, pack, date_order=date_order, as_of=day)
        if redact_key is not None:
            batch = redact(batch, redact_key)
        requests, prior, about = _prior(history, batch, pack, words, store_rows, redact_key is not None, progress)
        result = engine.run(batch, pack, words=words, progress=progress, prior=prior)
        identification = _identification(batch, full, pack, result.findings, words)
        _step(progress, "report")
        report = build_report(batch, pack, result.findings, duplicates=result.duplicates, words=words,
                              checked_at=dt.datetime.now(dt.UTC), identification=identification)
    if history is not None:
        report.batch["history"] = about
        report.history_requests = requests
    return report


def _without_history_rules(pack: RulePack) -> RulePack:
    """``pack`` without the rules about earlier batches (TC204) when there is no history store: they
    could find nothing, and listing them would read as "no prior duplicate". Kept when nothing else
    is selected (the report then says the rule ran and found nothing without a store)."""
    from dataclasses import replace

    kept = tuple(r for r in pack.rules if r.check != "prior_duplicate")
    return replace(pack, rules=kept) if kept and len(kept) < len(pack.rules) else pack


def _prior(history: Any, batch: Any, pack: RulePack, words: Any, store_rows: bool, redacted: bool,
           progress: Callable[[str], None] | None) -> tuple[Any, Any, Any]:
    """With a history store: the batch's requests as the store keeps them, their matches among the
    earlier batches' and what the report says of the store. (None, None, None) without one."""
    if history is None:
        return None, None, None
    from tracecheck.history.requests import batch_identity, request_frame
    from tracecheck.reference import compile_reference

    _step(progress, "history")
    reference = compile_reference(pack.reference)
    requests = request_frame(batch, reference, store_rows=store_rows, redacted=redacted)
    raw = batch.raw
    prior, about = history.prior(requests, batch_identity(raw.sha256, raw.sheet, raw.sheets), reference.matching,
                                 words)
    return requests, prior, about


def _identification(batch: Any, full: RulePack, pack: RulePack, findings: pd.DataFrame, words: Any
                    ) -> pd.DataFrame | None:
    """The findings of every identification rule of ``full`` (report.build.is_identification),
    when a selection left some out: those ``pack`` ran plus the others, run now but not reported,
    so the traceable share means the same whatever --select/--ignore say. None when ``pack`` ran
    them all (the report takes them from its findings)."""
    wanted = [r.code for r in full.rules if is_identification(r)]
    ran = {r.code for r in pack.rules}
    left_out = [code for code in wanted if code not in ran]
    if not left_out:
        return None
    columns = ["row", "rule", "severity", "reason"]
    extra = engine.run(batch, full.with_selection(left_out, None), words=words).findings[columns]
    return pd.concat([findings.loc[findings["rule"].isin(wanted), columns], extra], ignore_index=True)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a batch is checked, as it was before after.
    The checks build millions of short-lived objects and no reference cycles worth collecting; each
    full collection walks every live object (on a dense 200k-row batch, collections took a third of
    the duplicate stage). Reference counting still frees memory as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


def sheet_score(pack: RulePack) -> Callable[[list[str]], float]:
    """How well a sheet's headers map to the trace fields with ``pack``'s mapping: the required
    fields mapped (those of the error-level column_missing rules), then the fields mapped. The
    reader uses it to find the header and to choose the sheet."""
    required = {f for rule in pack.all_rules if rule.check == "column_missing" and rule.severity == "error"
                for f in rule.params.get("fields", ())}

    def score(headers: list[str]) -> float:
        mapped = map_header_text(headers, pack).fields
        return float(REQUIRED_WEIGHT * len(mapped & required) + len(mapped))

    return score


REQUIRED_WEIGHT = 1000  # one required field mapped outweighs any number of others


def read_source(source: Source, pack: RulePack, *, name: str | None = None, sheet: str | None = None,
                header_row: int | None = None, limits: Limits | None = None) -> Any:
    """``source`` read as ``check`` reads it with ``pack`` (its mapping ranks the sheets and header rows):
    the RawBatch that ``check`` maps and ``tracecheck map`` shows, so a map it writes fits ``check``."""
    if isinstance(source, pd.DataFrame):
        return read_frame(source, name=name)
    if type(source).__module__.startswith("pyarrow") and hasattr(source, "to_pandas"):
        return read_frame(from_arrow(source), name=name)
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(f"source must be a file path, a pandas DataFrame or a pyarrow Table, not "
                         f"{type(source).__name__}")
    return read_batch(source, sheet=sheet, header_row=header_row, limits=limits, sheet_score=sheet_score(pack))


def _step(progress: Callable[[str], None] | None, stage: str) -> None:
    if progress:
        progress(stage)
