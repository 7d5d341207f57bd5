"""Multiple sales: purchaser match keys, business days, caliber size and windows of sales. Pure, no I/O.

The facts (design/domain.md §7, "Multiple-sales reporting"):

* ATF Form 3310.4: two or more pistols or revolvers, in any combination, sold to one unlicensed
  person at one time or within any five consecutive business days (27 CFR 478.126a; 18 U.S.C.
  923(g)(3)).
* ATF Form 3310.12: dealers in AZ, CA, NM and TX, two or more semi-automatic rifles of caliber
  greater than .22 (.223/5.56 included) able to take a detachable magazine, to one person within
  five consecutive business days, for sales on or after 14 August 2011 (demand letter of 12 July
  2011, 18 U.S.C. 923(g)(5)).
* "Within five consecutive business days" (ATF Q&A): a Monday sale and the following Friday's are
  reportable; for a shop open Monday to Saturday, Monday and the following Saturday are not. So two
  sales are in one window when their business-day numbers differ by at most ``window - 1`` (4).

A sale on a closed day (a weekend, for the default Monday-Friday week) counts as the next open day:
``numpy.busday_count`` gives Saturday, Sunday and the following Monday the same number, which also
gives the ATF answer for a Monday-Saturday shop (Monday and the following Saturday are 5 apart).
"""

from __future__ import annotations

import hmac
import re

import numpy as np
import pandas as pd

from tracecheck.text import fold, map_distinct

_EPOCH = np.datetime64("1970-01-01", "D")
TOKEN_HEX = 16  # hex digits of a person token (64 bits: tracecheck.redact explains the size)

US_STATES = {
    "AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA", "CO": "COLORADO",
    "CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICT OF COLUMBIA", "FL": "FLORIDA", "GA": "GEORGIA",
    "HI": "HAWAII", "ID": "IDAHO", "IL": "ILLINOIS", "IN": "INDIANA", "IA": "IOWA", "KS": "KANSAS",
    "KY": "KENTUCKY", "LA": "LOUISIANA", "ME": "MAINE", "MD": "MARYLAND", "MA": "MASSACHUSETTS",
    "MI": "MICHIGAN", "MN": "MINNESOTA", "MS": "MISSISSIPPI", "MO": "MISSOURI", "MT": "MONTANA",
    "NE": "NEBRASKA", "NV": "NEVADA", "NH": "NEW HAMPSHIRE", "NJ": "NEW JERSEY", "NM": "NEW MEXICO",
    "NY": "NEW YORK", "NC": "NORTH CAROLINA", "ND": "NORTH DAKOTA", "OH": "OHIO", "OK": "OKLAHOMA",
    "OR": "OREGON", "PA": "PENNSYLVANIA", "RI": "RHODE ISLAND", "SC": "SOUTH CAROLINA", "SD": "SOUTH DAKOTA",
    "TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT", "VA": "VIRGINIA", "WA": "WASHINGTON",
    "WV": "WEST VIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING", "PR": "PUERTO RICO"}
# Spanish names of the border states, as Mexican agencies write them.
_OTHER_NAMES = {"TEJAS": "TX", "NUEVO MEXICO": "NM", "ARIZONA": "AZ", "CALIFORNIA": "CA", "TEX": "TX",
                "ARIZ": "AZ", "CALIF": "CA", "CAL": "CA", "N MEX": "NM", "N M": "NM"}
_STATE_CODES = {**{name: code for code, name in US_STATES.items()}, **{c: c for c in US_STATES}, **_OTHER_NAMES}


def state_code(value: object) -> str | None:
    """Two-letter code of a US state written as a code or a name ("Texas", "TEXAS", "tx", "Tejas"), or None."""
    folded = fold(value)
    return _STATE_CODES.get(folded) or _STATE_CODES.get(folded.removeprefix("STATE OF ").strip())


def name_key(name: object) -> str:
    """A person's name for matching: folded (case, accents, punctuation, spacing) with its words sorted,
    so "PEREZ, JUAN" and "Juan Pérez" are one key ("JUAN PEREZ"). Blank for a blank name."""
    return _sorted_words(fold(name))


def _sorted_words(folded: str) -> str:
    return " ".join(sorted(folded.split()))


# Names that stand for "no name": they never match each other (compared folded).
PLACEHOLDER_NAMES = frozenset(fold(w) for w in (
    "UNKNOWN", "UNK", "UNKN", "N/A", "NA", "N A", "NONE", "NULL", "NIL", "NO NAME", "NOT KNOWN", "ANONYMOUS",
    "TBD", "PENDING", "X", "XX", "XXX", "XXXX", "-", "?", "0", "DESCONOCIDO", "DESCONOCIDA", "SE DESCONOCE",
    "SIN DATO", "SIN DATOS", "SIN NOMBRE", "NO ESPECIFICADO", "NINGUNO", "ANONIMO", "PENDIENTE", "N D", "S D",
    "NO APLICA", "DESCONHECIDO", "DESCONHECIDA", "NAO INFORMADO", "SEM NOME", "NAO IDENTIFICADO",
    "NO IDENTIFICADO", "NOT IDENTIFIED"))


