"""TC14x and TC111/TC112 check kinds: values the pack's vocabulary does not know (with the nearest
known values), model/caliber combinations a maker never made, and import markings that are
incomplete or name an importer that does not import the maker.

Every check works on DISTINCT values (or distinct combinations) and spreads the result back over the
rows, so a 1M-row batch costs one fuzzy match per distinct unknown value. Tables: rules/vocabulary.yml,
reference.yml ``manufacturers:`` and matching.yml ``calibers:`` (compiled in tracecheck.vocabulary).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import Count, FieldName, Length, Score
from tracecheck.text import fold
from tracecheck.vocabulary import FFL_PREFIX_RE, PLACE_RE, Vocab, build_vocab, model_key

Table = Literal["manufacturers", "calibers", "firearm_types"]
_DIGITS = re.compile(r"\D+")


def _blank(ctx: CheckContext, folded: str) -> bool:
    """Blank or a placeholder (N/A, DESCONOCIDO, 0000): the *-missing rules report these."""
    return folded == "" or folded in ctx.reference.missing_words or folded.strip("0 ") == ""


def _judge(vocab: Vocab, folded: str, *, cutoff: float, typo: float, limit: int, same_digits: bool,
           min_length: int, name: Callable[[str], str] = str) -> tuple[str, str, str, float] | None:
    """(reason, canonical, suggestions, score) for a folded value the table does not know, else None.

    ``typo``: exactly one canonical value scores at least ``typo`` (with the same digits when
    ``same_digits``), or a longer name starting with a known alias is a near-miss of a longer alias
    of the same value ("SMITH WESON"); ``unknown_near``: not known, with near values; ``unknown``:
    nothing near. ``name``: what a message shows for a canonical value."""
    canonical, by_prefix = vocab.lookup(folded)
    if canonical is not None and not by_prefix:
        return None
    found = vocab.suggest(folded, cutoff=cutoff, limit=limit)
    if any(re.search(rf"\b{re.escape(s.alias)}\b", folded) for s in found):
        return None  # a known name with more words: "CZ (CESKA ZBROJOVKA)", "CENTURY ARMS INC"
    shown = ", ".join(f"{name(s.canonical)} ({s.score:g})" for s in found)
    close = [s for s in found if s.score >= typo and s.score < 100
             and (not same_digits or _DIGITS.sub("", s.alias) == _DIGITS.sub("", folded))]
    if by_prefix:
        same = [s for s in close if s.canonical == canonical]
        return ("typo", name(same[0].canonical), shown, same[0].score) if same else None
    if len(close) == 1 and len(folded.replace(" ", "")) >= min_length:
        return "typo", name(close[0].canonical), shown, close[0].score
    if found:
        return "unknown_near", name(found[0].canonical), shown, found[0].score
    return "unknown", "", "", 0.0


@check("vocabulary", context={"canonical": str, "suggestions": str, "score": float},
       reasons=("typo", "unknown_near", "unknown"))
def vocabulary(ctx: CheckContext, *, column: FieldName, table: Table, score_cutoff: Score = 60.0,
               typo_score: Score = 80.0, limit: Count = 3, same_digits: bool = False,
               min_length: Length = 4) -> pd.DataFrame:
    """A value the pack's ``table`` does not know, with the ``limit`` nearest known canonical values
    scoring at least ``score_cutoff`` (rapidfuzz ratio, 0-100) in ``suggestions``. Reason ``typo``:
    a near-miss (≥ ``typo_score``) of exactly one known value, named in ``canonical`` (values shorter
    than ``min_length`` characters are never called typos; ``same_digits`` also requires the digits
    to agree, for calibers: 9MN may be 9MM, 40 is never 45); ``unknown_near``: not known, nearest
    values listed; ``unknown``: nothing near (add it to the pack). Blank and placeholder cells are
    left to the *-missing rules; a privately made firearm's maker (HECHIZA, PMF) is not a maker.
    Values are named as the pack names them (``caliber_names``), in the report's language when its
    catalogue has a section named after the table (``firearm_types``: pistol -> pistola)."""
    if not ctx.present(column):
        return findings_frame([])
    vocab = ctx.reference.vocabularies[table]
    name = _namer(ctx, table, vocab)
    codes, uniques = pd.factorize(ctx.frame[column])

    def judge(value: object) -> tuple[str, str, str, float] | None:
        folded = fold(value)
        if _blank(ctx, folded) or ctx.reference.privately_made_re.search(folded):
            return None
        return _judge(vocab, folded, cutoff=score_cutoff, typo=typo_score, limit=limit, same_digits=same_digits,
                      min_length=min_length, name=name)

    verdicts = [judge(v) for v in uniques]
    bad = np.array([v is not None for v in verdicts] + [False], dtype=bool)
    hit = bad[codes]
    rows = ctx.frame.index[hit]
    picked = [verdicts[c] for c in codes[hit]]
    return findings_frame(rows, reason=[p[0] for p in picked], canonical=[p[1] for p in picked],
                          suggestions=[p[2] for p in picked], score=[p[3] for p in picked])


def _namer(ctx: CheckContext, table: str, vocab: Vocab) -> Callable[[str], str]:
    """Canonical value -> its name in the pack, translated by the report catalogue's ``table`` section."""
    words = ctx.words

    def name(canonical: str) -> str:
        shown = vocab.name(canonical)
        return str(words.text(table, shown)) if words is not None else shown
    return name


