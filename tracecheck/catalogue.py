"""The message catalogue: every word tracecheck shows a person, per language, and locale formats.

One YAML file per language under ``tracecheck/locales/`` (``en.yml``, ``es.yml``); the languages
tracecheck speaks are exactly the files there, so adding a language is adding a file. A catalogue
holds labels (page, workbook, terminal, rule docs), field labels, severity/kind/bucket names,
duplicate-evidence phrases and, for languages other than English, the texts of the default
pack's rules (English rule texts live in the packs). Numbers and percentages are formatted with
Babel for the catalogue's locale (``en_US``, ``es_MX``; ``locale=`` refines it, e.g. ``es_ES``).

A key missing from a language falls back to English, then to the key itself; a test keeps every
catalogue complete. Pure: reads only its own package data.

Counts and lists agree with their words through a plural format spec, ``{n:plural:# group|# groups}``
(forms for CLDR's plural categories "one" and "other", as Babel knows them for the locale; ``#`` is
the value): "1 group", "3 groups"; ``{related_rows:plural:row #|rows #}`` counts a list and writes it
in words: "row 21", "rows 3, 4, and 5" ("la fila 21", "las filas 3, 4 y 5"). The catalogue's texts
and the rule packs' message templates (``tracecheck.templates``) both take it.
"""

from __future__ import annotations

import functools
import importlib.resources
import string
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from importlib.resources.abc import Traversable
from typing import Any

import yaml

DEFAULT_LANG = "en"
PLURAL = "plural:"  # the format spec that picks a form by count: {n:plural:# row|# rows}


def folder() -> Traversable:
    """Where the catalogue files are: ``tracecheck/locales`` (inside the wheel too)."""
    return importlib.resources.files("tracecheck") / "locales"


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages with a catalogue file, e.g. ``("en", "es")``."""
    return tuple(sorted(p.name[:-4] for p in folder().iterdir() if p.name.endswith(".yml")))


@functools.cache
def _load(lang: str) -> dict[str, Any]:
    text = (folder() / f"{lang}.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"message catalogue {lang}.yml is not a mapping")
    return data


def check_language(lang: str) -> str:
    """``lang`` if a catalogue exists for it; else ValueError naming the languages there are."""
    if lang not in languages():
        raise ValueError(f"unknown language {lang!r}; available: {', '.join(languages())}")
    return lang


def language_of(locale: str) -> str:
    """The catalogue language of a locale name (``es_ES`` -> ``es``); ValueError when none fits."""
    return check_language(locale.replace("-", "_").split("_")[0].lower())


@functools.cache
def catalogue(lang: str = DEFAULT_LANG, locale: str | None = None) -> Catalogue:
    """The catalogue for ``lang`` (formats for ``locale``, default the catalogue's own locale).

    Raises ValueError for a language without a catalogue or a locale Babel does not know."""
    check_language(lang)
    return Catalogue(lang, _locale_of(lang, locale) if locale is not None else None)


def _locale_of(lang: str, locale: str) -> str | None:
    """``locale`` as Babel names it ("es-ES.UTF-8" -> "es_ES"), which must be a locale of ``lang``; a
    bare language ("es") means the catalogue's own locale. ValueError otherwise."""
    from babel import Locale, UnknownLocaleError

    name = locale.split(".")[0].split("@")[0].replace("-", "_")
    try:
        parsed = Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown locale {locale!r} (examples: en_US, es_MX, es_ES)") from None
    if parsed.language != lang:
        raise ValueError(f"locale {locale!r} does not write {lang!r}; choose one of its locales (e.g. "
                         f"{_load(lang).get('locale')}) or --lang {parsed.language}")
    return None if parsed.territory is None else str(parsed)


class Catalogue:
    """The texts and number formats of one language and locale."""

    def __init__(self, lang: str, locale: str | None = None) -> None:
        self.lang = lang
        self._data = _load(lang)
        self._english = _load(DEFAULT_LANG)
        self.locale = (locale or str(self._data.get("locale") or lang)).replace("-", "_")

    # ------------------------------------------------------------------ texts

    def text(self, section: str, key: str, **values: Any) -> str:
        """The text of ``section.key`` with ``values`` filled in (English, then the key, when missing)."""
        found = self._data.get(section, {}).get(key)
        if found is None:
            found = self._english.get(section, {}).get(key, key)
        text = str(found)
        return _Formatter(self).format(text, **values) if values else text

    def label(self, key: str, **values: Any) -> str:
        return self.text("labels", key, **values)

    def field(self, field_id: str | None) -> str:
        """A canonical field's label ("serial_number" -> "Serial number"); the id when unknown."""
        if field_id is None:
            return ""
        return self.text("fields", field_id)

    def vocabulary(self) -> dict[str, str]:
        """Message placeholder -> the section that translates its values (``country`` -> ``countries``)."""
        return dict(self._data.get("vocabulary") or self._english.get("vocabulary") or {})

    def severity(self, level: str) -> str:
        return self.text("severity", level)

    def rule_text(self, code: str, part: str, reason: str | None = None) -> str | None:
        """This language's text of a default-pack rule (``part``: title, message, fix, why), or of one
        reason's message; None when the catalogue has none (the pack's English text then applies)."""
        entry = self._data.get("rules", {}).get(code) or {}
        if reason is not None:
            found = (entry.get("messages") or {}).get(reason)
        else:
            found = entry.get(part)
        return " ".join(str(found).split()) if found is not None else None

    def join(self, items: Iterable[str]) -> str:
        return self.text("words", "list_separator").join(items)

    def plural(self, value: Any, forms: str) -> str:
        """The form of ``forms`` ("# row|# rows": the forms for the plural categories one and other)
        that ``value``'s count takes in this language, with ``#`` replaced by the value. A count is an
        int, a float or a number already written out ("1,234" as the locale writes it); a list (or
        tuple, or array) counts its items and is written as a list in words ("3, 4, and 5"; "3, 4 y 5")."""
        options = forms.split("|")
        count, shown = self._counted(value)
        one = count is not None and _plural_category(self.locale, count) == "one"
        return (options[0] if one else options[-1]).replace("#", shown)

    def _counted(self, value: Any) -> tuple[Any, str]:
        """(the count that picks the form, or None when there is none; the text that ``#`` stands for)."""
        if not isinstance(value, (tuple, list, str, int, float)) and hasattr(value, "tolist"):
            value = value.tolist()  # numpy arrays and scalars
        if isinstance(value, (list, tuple)):
            return len(value), _list_text(self.locale, [str(v) for v in value])
        if value is None or type(value).__name__ == "NAType" or (isinstance(value, float) and value != value):
            return None, ""  # missing: no count, nothing to show
        if isinstance(value, bool):
            return None, str(value)
        if isinstance(value, int):
            return value, _grouped(self.locale, value)
        if isinstance(value, float):
            shown = self.number(value, "0.0##")  # "1.0 years": a visible decimal takes the plural in English
            digits = f"{value:.3f}".rstrip("0")
            return Decimal(digits + "0" if digits.endswith(".") else digits), shown
        from babel.numbers import NumberFormatError, parse_decimal

        text = str(value)
        try:
            return parse_decimal(text, locale=self.locale, strict=False), text
        except (NumberFormatError, InvalidOperation, ValueError):
            return None, text

    # ------------------------------------------------------------------ numbers

    def number(self, value: Any, pattern: str | None = None) -> str:
        """A count or measure as the locale writes it ("1,234" in en_US and es_MX, "1.234" in es_ES);
        ``pattern`` is a CLDR number pattern ("0.0##": at least one decimal, no grouping)."""
        from babel.numbers import format_decimal

        if value is None:
            return ""
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, share: float, decimals: int = 1) -> str:
        """A share (0-1) as a percentage with one decimal ("12.3%" in en_US and es_MX, "12,3 %" in es_ES),
        or ``decimals`` (0 for a chart's axis: "50%")."""
        from babel import Locale
        from babel.numbers import format_percent

        pattern = Locale.parse(self.locale).percent_formats[None].pattern
        if decimals:
            pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
        return format_percent(share, format=pattern, locale=self.locale)


