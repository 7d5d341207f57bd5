"""A sheet's date columns → dates, parse statuses and the day/month order each was read in, and why.

Pure: no I/O. How one column's order is decided, first rule that applies:

1. ``--dayfirst`` / ``--monthfirst`` (``option``);
2. a format hint in the column's header, ``Fecha (dd/mm/aaaa)`` (``header_hint``, from the mapping);
3. the column's own values, when those that fit one order only settle it (``values``);
4. the order the sheet's other date columns settled, since one sheet keeps one convention
   (``other_columns``);
5. the sheet's convention (``sheet_convention``): Spanish or Portuguese date headers (Fecha, Data)
   and a ``;`` delimiter are written where dates are day-first; a cp1252 file supports them but
   decides nothing alone (US Excel saves cp1252 too). The column then gets one batch-level finding
   saying so, not one warning per cell;
6. nothing: values that fit both orders are read month-first and each is flagged ``ambiguous``.

Once a column's order is settled, a value that fits only the opposite order is flagged
``order_conflict``. When such conflicts come from an agency whose own values settle the opposite
order (or when values of both orders leave the column unsettled), each such agency's rows are read
in its own order and its values that fit both orders are flagged ``ambiguous`` (possibly misread):
offices keep their own conventions inside one batch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracecheck.dates import ParsedDates, parse_dates
from tracecheck.mapping import ColumnMapping
from tracecheck.read import RawBatch
from tracecheck.schema import DATE_FIELDS
from tracecheck.text import fold

_DAY_FIRST_WORDS = ("FECHA", "FEC", "DATA")  # date-header words of languages that write day-first


@dataclass(frozen=True)
class DateOrder:
    """How one date column's day/month order was decided (see the module docstring)."""

    order: str | None  # "dayfirst", "monthfirst", or None when values that fit both stay ambiguous
    basis: str  # option, header_hint, values, other_columns, sheet_convention, none
    signals: tuple[str, ...] = ()  # for sheet_convention: day_first_headers, semicolon, cp1252
    ambiguous: int = 0  # distinct values that fit both orders
    agencies: tuple[tuple[str, str], ...] = ()  # (agency, order) of agencies read in their own order


@dataclass(frozen=True)
class DateColumn:
    field: str
    header: str
    parsed: ParsedDates
    order: DateOrder


def read_date_columns(raw: RawBatch, mapping: ColumnMapping, index: pd.Index, order: str, as_of: dt.date,
                      agency: pd.Series, plan: dict[str, DateOrder] | None = None) -> dict[str, DateColumn]:
    """The mapped date fields of ``raw`` parsed on ``index`` (sheet rows). ``order``: "auto",
    "dayfirst" or "monthfirst"; ``agency``: the agency text per row (missing where unknown).
    ``plan``: the orders already decided for the whole batch of which ``raw`` is a part (field ->
    DateOrder, as this function returned them for the batch or a sample of it): each field is read
    in its order (None: left open) and each listed agency in its own, whatever ``raw``'s values say."""
    sources = {f: raw.frame[h].set_axis(index) for f in DATE_FIELDS if (h := mapping.header_for(f))}
    headers = {f: str(mapping.header_for(f)) for f in sources}

    def parse(f: str, how: str, rows: np.ndarray | None = None, flag_ambiguous: bool = False) -> ParsedDates:
        values = sources[f] if rows is None else sources[f][rows]
        return parse_dates(values, order=how, fallback="monthfirst", today=as_of, date_system=raw.date_system,
                           flag_ambiguous=flag_ambiguous)

    if plan is not None:
        return {f: _planned(f, headers[f], plan.get(f) or DateOrder(None, "none"), agency, parse) for f in sources}

    columns: dict[str, DateColumn] = {}
    for f in sources:
        hint = mapping.date_order_for(f) if order == "auto" else None
        how, basis = (order, "option") if order != "auto" else (hint, "header_hint") if hint else ("auto", "values")
        parsed = parse(f, how)
        basis = basis if parsed.resolved_order else "none"
        columns[f] = DateColumn(f, headers[f], parsed, DateOrder(parsed.resolved_order, basis,
                                                                 ambiguous=parsed.evidence.get("ambiguous", 0)))
    settled = {c.order.order for c in columns.values()} - {None}
    sheet = settled.pop() if len(settled) == 1 else None
    signals = _convention_signals(raw, headers.values())
    for f, c in columns.items():
        if c.order.order is not None or not c.order.ambiguous:
            continue
        if sheet:
            columns[f] = DateColumn(f, c.header, parse(f, sheet), DateOrder(sheet, "other_columns",
                                                                            ambiguous=c.order.ambiguous))
        elif _day_first(signals):
            columns[f] = DateColumn(f, c.header, parse(f, "dayfirst"),
                                    DateOrder("dayfirst", "sheet_convention", signals, c.order.ambiguous))
    if agency.isna().all():
        return columns
    return {f: _agency_orders(c, agency, parse) for f, c in columns.items()}


