"""Parse one spreadsheet date column (English and Spanish) into day-resolution dates.

Cells may be ``datetime``/``date``/``pd.Timestamp``/``np.datetime64`` objects, Excel serial
numbers (number or numeric text, origin 1899-12-30, plausible range 1900-01-01..2100-12-31, also
written with a thousands separator: ``42,932``), text in ISO, numeric day/month/year or month-name
formats (English or Spanish, with or without a weekday, with ordinals: ``1st``, ``1°``, ``1o.``,
``primero``, compact: ``15JAN2024``), machine date-times (ISO 8601 with fractions and zones,
JavaScript's ``Thu Jan 27 2022 00:00:00 GMT-0600 (…)``), or blanks. Every result is a day: times
of day and zones are dropped, so a date-time gives the calendar date as written, at midnight.

Unknown dates: database sentinels (1900-01-01, 1899-12-30/31, 9999-12-31, 00/00/0000) and words
(unknown, desconocida, N/D, S/F, sin fecha, no aplica) are status ``placeholder``: no date, and
never "unparseable".

Speed: the column is factorised, only its distinct values are parsed (precompiled regexes), and
the results are mapped back with one numpy take. A column that is already datetime64 is not
parsed at all.

Two-digit years resolve to the century that keeps the full date at or before ``today`` (the
check date): read on 2026-11-01, ``11/30/26`` is 1926-11-30, ``10/30/26`` 2026-10-30.

Day/month order: "03/04/2021" is ambiguous. A value whose first part is > 12 can only be
day-first and one whose second part is > 12 can only be month-first; the column's distinct
unambiguous values decide the order when ``order="auto"`` (one kind alone, or outnumbering the
other at least 10:1). If the order stays undetermined, ambiguous values are read with
``fallback`` and marked ``"ambiguous"``. Once the order is settled, a value that fits only the
opposite order (``01/13/2024`` in a day-first column) is read the only way it fits and marked
``"order_conflict"``: the column's other values may have been misread, or the row came from
another office.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

__all__ = ["STATUSES", "ParsedDates", "parse_dates"]

STATUSES = ("ok", "blank", "unparseable", "ambiguous", "placeholder", "order_conflict")
_OK, _BLANK, _BAD, _AMBIG, _UNKNOWN, _CONFLICT = range(6)
# What a numeric D/M/Y text value allows: one fixed reading, only day-first, only
# month-first, or both (ambiguous).
_FIXED, _ONLY_DF, _ONLY_MF, _BOTH = range(4)
_ORDERS = ("dayfirst", "monthfirst")
_EVIDENCE_RATIO = 10

_NAT = np.iinfo(np.int64).min
_EPOCH = _dt.date(1970, 1, 1).toordinal()
_MIN_YEAR, _MAX_YEAR = 1678, 2261  # whole years inside the datetime64[ns] range
_MIN_DAY = _dt.date(_MIN_YEAR, 1, 1).toordinal() - _EPOCH
_MAX_DAY = _dt.date(_MAX_YEAR, 12, 31).toordinal() - _EPOCH
_EXCEL_ORIGINS = {1900: _dt.date(1899, 12, 30).toordinal() - _EPOCH,  # serial 1 = 1900-01-01 (Windows Excel)
                  1904: _dt.date(1904, 1, 1).toordinal() - _EPOCH}  # serial 0 = 1904-01-01 (old Mac Excel)
_SERIAL_MIN, _SERIAL_MAX = 2, 73415  # 1900-01-01 .. 2100-12-31
_COMPACT_MIN, _COMPACT_MAX = 19000101, 21001231
# Per (year, month) from _MIN_YEAR-01: days of the 1st since 1970-01-01, and month length.
_MONTH_START = [_dt.date(y, m, 1).toordinal() - _EPOCH
                for y in range(_MIN_YEAR, _MAX_YEAR + 1) for m in range(1, 13)]
_MONTH_LENGTH = [calendar.monthrange(y, m)[1]
                 for y in range(_MIN_YEAR, _MAX_YEAR + 1) for m in range(1, 13)]

_MONTH_NAMES = {
    1: "january jan enero ene",
    2: "february feb febrero",
    3: "march mar marzo",
    4: "april apr abril abr",
    5: "may mayo",
    6: "june jun junio",
    7: "july jul julio",
    8: "august aug agosto ago",
    9: "september sep sept septiembre setiembre set",
    10: "october oct octubre",
    11: "november nov noviembre",
    12: "december dec diciembre dic",
}
_MONTHS = {name: num for num, names in _MONTH_NAMES.items() for name in names.split()}
# Weekday names a long date may start with ("mar", Spanish for Tuesday, is left out: it is March too).
_WEEKDAYS = ("monday mon tuesday tue tues wednesday wed thursday thu thurs friday fri saturday sat sunday sun "
             "lunes lun martes miercoles mie jueves jue viernes vie sabado sab domingo dom").split()
# Words that say the date is not known (folded: lower case, no accents, spaces for punctuation).
_UNKNOWN_WORDS = frozenset({"unknown", "unk", "n a", "na", "n d", "nd", "s f", "sf", "sin fecha", "no aplica",
                            "desconocida", "desconocido", "se desconoce", "no disponible", "none", "null", "nan",
                            "tbd", "pending", "pendiente", "?", "-", "--", "---", "x", "xx"})
# Sentinel dates databases write for "unknown": days since 1970-01-01.
_SENTINEL_DAYS = frozenset(_dt.date(*ymd).toordinal() - _EPOCH
                           for ymd in ((1900, 1, 1), (1899, 12, 30), (1899, 12, 31)))
_SENTINEL_YEAR = 9999  # 9999-12-31 and friends: "no end", i.e. unknown
_ZEROS = re.compile(r"[0\s/.\-]*0[0\s/.\-]*")  # 00/00/0000, 0000-00-00, 0
_WORD_SEPARATORS = re.compile(r"[\s./_]+")

# An optional time of day after the date, with an optional zone; it is matched and ignored.
_TIME = (r"(?:(?:t|\s+|\s*,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
         r"(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:z|(?:utc|gmt)?\s*[+-]\d{2}:?\d{2}|utc|gmt))?"
         r"(?:\s*\([^)]*\))?)?")
_SEP = r"(?:\s*[-/.,]\s*|\s+)"
_YEAR = r"(?P<y>\d{4}|\d{2})"
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th|o\.?|°|º|ro\.?)?"
_MON = r"(?P<m>[a-z]+)\.?"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern + _TIME)


_NUMERIC = _compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_ISO = _compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DIGITS = re.compile(r"(\d+)(?:[.,](\d+))?")
_THOUSANDS = re.compile(r"(\d{1,3})[,.](\d{3})")  # 42,932: an Excel serial formatted with a separator
_WEEKDAY = re.compile(r"(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?(?:\s*,\s*|\s+)")
_NAMED = (
    _compile(_DAY + rf"(?:{_SEP}|\s+de\s+)" + _MON + rf"(?:{_SEP}|\s+del?\s+)" + _YEAR),
    _compile(_MON + _SEP + _DAY + _SEP + _YEAR),
    _compile(r"(?P<y>\d{4})" + _SEP + _MON + _SEP + _DAY),
    _compile(r"(?P<d>\d{1,2})(?P<m>[a-z]{3,})(?P<y>\d{4}|\d{2})"),  # 15jan2024
)

# One parsed distinct value: (status, kind, day-first days, month-first days, two-digit year).
# Days count from 1970-01-01; both readings are equal unless kind is _BOTH.
_Result = tuple[int, int, int, int, bool]
_BLANK_RESULT: _Result = (_BLANK, _FIXED, _NAT, _NAT, False)
_BAD_RESULT: _Result = (_BAD, _FIXED, _NAT, _NAT, False)
_UNKNOWN_RESULT: _Result = (_UNKNOWN, _FIXED, _NAT, _NAT, False)


@dataclass(frozen=True)
class ParsedDates:
    """The parsed column; every Series has the input's index and name.

    ``dates`` is datetime64[ns] at midnight, NaT where blank or unparseable. ``status`` is a
    Categorical over ``STATUSES``. ``evidence`` counts distinct values that can only be
    day-first, only month-first, or are ambiguous.
    """

    dates: pd.Series
    status: pd.Series
    two_digit_year: pd.Series
    resolved_order: str | None
    evidence: dict[str, int]


def parse_dates(values: pd.Series, *, order: str = "auto", fallback: str = "monthfirst",
                today: _dt.date | None = None, date_system: int = 1900, flag_ambiguous: bool = False) -> ParsedDates:
    """Parse a date column; see the module docstring for the accepted forms and order rules.

    ``order`` is "auto", "dayfirst" or "monthfirst", or "none": no order is settled, whatever the
    values say (a column whose order was left open for a whole batch, read in parts); ``fallback``
    ("dayfirst" for Spanish sheets) reads ambiguous values when the order is undetermined. ``today`` (the check date)
    resolves two-digit years: the century that keeps the date at or before it.
    An explicit ``order`` is returned as ``resolved_order``. ``date_system`` (1900 or 1904, from the
    workbook) is the origin of Excel serial numbers. ``flag_ambiguous`` marks values that fit both
    orders "ambiguous" even when the order is settled (an order inferred for part of a column).
    """
    if order not in ("auto", "none", *_ORDERS):
        raise ValueError(f"order must be 'auto', 'none', 'dayfirst' or 'monthfirst', not {order!r}")
    if fallback not in _ORDERS:
        raise ValueError(f"fallback must be 'dayfirst' or 'monthfirst', not {fallback!r}")
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _from_datetime_column(values, order)
    pivot = today or _dt.date.today()
    origin = _EXCEL_ORIGINS[date_system]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = _parse_uniques(uniques.tolist(), pivot, origin)
    return _assemble(values, codes, table, order, fallback, flag_ambiguous)


def _from_datetime_column(values: pd.Series, order: str) -> ParsedDates:
    """Fast path: a datetime64 column is only truncated to days and range-checked."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # keep the local wall-clock day
    days = values.to_numpy().astype("M8[D]").view("i8")
    status = np.where(days == _NAT, _BLANK, _OK).astype(np.int8)
    out_of_range = (days != _NAT) & ((days < _MIN_DAY) | (days > _MAX_DAY))
    status[out_of_range] = _BAD
    days = np.where(out_of_range, _NAT, days)
    evidence = {"dayfirst": 0, "monthfirst": 0, "ambiguous": 0}
    resolved = None if order in ("auto", "none") else order
    two = np.zeros(len(days), dtype=bool)
    return _build(values, days, status, two, resolved, evidence)