def _combined_codes(*columns: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """One code per row for the combination of ``columns``, and the distinct combinations (values)."""
    parts = [pd.factorize(c) for c in columns]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for codes, uniques in parts:
        key = key * (len(uniques) + 1) + (codes + 1)
    inverse, distinct = pd.factorize(key)  # hashing: no sort of the 1M keys
    first = np.empty(len(distinct), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(key) - 1, -1, -1)  # each combination's first row
    combos = [tuple(c.iloc[i] for c in columns) for i in first]
    return inverse, combos


def _maker_of(ctx: CheckContext, value: object) -> str | None:
    return ctx.reference.vocabularies["manufacturers"].known(fold(value))


def _without_maker(model: str, aliases: tuple[str, ...]) -> str:
    """The model as written without a leading maker name ("GLOCK 19" -> "19"), so a message does not
    name the maker twice; the model as written when no alias of its maker starts it."""
    for alias in aliases:  # folded, longest first: "SMITH WESSON" matches "Smith & Wesson M&P 40"
        words = r"[\W_]+".join(re.escape(w) for w in alias.split())
        found = re.match(rf"\s*{words}[\W_]+(?=\w)", model, re.IGNORECASE)
        if found:
            return model[found.end():]
    return model


@check("model_caliber", context={"maker": str, "model": str, "caliber_class": str, "caliber_name": str,
                                 "made_in": str})
def model_caliber(ctx: CheckContext, *, maker: FieldName = "manufacturer", model: FieldName = "model",
                  caliber: FieldName = "caliber") -> pd.DataFrame:
    """A caliber the maker never made the model in: maker and model are in the pack's ``models``
    table (complete caliber sets only), the caliber's class is known and not among the model's
    (``made_in``, the classes it was made in). Reported on the caliber cell. ``caliber_class`` is the
    class id, ``caliber_name`` and ``made_in`` the names the pack gives the classes (``caliber_names``);
    ``model`` is the model as written, without a leading maker name."""
    if not (ctx.present(maker) and ctx.present(model) and ctx.present(caliber)):
        return findings_frame([])
    ref = ctx.reference
    frame = ctx.frame
    inverse, combos = _combined_codes(frame[maker], frame[model], frame[caliber])
    calibers = ref.vocabularies["calibers"]
    verdict: list[tuple[str, str, str, str, str] | None] = []
    for made_by, called, cal in combos:
        name = _maker_of(ctx, made_by) if pd.notna(made_by) else None
        table = ref.models.get(name) if name else None
        if not (name and table and pd.notna(called) and pd.notna(cal)):
            verdict.append(None)
            continue
        aliases = ref.maker_aliases.get(name, ())
        classes = table.get(model_key(fold(called), aliases))
        cls = calibers.known(fold(cal)) if classes else None
        verdict.append((name, _without_maker(str(called), aliases), cls, calibers.name(cls),
                        ", ".join(sorted(calibers.name(c) for c in classes)))
                       if classes and cls and cls not in classes else None)
    bad = np.array([v is not None for v in verdict], dtype=bool)
    hit = bad[inverse]
    picked = [verdict[i] for i in inverse[hit]]
    return findings_frame(frame.index[hit], field=caliber, value=frame.loc[hit, caliber],
                          maker=[p[0] for p in picked], model=[p[1] for p in picked],
                          caliber_class=[p[2] for p in picked], caliber_name=[p[3] for p in picked],
                          made_in=[p[4] for p in picked])


def _model_vocab(table: dict[str, frozenset[str]]) -> Vocab:
    """A maker's listed models as a vocabulary of model keys."""
    return build_vocab({key: [] for key in table})


@check("model_typo", context={"maker": str, "canonical": str, "suggestions": str, "score": float})
def model_typo(ctx: CheckContext, *, column: FieldName = "model", maker: FieldName = "manufacturer",
               typo_score: Score = 80.0, min_length: Length = 4) -> pd.DataFrame:
    """A model that is a near-miss (rapidfuzz ratio ≥ ``typo_score`` on the model key) of exactly one
    model the pack lists for a known maker, with the same digits and at least ``min_length``
    characters, and neither a shortening nor a lengthening of it: SD9EV for SD9VE (not SD40, an older
    model than the SD40VE). Nothing is said about other unlisted models:
    the model table is small and every maker makes models it does not list."""
    if not (ctx.present(column) and ctx.present(maker)):
        return findings_frame([])
    ref = ctx.reference
    frame = ctx.frame
    inverse, combos = _combined_codes(frame[maker], frame[column])
    verdict: list[tuple[str, str, str, float] | None] = []
    for made_by, called in combos:
        name = _maker_of(ctx, made_by) if pd.notna(made_by) else None
        table = ref.models.get(name) if name else None
        key = model_key(fold(called), ref.maker_aliases.get(name, ())) if table and pd.notna(called) else ""
        if name is None or table is None or not key or key in table or len(key) < min_length:
            verdict.append(None)
            continue
        vocab: Vocab = ctx.cached(f"models:{name}", functools.partial(_model_vocab, table))
        close = [s for s in vocab.suggest(key, cutoff=typo_score, limit=3)
                 if _DIGITS.sub("", s.alias) == _DIGITS.sub("", key)
                 and not (s.alias.startswith(key) or key.startswith(s.alias))]  # SD40, an older model, not SD40VE
        verdict.append((name, close[0].canonical, ", ".join(f"{s.canonical} ({s.score:g})" for s in close),
                        close[0].score) if len(close) == 1 else None)
    bad = np.array([v is not None for v in verdict], dtype=bool)
    hit = bad[inverse]
    picked = [verdict[i] for i in inverse[hit]]
    return findings_frame(frame.index[hit], maker=[p[0] for p in picked], canonical=[p[1] for p in picked],
                          suggestions=[p[2] for p in picked], score=[p[3] for p in picked])


def _has_ffl_prefix(values: pd.Series) -> np.ndarray:
    """True where the cell starts (or has a word starting) with an abbreviated-FFL prefix: 98612345-…"""
    codes, uniques = pd.factorize(values)
    found = np.array([bool(FFL_PREFIX_RE.search(str(v).strip().upper())) for v in uniques] + [False], dtype=bool)
    return found[codes]


def _marking(ctx: CheckContext, *, column: FieldName = "import_marking", **_: object) -> pd.Series:
    """The import marking as written: a known importer's spelling is reported once, on its first row."""
    if not ctx.present(column):
        return pd.Series(None, index=ctx.frame.index, dtype="str")
    return ctx.frame[column]


@check("import_marking_incomplete", context={"importer": str, "places": str, "example": str, "same_rows": int},
       reasons=("known_importer", "unknown_importer", "not_a_name"), scope="group", key=_marking)
def import_marking_incomplete(ctx: CheckContext, *, column: FieldName = "import_marking",
                              serials: tuple[FieldName, ...] = ("import_serial", "serial_number"),
                              imported_words: list[str] | None = None,
                              not_imported_words: list[str] | None = None) -> pd.DataFrame:
    """An import marking that names an importer but gives neither its city and state (a US state
    code as the last word, or a state's name) nor a serial prefixed with the abbreviated FFL number
    (here or in the ``serials`` cells): 27 CFR 478.92(a)(1). Reason ``known_importer``: the pack's
    importer table knows the name (``importer``; ``places``, the first city and state its markings
    give; ``example``, the importer's name as written with that place), reported once per spelling on
    its first row with ``same_rows``, the rows that carry it; ``unknown_importer``: it does not,
    reported on every row; ``not_a_name``: the cell is a yes flag (one of ``imported_words``: SI,
    YES, IMPORTADA), so the gun is imported but the importer is not named. A no flag
    (``not_imported_words``: NO, NACIONAL) says nothing was imported: no finding here."""
    if not ctx.present(column):
        return findings_frame([])
    importers = ctx.reference.importers
    codes, uniques = pd.factorize(ctx.frame[column])
    yes = {fold(w) for w in imported_words or []}
    no = {fold(w) for w in not_imported_words or []}

    def judge(value: object) -> tuple[str, str, str, str] | None:
        folded = fold(value)
        if _blank(ctx, folded) or not re.search(r"[A-Z]", folded) or folded in no:
            return None
        if folded in yes:
            return "not_a_name", "", "", ""
        if PLACE_RE.search(folded) or FFL_PREFIX_RE.search(str(value).strip().upper()):
            return None
        found, alias = importers.find_alias(folded)
        if found is None:
            maker = ctx.reference.makers.get(folded)
            if maker is not None and not maker.foreign:
                return None  # a US maker written in the importer column: nothing was imported
            return "unknown_importer", "", "", ""
        if any(place and place in folded for place in map(fold, found.places)):
            return None
        place = found.places[0] if found.places else "CITY ST"
        # the name as written, then the place: "CAI-12345" (a number after the name) advises "CAI ST ALBANS VT"
        name = str(value).strip() if alias == folded else alias
        return "known_importer", found.name, place, f"{name} {place}"

    verdicts = [judge(v) for v in uniques] + [None]
    bad = np.array([v is not None for v in verdicts], dtype=bool)[codes]
    for name in serials:  # only the flagged rows' serials are read (a serial column is mostly distinct)
        if ctx.present(name) and bad.any():
            at = np.flatnonzero(bad)
            bad[at] = ~_has_ffl_prefix(ctx.frame[name].iloc[at])
    # a known importer's name is reported once per spelling (its first row, with the count)
    known = np.array([v is not None and v[0] == "known_importer" for v in verdicts], dtype=bool)[codes] & bad
    counts = np.bincount(codes[known], minlength=len(uniques))
    first = np.zeros(len(codes), dtype=bool)
    seen = np.unique(codes[known], return_index=True)[1]
    first[np.flatnonzero(known)[seen]] = True
    keep = (bad & ~known) | first
    picked = [verdicts[c] for c in codes[keep]]
    same = np.where(known[keep], counts[codes[keep]], 1)
    return findings_frame(ctx.frame.index[keep], reason=[p[0] for p in picked], importer=[p[1] for p in picked],
                          places=[p[2] for p in picked], example=[p[3] for p in picked], same_rows=same)


@check("importer_maker_mismatch", context={"importer": str, "maker": str, "imports": str})
def importer_maker_mismatch(ctx: CheckContext, *, column: FieldName = "import_marking",
                            maker: FieldName = "manufacturer") -> pd.DataFrame:
    """The marking names an importer whose maker list in the pack is closed (complete), the maker is
    known, and the importer does not import it (``imports``: the makers it does). Reported on the
    marking."""
    if not (ctx.present(column) and ctx.present(maker)):
        return findings_frame([])
    frame = ctx.frame
    inverse, combos = _combined_codes(frame[column], frame[maker])
    verdict: list[tuple[str, str, str] | None] = []
    for marking, made_by in combos:
        importer = ctx.reference.importers.find(fold(marking)) if pd.notna(marking) else None
        name = _maker_of(ctx, made_by) if importer and importer.closed and pd.notna(made_by) else None
        verdict.append((importer.name, name, ", ".join(sorted(importer.makers)))
                       if importer and name and name not in importer.makers else None)
    bad = np.array([v is not None for v in verdict], dtype=bool)
    hit = bad[inverse]
    picked = [verdict[i] for i in inverse[hit]]
    return findings_frame(frame.index[hit], field=column, value=frame.loc[hit, column],
                          importer=[p[0] for p in picked], maker=[p[1] for p in picked],
                          imports=[p[2] for p in picked])
