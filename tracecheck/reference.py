"""Reference tables from the rule pack, compiled once for fast lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tracecheck.text import fold


@dataclass(frozen=True)
class Maker:
    name: str
    country: str
    us_plant: bool
    foreign: bool  # the maker's home country is not the US


@dataclass(frozen=True)
class Reference:
    missing_words: frozenset[str]
    obliterated_re: re.Pattern[str]
    serial_label_re: re.Pattern[str]
    us_names: frozenset[str]
    makers: dict[str, Maker]  # folded alias -> maker
    matching: dict  # duplicate-matching parameters (rules/matching.yml)
    calibers: dict[str, str]  # folded caliber alias -> caliber class

    def maker_for(self, folded_name: str) -> Maker | None:
        return _lookup_maker(self, folded_name)


def compile_reference(data: dict) -> Reference:
    placeholders = data.get("placeholders", {})
    oblit = sorted({fold(w) for w in placeholders.get("obliterated", [])}, key=len, reverse=True)
    makers = {}
    for entry in data.get("manufacturers", []):
        country = entry.get("country", "US")
        maker = Maker(entry["name"], country, bool(entry.get("us_plant", False)),
                      foreign=fold(country) not in ("US", "USA", "UNITED STATES"))
        for alias in [entry["name"], *entry.get("aliases", [])]:
            makers[fold(alias)] = maker
    label = placeholders.get("serial_label") or r"^\s*(?:S\s*/\s*N|SN)\s*[:#.]+\s*|^\s*#\s*"
    return Reference(
        missing_words=frozenset(fold(w) for w in placeholders.get("missing", [])),
        obliterated_re=re.compile(r"\b(?:" + "|".join(re.escape(w) for w in oblit) + r")\b") if oblit
        else re.compile(r"(?!x)x"),
        serial_label_re=re.compile(label, re.IGNORECASE),
        us_names=frozenset(fold(n) for n in data.get("us_country_names", ["US", "USA"])),
        makers=makers,
        matching=dict(data.get("matching", {})),
        calibers={fold(alias): str(cls) for cls, aliases in data.get("calibers", {}).items()
                  for alias in [cls, *aliases]},
    )


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