def _parse_uniques(uniques: list, pivot: _dt.date, origin: int) -> tuple[np.ndarray, ...]:
    """Parse each distinct value; return status, kind, df days, mf days, two-digit arrays."""
    results = [_parse_value(value, pivot, origin) for value in uniques]
    if not results:
        results = [_BLANK_RESULT]  # keeps dtypes; never indexed
    status, kind, df_days, mf_days, two = zip(*results)
    return (np.array(status, dtype=np.int8), np.array(kind, dtype=np.int8),
            np.array(df_days, dtype=np.int64), np.array(mf_days, dtype=np.int64),
            np.array(two, dtype=bool))


def _assemble(values: pd.Series, codes: np.ndarray, table: tuple[np.ndarray, ...],
              order: str, fallback: str, flag_ambiguous: bool = False) -> ParsedDates:
    """Resolve the column's day/month order, then map per-unique results onto the rows."""
    status, kind, df_days, mf_days, two = table
    evidence = {"dayfirst": int(np.count_nonzero(kind == _ONLY_DF)),
                "monthfirst": int(np.count_nonzero(kind == _ONLY_MF)),
                "ambiguous": int(np.count_nonzero(kind == _BOTH))}
    resolved = _infer_order(evidence) if order == "auto" else None if order == "none" else order
    days = df_days if (resolved or fallback) == "dayfirst" else mf_days
    if resolved is None or flag_ambiguous:
        status = np.where(kind == _BOTH, _AMBIG, status).astype(np.int8)
    if resolved is not None:
        opposite = _ONLY_MF if resolved == "dayfirst" else _ONLY_DF
        status = np.where((kind == opposite) & (status == _OK), _CONFLICT, status).astype(np.int8)
    # Code -1 (a missing value) picks the appended blank entry.
    days = np.append(days, _NAT)[codes]
    status = np.append(status, np.int8(_BLANK))[codes]
    two = np.append(two, False)[codes]
    return _build(values, days, status, two, resolved, evidence)