def _convention_signals(raw: RawBatch, headers) -> tuple[str, ...]:
    found = []
    if any(fold(h).split(" ")[0] in _DAY_FIRST_WORDS for h in headers if h):
        found.append("day_first_headers")
    if raw.delimiter == ";":
        found.append("semicolon")
    if (raw.encoding or "").lower().replace("-", "") in ("cp1252", "windows1252", "latin1", "iso88591"):
        found.append("cp1252")
    return tuple(found)


def _day_first(signals: tuple[str, ...]) -> bool:
    return bool({"day_first_headers", "semicolon"} & set(signals))


def _planned(field: str, header: str, order: DateOrder, agency: pd.Series, parse) -> DateColumn:
    """One date column read as ``order`` says: its order (None: left open), then each listed agency's rows
    in that agency's own order, their values that fit both orders flagged ambiguous."""
    column = DateColumn(field, header, parse(field, order.order or "none"), order)
    moved = {name: own for name, own in order.agencies}
    if not moved:
        return column
    return _read_agencies(column, agency, parse, moved, order)


def _read_agencies(column: DateColumn, agency: pd.Series, parse, orders: dict[str, str], order: DateOrder
                   ) -> DateColumn:
    """``column`` with each agency of ``orders`` read in its own order (ambiguous values flagged)."""
    parsed = column.parsed
    dates = parsed.dates.to_numpy(copy=True)
    status = parsed.status.astype("str").to_numpy(dtype=object, copy=True)
    for name, own_order in orders.items():
        rows = agency.eq(name).fillna(False).to_numpy(dtype=bool)
        own = parse(column.field, own_order, rows, flag_ambiguous=True)
        dates[rows] = own.dates.to_numpy()
        status[rows] = own.status.astype("str").to_numpy(dtype=object)
    index, label = parsed.dates.index, parsed.dates.name
    new = ParsedDates(dates=pd.Series(dates, index=index, name=label),
                      status=pd.Series(pd.Categorical(status, categories=parsed.status.cat.categories), index=index,
                                       name=label),
                      two_digit_year=parsed.two_digit_year, resolved_order=parsed.resolved_order,
                      evidence=parsed.evidence)
    return DateColumn(column.field, column.header, new, order)


def _agency_orders(column: DateColumn, agency: pd.Series, parse) -> DateColumn:
    """Read in its own order each agency whose values settle an order the column does not have: the
    agencies of the conflicting values when the column's order is settled, every agency when values of
    both orders left the column unsettled. Their values that fit both orders are flagged ambiguous."""
    parsed, order = column.parsed, column.order
    if order.order is not None:
        candidates = agency[parsed.status.eq("order_conflict").to_numpy()]
    elif parsed.evidence.get("dayfirst") and parsed.evidence.get("monthfirst"):
        candidates = agency
    else:
        return column
    moved = []
    for name in pd.unique(candidates.dropna()):
        rows = agency.eq(name).fillna(False).to_numpy(dtype=bool)
        own_order = parse(column.field, "auto", rows).resolved_order
        if own_order is None or own_order == order.order:
            continue  # the agency's own values settle nothing new: its values keep the column's reading
        moved.append((str(name), own_order))
    if not moved:
        return column
    return _read_agencies(column, agency, parse, dict(moved),
                          DateOrder(order.order, order.basis, order.signals, order.ambiguous, tuple(moved)))
