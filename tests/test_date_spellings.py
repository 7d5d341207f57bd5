"""Every date spelling analysts type (a table of spellings and the dates they mean) and a round-trip
property: a date written in any supported spelling parses back to itself."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracecheck.dates import parse_dates

TODAY = dt.date(2026, 11, 22)
D = dt.date
UNKNOWN = "placeholder"

# (spelling, day/month order the column is read with, the date it means or UNKNOWN)
SPELLINGS = [
    # ISO and machine date-times: the calendar date as written, whatever the zone
    ("2024-03-15", "auto", D(2024, 3, 15)), ("2024/03/15", "auto", D(2024, 3, 15)), ("2024.03.15", "auto", D(2024, 3, 15)),
    ("2024-3-5", "auto", D(2024, 3, 5)), ("20240315", "auto", D(2024, 3, 15)),
    ("2024-03-15T10:22:00", "auto", D(2024, 3, 15)), ("2024-03-15T10:22:00Z", "auto", D(2024, 3, 15)),
    ("2024-03-15T23:59:59.999Z", "auto", D(2024, 3, 15)), ("2024-03-15T05:00:00.0000000-06:00", "auto", D(2024, 3, 15)),
    ("2024-03-15 06:00:00+00:00", "auto", D(2024, 3, 15)), ("2024-03-15T06:00:00+0530", "auto", D(2024, 3, 15)),
    ("2024-03-15 18:30", "auto", D(2024, 3, 15)), ("2024-03-15 6:30 pm", "auto", D(2024, 3, 15)),
    ("Fri Mar 15 2024 00:00:00 GMT-0600 (hora estándar central)", "auto", D(2024, 3, 15)),
    ("Thu Jan 27 2022 00:00:00 GMT-0600 (Central Standard Time)", "auto", D(2022, 1, 27)),
    ("Mon Jul 01 2019 12:00:00 GMT+0000", "auto", D(2019, 7, 1)),
    # numeric day/month/year
    ("15/03/2024", "auto", D(2024, 3, 15)), ("03/15/2024", "auto", D(2024, 3, 15)), ("15-03-2024", "auto", D(2024, 3, 15)),
    ("15.03.2024", "auto", D(2024, 3, 15)), ("5/3/2024", "dayfirst", D(2024, 3, 5)), ("5/3/2024", "monthfirst", D(2024, 5, 3)),
    ("15/03/24", "auto", D(2024, 3, 15)), ("03/15/24", "auto", D(2024, 3, 15)), ("15/03/2024 14:05", "auto", D(2024, 3, 15)),
    ("15/03/2024 2:05:01 p.m.", "auto", D(2024, 3, 15)), ("31/12/1999", "auto", D(1999, 12, 31)),
    # month names, English
    ("15 March 2024", "auto", D(2024, 3, 15)), ("15 Mar 2024", "auto", D(2024, 3, 15)), ("March 15, 2024", "auto", D(2024, 3, 15)),
    ("Mar. 15, 2024", "auto", D(2024, 3, 15)), ("March 15 2024", "auto", D(2024, 3, 15)), ("15-Mar-2024", "auto", D(2024, 3, 15)),
    ("15-Mar-24", "auto", D(2024, 3, 15)), ("2024-Mar-15", "auto", D(2024, 3, 15)), ("15MAR2024", "auto", D(2024, 3, 15)),
    ("15JAN2024", "auto", D(2024, 1, 15)), ("1st January 2024", "auto", D(2024, 1, 1)), ("January 1st, 2024", "auto", D(2024, 1, 1)),
    ("2nd Feb 2024", "auto", D(2024, 2, 2)), ("3rd of March 2024".replace(" of", ""), "auto", D(2024, 3, 3)),
    ("Saturday, February 24, 2018", "auto", D(2018, 2, 24)), ("Sat, Feb 24, 2018", "auto", D(2018, 2, 24)),
    ("Tuesday 3 January 2017", "auto", D(2017, 1, 3)), ("Sept 9, 2021", "auto", D(2021, 9, 9)),
    ("December 25, 2020 10:00 AM", "auto", D(2020, 12, 25)),
    # month names, Spanish
    ("15 de marzo de 2024", "auto", D(2024, 3, 15)), ("15 de marzo del 2024", "auto", D(2024, 3, 15)),
    ("15-mar-2024", "auto", D(2024, 3, 15)), ("15-ENE-2011", "auto", D(2011, 1, 15)), ("15/ene/2011", "auto", D(2011, 1, 15)),
    ("15 ene 2011", "auto", D(2011, 1, 15)), ("15ENE2011", "auto", D(2011, 1, 15)), ("3 de enero de 2017", "auto", D(2017, 1, 3)),
    ("martes, 3 de enero de 2017", "auto", D(2017, 1, 3)), ("Martes 3 de Enero de 2017", "auto", D(2017, 1, 3)),
    ("miércoles, 15 de marzo de 2023", "auto", D(2023, 3, 15)), ("sábado 24 de febrero de 2018", "auto", D(2018, 2, 24)),
    ("1° de enero de 2024", "auto", D(2024, 1, 1)), ("1º de enero de 2024", "auto", D(2024, 1, 1)),
    ("1o. de enero de 2024", "auto", D(2024, 1, 1)), ("1o de enero de 2024", "auto", D(2024, 1, 1)),
    ("primero de enero de 2024", "auto", D(2024, 1, 1)), ("Primero de Mayo de 2020", "auto", D(2020, 5, 1)),
    ("2 de septiembre de 2019", "auto", D(2019, 9, 2)), ("2 de setiembre de 2019", "auto", D(2019, 9, 2)),
    ("12 de diciembre de 2019", "auto", D(2019, 12, 12)), ("12 dic 2019", "auto", D(2019, 12, 12)),
    ("30 de agosto de 2021", "auto", D(2021, 8, 30)), ("30 ago 2021", "auto", D(2021, 8, 30)),
    ("abril 5, 2022", "auto", D(2022, 4, 5)), ("5 abr 2022", "auto", D(2022, 4, 5)),
    # Excel serials, also with a thousands separator (never a decimal)
    ("45000", "auto", D(2023, 3, 15)), ("45000.0", "auto", D(2023, 3, 15)), ("45000.75", "auto", D(2023, 3, 15)),
    ("42,932", "auto", D(2017, 7, 16)), ("42.932", "auto", D(2017, 7, 16)), (45000, "auto", D(2023, 3, 15)),
    # unknown dates: database sentinels and words, never a date, never "unparseable"
    ("1900-01-01", "auto", UNKNOWN), ("01/01/1900", "auto", UNKNOWN), ("1899-12-30", "auto", UNKNOWN),
    ("1899-12-31", "auto", UNKNOWN), ("9999-12-31", "auto", UNKNOWN), ("31/12/9999", "auto", UNKNOWN),
    ("12/31/9999", "auto", UNKNOWN), ("00/00/0000", "auto", UNKNOWN), ("0000-00-00", "auto", UNKNOWN), ("0", "auto", UNKNOWN),
    ("unknown", "auto", UNKNOWN), ("Unknown", "auto", UNKNOWN), ("desconocida", "auto", UNKNOWN),
    ("DESCONOCIDO", "auto", UNKNOWN), ("N/D", "auto", UNKNOWN), ("n.d.", "auto", UNKNOWN), ("S/F", "auto", UNKNOWN),
    ("sin fecha", "auto", UNKNOWN), ("SIN FECHA", "auto", UNKNOWN), ("no aplica", "auto", UNKNOWN), ("N/A", "auto", UNKNOWN),
    ("?", "auto", UNKNOWN), ("-", "auto", UNKNOWN), (dt.datetime(1900, 1, 1), "auto", UNKNOWN), (0, "auto", UNKNOWN),
]


def test_the_table_is_large_enough():
    assert len(SPELLINGS) >= 80


@pytest.mark.parametrize("text, order, expected", SPELLINGS, ids=[str(s[0]) for s in SPELLINGS])
def test_spelling(text, order, expected):
    result = parse_dates(pd.Series([text], dtype=object), order=order, today=TODAY)
    status = str(result.status.iloc[0])
    if expected == UNKNOWN:
        assert (status, pd.isna(result.dates.iloc[0])) == ("placeholder", True)
    else:
        assert status == "ok" and result.dates.iloc[0].date() == expected


MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def _serial(d: dt.date) -> str:
    return str((d - dt.date(1899, 12, 30)).days)


SPELLERS = {  # name -> (order the column is read with, how a date is written)
    "iso": ("auto", lambda d: d.isoformat()),
    "iso-datetime-zone": ("auto", lambda d: f"{d.isoformat()}T13:45:10.123-06:00"),
    "dmy": ("dayfirst", lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    "mdy": ("monthfirst", lambda d: f"{d.month}/{d.day}/{d.year}"),
    "dmy-2digit": ("dayfirst", lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}"),
    "es-long": ("auto", lambda d: f"{WEEKDAYS_ES[d.weekday()]}, {d.day} de {MONTHS_ES[d.month - 1]} de {d.year}"),
    "en-long": ("auto", lambda d: f"{WEEKDAYS_EN[d.weekday()]}, {MONTHS_EN[d.month - 1]} {d.day}, {d.year}"),
    "compact": ("auto", lambda d: f"{d.day:02d}{MONTHS_EN[d.month - 1][:3].upper()}{d.year}"),
    "dash-abbreviated-es": ("auto", lambda d: f"{d.day:02d}-{MONTHS_ES[d.month - 1][:3].upper()}-{d.year}"),
    "ordinal-es": ("auto", lambda d: f"{d.day}° de {MONTHS_ES[d.month - 1]} de {d.year}"),
    "javascript": ("auto", lambda d: f"{WEEKDAYS_EN[d.weekday()][:3]} {MONTHS_EN[d.month - 1][:3]} {d.day:02d} {d.year} "
                                     f"00:00:00 GMT-0600 (hora estándar central)"),
    "excel-serial": ("auto", _serial),
    "excel-serial-thousands": ("auto", lambda d: f"{int(_serial(d)):,}"),
}


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=dt.date(1930, 1, 2), max_value=TODAY), speller=st.sampled_from(sorted(SPELLERS)))
def test_any_spelling_parses_back_to_its_date(day, speller):
    order, write = SPELLERS[speller]
    if speller == "dmy-2digit" and day.year < TODAY.year - 99:
        return  # a two-digit year means the last hundred years
    result = parse_dates(pd.Series([write(day)], dtype=object), order=order, today=TODAY)
    assert str(result.status.iloc[0]) == "ok", write(day)
    assert result.dates.iloc[0].date() == day, write(day)