def _infer_order(evidence: dict[str, int]) -> str | None:
    """The column order from counts of distinct only-day-first / only-month-first values."""
    df, mf = evidence["dayfirst"], evidence["monthfirst"]
    if df and df >= _EVIDENCE_RATIO * mf:
        return "dayfirst"
    if mf and mf >= _EVIDENCE_RATIO * df:
        return "monthfirst"
    return None


def _build(values: pd.Series, days: np.ndarray, status: np.ndarray, two: np.ndarray,
           resolved: str | None, evidence: dict[str, int]) -> ParsedDates:
    index, name = values.index, values.name
    dates = days.view("M8[D]").astype("M8[ns]")
    categories = pd.Categorical.from_codes(status, categories=pd.Index(list(STATUSES)))
    return ParsedDates(
        dates=pd.Series(dates, index=index, name=name),
        status=pd.Series(categories, index=index, name=name),
        two_digit_year=pd.Series(two, index=index, name=name),
        resolved_order=resolved,
        evidence=evidence,
    )


def _parse_value(value: object, pivot: _dt.date, origin: int) -> _Result:
    """Parse one distinct cell value of any supported type."""
    if isinstance(value, str):
        return _parse_text(value, pivot, origin)
    if value is None or value is pd.NaT or value is pd.NA:
        return _BLANK_RESULT
    if isinstance(value, (bool, np.bool_)):
        return _BAD_RESULT
    if isinstance(value, _dt.date):  # datetime, Timestamp and date
        return _fixed(_days(value.year, value.month, value.day))
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return _BLANK_RESULT
        days = int(value.astype("M8[D]").view("i8"))
        return _fixed(days if _MIN_DAY <= days <= _MAX_DAY else None)
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, (int, float, Decimal)):
        if value != value:
            return _BLANK_RESULT
        return _UNKNOWN_RESULT if value == 0 else _fixed(_from_number(value, origin))
    return _BAD_RESULT


