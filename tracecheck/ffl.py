"""Federal firearms licence (FFL) numbers: reading the full and abbreviated forms (pure, no I/O).

Layout (domain notes §6, from ffl-assist / FastBound / the IRE layout of ATF's monthly listing, whose
columns LIC_REGN, LIC_DIST, LIC_CNTY, LIC_TYPE, LIC_XPRDTE, LIC_SEQN are the six parts)::

    8-23-091-01-7F-14245   region (1 digit), IRS district (2), county FIPS (3), licence type (2),
                           expiry (last digit of the year + a month letter A-M without I), sequence (5)
    8-23-14245             the abbreviated form (region, district, sequence: the "RDS key")

Both are read with or without hyphens, with spaces, dots or slashes between parts and in either
case. The region/district table and the state table are the pack's (rules/ffl_districts.yml):
this module only splits a value into its parts and says what is wrong with its shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

REGIONS = frozenset("1345689")  # ATF regions; 2 and 7 are not used (domain notes §6)
TYPES = {"01": "dealer", "02": "pawnbroker", "03": "collector of curios and relics", "06": "ammunition manufacturer",
         "07": "firearms manufacturer", "08": "importer", "09": "destructive-device dealer",
         "10": "destructive-device manufacturer", "11": "destructive-device importer"}
RESERVED_TYPES = frozenset({"04", "05"})
MONTHS = "ABCDEFGHJKLM"  # January .. December; I is skipped (domain notes §6)

_LABEL = re.compile(r"^\s*(?:FFL|LICEN[CS]E|LICENCIA|LIC)?\s*(?:NO\.?|NUM\.?|NUMBER|NUMERO|N[º°])?\s*[#:]*\s*",
                    re.IGNORECASE)
_SEP = re.compile(r"[\s\-\u2010-\u2015./_]+")
# The common spellings, read without the general path: all or none of the hyphens, upper case.
_FAST_FULL = re.compile(r"([0-9])-?([0-9]{2})-?([0-9]{3})-?([0-9]{2})-?([0-9][A-HJ-M])-?([0-9]{5})")
_FAST_SHORT = re.compile(r"([0-9])-?([0-9]{2})-?([0-9]{5})")
_FLOAT_SUFFIX = re.compile(r"([0-9]{7,8})\.0+")  # a number column's ".0" after a licence's digits
_FULL = (("region", 1), ("district", 2), ("county", 3), ("type", 2), ("expiry", 2), ("sequence", 5))
_SHORT = (("region", 1), ("district", 2), ("sequence", 5))


class Licence(NamedTuple):
    """A licence number split into its parts (text, upper case), or why it cannot be.

    ``form`` is "full", "short" (the abbreviated form) or None when the shape is wrong; then
    ``problem`` names it: ``invalid_characters``, ``letter_in_digits``, ``wrong_length`` or
    ``wrong_shape``. A 4-digit sequence (a lost leading zero) keeps its form with ``problem``
    ``short_sequence`` and ``likely`` the value with the zero put back; a number column's ``.0``
    (``85101809.0``) is read without it, with ``problem`` ``float_suffix`` and ``likely`` the licence.
    For messages: ``characters``
    (the characters at fault), ``segment`` (a part as written), ``length`` and ``expected`` (its
    length, or the whole value's, and the layout's).
    """

    form: str | None
    region: str = ""
    district: str = ""
    county: str = ""
    type: str = ""
    expiry: str = ""
    sequence: str = ""
    problem: str | None = None
    likely: str | None = None
    characters: str = ""
    segment: str = ""
    length: int | None = None
    expected: int | None = None

    @property
    def key(self) -> str:
        """``"R-DD"``: the pair the district table is keyed on."""
        return f"{self.region}-{self.district}"

    @property
    def month_ok(self) -> bool:
        return len(self.expiry) == 2 and self.expiry[1] in MONTHS


def parse(text: object) -> Licence:
    """Split an FFL number (full or abbreviated, any separators and case) into its parts.

    Never raises: a value that is not a licence comes back with ``form`` None and a ``problem``.
    Excel's text apostrophe (``'8-51-01809``) is dropped.
    """
    text = str(text).strip()
    if text.startswith("'") and len(text) > 1:
        text = text[1:].strip()
    if (float_cell := _FLOAT_SUFFIX.fullmatch(text)) is not None:
        licence = parse(float_cell[1])
        if licence.form is not None and licence.problem is None:
            parts = {part: str(value) for part, value in licence._asdict().items()}
            return licence._replace(problem="float_suffix", likely=_render(parts, _layout(licence)))
        return licence
    fast = _FAST_FULL.fullmatch(text)
    if fast:
        r, d, c, t, e, s = fast.groups()
        return Licence("full", r, d, c, t, e, s)
    fast = _FAST_SHORT.fullmatch(text)
    if fast:
        return Licence("short", fast[1], fast[2], sequence=fast[3])
    raw = _LABEL.sub("", str(text).strip().upper(), count=1).strip()
    segments = [s for s in _SEP.split(raw) if s]
    compact = "".join(segments)
    odd = sorted({ch for ch in compact if not ("A" <= ch <= "Z" or "0" <= ch <= "9")})
    if odd:
        return Licence(None, problem="invalid_characters", characters=" ".join(odd))
    if len(segments) in (3, 6):
        return _from_segments(segments)
    return _from_compact(compact)


def _from_segments(segments: list[str]) -> Licence:
    layout = _FULL if len(segments) == 6 else _SHORT
    for i, ((_part, size), seg) in enumerate(zip(layout, segments, strict=True)):
        last = i == len(layout) - 1
        if len(seg) != size and not (last and len(seg) == size - 1):
            return Licence(None, problem="wrong_shape", segment=seg, length=len(seg), expected=size)
    return _split("".join(segments), layout, short_sequence=len(segments[-1]) == 4)


def _from_compact(compact: str) -> Licence:
    n = len(compact)
    if n == 15:
        return _split(compact, _FULL, short_sequence=False)
    if n == 8:
        return _split(compact, _SHORT, short_sequence=False)
    if n == 14 and compact[9].isalpha() and compact[8].isdigit():
        return _split(compact, _FULL, short_sequence=True)
    if n == 7 and compact.isdigit():
        return _split(compact, _SHORT, short_sequence=True)
    return Licence(None, problem="wrong_length", length=n, expected=15)


def _split(compact: str, layout: tuple[tuple[str, int], ...], *, short_sequence: bool) -> Licence:
    parts: dict[str, str] = {}
    at = 0
    for part, size in layout:
        size -= short_sequence and part == "sequence"
        parts[part] = compact[at:at + size]
        at += size
    letters = [ch for part, value in parts.items()
               for j, ch in enumerate(value) if ch.isalpha() and not (part == "expiry" and j == 1)]
    if letters:
        fixed = {p: v.translate(_DIGIT_LOOKALIKES) if p != "expiry" else v[0].translate(_DIGIT_LOOKALIKES) + v[1:]
                 for p, v in parts.items()}
        likely = _render(fixed, layout) if all(v.isdigit() for p, v in fixed.items() if p != "expiry") else None
        return Licence(None, problem="letter_in_digits", likely=likely, characters=" ".join(dict.fromkeys(letters)))
    form = "full" if layout is _FULL else "short"
    get = parts.get
    licence = Licence(form, region=parts["region"], district=parts["district"], county=get("county", ""),
                      type=get("type", ""), expiry=get("expiry", ""), sequence=parts["sequence"])
    if short_sequence:
        padded = {**parts, "sequence": "0" + parts["sequence"]}
        return licence._replace(sequence=padded["sequence"], problem="short_sequence",
                       likely=_render(padded, layout), segment=parts["sequence"], length=4, expected=5)
    return licence


_DIGIT_LOOKALIKES = str.maketrans("OQDILZSB", "00011258")


def _layout(licence: Licence) -> tuple[tuple[str, int], ...]:
    return _FULL if licence.form == "full" else _SHORT


def _render(parts: dict[str, str], layout: tuple[tuple[str, int], ...]) -> str:
    return "-".join(parts[part] for part, _ in layout)


PARTS = list(Licence._fields)
_ARROW_FULL = (r"^(?P<region>[0-9])-?(?P<district>[0-9]{2})-?(?P<county>[0-9]{3})-?(?P<type>[0-9]{2})-?"
               r"(?P<expiry>[0-9][A-HJ-M])-?(?P<sequence>[0-9]{5})$")
_ARROW_SHORT = r"^(?P<region>[0-9])-?(?P<district>[0-9]{2})-?(?P<sequence>[0-9]{5})$"


def parse_many(values: pd.Series, skip: Callable[[str], bool] = lambda text: False) -> pd.DataFrame:
    """``parse`` over distinct texts, vectorised: one row per value of ``values`` (same order, a
    fresh RangeIndex), columns ``PARTS`` (``form`` None for a value that is no licence). The common
    spellings are split by Arrow's regex kernel; the rest go through ``parse``, except values
    ``skip`` says are no licence at all (blank cells, placeholders), which get an all-None row."""
    text = pa.array([str(v) for v in values], type=pa.string())
    out = pd.DataFrame({name: pd.Series([None] * len(text), dtype=object) for name in PARTS})
    done = np.zeros(len(text), dtype=bool)
    for form, pattern in (("full", _ARROW_FULL), ("short", _ARROW_SHORT)):
        parts = pc.extract_regex(text, pattern)
        hit = ~np.asarray(parts.is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~done
        if hit.any():
            out.loc[hit, "form"] = form
            for name in [f.name for f in parts.type]:
                out.loc[hit, name] = np.asarray(parts.field(name).to_numpy(zero_copy_only=False), dtype=object)[hit]
        done |= hit
    for k in np.flatnonzero(~done):
        raw = text[int(k)].as_py()
        if not skip(raw):
            out.iloc[int(k)] = list(parse(raw))
    for name in ("characters", "segment"):
        out[name] = out[name].where(out[name].ne(""), None)
    return out


def abbreviate(licence: Licence) -> str:
    """The abbreviated form ``R-DD-SSSSS`` of a parsed licence."""
    return f"{licence.region}-{licence.district}-{licence.sequence}"
