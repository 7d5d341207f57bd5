"""``tracecheck history list|show|forget|trend`` and the ``--history``/``--record`` options of check.

The store is named by ``--history PATH|URL``, else ``TRACECHECK_HISTORY``, else the per-user file
(``tracecheck.history.database``). A store that cannot be opened is one line on standard error and
exit code 4.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from tracecheck.errors import TracecheckError

SPREADSHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
DEFAULT = "\0default"  # --history given without a value


def _history_value(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--history's value; a spreadsheet's name there is an input the option swallowed."""
    if value is not None and not value.strip():
        raise click.BadParameter("is empty; give the store's path or URL, or --history alone for the default",
                                 param_hint="--history")
    if value and value != DEFAULT and value.lower().endswith(SPREADSHEET_SUFFIXES):
        raise click.BadParameter(f"{value!r} is a spreadsheet, not a history store; put --history after the inputs "
                                 "or give the store: --history=history.sqlite", param_hint="--history")
    return value


_HISTORY = click.option(
    "--history", "history", is_flag=False, flag_value=DEFAULT, default=None, metavar="PATH|URL",
    callback=_history_value,
    help="Check each input against the batches recorded in a history store (rule TC204): a SQLite file, or "
         "postgresql://user@host/db for a shared one. Without a value: TRACECHECK_HISTORY, else the per-user store.")
_STORE = click.option("--history", "history", default=None, metavar="PATH|URL",
                      help="The history store (default: TRACECHECK_HISTORY, else the per-user store).")


def _fail(exc: TracecheckError) -> None:
    click.echo(f"tracecheck: error: {exc}", err=True)
    sys.exit(exc.exit_code)


@contextmanager
def open_history(target: str | None, record: bool, *, create: bool = True) -> Iterator[Any]:
    """The store check uses: None without --history and --record; exits 4 when it cannot be opened
    (or, without ``create``, does not exist)."""
    if target is None and not record:
        yield None
        return
    from tracecheck.history import History

    try:
        store = History(None if target in (None, DEFAULT) else target, create=create)
    except TracecheckError as exc:
        _fail(exc)
    try:
        yield store
    finally:
        store.close()


def history_line(recorded: Any, words: Any) -> str:
    """What check says of the store after an input, below the summary (which says what the batch was
    checked against): whether it was recorded."""
    key = "history_recorded" if recorded.added else "history_already"
    return words.text("terminal", key, number=recorded.number, digest=recorded.digest[:12],
                      requests=recorded.requests)


@click.group("history")
def history() -> None:
    """The batches recorded with `check --record`: list them, show one, forget one, and see quality
    move over time (`trend`)."""


@history.command("list")
@_STORE
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def list_batches(history: str | None, as_json: bool) -> None:
    """Every recorded batch, oldest first: number, digest, file, when recorded, rows, usable serials."""
    with open_history(history or DEFAULT, False, create=False) as store:
        table = store.batches()
    if as_json:
        for record in table.to_dict("records"):
            click.echo(json.dumps(_plain(record), ensure_ascii=False))
        return
    if table.empty:
        click.echo(f"no batch recorded in {store.name}")
        return
    rows = [(str(r["number"]), str(r["digest"])[:12], str(r["source"]), r["sheet"] or "-", _when(r["recorded_at"]),
             str(r["rows"]), _share(r["usable_serial"], r["rows"]), str(r["prior_duplicate_rows"]))
            for r in table.to_dict("records")]
    _table(("batch", "digest", "file", "sheet", "recorded", "rows", "usable serial", "prior dup."), rows)


@history.command("show")
@click.argument("batch")
@_STORE
def show_batch(batch: str, history: str | None) -> None:
    """One batch (its number or the start of its digest): what was recorded, and its quality per agency."""
    with open_history(history or DEFAULT, False, create=False) as store:
        try:
            row, agencies = store.batch(batch)
        except TracecheckError as exc:
            _fail(exc)
    for key in ("number", "digest", "source", "sheet", "recorded_at", "as_of", "tracecheck_version", "rule_pack",
                "rows", "usable_serial", "missing_import_marking", "duplicate_rows", "prior_duplicate_rows",
                "request_age_median", "stored_rows"):
        value = _plain(row.get(key))
        click.echo(f"{key}: {'-' if value is None else value}")
    _table(("agency", "rows", "usable serial", "no import marking", "duplicate", "prior dup.", "median age (d)"),
           [(a["agency"] or "(blank)", str(a["rows"]), _share(a["usable_serial"], a["rows"]),
             _share(a["missing_import_marking"], a["rows"]), _share(a["duplicate_rows"], a["rows"]),
             _share(a["prior_duplicate_rows"], a["rows"]), _days(a["request_age_median"]))
            for a in agencies.to_dict("records")])


