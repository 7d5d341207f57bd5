"""``tracecheck map FILE --pack``: a draft rule pack from one sample sheet, to review and keep.

Three sections, each only when the sheet gives it something:

* ``columns:`` the headers that mapped without being a known name (by header words, ``tokens``;
  by similarity, ``fuzzy``; or by the column's values alone, ``content``), as header aliases, so
  the next sheet maps them by name, whatever its values and whatever the fuzzy threshold;
* ``map:`` every mapped field fixed to its header (as ``map_snippet``);
* ``agency_aliases:`` the agency column's spellings the pack does not know that name one agency:
  spellings that differ only in case, accents, punctuation or spaces ("FGE Jalisco", "F.G.E.
  JALISCO"), and an acronym written beside the long name it abbreviates ("FGEJ" and "Fiscalía
  General del Estado de Jalisco"). The most frequent spelling names the agency; acronym guesses
  are marked for checking.

Pure text from the mapping decision and the agency column's values: the CLI reads and writes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping

from tracecheck.mapping.records import ColumnMapping
from tracecheck.mapping.show import map_snippet
from tracecheck.reference import agency_key, agency_names, fold

NOT_BY_NAME = ("tokens", "fuzzy", "content")  # methods that did not find the header among the known names
# Words left out of an acronym ("Fiscalía General del Estado de Jalisco" -> FGEJ)
_LINK_WORDS = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "E", "DA", "DO", "DAS", "DOS", "OF", "THE",
                         "AND", "FOR", "EN", "PARA", "A"})


def pack_draft(mapping: ColumnMapping, source: str, agencies: Iterable[object] = (),
               known_agencies: Mapping[str, object] | None = None) -> str:
    """The draft pack (YAML text): ``columns:``, ``map:`` and ``agency_aliases:`` as the module
    docstring says. ``agencies`` are the agency column's values (one per row), ``known_agencies``
    the pack's ``agency_aliases`` table (spellings it already knows are left out)."""
    lines = [f"# Rule pack drafted from {source} by `tracecheck map --pack`. Review it, then keep it",
             "# (tracecheck check --rules FILE): later batches then map and count the same way.",
             "extends: default"]
    guessed = [c for c in mapping.columns if c.method in NOT_BY_NAME]
    if guessed:
        lines += ["# Headers found without being a known name: as aliases they map by name next time.",
                  "columns:"]
        lines += [f"  {c.field}: [{json.dumps(c.header, ensure_ascii=False)}]  # {c.method}, confidence "
                  f"{c.confidence:.2f}" for c in guessed]
    lines += [line for line in map_snippet(mapping, source).splitlines() if not line.startswith("#")
              and line != "extends: default"]
    groups = agency_groups(agencies, known_agencies or {})
    if groups:
        lines += ["# Spellings in this sheet that name one agency: counted and shown as the name on the left.",
                  "agency_aliases:"]
        for name, others, why in groups:
            aliases = ", ".join(json.dumps(o, ensure_ascii=False) for o in others)
            lines.append(f"  {json.dumps(name, ensure_ascii=False)}: [{aliases}]  # {why}")
    return "\n".join(lines) + "\n"


def agency_groups(values: Iterable[object], known: Mapping[str, object]) -> list[tuple[str, list[str], str]]:
    """(name, its other spellings, why) for each agency the table ``known`` does not name that this
    column spells more than one way; why is "same name" or "acronym: check"."""
    names = agency_names({"agency_aliases": dict(known)})
    counts = Counter(" ".join(str(v).split()) for v in values if v is not None and str(v).strip()
                     and str(v).strip().lower() != "nan")
    counts = Counter({v: n for v, n in counts.items() if agency_key(v) not in names})
    by_key: dict[str, list[str]] = {}
    for value, _ in counts.most_common():
        by_key.setdefault(agency_key(value), []).append(value)
    long_for: dict[str, str] = {}  # an acronym's key -> the key of the long name it abbreviates
    for key, spellings in by_key.items():
        short = _acronym(spellings[0])
        if len(fold(spellings[0]).split()) > 2 and short in by_key and short != key and short not in long_for:
            long_for[short] = key
    short_for = {long: short for short, long in long_for.items()}
    groups = []
    for key, (name, *others) in by_key.items():
        if key in long_for:
            continue
        acronym = short_for.get(key)
        aliases = others + (by_key[acronym] if acronym else [])
        if aliases:
            groups.append((name, aliases, "acronym: check" if acronym else "same name"))
    return sorted(groups)


def _acronym(name: str) -> str:
    return "".join(word[0] for word in fold(name).split() if word not in _LINK_WORDS and word[0].isalpha())
