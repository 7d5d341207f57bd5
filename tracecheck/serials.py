"""Serial-number analysis shared by the TC10x checks and the matching keys.

Per row: blank, placeholder (no usable serial), obliterated, privately made, partial, spoiled by a
spreadsheet (and how), mended on the way to a matching key (and how), and the cleaned value.
Computed once per batch (the engine caches it) and vectorised: a value of plain letters, digits and
dashes holding a digit other than 0 is cleaned inside Arrow; only the rest (spaces, punctuation,
statements, other scripts) is read one distinct value at a time.

Sources of the domain facts: serials are Roman letters and Arabic digits (NCIC entry drops spaces and
dashes); spreadsheets turn typed serials into numbers (``.0``, thousands separators, ``1.2E+11``) and
dates (``14-Mar``); look-alike letters from Unicode TR39 ``confusables.txt`` (Cyrillic and Greek
capitals that render as Latin ones).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd

from tracecheck.reference import Reference
from tracecheck.text import fold

_SEPARATORS = r"[\s\-./,]+"
_TRAILING_NOTE = re.compile(r"\s*\([^)]*\)\s*$")  # "ABC123 (29N)"
# "1.23457E+11": a spreadsheet turned the serial into a number. Spreadsheets always write the sign
# of the exponent, so "58E123456" (a plausible Sig Sauer serial) is not scientific notation.
SCIENTIFIC = r"\d+(?:[.,]\d+)?[eE][+-]\d+|\d+[.,]\d+[eE]\d+"
_FLOAT_SUFFIX = re.compile(r"(\d+)\.0+")  # "371100000.0": the serial went through a float column
_THOUSANDS = re.compile(r"\d{1,3}(?:([,.\u00a0\u202f])\d{3})(?:\1\d{3})*")  # "5,104,321", "5.104.321"
# Month abbreviations a spreadsheet writes when it turns "14-3" or "MAR-14" into a date (English,
# Spanish, Portuguese), and the numeric forms it writes in a csv.
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC|ENE|ABR|AGO|SET|DIC|FEV|MAI|OUT|DEZ"
_YEAR = r"(?:\d{2}|(?:19|20)\d{2})"
DATE_TEXT = (rf"\d{{1,2}}[-/ ](?:{_MONTHS})\.?(?:[-/ ]{_YEAR})?|(?:{_MONTHS})\.?[-/ ]{_YEAR}"
             rf"|[0-3]?\d/[0-3]?\d/{_YEAR}|(?:19|20)\d{{2}}-[01]\d-[0-3]\d")
# Characters that mark an unknown position in a serial read by an examiner ("???255??", "AB*12*").
_UNKNOWN_MARKS = re.compile(r"[?*_]")
# "12X4X6 (X ilegible)": the text declares a letter to stand for unreadable characters.
_DECLARED = re.compile(r"\(?\s*\b([A-Z])\s*(?:=|:|ES|IS|SON|ARE)?\s*(?:ILLEGIBLE|ILEGIBLE|UNKNOWN|UNREADABLE"
                       r"|DESCONOCID[OA]S?|NO LEGIBLES?|ILEGIVE(?:L|IS)|DESCONHECID[OA]S?)\b\s*\)?")
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9\-./]*")
# Unicode TR39 confusables: Cyrillic and Greek capitals that render as a Latin letter.
LOOKALIKES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Ӏ": "I",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X"})

_LOOKALIKE_SET = frozenset(chr(c) for c in LOOKALIKES)

COLUMNS = ("blank", "placeholder", "obliterated", "privately_made", "partial", "scientific", "spoiled",
           "mended", "characters", "cleaned")


@dataclass
class _Reading:
    """What one distinct, non-plain serial text says (see ``COLUMNS``)."""

    cleaned: str
    placeholder: bool = False
    obliterated: bool = False
    privately_made: bool = False
    partial: bool = False
    spoiled: str | None = None  # float_suffix, thousands_separator
    mended: str | None = None  # label_noise, text_prefix, wrapper, lookalike, statement
    characters: str | None = None  # the look-alike characters, for the finding


def analyse(values: pd.Series, ref: Reference) -> pd.DataFrame:
    """One row per value, ``COLUMNS``: booleans; ``spoiled`` (a typed serial a spreadsheet damaged:
    float_suffix, thousands_separator, date_text) and ``mended`` (what cleaning undid: label_noise,
    text_prefix, wrapper, lookalike, statement) as text or missing; ``cleaned`` the matching form
    (upper case, labels and separators dropped, unknown positions of a partial serial as ``?``)."""
    n = len(values)
    upper = values.str.upper()
    out = {name: np.zeros(n, dtype=bool) for name in COLUMNS[:6]}
    out["blank"] = values.isna().to_numpy(copy=True)
    ordinary = upper.str.fullmatch(r"[A-Z0-9\-]*[1-9][A-Z0-9\-]*").to_numpy(dtype=bool, na_value=True)
    ordinary = ordinary | out["blank"]
    out["scientific"] = values.str.fullmatch(SCIENTIFIC).fillna(False).to_numpy()
    for name in ("spoiled", "mended", "characters"):
        out[name] = np.full(n, None, dtype=object)
    cleaned = upper.str.replace("-", "", regex=False).astype(object).to_numpy(copy=True)
    suspects = np.flatnonzero(~ordinary)
    if len(suspects):
        codes, uniques = pd.factorize(upper.iloc[suspects])
        readings = [_AS_ROW(_read(u, ref)) for u in uniques]  # not dataclasses.astuple: it deep-copies
        table = np.array(readings, dtype=object).reshape(len(readings), len(_FIELDS))[codes]
        cleaned[suspects] = table[:, 0]
        for k, name in enumerate(_FIELDS[1:], start=1):
            out[name][suspects] = table[:, k].astype(bool) if name in _FLAGS else table[:, k]
    date_text = upper.str.fullmatch(DATE_TEXT).fillna(False).to_numpy() & ~out["placeholder"]
    out["spoiled"][date_text] = "date_text"
    out["cleaned"] = cleaned
    frame = pd.DataFrame(out, index=values.index)
    frame["cleaned"] = frame["cleaned"].astype("str")  # Arrow-backed text for the string operations
    return frame[list(COLUMNS)]


_FIELDS = ("cleaned", "placeholder", "obliterated", "privately_made", "partial", "spoiled", "mended", "characters")
_FLAGS = {"placeholder", "obliterated", "privately_made", "partial"}
_AS_ROW = attrgetter(*_FIELDS)


def _read(text: str, ref: Reference) -> _Reading:
    """One non-plain serial text (upper case), in the order the damage was done."""
    text, mended, characters = _unwrap(text.strip())
    key = fold(text)
    if key == "" or key in ref.missing_words or key.strip("0") == "":
        return _Reading("", placeholder=True, mended=mended, characters=characters)
    if (m := _FLOAT_SUFFIX.fullmatch(text)) is not None:
        return _Reading(m.group(1), spoiled="float_suffix", mended=mended, characters=characters)
    if _THOUSANDS.fullmatch(text):
        return _Reading(re.sub(r"\D", "", text), spoiled="thousands_separator", mended=mended, characters=characters)
    partial = _partial(text)
    if partial is not None:
        return _Reading(partial, partial=True, mended=mended, characters=characters)
    pmf = ref.privately_made_re.search(key) is not None
    obliterated = ref.obliterated_re.search(key) is not None
    if pmf or obliterated:
        token = _serial_in_statement(text, ref)
        if token is None:
            return _Reading("", placeholder=True, obliterated=obliterated and not pmf, privately_made=pmf)
        return _Reading(token, mended="statement")
    cleaned, noisy = _clean(text, ref)
    return _Reading(cleaned, mended=mended or ("label_noise" if noisy else None), characters=characters)


def _unwrap(text: str) -> tuple[str, str | None, str | None]:
    """Text-forcing wrappers removed (``="0071234"``, ``'0048213``); full-width and look-alike
    characters read as the Latin letters and digits they show."""
    mended = None
    if text.startswith('="') and text.endswith('"') and len(text) > 3:
        text, mended = text[2:-1], "wrapper"
    elif text.startswith("'") and len(text) > 1:
        text, mended = text[1:].strip(), "text_prefix"
    if text.isascii():
        return text, mended, None
    lookalikes = sorted({ch for ch in text if ch in _LOOKALIKE_SET or "FULLWIDTH" in unicodedata.name(ch, "")})
    latin = unicodedata.normalize("NFKC", text).upper().translate(LOOKALIKES)  # "Nº" → "NO", NBSP → space
    if lookalikes:
        return latin, mended or "lookalike", ", ".join(lookalikes)
    return latin, mended, None


def _partial(text: str) -> str | None:
    """The serial with unknown positions as ``?`` when the text marks some as unknown, else None."""
    declared = _DECLARED.search(text)
    if declared is not None:
        letter = declared.group(1)
        rest = (text[:declared.start()] + text[declared.end():]).strip()
        if letter in rest:
            text = rest.replace(letter, "?")
    if not _UNKNOWN_MARKS.search(text):
        return None
    cleaned = re.sub(_SEPARATORS, "", _UNKNOWN_MARKS.sub("?", text))
    return cleaned if re.fullmatch(r"[A-Z0-9?]+", cleaned) and re.search(r"[A-Z0-9]", cleaned) else None


def _serial_in_statement(text: str, ref: Reference) -> str | None:
    """A serial an examiner's statement still carries ("ABC123 PARTIALLY GROUND"), else None.

    A statement that says there is none ("NO SERIAL", "SIN NUMERO") carries none; a word of the
    statement (a stem, a privately-made word such as POLYMER80) is not a serial.
    """
    key = fold(text)
    if any(f" {w} " in f" {key} " for w in ref.missing_words if len(w) >= 4):
        return None
    for token in _TOKEN.findall(text):
        word = fold(token)
        if ref.obliterated_re.match(word) or ref.privately_made_re.search(word):
            continue
        serial = re.sub(_SEPARATORS, "", token)
        if re.search(r"\d", serial) and (len(serial) >= 5 or re.search(r"[A-Z]", serial) and len(serial) >= 4):
            return serial
    return None


def _clean(text: str, ref: Reference) -> tuple[str, bool]:
    """Labels and trailing notes removed, separators dropped (as NCIC entry does); and whether a
    label or note was removed."""
    stripped = _TRAILING_NOTE.sub("", ref.serial_label_re.sub("", text))
    cleaned = re.sub(_SEPARATORS, "", stripped)
    return cleaned, cleaned != re.sub(_SEPARATORS, "", text)


def malformed_reason(cleaned: pd.Series, *, min_length: int, max_length: int) -> pd.Series:
    """The first problem with each cleaned serial, or missing when it looks plausible."""
    length = cleaned.str.len()
    ok = cleaned.str.fullmatch(r"[A-Z0-9]+").fillna(True) & length.between(min_length, max_length)
    ok &= ~_one_repeated_character(cleaned)
    reason = pd.Series(np.nan, index=cleaned.index, dtype="str")
    bad = cleaned[~ok]
    if len(bad):
        blen = bad.str.len()
        reason[~ok] = np.select(
            [bad.str.contains(r"[^\x00-\x7f]", regex=True), _one_repeated_character(bad),
             blen < min_length, blen > max_length],
            ["non_ascii", "repeated_character", "too_short", "too_long"], default="invalid_characters")
    return reason


def _one_repeated_character(values: pd.Series) -> pd.Series:
    """True for "1111111": a string equals itself shifted by one exactly when all its characters
    are the same (vectorised; a back-reference regex would fall back to Python per value)."""
    return ((values.str.len() >= 2) & (values.str.slice(1) == values.str.slice(0, -1))).fillna(False)
