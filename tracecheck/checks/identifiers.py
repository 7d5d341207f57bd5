"""TC1xx check kinds: serial numbers, import markings and the other trace identifiers."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import FieldName, Length
from tracecheck.serials import analyse, malformed_reason
from tracecheck.text import fold, fold_series, map_distinct


def serial_analysis(ctx: CheckContext, column: str) -> pd.DataFrame:
    """The batch's serial analysis (placeholders, cleaned values...), shared by every rule that needs it."""
    return ctx.cached(f"serials:{column}", lambda: analyse(ctx.frame[column], ctx.reference))


@check("serial_missing", context={"obliterated": bool, "cleaned": str, "known": int},
       reasons=("blank", "placeholder", "obliterated", "privately_made", "partial"))
def serial_missing(ctx: CheckContext, *, column: FieldName,
                   also_privately_made: tuple[FieldName, ...] = ("manufacturer", "firearm_type")) -> pd.DataFrame:
    """Blank serials and placeholders; obliteration statements (reason ``obliterated``: route to
    restoration); privately made firearms, which have no serial (``privately_made``: said in the
    serial cell, or in the ``also_privately_made`` cells of a row without a serial); partial serials
    an examiner read with unknown positions (``partial``: ``cleaned`` keeps the known characters)."""
    if not ctx.present(column):
        return findings_frame([])
    info = serial_analysis(ctx, column)
    hit = info["blank"] | info["placeholder"] | info["partial"]
    sub = info[hit]
    pmf = sub["privately_made"].to_numpy(dtype=bool, copy=True)
    for name in also_privately_made:
        if ctx.present(name):
            said = fold_series(ctx.frame.loc[hit.to_numpy(), name]).fillna("")
            pmf |= said.str.contains(ctx.reference.privately_made_re, regex=True).to_numpy(dtype=bool)
    reason = np.select([sub["partial"], pmf, sub["obliterated"], sub["blank"]],
                       ["partial", "privately_made", "obliterated", "blank"], "placeholder")
    cleaned = sub["cleaned"].where(sub["partial"])
    known = cleaned.str.count(r"[A-Z0-9]").astype("Int64")
    return findings_frame(sub.index, reason=reason, obliterated=sub["obliterated"], cleaned=cleaned, known=known)


@check("serial_malformed", context={"cleaned": str, "length": int, "characters": str},
       reasons=("too_short", "too_long", "repeated_character", "non_ascii", "invalid_characters", "label_noise",
                "lookalike", "text_prefix", "statement"))
def serial_malformed(ctx: CheckContext, *, column: FieldName, min_length: Length = 4,
                     max_length: Length = 20) -> pd.DataFrame:
    """Present but implausible serials; and serials cleaning had to mend, with the value it kept:
    label text (``label_noise``), look-alike or full-width characters (``lookalike``, naming them),
    Excel's text apostrophe (``text_prefix``), an examiner's statement around the serial
    (``statement``). A ``="…"`` wrapper is undone silently: it is how exports keep text text."""
    if not ctx.present(column):
        return findings_frame([])
    info = serial_analysis(ctx, column)
    reported = info["blank"] | info["placeholder"] | info["partial"] | info["scientific"] | info["spoiled"].notna()
    usable = info[~reported]  # TC101 and TC103 report the others
    reason = malformed_reason(usable["cleaned"], min_length=min_length, max_length=max_length)
    mended = usable["mended"].where(usable["mended"].isin(["label_noise", "lookalike", "text_prefix", "statement"]))
    reason = reason.fillna(mended.astype("str"))
    hit = reason.notna()
    cleaned = usable.loc[hit, "cleaned"]
    chars = [given if isinstance(given, str) and given else _odd_characters(c)
             for c, given in zip(cleaned, usable.loc[hit, "characters"])]
    return findings_frame(cleaned.index, reason=reason[hit], cleaned=cleaned, length=cleaned.str.len().astype("Int64"),
                          characters=chars)


def _odd_characters(cleaned: str) -> str:
    """The characters of a cleaned serial that are neither A-Z nor 0-9, sorted, comma-separated."""
    return ", ".join(sorted({ch for ch in cleaned if not ("A" <= ch <= "Z" or "0" <= ch <= "9")}))


@check("serial_numeric", context={"cleaned": str},
       reasons=("scientific_notation", "numeric_cell", "date_cell", "date_text", "float_suffix", "thousands_separator"))