@history.command("forget")
@click.argument("batch")
@_STORE
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget_batch(batch: str, history: str | None, yes: bool) -> None:
    """Remove a batch and everything stored of it (one transaction); later checks no longer see it."""
    with open_history(history or DEFAULT, False, create=False) as store:
        try:
            row, _agencies = store.batch(batch)
            if not yes:
                rows = f"{row['rows']} row{'' if row['rows'] == 1 else 's'}"
                click.confirm(f"forget batch {row['number']} ({row['source']}, {rows}) from {store.name}?",
                              abort=True, err=True)
            store.forget(str(row["number"]))
        except TracecheckError as exc:
            _fail(exc)
    requests = f"{row['rows']} request{'' if row['rows'] == 1 else 's'}"
    click.echo(f"forgot batch {row['number']} ({str(row['digest'])[:12]}, {row['source']}, {requests})", err=True)


@history.command("trend")
@_STORE
@click.option("--last", type=click.IntRange(min=1), default=None, help="Only the last N batches.")
@click.option("--agency", "agency", default=None, help="Only this agency (as the reports name it).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines (per batch, then per agency).")
def trend(history: str | None, last: int | None, agency: str | None, as_json: bool) -> None:
    """Quality over time, per batch and per agency within each batch: shares of usable serials, missing
    import markings, duplicate and prior-duplicate requests, and the median request age in days."""
    with open_history(history or DEFAULT, False, create=False) as store:
        batches, agencies = store.trend(), store.trend(by_agency=True)
    if last is not None:
        kept = batches["number"].tail(last)
        batches, agencies = batches[batches["number"].isin(kept)], agencies[agencies["number"].isin(kept)]
    if agency is not None:
        from tracecheck.reference import agency_name, agency_names
        from tracecheck.ruleset import load_pack
        from tracecheck.text import fold

        known = agencies["agency"].fillna("")
        named = agency_name(agency, agency_names(load_pack().reference))  # FGR, SEDENA: the pack's aliases
        chosen = known.map(fold).isin({fold(agency), fold(named)})
        if not chosen.any():
            names = ", ".join(sorted({a for a in known if a})[:20]) or "none"
            raise click.BadParameter(f"no agency {agency!r} in the batches shown; agencies: {names}",
                                     param_hint="--agency")
        agencies = agencies[chosen]
    if as_json:
        for kind, table in (("batch", batches), ("agency", agencies)):
            for record in table.to_dict("records"):
                click.echo(json.dumps({"kind": kind, **_plain(record)}, ensure_ascii=False))
        return
    heads = ("rows", "usable serial", "no import marking", "duplicate", "prior dup.", "median age (d)")
    if agency is None:
        _table(("batch", "file", "recorded", *heads), [(str(r["number"]), str(r["source"]), _when(r["recorded_at"]),
                                                        *_quality(r)) for r in batches.to_dict("records")])
        click.echo("")
    _table(("batch", "agency", *heads), [(str(r["number"]), r["agency"] or "(blank)", *_quality(r))
                                         for r in agencies.to_dict("records")])


def _quality(r: dict[str, Any]) -> tuple[str, ...]:
    return (str(r["rows"]), _pct(r["usable_serial_share"]), _pct(r["missing_import_share"]),
            _pct(r["duplicate_share"]), _pct(r["prior_duplicate_share"]), _days(r["request_age_median"]))


def _table(heads: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max([len(h), *(len(r[k]) for r in rows)]) for k, h in enumerate(heads)]
    for line in (heads, *rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())


def _pct(value: Any) -> str:
    return "-" if value is None or value != value else f"{100 * float(value):.1f}%"


def _share(part: Any, whole: Any) -> str:
    return _pct(float(part) / float(whole)) if whole else "-"


def _days(value: Any) -> str:
    return "-" if value is None or value != value else f"{float(value):.0f}"


def _when(value: Any) -> str:
    return str(value)[:16] if value is not None else "-"


def _plain(record: Any) -> Any:
    from tracecheck.history.store import _plain as plain

    if isinstance(record, dict):
        return {str(k): plain(v) for k, v in record.items()}
    return plain(record)