def _plural_category(locale: str, count: Any) -> str:
    """CLDR's plural category of ``count`` in ``locale`` ("one", "other", "many", ...). Cached by the
    count's text: 1 and 1.0 are equal keys to a cache but not to CLDR ("1 year", "1.0 years")."""
    return _category(locale, str(abs(count)))


@functools.lru_cache(maxsize=8192)
def _category(locale: str, count: str) -> str:
    from babel import Locale

    return str(Locale.parse(locale).plural_form(Decimal(count)))


@functools.lru_cache(maxsize=8192)
def _grouped(locale: str, value: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale)


@functools.cache
def _list_patterns(locale: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(locale).list_patterns["standard"].items())


def _list_text(locale: str, items: list[str]) -> str:
    """``items`` as a list in words, by the locale's CLDR patterns ("3, 4, and 5"; "3, 4 y 5"); what
    babel.lists.format_list writes, without its per-call locale lookup (a message per duplicate row)."""
    if len(items) < 2:
        return items[0] if items else ""
    patterns = _list_patterns(locale)
    if len(items) == 2:
        return patterns["2"].format(*items)
    text = patterns["end"].format(items[-2], items[-1])
    for item in reversed(items[1:-2]):
        text = patterns["middle"].format(item, text)
    return patterns["start"].format(items[0], text)


class _Formatter(string.Formatter):
    """``str.format`` that also takes the plural spec ``{n:plural:# row|# rows}``."""

    def __init__(self, words: Catalogue) -> None:
        self.words = words

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith(PLURAL):
            return self.words.plural(value, format_spec[len(PLURAL):])
        return format(value, format_spec)