def serial_numeric(ctx: CheckContext, *, column: Literal["serial_number"]) -> pd.DataFrame:
    """Serials a spreadsheet turned into a number or a date. In cells: a date cell (the typed serial is
    gone), a numeric cell (leading zeros lost). In text, the traces an export leaves: scientific
    notation (digits lost), date text such as ``14-Mar`` (the serial is gone), a float's ``.0``, thousands
    separators (leading zeros may be lost). Only the serial: normalise records the cell types
    (``__numeric``, ``__date``) for no other field."""
    if not ctx.present(column):
        return findings_frame([])
    info = serial_analysis(ctx, column)
    scientific = info["scientific"].to_numpy()
    spoiled = info["spoiled"].to_numpy(dtype=object)
    date = ctx.frame[f"{column}__date"].to_numpy()
    numeric = ctx.frame[f"{column}__numeric"].to_numpy() & ~scientific
    text = pd.notna(spoiled)
    hit = scientific | numeric | date | text
    reason = np.where(date, "date_cell", np.where(scientific, "scientific_notation",
                                                  np.where(text, spoiled, "numeric_cell")))
    return findings_frame(ctx.frame.index[hit], reason=reason[hit], cleaned=info["cleaned"].to_numpy(dtype=object)[hit])


@check("obliterated_conflict", context={"flag_value": str})
def obliterated_conflict(ctx: CheckContext, *, column: FieldName, flag: Literal["obliterated"]) -> pd.DataFrame:
    """The serial reads as obliterated but the obliterated flag says no (normalise reads yes/no
    values, ``__flag``, only for the obliterated field)."""
    if not (ctx.present(column) and ctx.present(flag)):
        return findings_frame([])
    info = serial_analysis(ctx, column)
    said_no = ctx.frame[f"{flag}__flag"].eq(False).fillna(False).to_numpy()
    hit = info["obliterated"].to_numpy() & said_no
    return findings_frame(ctx.frame.index[hit], flag_value=ctx.frame.loc[hit, flag])


def _missing_values(ctx: CheckContext, column: str) -> pd.Series:
    """True where ``column`` is blank or a placeholder (N/A, UNKNOWN, ?, 0000, ...)."""
    missing_words = ctx.reference.missing_words

    def is_placeholder(text: str) -> bool:
        key = fold(text)
        return key == "" or key in missing_words or key.strip("0") == ""

    flags = map_distinct(ctx.frame[column], is_placeholder, missing=True)
    return pd.Series(flags.astype(bool), index=ctx.frame.index)


@check("value_missing", reasons=("blank", "placeholder"))
def value_missing(ctx: CheckContext, *, column: FieldName) -> pd.DataFrame:
    """A required identifier that is blank (reason ``blank``) or a placeholder such as N/A or
    DESCONOCIDO (reason ``placeholder``)."""
    if not ctx.present(column):
        return findings_frame([])
    hit = _missing_values(ctx, column)
    values = ctx.frame.loc[hit.to_numpy(), column]
    return findings_frame(values.index, reason=np.where(values.isna(), "blank", "placeholder"))


@check("import_marking_missing", context={"maker": str, "country": str},
       reasons=("country", "maker", "maker_has_us_plant", "country_contradicts_maker"))
def import_marking_missing(ctx: CheckContext, *, fields: tuple[FieldName, ...] = ("import_marking", "import_serial"),
                           country: FieldName = "country_of_origin", maker: FieldName = "manufacturer") -> pd.DataFrame:
    """A foreign-made gun (by its country, or inferred from its maker) with no import marking."""
    frame = ctx.frame
    no_marking = np.ones(len(frame), dtype=bool)
    for name in fields:
        if ctx.present(name):
            no_marking &= _missing_values(ctx, name).to_numpy()
    country_key = fold_series(frame[country]).fillna("")
    country_blank = (country_key.eq("") | country_key.isin(ctx.reference.missing_words)).to_numpy()
    is_us = country_key.isin(ctx.reference.us_names).to_numpy()
    makers = map_distinct(ctx.frame[maker], lambda name: ctx.reference.maker_for(fold(name)))
    maker_foreign = np.array([m is not None and m.foreign for m in makers], dtype=bool)
    us_plant = np.array([m is not None and m.us_plant for m in makers], dtype=bool)
    conditions = [~country_blank & ~is_us, country_blank & maker_foreign & ~us_plant,
                  country_blank & maker_foreign & us_plant, is_us & maker_foreign & ~us_plant]
    reasons = ["country", "maker", "maker_has_us_plant", "country_contradicts_maker"]
    reason = np.select(conditions, reasons, default="")
    hit = no_marking & (reason != "")
    inferred = [m.country if m else None for m in makers[hit]]
    marking = frame.loc[hit, fields[0]] if ctx.present(fields[0]) else None
    return findings_frame(frame.index[hit], field=fields[0], value=marking, reason=reason[hit],
                          maker=frame.loc[hit, maker],
                          country=np.where(reason[hit] == "country", frame.loc[hit, country].to_numpy(dtype=object),
                                           np.array(inferred, dtype=object)))
