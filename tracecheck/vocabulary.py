"""Vocabulary tables (makers, calibers, firearm types, models, importers) and their lookups.

Pure: built once per rule pack by ``tracecheck.reference.compile_reference``, used by the TC14x and
TC111/TC112 checks. Every lookup works on ``fold``ed text (upper case, no accents, punctuation as
spaces). Suggestions use rapidfuzz ``fuzz.ratio`` (0-100, 100 = same text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from tracecheck.text import fold

_CALIBER_PREFIX = re.compile(r"^(?:CAL|CALIBRE|CALIBER|CALIBRO|CALL)(?: DE)? ")
_CALIBER_SUFFIX = re.compile(r" ?(?:MM|CAL|CALIBRE|CALIBER|CALIBRO)$")
_MODEL_PREFIX = re.compile(r"^(?:MODEL|MODELO|MOD|MDL|NO)\s+")
# Generation and variant words after a model number that do not change its caliber: "19 GEN 5 MOS",
# "G17 GEN4", "92 FS" (Glock generations, Modular Optic System, Beretta's FS frame).
_MODEL_VARIANT = re.compile(r"(?<=\S) (?:GEN ?\d|GENERATION ?\d|MOS|FS|FSL)\b")
_US_STATES = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
              "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR").split()
_US_STATE_NAMES = ("ALABAMA ALASKA ARIZONA ARKANSAS CALIFORNIA COLORADO CONNECTICUT DELAWARE FLORIDA GEORGIA HAWAII "
                   "IDAHO ILLINOIS INDIANA IOWA KANSAS KENTUCKY LOUISIANA MAINE MARYLAND MASSACHUSETTS MICHIGAN "
                   "MINNESOTA MISSISSIPPI MISSOURI MONTANA NEBRASKA NEVADA OHIO OKLAHOMA OREGON PENNSYLVANIA "
                   "TENNESSEE TEXAS UTAH VERMONT VIRGINIA WASHINGTON WISCONSIN WYOMING").split()
# A place in a marking: a state code as the last word (or before a ZIP code), or a state's full name.
PLACE_RE = re.compile(r"\b(?:" + "|".join(_US_STATES) + r")(?: \d{5}(?: \d{4})?)?$|\b(?:"
                      + "|".join(_US_STATE_NAMES) + r"|NEW (?:HAMPSHIRE|JERSEY|MEXICO|YORK)|(?:NORTH|SOUTH) "
                      r"(?:CAROLINA|DAKOTA)|RHODE ISLAND|WEST VIRGINIA)\b")
# 27 CFR 478.92(a)(1)(i)(B): a serial prefixed with the abbreviated FFL number (first 3 and last 5 digits) and a hyphen.
FFL_PREFIX_RE = re.compile(r"(?:^|\s)(?:\d{8}|\d-?\d{2}-?\d{5})-\S")


@dataclass(frozen=True)
class Suggestion:
    canonical: str
    alias: str
    score: float


@dataclass(frozen=True)
class Vocab:
    """One vocabulary: folded alias -> canonical value. ``kind`` picks how a cell is read:
    ``exact`` (whole cell; a longer name that starts with an alias, "GLOCK GMBH AUSTRIA", is known),
    ``caliber`` (labels CAL/CALIBRE and a trailing MM dropped, spaces ignored), ``words`` (the cell
    holds a known word or phrase anywhere: "PISTOLA SEMIAUTOMATICA")."""

    aliases: dict[str, str]
    kind: str = "exact"
    compact: dict[str, str] = field(default_factory=dict)  # alias without spaces -> canonical
    words_re: re.Pattern[str] | None = None
    choices: tuple[str, ...] = ()
    choices_by_length: tuple[str, ...] = ()  # aliases, longest first (prefix lookups)
    names: dict[str, str] = field(default_factory=dict)  # canonical value -> the name a message shows

    def name(self, canonical: str) -> str:
        """The name a person reads for a canonical value (a caliber class's ".45 ACP"); the value itself
        when the pack gives none."""
        return self.names.get(canonical, canonical)

    def known(self, folded: str) -> str | None:
        """The canonical value of a folded cell, or None when the table does not know it."""
        return self.lookup(folded)[0]

    def lookup(self, folded: str) -> tuple[str | None, bool]:
        """(canonical value or None, whether only a longer name starting with an alias matched)."""
        if not folded:
            return None, False
        if folded in self.aliases:
            return self.aliases[folded], False
        if self.kind == "caliber":
            for key in _caliber_keys(folded):
                hit = self.aliases.get(key) or self.compact.get(key.replace(" ", ""))
                if hit:
                    return hit, False
            return None, False
        if self.kind == "words":
            found = self.words_re.search(folded) if self.words_re else None
            return (self.aliases[found[0]] if found else None), False
        for alias in self.choices_by_length:
            if len(alias) >= 3 and folded.startswith(alias + " "):
                return self.aliases[alias], True
        return None, False


    def suggest(self, folded: str, *, cutoff: float, limit: int = 3) -> list[Suggestion]:
        """The ``limit`` nearest canonical values (best alias of each) scoring at least ``cutoff``."""
        key = _caliber_keys(folded)[-1] if self.kind == "caliber" else folded
        found = process.extract(key, self.choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 4)
        best: dict[str, Suggestion] = {}
        for alias, score, _ in found:
            canonical = self.aliases[alias]
            if canonical not in best:
                best[canonical] = Suggestion(canonical, alias, round(float(score), 1))
        return list(best.values())[:limit]


def _caliber_keys(folded: str) -> list[str]:
    """The readings of a caliber cell tried in turn: as written, label dropped, trailing MM dropped."""
    keys = [folded]
    bare = _CALIBER_PREFIX.sub("", folded)
    keys.append(bare)
    unit = _CALIBER_SUFFIX.sub("", bare)
    if unit:
        keys.append(unit)
    return keys


def build_vocab(table: dict[str, list], kind: str = "exact", names: dict[str, str] | None = None) -> Vocab:
    """A Vocab from canonical -> aliases (the canonical value is an alias of itself); ``names``: the
    name a message shows for a canonical value, when it is not the value itself."""
    aliases = {fold(alias): str(canonical) for canonical, listed in table.items()
               for alias in [canonical, *(listed or [])] if fold(alias)}
    words_re = None
    if kind == "words":
        ordered = sorted(aliases, key=len, reverse=True)
        words_re = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ordered) + r")\b") if ordered else None
    compact = {a.replace(" ", ""): c for a, c in aliases.items()} if kind == "caliber" else {}
    return Vocab(aliases, kind, compact, words_re, tuple(aliases), tuple(sorted(aliases, key=len, reverse=True)),
                 {str(k): str(v) for k, v in (names or {}).items()})


def model_key(folded_model: str, maker_aliases: tuple[str, ...] = ()) -> str:
    """A model as the model table keys it: maker name, MODEL/MOD/G and generation or variant words
    (GEN 5, MOS, FS) dropped, no spaces. ``"GLOCK 19"`` -> ``"19"``; ``"G-19"`` -> ``"19"``;
    ``"19 GEN 5"`` -> ``"19"``; ``"M&P 40"`` -> ``"MP40"``; ``"WASR-10"`` -> ``"WASR10"``."""
    text = folded_model
    for alias in maker_aliases:
        if text.startswith(alias + " "):
            text = text[len(alias) + 1:]
            break
    text = _MODEL_PREFIX.sub("", text)
    text = _MODEL_VARIANT.sub("", text)
    compact = text.replace(" ", "")
    if re.fullmatch(r"G\d+[A-Z]?", compact):  # Glock's own short form: G19
        compact = compact[1:]
    return compact


@dataclass(frozen=True)
class Importer:
    name: str
    places: tuple[str, ...]
    makers: frozenset[str]
    closed: bool


@dataclass(frozen=True)
class Importers:
    """Folded importer alias -> importer; ``find`` reads the importer named at the start of a marking."""

    by_alias: dict[str, Importer]

    def find(self, folded: str) -> Importer | None:
        return self.find_alias(folded)[0]

    def find_alias(self, folded: str) -> tuple[Importer | None, str]:
        """The importer named at the start of ``folded`` and the alias that named it ("CAI")."""
        if folded in self.by_alias:
            return self.by_alias[folded], folded
        for alias in sorted(self.by_alias, key=len, reverse=True):
            if folded.startswith(alias + " "):
                return self.by_alias[alias], alias
        return None, ""


def build_importers(entries: list[dict]) -> Importers:
    by_alias: dict[str, Importer] = {}
    for entry in entries or []:
        importer = Importer(str(entry["name"]), tuple(str(p) for p in entry.get("places") or []),
                            frozenset(str(m) for m in entry.get("makers") or []), bool(entry.get("closed", False)))
        for alias in [entry["name"], *(entry.get("aliases") or [])]:
            if fold(alias):
                by_alias[fold(alias)] = importer
    return Importers(by_alias)


def build_models(table: dict[str, dict[str, list]]) -> dict[str, dict[str, frozenset[str]]]:
    """Maker name -> model key -> caliber classes."""
    return {str(maker): {model_key(fold(model)): frozenset(str(c) for c in calibers)
                         for model, calibers in (models or {}).items()}
            for maker, models in (table or {}).items()}