def _parse_text(text: str, pivot: _dt.date, origin: int) -> _Result:
    """Parse one text value; the first matching format wins."""
    text = text.strip().lower()
    if not text:
        return _BLANK_RESULT
    if not text.isascii():
        text = _fold_accents(text).replace("\u00ba", "o")  # 1º (ordinal indicator) reads as 1o
    if _WORD_SEPARATORS.sub(" ", text).strip() in _UNKNOWN_WORDS or _ZEROS.fullmatch(text):
        return _UNKNOWN_RESULT
    if match := _NUMERIC.fullmatch(text):
        return _numeric_dmy(int(match[1]), int(match[3]), match[4], pivot)
    if match := _ISO.fullmatch(text):
        return _fixed(_days(int(match[1]), int(match[3]), int(match[4])), year=int(match[1]))
    if match := _THOUSANDS.fullmatch(text):
        return _fixed(_from_number(int(match[1] + match[2]), origin))
    if match := _DIGITS.fullmatch(text):
        whole, fraction = match[1], match[2]
        if len(whole) > 8 or (len(whole) == 8 and fraction and fraction.strip("0")):
            return _BAD_RESULT
        return _fixed(_from_number(int(whole), origin))
    text = _WEEKDAY.sub("", text, count=1) if _WEEKDAY.match(text) else text
    text = text.replace("primero", "1")
    for pattern in _NAMED:
        if match := pattern.fullmatch(text):
            return _named(match, pivot)
    return _BAD_RESULT


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _numeric_dmy(first: int, second: int, year_text: str, pivot: _dt.date) -> _Result:
    """A numeric D/M/Y or M/D/Y value: classify which readings are valid dates."""
    if int(year_text) == _SENTINEL_YEAR:
        return _UNKNOWN_RESULT
    df, two = _reading(year_text, second, first, pivot)
    mf, _ = _reading(year_text, first, second, pivot)
    if df in _SENTINEL_DAYS or mf in _SENTINEL_DAYS:
        return _UNKNOWN_RESULT
    if df is None and mf is None:
        return _BAD_RESULT
    if mf is None:
        assert df is not None
        return (_OK, _ONLY_DF, df, df, two)
    if df is None:
        return (_OK, _ONLY_MF, mf, mf, two)
    kind = _FIXED if first == second else _BOTH
    return (_OK, kind, df, mf, two)


