"""What a column's values look like, from a bounded sample, and whether they fit a field.

``sample(frame, column)`` takes at most ``SAMPLE_SIZE`` values spread over the column (cost does not
grow with the batch). ``profile(values, reference, vocabulary)`` gives the share of the sampled
values of each kind: serial-like, date, maker (the pack's manufacturers), caliber (the pack's
calibers), country, firearm type, agency-like text, dealer licence (FFL), yes/no flag, placeholder,
number, narrative text, plain words. ``fit(field, profile)`` says whether the values confirm a
field, contradict it, or leave it open. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.mapping.vocabulary import Vocabulary
from tracecheck.reference import Reference
from tracecheck.text import fold

SAMPLE_SIZE = 200  # values looked at per column, spread over the whole column
MIN_JUDGED = 5  # fewer sampled values than this: content neither confirms nor contradicts
CONFIRM = 0.5  # share of values of an expected kind that confirms a field
CONTRADICT = 0.6  # share of values of a kind the field never holds that contradicts it
UNMISTAKABLE = 0.8  # share that maps a column whose header says nothing

_DATE = re.compile(r"^\s*(\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}|\d{1,2}[\s\-/.]?[A-Za-z]{3,10}\.?[\s\-/.]?\d{2,4}"
                   r"|[A-Za-z]{3,10}\.?\s+\d{1,2},?\s+\d{2,4})([ T]\d{1,2}:\d{2}.*)?\s*$")
_FFL = re.compile(r"^\s*\d-?\d{2}-?\d{3}-?\d{2}-?\d{1,2}[A-HJ-M]-?\d{4,5}\s*$|^\s*\d-\d{2}-\d{4,5}\s*$", re.IGNORECASE)
_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9\-/. ]{2,24}$")
_CALIBER = re.compile(r"^\.?\d{2,3}( ?(ACP|AUTO|SPL|SPECIAL|MAG|MAGNUM|REM|WIN|LR|S ?& ?W|SW|GA|CAL|GAUGE|LUGER))*$"
                      r"|^\d{1,2}([.,]\d{1,2})? ?(MM|X ?\d{2}( ?MM)?)( \w+)?$|^\d{1,2} ?GA$", re.IGNORECASE)
_FLAGS = frozenset({"Y", "N", "YES", "NO", "SI", "S", "TRUE", "FALSE", "0", "1", "X", "VERDADERO", "FALSO", "SIM",
                    "NAO", "V", "F"})

# Kinds of values each field expects, and kinds it never holds (a column of mostly these is not it).
EXPECT: dict[str, frozenset[str]] = {
    "serial_number": frozenset({"serial", "placeholder"}), "import_serial": frozenset({"serial"}),
    "manufacturer": frozenset({"maker"}), "caliber": frozenset({"caliber"}), "firearm_type": frozenset({"type"}),
    "country_of_origin": frozenset({"country"}), "ffl_number": frozenset({"ffl"}), "agency": frozenset({"agency"}),
    "obliterated": frozenset({"flag"}), "purchase_date": frozenset({"date"}), "recovery_date": frozenset({"date"}),
    "request_date": frozenset({"date"})}
_NOT_TEXT = frozenset({"date", "flag", "narrative"})
REFUSE: dict[str, frozenset[str]] = {
    "serial_number": frozenset({"date", "maker", "caliber", "country", "type", "flag", "narrative", "ffl", "words"}),
    "import_serial": frozenset({"date", "maker", "caliber", "country", "type", "flag", "narrative", "words"}),
    "manufacturer": frozenset({"date", "caliber", "country", "flag", "narrative", "number", "type"}),
    "model": frozenset({"date", "flag", "narrative", "country"}),
    "caliber": frozenset({"date", "maker", "country", "flag", "narrative", "type"}),
    "firearm_type": frozenset({"date", "maker", "caliber", "country", "narrative", "number"}),
    "obliterated": frozenset({"date", "maker", "caliber", "country", "narrative", "serial"}),
    "import_marking": frozenset({"date", "flag", "caliber", "number"}),
    "country_of_origin": frozenset({"date", "maker", "caliber", "flag", "narrative", "number", "type"}),
    "purchase_date": frozenset({"maker", "caliber", "country", "flag", "narrative", "words", "serial"}),
    "recovery_date": frozenset({"maker", "caliber", "country", "flag", "narrative", "words", "serial"}),
    "request_date": frozenset({"maker", "caliber", "country", "flag", "narrative", "words", "serial"}),
    "agency": frozenset({"date", "maker", "caliber", "flag", "number", "serial"}),
    "request_id": frozenset({"date", "maker", "caliber", "country", "flag", "narrative", "type"}),
    "recovery_location": frozenset({"date", "maker", "caliber", "flag", "number"}),
    "ffl_number": frozenset({"date", "maker", "caliber", "country", "flag", "narrative", "words"}),
    "purchaser": frozenset({"date", "maker", "caliber", "number", "flag"}),
    "possessor": frozenset({"date", "maker", "caliber", "number", "flag"}),
}
# Fields a column whose header says nothing may be mapped to on its values alone.
BY_CONTENT = ("serial_number", "manufacturer", "caliber", "country_of_origin", "ffl_number", "firearm_type")


@dataclass(frozen=True)
class Profile:
    """``n``: non-blank values sampled; ``shares``: kind -> share of them; ``distinct``: share of
    distinct values; ``sequence``: the values count 1, 2, 3... (a row counter)."""

    n: int
    shares: dict[str, float]
    distinct: float = 0.0
    sequence: bool = False

    def share(self, kinds: frozenset[str]) -> float:
        """Share of values of any of ``kinds`` (a value of two kinds counts once)."""
        return sum(v for k, v in self.shares.items() if k.startswith("=") and set(k[1:].split(",")) & kinds)

    def main(self) -> tuple[str, float] | None:
        """The most common kind and its share (None without values)."""
        kinds = {k: v for k, v in self.shares.items() if not k.startswith("=")}
        return max(kinds.items(), key=lambda kv: (kv[1], kv[0])) if kinds else None


EMPTY = Profile(0, {})


def sample(frame: pd.DataFrame, column: str, size: int = SAMPLE_SIZE) -> list[Any]:
    """Up to ``size`` non-blank values of ``column``, spread evenly over its rows."""
    values = frame[column]
    n = len(values)
    if n == 0:
        return []
    positions = np.unique(np.linspace(0, n - 1, num=min(n, size * 2)).astype(np.int64))
    picked = values.iloc[positions]
    kept = [v for v in picked.tolist() if not _blank(v)]
    return kept[:size]


def profile(values: list[Any], reference: Reference | None, vocab: Vocabulary) -> Profile:
    """The kinds of ``values`` (see the module docstring)."""
    if not values:
        return EMPTY
    counts: Counter[str] = Counter()
    combos: Counter[str] = Counter()
    for value in values:
        kinds = _kinds(value, reference, vocab)
        counts.update(kinds)
        combos["=" + ",".join(sorted(kinds))] += 1
    n = len(values)
    shares = {k: c / n for k, c in counts.items()} | {k: c / n for k, c in combos.items()}
    texts = [str(v).strip().upper() for v in values]
    return Profile(n, shares, distinct=len(set(texts)) / n, sequence=_sequence(values))


def fit(field: str, prof: Profile) -> tuple[str, float]:
    """(verdict, share): ``confirms`` (expected kinds are common), ``contradicts`` (the values are
    mostly of a kind the field never holds), or ``open``; with the share that decided it."""
    if prof.n < MIN_JUDGED:
        return "open", 0.0
    expected = EXPECT.get(field, frozenset())
    share = prof.share(expected) if expected else 0.0
    if field in ("serial_number", "import_serial") and prof.sequence:
        return "contradicts", 1.0
    if expected and share >= CONFIRM:
        return "confirms", share
    against = prof.share(REFUSE.get(field, frozenset()) - expected)
    if against >= CONTRADICT and share < 0.3:
        return "contradicts", against
    return "open", share


def unmistakable(prof: Profile) -> tuple[str, float] | None:
    """The field a column's values alone name, with their share; None unless one clearly does."""
    if prof.n < MIN_JUDGED:
        return None
    best: tuple[str, float] | None = None
    for field in BY_CONTENT:
        verdict, share = fit(field, prof)
        if verdict != "confirms" or share < UNMISTAKABLE:
            continue
        if field == "serial_number" and (prof.distinct < 0.9 or prof.shares.get("serial", 0.0) < UNMISTAKABLE):
            continue
        if field == "caliber" and prof.shares.get("number", 0.0) > 0.5:
            continue  # small whole numbers (counts) are not calibers on their own
        if best is None or share > best[1]:
            best = (field, share)
    return best


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _kinds(value: Any, ref: Reference | None, vocab: Vocabulary) -> set[str]:
    if isinstance(value, bool):
        return {"flag"}
    if isinstance(value, (dt.date, dt.time, np.datetime64)):
        return {"date"}
    if isinstance(value, (int, float, np.integer, np.floating)):
        text = str(int(value)) if float(value).is_integer() else str(value)
        return {"number"} | ({"serial"} if len(text) >= 4 else set())
    text = str(value).strip()
    folded = fold(text)
    kinds: set[str] = set()
    if _DATE.match(text):
        return {"date"}
    if folded in _FLAGS:
        kinds.add("flag")
    if ref is not None:
        if folded in ref.missing_words or ref.obliterated_re.search(folded):
            kinds.add("placeholder")
        if ref.makers and (folded in ref.makers or any(folded.startswith(a + " ") for a in _long_aliases(ref))):
            kinds.add("maker")
        if folded in ref.calibers:
            kinds.add("caliber")
        if folded in ref.us_names:
            kinds.add("country")
    if _CALIBER.match(text.replace(",", ".")) and not folded.isdigit():
        kinds.add("caliber")
    words = folded.split()
    if folded in vocab.countries:
        kinds.add("country")
    if words and (words[0] in vocab.firearm_types or folded in vocab.firearm_types):
        kinds.add("type")
    if words and any(w in vocab.agency_words for w in words):
        kinds.add("agency")
    if _FFL.match(text):
        kinds.add("ffl")
    if folded.isdigit():
        kinds.add("number")
    compact = re.sub(r"[\s\-/.]", "", text.upper())
    if _SERIAL.match(text.upper()) and any(c.isdigit() for c in compact) and 4 <= len(compact) <= 20 \
            and "caliber" not in kinds and len(words) <= 2:
        kinds.add("serial")
    if len(text) > 60 or len(words) >= 8:
        kinds.add("narrative")
    elif words and not any(c.isdigit() for c in folded) and not kinds - {"agency", "country", "type", "maker"}:
        kinds.add("words")
    return kinds or {"other"}


def _long_aliases(ref: Reference) -> list[str]:
    return [a for a in ref.makers if len(a) >= 3]


def _sequence(values: list[Any]) -> bool:
    """True for a row counter: whole numbers that go up by one (at least 5 of them)."""
    numbers = []
    for v in values:
        text = str(v).strip()
        if isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer()):
            numbers.append(int(v))
        elif text.isdigit() and len(text) <= 7:
            numbers.append(int(text))
        else:
            return False
    if len(numbers) < MIN_JUDGED:
        return False
    steps = np.diff(np.array(numbers))
    return bool((steps >= 1).all() and numbers[0] <= 10)
