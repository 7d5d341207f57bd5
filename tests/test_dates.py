"""Unit tests for tracecheck.dates.parse_dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from tracecheck.dates import STATUSES, ParsedDates, parse_dates

TODAY = dt.date(2026, 11, 22)


def parse_one(value, **kwargs):
    """Parse a one-cell object column; return (date or None, status, two_digit_year)."""
    result = parse_dates(pd.Series([value], dtype=object), today=TODAY, **kwargs)
    date = result.dates.iloc[0]
    return (None if pd.isna(date) else date.date()), result.status.iloc[0], \
        bool(result.two_digit_year.iloc[0])


def statuses(result: ParsedDates) -> list[str]:
    return result.status.astype(str).tolist()


def days(result: ParsedDates) -> list[dt.date | None]:
    return [None if pd.isna(d) else d.date() for d in result.dates]


# --- text formats -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2021-03-14", "2021/03/14", "2021.03.14", "2021-3-14", "20210314",
    "  2021-03-14  ", "2021-03-14 00:00:00", "2021-03-14T10:30", "2021-03-14T10:30:15.123Z",
    "2021-03-14 10:30 AM", "2021-03-14 10:30 p. m.",
])
def test_iso_and_compact(text):
    assert parse_one(text) == (dt.date(2021, 3, 14), "ok", False)


@pytest.mark.parametrize("text, expected", [
    ("14/3/2021", dt.date(2021, 3, 14)),      # day > 12: only day-first
    ("14-03-2021", dt.date(2021, 3, 14)),
    ("14.03.2021", dt.date(2021, 3, 14)),
    ("3/14/2021", dt.date(2021, 3, 14)),      # second part > 12: only month-first
    ("03-14-2021", dt.date(2021, 3, 14)),
    ("14/03/21", dt.date(2021, 3, 14)),
    ("3/14/21", dt.date(2021, 3, 14)),
    ("14 / 03 / 2021", dt.date(2021, 3, 14)),
    ("14/03/2021 10:30 AM", dt.date(2021, 3, 14)),
])
def test_numeric_day_month_year(text, expected):
    assert parse_one(text)[:2] == (expected, "ok")


@pytest.mark.parametrize("text", [
    "12-Jan-2021", "12 jan 2021", "12 ene 2021", "12 ENE. 2021", "12/ENE/21", "12.ene.2021",
    "Jan 12, 2021", "January 12 2021", "january 12th, 2021", "Ene. 12, 2021", "enero 12 2021",
    "12 de enero de 2021", "12 de Enero del 2021", "12 January, 2021", "2021-Jan-12",
    "12-Jan-2021 00:00:00",
])
def test_month_names_january(text):
    assert parse_one(text)[:2] == (dt.date(2021, 1, 12), "ok")


@pytest.mark.parametrize("name, month", [
    ("jan", 1), ("ene", 1), ("enero", 1), ("january", 1),
    ("feb", 2), ("febrero", 2), ("february", 2),
    ("mar", 3), ("marzo", 3), ("march", 3),
    ("apr", 4), ("abr", 4), ("abril", 4), ("april", 4),
    ("may", 5), ("mayo", 5),
    ("jun", 6), ("junio", 6), ("june", 6),
    ("jul", 7), ("julio", 7), ("july", 7),
    ("aug", 8), ("ago", 8), ("agosto", 8), ("august", 8),
    ("sep", 9), ("sept", 9), ("sept.", 9), ("set", 9), ("septiembre", 9), ("setiembre", 9),
    ("september", 9),
    ("oct", 10), ("octubre", 10), ("october", 10),
    ("nov", 11), ("noviembre", 11), ("november", 11),
    ("dec", 12), ("dic", 12), ("dic.", 12), ("diciembre", 12), ("december", 12),
])
def test_every_month_name(name, month):
    assert parse_one(f"5 {name} 2020")[:2] == (dt.date(2020, month, 5), "ok")
    assert parse_one(f"{name.upper()} 5, 2020")[:2] == (dt.date(2020, month, 5), "ok")


@pytest.mark.parametrize("text", [
    "5 de Séptiembre de 2020", "5 SEPTIEMBRE 2020", "5 sétiembre 2020",
])
def test_month_names_are_accent_and_case_insensitive(text):
    assert parse_one(text)[:2] == (dt.date(2020, 9, 5), "ok")


@pytest.mark.parametrize("text", [
    "31/02/2020", "30-02-2021", "29/02/2021", "13/13/2020", "0/5/2021", "2021-02-30", "2021-13-01",
    "20210230", "31 feb 2021", "5 foo 2021", "1 février 2020", "abc", "10:30", "12/2021",
    "123456", "202103141", "12-05", "12/05/021", "--x",
])
def test_unparseable_text(text):
    assert parse_one(text) == (None, "unparseable", False)


def test_leap_day_is_valid_only_in_leap_years():
    assert parse_one("29/02/2020")[:2] == (dt.date(2020, 2, 29), "ok")
    assert parse_one("2000-02-29")[:2] == (dt.date(2000, 2, 29), "ok")
    assert parse_one("1900-02-29")[1] == "unparseable"


# --- Excel serials ----------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (45123, dt.date(2023, 7, 16)), (45123.0, dt.date(2023, 7, 16)), ("45123", dt.date(2023, 7, 16)),
    ("45123.0", dt.date(2023, 7, 16)), (" 45123 ", dt.date(2023, 7, 16)),
    (45123.75, dt.date(2023, 7, 16)), (np.int64(45123), dt.date(2023, 7, 16)),
    (np.float64(45123.0), dt.date(2023, 7, 16)), (Decimal("45123"), dt.date(2023, 7, 16)),
    (61, dt.date(1900, 3, 1)), (60, dt.date(1900, 2, 28)),
    (3, dt.date(1900, 1, 2)), (73415, dt.date(2100, 12, 31)),
    (20210314, dt.date(2021, 3, 14)),  # an 8-digit number is read as YYYYMMDD, like its text
    ("2021", dt.date(1905, 7, 13)),  # a bare year is numeric text, hence a (plausible) serial
])
def test_excel_serials(value, expected):
    assert parse_one(value) == (expected, "ok", False)


@pytest.mark.parametrize("value", [99999, "99999", 73416, 1, -5, 1.5e9, float("inf"), 20210230,
                                   True])
def test_out_of_range_serials_are_unparseable(value):
    assert parse_one(value) == (None, "unparseable", False)


def test_integer_and_float_columns():
    result = parse_dates(pd.Series([45123, 45124]), today=TODAY)
    assert days(result) == [dt.date(2023, 7, 16), dt.date(2023, 7, 17)]
    result = parse_dates(pd.Series([45123.0, np.nan]), today=TODAY)
    assert statuses(result) == ["ok", "blank"]
    result = parse_dates(pd.Series([45123, None], dtype="Int64"), today=TODAY)
    assert statuses(result) == ["ok", "blank"]


# --- day/month order --------------------------------------------------------------------------

def test_order_inferred_dayfirst_from_column():
    result = parse_dates(pd.Series(["25/12/2021", "03/04/2021"]), today=TODAY)
    assert result.resolved_order == "dayfirst"
    assert days(result) == [dt.date(2021, 12, 25), dt.date(2021, 4, 3)]
    assert statuses(result) == ["ok", "ok"]
    assert result.evidence == {"dayfirst": 1, "monthfirst": 0, "ambiguous": 1}


def test_order_inferred_monthfirst_from_column():
    result = parse_dates(pd.Series(["12/25/2021", "03/04/2021"]), fallback="dayfirst", today=TODAY)
    assert result.resolved_order == "monthfirst"
    assert days(result) == [dt.date(2021, 12, 25), dt.date(2021, 3, 4)]
    assert statuses(result) == ["ok", "ok"]


@pytest.mark.parametrize("order, expected", [
    ("dayfirst", dt.date(2021, 4, 3)), ("monthfirst", dt.date(2021, 3, 4)),
])
def test_explicit_order(order, expected):
    result = parse_dates(pd.Series(["03/04/2021", "25/12/2021"]), order=order, today=TODAY)
    assert result.resolved_order == order
    # the unambiguous value keeps its only reading whatever the order
    assert days(result) == [expected, dt.date(2021, 12, 25)]
    # ... and is flagged when it fits only the other order than the one given
    assert statuses(result) == ["ok", "ok" if order == "dayfirst" else "order_conflict"]


@pytest.mark.parametrize("fallback, expected", [
    ("monthfirst", dt.date(2021, 3, 4)), ("dayfirst", dt.date(2021, 4, 3)),
])
def test_undetermined_order_uses_fallback_and_flags_ambiguous(fallback, expected):
    result = parse_dates(pd.Series(["03/04/2021", "2021-01-01"]), fallback=fallback, today=TODAY)
    assert result.resolved_order is None
    assert days(result) == [expected, dt.date(2021, 1, 1)]
    assert statuses(result) == ["ambiguous", "ok"]
    assert result.evidence == {"dayfirst": 0, "monthfirst": 0, "ambiguous": 1}


def test_default_fallback_is_monthfirst():
    assert parse_one("03/04/2021") == (dt.date(2021, 3, 4), "ambiguous", False)


def test_conflicting_evidence_leaves_order_undetermined():
    values = ["25/12/2021", "26/12/2021", "12/25/2021", "03/04/2021"]
    result = parse_dates(pd.Series(values), today=TODAY)
    assert result.resolved_order is None
    assert result.evidence == {"dayfirst": 2, "monthfirst": 1, "ambiguous": 1}
    # unambiguous values keep their only reading; the ambiguous one uses the fallback
    assert days(result) == [dt.date(2021, 12, 25), dt.date(2021, 12, 26), dt.date(2021, 12, 25),
                            dt.date(2021, 3, 4)]
    assert statuses(result) == ["ok", "ok", "ok", "ambiguous"]


@pytest.mark.parametrize("n_dayfirst, expected", [(9, None), (10, "dayfirst"), (30, "dayfirst")])
def test_ten_to_one_majority_decides(n_dayfirst, expected):
    values = [f"{13 + i}/01/2021" for i in range(n_dayfirst)] + ["01/13/2021", "03/04/2021"]
    result = parse_dates(pd.Series(values), today=TODAY)
    assert result.resolved_order == expected
    assert result.status.iloc[-1] == ("ok" if expected else "ambiguous")


def test_evidence_counts_distinct_values():
    values = ["25/12/2021"] * 5 + ["03/04/2021"] * 3 + ["05/05/2021"]
    result = parse_dates(pd.Series(values), today=TODAY)
    assert result.evidence == {"dayfirst": 1, "monthfirst": 0, "ambiguous": 1}


@pytest.mark.parametrize("text", ["05/05/2021", "5-5-2021", "05.05.21"])
def test_day_equal_to_month_is_not_ambiguous(text):
    result = parse_dates(pd.Series([text]), today=TODAY)
    assert statuses(result) == ["ok"]
    assert result.evidence["ambiguous"] == 0
    assert result.resolved_order is None  # no evidence either way


def test_no_numeric_values_gives_no_order():
    result = parse_dates(pd.Series(["2021-01-01", "12 ene 2021"]), today=TODAY)
    assert result.resolved_order is None
    assert result.evidence == {"dayfirst": 0, "monthfirst": 0, "ambiguous": 0}


def test_impossible_only_reading_is_not_evidence():
    result = parse_dates(pd.Series(["31/02/2021", "03/04/2021"]), today=TODAY)
    assert result.evidence["dayfirst"] == 0
    assert statuses(result) == ["unparseable", "ambiguous"]


@pytest.mark.parametrize("kwargs", [{"order": "ymd"}, {"fallback": "auto"}, {"fallback": None}])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        parse_dates(pd.Series(["2021-01-01"]), **kwargs)


# --- two-digit years --------------------------------------------------------------------------

@pytest.mark.parametrize("text, year", [
    ("14/03/26", 2026), ("14/03/27", 1927), ("14/03/05", 2005), ("14/03/68", 1968),
    ("14/03/00", 2000), ("14/03/99", 1999), ("14-mar-26", 2026), ("mar 14, 27", 1927),
])
def test_two_digit_year_pivot(text, year):
    assert parse_one(text) == (dt.date(year, 3, 14), "ok", True)


def test_two_digit_year_takes_the_century_that_keeps_the_date_at_or_before_today():
    """Compare dates, not years: read on 2030-03-14, 14/03/30 is that day; a day earlier it is 1930."""
    result = parse_dates(pd.Series(["14/03/30"]), today=dt.date(2030, 3, 14))
    assert days(result) == [dt.date(2030, 3, 14)]
    result = parse_dates(pd.Series(["14/03/30"]), today=dt.date(2030, 3, 13))
    assert days(result) == [dt.date(1930, 3, 14)]
    result = parse_dates(pd.Series(["11/30/26", "10/30/26"]), order="monthfirst", today=dt.date(2026, 11, 1))
    assert days(result) == [dt.date(1926, 11, 30), dt.date(2026, 10, 30)]


def test_four_digit_year_is_not_flagged():
    assert parse_one("14/03/2026")[2] is False


# --- blanks and passthrough -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["", "  ", "\t\n", None, float("nan"), np.nan, pd.NA, pd.NaT,
                                   np.datetime64("NaT")])
def test_blanks(value):
    assert parse_one(value) == (None, "blank", False)


@pytest.mark.parametrize("value", [
    dt.datetime(2021, 3, 14), dt.datetime(2021, 3, 14, 23, 59), dt.date(2021, 3, 14),
    pd.Timestamp("2021-03-14 10:00"), pd.Timestamp("2021-03-14 10:00", tz="America/New_York"),
    np.datetime64("2021-03-14"), np.datetime64("2021-03-14T18:00:00"),
])
def test_date_objects_pass_through_as_days(value):
    assert parse_one(value) == (dt.date(2021, 3, 14), "ok", False)


def test_date_objects_outside_datetime64_range_are_unparseable():
    assert parse_one(dt.date(1, 1, 1))[1] == "unparseable"
    assert parse_one(dt.datetime(9999, 12, 31))[1] == "unparseable"


def test_datetime64_column_fast_path():
    values = pd.Series(pd.to_datetime(["2021-03-14 10:30", None, "1960-01-01 23:00"]),
                       index=[5, 6, 9], name="purchase_date")
    result = parse_dates(values, order="dayfirst")
    assert days(result) == [dt.date(2021, 3, 14), None, dt.date(1960, 1, 1)]
    assert statuses(result) == ["ok", "blank", "ok"]
    assert result.resolved_order == "dayfirst"
    assert result.dates.dtype == "datetime64[ns]"
    assert list(result.dates.index) == [5, 6, 9]


def test_datetime64_column_other_units_and_tz():
    values = pd.Series(np.array(["2021-03-14", "3000-01-01"], dtype="M8[s]"))
    result = parse_dates(values)
    assert statuses(result) == ["ok", "unparseable"]
    assert result.dates.dtype == "datetime64[ns]"
    aware = pd.Series(pd.to_datetime(["2021-03-14 23:30"]).tz_localize("America/Chicago"))
    assert days(parse_dates(aware)) == [dt.date(2021, 3, 14)]


def test_mixed_type_object_column():
    values = pd.Series([
        dt.datetime(2021, 1, 2), "2021-01-03", 44200, "44201", 44202.0, None, "", "12 ene 2021",
        dt.date(2021, 1, 4), "garbage", np.nan, pd.Timestamp("2021-01-05"), "25/12/2021",
    ], dtype=object)
    result = parse_dates(values, today=TODAY)
    assert days(result) == [
        dt.date(2021, 1, 2), dt.date(2021, 1, 3), dt.date(2021, 1, 4), dt.date(2021, 1, 5),
        dt.date(2021, 1, 6), None, None, dt.date(2021, 1, 12), dt.date(2021, 1, 4), None, None,
        dt.date(2021, 1, 5), dt.date(2021, 12, 25),
    ]
    assert statuses(result) == ["ok"] * 5 + ["blank", "blank", "ok", "ok", "unparseable",
                                             "blank", "ok", "ok"]


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_string_dtypes(dtype):
    values = pd.Series(["14/03/2021", None, "03/04/2021"], dtype=dtype)
    result = parse_dates(values, today=TODAY)
    assert days(result) == [dt.date(2021, 3, 14), None, dt.date(2021, 4, 3)]
    assert statuses(result) == ["ok", "blank", "ok"]


def test_index_and_name_preserved():
    values = pd.Series(["2021-01-01", None, "bad"], index=[5, 6, 9], name="request_date")
    result = parse_dates(values, today=TODAY)
    for series in (result.dates, result.status, result.two_digit_year):
        assert list(series.index) == [5, 6, 9]
        assert series.name == "request_date"


def test_result_types():
    values = pd.Series(["2021-01-01", "14/03/21", None, "bad", "03/04/2021"])
    result = parse_dates(values, today=TODAY)
    assert result.dates.dtype == "datetime64[ns]"
    assert isinstance(result.status.dtype, pd.CategoricalDtype)
    assert list(result.status.cat.categories) == list(STATUSES)
    assert result.two_digit_year.dtype == bool
    assert result.two_digit_year.tolist() == [False, True, False, False, False]
    assert statuses(result) == ["ok", "ok", "blank", "unparseable", "ok"]
    with pytest.raises(AttributeError):
        result.resolved_order = "dayfirst"


def test_dates_are_midnight():
    values = pd.Series(["2021-01-01 10:30", dt.datetime(2021, 1, 1, 13, 0), 44197.9])
    result = parse_dates(values, today=TODAY)
    assert (result.dates == pd.Timestamp("2021-01-01")).all()


def test_empty_and_all_blank_columns():
    empty = (pd.Series([], dtype=object), pd.Series([None, "", " "]), pd.Series([], dtype=float))
    for values in empty:
        result = parse_dates(values, today=TODAY)
        assert len(result.dates) == len(values)
        assert set(statuses(result)) <= {"blank"}
        assert result.resolved_order is None


def test_repeated_values_map_back_correctly():
    values = pd.Series(["25/12/2021", "03/04/2021", None] * 1000)
    result = parse_dates(values, today=TODAY)
    assert days(result)[:3] * 1000 == days(result)
    assert statuses(result).count("ok") == 2000


def test_today_defaults_to_current_date():
    this_yy = dt.date.today().year % 100
    result = parse_dates(pd.Series([f"14/03/{this_yy:02d}"]))
    assert result.dates.iloc[0].year == dt.date.today().year