def _named(match: re.Match[str], pivot: _dt.date) -> _Result:
    """A value with a month name (English or Spanish, full or abbreviated)."""
    month = _MONTHS.get(match["m"])
    if month is None:
        return _BAD_RESULT
    if int(match["y"]) == _SENTINEL_YEAR:
        return _UNKNOWN_RESULT
    days, two = _reading(match["y"], month, int(match["d"]), pivot)
    if days is None:
        return _BAD_RESULT
    if days in _SENTINEL_DAYS:
        return _UNKNOWN_RESULT
    return (_OK, _FIXED, days, days, two)


def _reading(year_text: str, month: int, day: int, pivot: _dt.date) -> tuple[int | None, bool]:
    """Days of the date, and whether its year was written with two digits. A two-digit year takes
    the century that keeps the date at or before ``pivot`` (the check date)."""
    year = int(year_text)
    if len(year_text) != 2:
        return _days(year, month, day), False
    century = pivot.year - pivot.year % 100
    days = _days(century + year, month, day)
    if days is None or days > pivot.toordinal() - _EPOCH:
        days = _days(century - 100 + year, month, day)
    return days, True


def _from_number(number: int | float | Decimal, origin: int) -> int | None:
    """Days for an Excel serial number (counted from ``origin``), or for an 8-digit YYYYMMDD integer."""
    if _COMPACT_MIN <= number <= _COMPACT_MAX and number == int(number):
        compact = int(number)
        return _days(compact // 10000, compact // 100 % 100, compact % 100)
    if not _SERIAL_MIN <= number < _SERIAL_MAX + 1:
        return None
    return origin + math.floor(number)


def _days(year: int, month: int, day: int) -> int | None:
    """Days since 1970-01-01, or None for an impossible or out-of-range date."""
    if not (1 <= month <= 12 and _MIN_YEAR <= year <= _MAX_YEAR):
        return None
    slot = (year - _MIN_YEAR) * 12 + month - 1
    if not 1 <= day <= _MONTH_LENGTH[slot]:
        return None
    return _MONTH_START[slot] + day - 1


def _fixed(days: int | None, year: int | None = None) -> _Result:
    """The result for a value with a single possible reading (a sentinel date means unknown)."""
    if year == _SENTINEL_YEAR or days in _SENTINEL_DAYS:
        return _UNKNOWN_RESULT
    if days is None:
        return _BAD_RESULT
    return (_OK, _FIXED, days, days, False)