def person_keys(names: pd.Series, key: bytes) -> pd.Series:
    """Per row, HMAC-SHA256(key, name_key(name)) as 32 hex, or missing for a blank name or a
    placeholder (``PLACEHOLDER_NAMES``). Computed once per distinct name."""
    def keyed(value: object) -> str | None:
        folded = fold(value)
        if not folded or folded in PLACEHOLDER_NAMES:
            return None
        return hmac.digest(key, _sorted_words(folded).encode("utf-8"), "sha256")[:16].hex()

    return pd.Series(map_distinct(names, keyed), index=names.index, dtype=object)


def business_days(dates: pd.Series, weekmask: str = "1111100") -> np.ndarray:
    """Per date (datetime64), its business-day number (int64) counted from 1970-01-01 over the open days
    of ``weekmask`` (Monday first, numpy's format); a closed day has the number of the next open day.
    Missing dates give -1 (callers drop them first)."""
    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    valid = ~np.isnat(days)
    out = np.full(len(days), -1, dtype=np.int64)
    out[valid] = np.busday_count(_EPOCH, days[valid], weekmask=weekmask)
    return out


_NUMBER = re.compile(r"(\d*[.,]?\d+)\s*(MM|X)?", re.IGNORECASE)


def caliber_inches(text: object) -> float | None:
    """A caliber's bore in inches from how it is written, or None when no number: ".30-06" 0.30,
    "300 BLK" 0.300, "6.5 Creedmoor" (mm) 0.256, "7.62X54R" 0.300, "22-250" 0.22 (a .22 by name)."""
    found = _NUMBER.search(str(text or ""))
    if not found:
        return None
    number = float(found[1].replace(",", "."))
    if found[2] or ("." in found[1] or "," in found[1]) and 4 <= number <= 20:
        return number / 25.4  # millimetres
    if number < 1:
        return number
    return number / 1000 if number >= 100 else number / 100


def caliber_over_22(calibers: pd.Series, classes: dict[str, str], small: frozenset[str]) -> np.ndarray:
    """Per row, whether the caliber is greater than .22: a known class (``classes``, folded alias ->
    class) unless it is one of ``small`` (e.g. 22lr); else the bore read from the text above 0.22 inch
    (.223 is 0.223). A blank or unreadable caliber is not (the rule cannot apply)."""
    def over(value: object) -> bool:
        cls = classes.get(fold(value))
        if cls is not None:
            return cls not in small
        inches = caliber_inches(value)
        return inches is not None and round(inches, 3) > 0.22

    return map_distinct(calibers, over, missing=False).astype(bool)


def words_re(words: list[str]) -> re.Pattern[str]:
    """Any of ``words`` as whole words on folded text; a space in a word also matches no space
    ("AR 15" matches "AR15" and "AR 15")."""
    parts = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile(r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", " ?") for p in parts) + r")\b")


def windows(person: np.ndarray, gun: np.ndarray, day: np.ndarray, window: int) -> pd.DataFrame:
    """Multiple sales among candidate sales (positions 0..n-1): ``person`` (int codes, one per
    purchaser), ``gun`` (int codes, one per distinct firearm), ``day`` (business-day numbers).

    A firearm counts once per purchaser, on its first sale. Sales of one purchaser whose days
    follow each other at most ``window - 1`` business days apart form one run (a run longer than the
    window is a chain of connected multiple sales, as ATF's "connected" box has it). Returns one row
    per counted sale of a run with two or more firearms: ``pos`` (position), ``run`` (int),
    ``guns`` (firearms in the run) and ``span`` (business days from the run's first sale to its
    last, both counted: Monday to Friday is 5)."""
    person, gun = pd.factorize(person)[0], pd.factorize(gun)[0]
    day = np.asarray(day, dtype=np.int64) - (int(np.min(day)) if len(day) else 0)
    order = _sorted(person, gun, day)  # by purchaser, gun, then day: a gun's first sale first
    first_sale = np.ones(len(order), dtype=bool)
    first_sale[1:] = (person[order][1:] != person[order][:-1]) | (gun[order][1:] != gun[order][:-1])
    kept = order[first_sale]
    kept = kept[_sorted(person[kept], day[kept])]  # the counted sales by purchaser and day
    p, d = person[kept], day[kept]
    start = np.ones(len(kept), dtype=bool)
    start[1:] = (p[1:] != p[:-1]) | (d[1:] - d[:-1] > window - 1)
    run = np.cumsum(start) - 1
    size = np.bincount(run)
    first = np.minimum.reduceat(d, np.flatnonzero(start)) if len(d) else d
    last = np.maximum.reduceat(d, np.flatnonzero(start)) if len(d) else d
    keep = size[run] >= 2
    return pd.DataFrame({"pos": kept[keep], "run": run[keep], "guns": size[run][keep],
                         "span": (last - first + 1)[run][keep]})


def _sorted(*keys: np.ndarray) -> np.ndarray:
    """Stable order of rows by ``keys`` (non-negative ints, most significant first): one argsort of a
    combined int64 key when it fits (several times faster than lexsort on a million rows)."""
    sizes = [int(k.max()) + 1 if len(k) else 1 for k in keys]
    if float(np.prod([float(s) for s in sizes])) >= 2.0 ** 62:
        return np.lexsort(keys[::-1])
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(keys, sizes):
        combined = combined * size + key
    return np.argsort(combined, kind="stable")
