"""Reference tables from the rule pack, compiled once for fast lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from tracecheck.text import fold
from tracecheck.vocabulary import Importers, Vocab, build_importers, build_models, build_vocab


@dataclass(frozen=True)
class Maker:
    name: str
    country: str
    us_plant: bool
    foreign: bool  # the maker's home country is not the US


@dataclass(frozen=True)
class Reference:
    missing_words: frozenset[str]
    obliterated_re: re.Pattern[str]  # a word starting with an obliteration stem, on folded text
    privately_made_re: re.Pattern[str]  # a privately-made-firearm word, on folded text
    item_words: dict[str, str]  # folded word -> "firearm" or the kind of item that is not one
    serial_label_re: re.Pattern[str]
    us_names: frozenset[str]
    makers: dict[str, Maker]  # folded alias -> maker
    matching: dict  # duplicate-matching parameters (rules/matching.yml)
    calibers: dict[str, str]  # folded caliber alias -> caliber class
    agencies: dict[str, str] = field(default_factory=dict)  # agency_key of every alias -> the agency's name
    ffl_districts: dict[str, frozenset[str]] = field(default_factory=dict)  # "1-54" -> state codes
    state_codes: dict[str, str] = field(default_factory=dict)  # folded state name or abbreviation -> code
    # vocabulary tables (tracecheck.vocabulary): "manufacturers", "calibers", "firearm_types" -> Vocab
    vocabularies: dict[str, Vocab] = field(default_factory=dict)
    models: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)  # maker -> model key -> classes
    maker_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # maker name -> folded aliases
    importers: Importers = field(default_factory=lambda: Importers({}))

    def maker_for(self, folded_name: str) -> Maker | None:
        return _lookup_maker(self, folded_name)


def compile_reference(data: dict) -> Reference:
    placeholders = data.get("placeholders", {})
    oblit = sorted({fold(w) for w in placeholders.get("obliterated", [])}, key=len, reverse=True)
    pmf = sorted({fold(w) for w in placeholders.get("privately_made", [])}, key=len, reverse=True)
    makers = {}
    for entry in data.get("manufacturers", []):
        country = entry.get("country", "US")
        maker = Maker(entry["name"], country, bool(entry.get("us_plant", False)),
                      foreign=fold(country) not in ("US", "USA", "UNITED STATES"))
        for alias in [entry["name"], *entry.get("aliases", [])]:
            makers[fold(alias)] = maker
    maker_table: dict[str, list] = {}
    for entry in data.get("manufacturers", []):
        maker_table.setdefault(str(entry["name"]), []).extend(entry.get("aliases", []))
    label = placeholders.get("serial_label") or r"^\s*(?:S\s*/\s*N|SN)\s*[:#.]+\s*|^\s*#\s*"
    return Reference(
        missing_words=frozenset(fold(w) for w in placeholders.get("missing", [])),
        obliterated_re=_words_re(oblit, stems=True),
        privately_made_re=_words_re(pmf, stems=False),
        item_words=item_words(data),
        serial_label_re=re.compile(label, re.IGNORECASE),
        us_names=frozenset(fold(n) for n in data.get("us_country_names", ["US", "USA"])),
        makers=makers,
        matching=dict(data.get("matching", {})),
        calibers={fold(alias): str(cls) for cls, aliases in data.get("calibers", {}).items()
                  for alias in [cls, *aliases]},
        agencies=agency_names(data),
        ffl_districts={str(key): frozenset(map(str, states)) for key, states in
                       (data.get("ffl_districts") or {}).items()},
        state_codes=state_codes(data),
        vocabularies={"manufacturers": build_vocab(maker_table, "exact"),
                      "calibers": build_vocab(data.get("calibers") or {}, "caliber", data.get("caliber_names")),
                      "firearm_types": build_vocab(data.get("firearm_types") or {}, "words")},
        models=build_models(data.get("models") or {}),
        maker_aliases={name: tuple(sorted({fold(a) for a in aliases}, key=len, reverse=True))
                       for name, aliases in maker_table.items()},
        importers=build_importers(data.get("importers") or []),
    )


def state_codes(data: dict) -> dict[str, str]:
    """Folded state name, abbreviation or code -> the two-letter code, from the pack's ``us_states``."""
    codes: dict[str, str] = {}
    for code, names in (data.get("us_states") or {}).items():
        for name in [code, *(names or [])]:
            codes[fold(name)] = str(code)
    return codes


def item_words(data: dict) -> dict[str, str]:
    """Folded word -> "firearm" or the kind of item that is not one, from the pack's ``items`` table."""
    items = data.get("items", {})
    words = {fold(w): kind for kind, listed in items.get("not_firearm", {}).items() for w in listed}
    words.update({fold(w): "firearm" for w in items.get("firearm", [])})
    return words


def agency_names(data: dict) -> dict[str, str]:
    """Compact key (``agency_key``) of every name in the pack's ``agency_aliases`` table -> the agency's
    name (the name on the left of its entry). When two entries claim one name the later wins: a user
    pack's entries come after the default ones."""
    names: dict[str, str] = {}
    for name, aliases in (data.get("agency_aliases") or {}).items():
        for alias in [name, *(aliases or [])]:
            key = agency_key(alias)
            if key:
                names[key] = str(name)
    return names


def agency_key(text: object) -> str:
    """An agency name without regard to case, accents, punctuation or spaces ("F.G.R." and "fgr": "FGR")."""
    return fold(text).replace(" ", "")


_NAME_AND_ACRONYM = re.compile(r"(.+?)\s*\(([^()]+)\)")


def agency_name(value: str, names: dict[str, str]) -> str:
    """The name the pack gives the agency written ``value``, or ``value`` as written when the table
    does not know it. "Name (ACRONYM)" takes the agency's name when both parts name that agency."""
    found = names.get(agency_key(value))
    if found:
        return found
    parts = _NAME_AND_ACRONYM.fullmatch(value.strip())
    if parts:
        first, second = names.get(agency_key(parts[1])), names.get(agency_key(parts[2]))
        if first and first == second:
            return first
    return value


def _words_re(words: list[str], *, stems: bool) -> re.Pattern[str]:
    """Any of ``words`` (folded) as whole words, or as the start of a word when ``stems``."""
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + (r")" if stems else r")\b"))


def _lookup_maker(ref: Reference, folded: str) -> Maker | None:
    """Exact alias, then the longest alias that starts the name ("GLOCK GMBH AUSTRIA"), then fuzzy ≥ 90."""
    if not folded:
        return None
    if folded in ref.makers:
        return ref.makers[folded]
    for alias in sorted(ref.makers, key=len, reverse=True):
        if len(alias) >= 3 and folded.startswith(alias + " "):
            return ref.makers[alias]
    best = process.extractOne(folded, list(ref.makers), scorer=fuzz.ratio, score_cutoff=90)
    return ref.makers[best[0]] if best else None
