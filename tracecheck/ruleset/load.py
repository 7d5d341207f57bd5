"""Reading pack files and merging them: a file's ``extends`` and ``include`` first, then its own part.

Each file is validated against ``models.PackFile`` as it is read, and each override against
``models.Override``; the new rules are validated once everything is merged (``build``). The merged
pack stays plain data. Entries remember where they were written (``_source``, the last file to
touch them, and ``_trail``, every file and key path) so that errors found later can name the file
and line; ``_where`` does the same for selectors and fixed mappings. None of these are hashed
into the pack digest.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tracecheck.errors import RulePackError
from tracecheck.ruleset.models import OVERRIDABLE, PACK_KEYS, TRANSLATABLE, Override, PackFile
from tracecheck.ruleset.pack import default_rules_dir
from tracecheck.ruleset.problems import Loc, Trail, from_validation, problem

BOOKKEEPING = frozenset({"_source", "_trail", "_where", "_overridden"})
Origin = tuple[Trail, Loc] | None  # the key of the including file that names a file being read


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key written twice in one mapping (the last would win silently)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is written twice in one mapping",
                                                    key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_tree(path: Path) -> dict[str, Any]:
    """The pack file at ``path`` merged with everything it extends and includes."""
    return _load_tree(path.resolve(), chain=(), origin=None)


def _read_yaml(path: Path, origin: Origin) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if origin:
            raise problem(*origin, f"rule pack file not found: {path}") from None
        raise RulePackError("rule pack file not found", path=str(path)) from None
    except IsADirectoryError:
        raise RulePackError("is a folder, not a rule pack file", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise RulePackError(f"cannot read rule pack: not UTF-8 text (byte {exc.start})", path=str(path)) from None
    except OSError as exc:
        raise RulePackError(f"cannot read rule pack: {exc.strerror or exc}", path=str(path)) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RulePackError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=str(path),
                            line=mark.line + 1 if mark else None) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulePackError("a rule pack must be a YAML mapping", path=str(path))
    try:
        PackFile.model_validate(data)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        if loc[0] == "translations" and len(loc) > 3:  # translations.<lang>.<code>.<key>: name the rule
            raise from_validation(exc, [(str(path), loc[:3])], data, label=f"rule {loc[2]} ({loc[1]}): ", skip=3,
                                  phrases={("extra", ()): f"cannot be translated; translatable: "
                                                          f"{', '.join(TRANSLATABLE)}"}) from None
        raise from_validation(exc, [(str(path), ())], data, phrases={
            ("extra", ()): f"unknown key; a pack has: {', '.join(PACK_KEYS)}"}) from None
    return data


def _load_tree(path: Path, chain: tuple[Path, ...], origin: Origin) -> dict[str, Any]:
    data = _read_yaml(path, origin)
    merged = _part()
    here: Trail = [(str(path), ())]
    targets: list[tuple[Loc, Path]] = []
    if "extends" in data:
        base = data["extends"]
        targets.append((("extends",), default_rules_dir() / "pack.yml" if base == "default"
                        else _target(path, base, here, ("extends",))))
    targets += [(("include", i), _target(path, inc, here, ("include", i)))
                for i, inc in enumerate(data.get("include") or [])]
    for loc, target in targets:
        target = target.resolve()
        if target in (*chain, path):
            cycle = " -> ".join(p.name for p in (*chain, path, target))
            raise problem(here, loc, f"{target.name} extends or includes itself ({cycle})")
        _merge(merged, _load_tree(target, (*chain, path), origin=(here, loc)))
    _merge(merged, _own_part(data, path))
    return merged


def _target(path: Path, name: str, here: Trail, loc: Loc) -> Path:
    """The file an ``extends``/``include`` entry names: relative to the including file, or
    ``package:MODULE/FILE``, a pack shipped inside an installed package (a check plugin's rules)."""
    if not name.startswith("package:"):
        return path.parent / name
    module, _, inner = name.removeprefix("package:").partition("/")
    try:
        return Path(str(importlib.resources.files(module))) / inner
    except (ModuleNotFoundError, TypeError, ValueError) as exc:
        raise problem(here, loc, f"cannot find the package of {name!r}: {exc}") from None


def _part(**values: Any) -> dict[str, Any]:
    return {"rules": [], "overrides": [], "fields": {}, "map": {}, "reference": {}, "select": None, "ignore": [],
            "translations": {}, "vocabulary": {}, "_where": {"select": [], "ignore": [], "map": {}}, **values}


def _rule_entries(rules: Any) -> Iterator[tuple[Any, Any]]:
    """(key in ``rules:``, entry); the mapping shorthand ``{TC310: {severity: error}}`` takes its code from the key."""
    if isinstance(rules, dict):
        for key, changes in rules.items():
            yield key, {"code": key, **changes} if isinstance(changes, dict) else (changes or {"code": key})
    else:
        yield from enumerate(rules or [])


def _own_part(data: dict[str, Any], path: Path) -> dict[str, Any]:
    src = str(path)
    part = _part(map=dict(data.get("map") or {}), select=data.get("select"), ignore=data.get("ignore") or [])
    part["_where"] = {"select": [(src, ("select", i)) for i in range(len(data.get("select") or []))],
                      "ignore": [(src, ("ignore", i)) for i in range(len(data.get("ignore") or []))],
                      "map": {f: (src, ("map", f)) for f in data.get("map") or {}}}
    part["translations"] = {
        lang: {code: {**(entry or {}), "_source": src, "_trail": [(src, ("translations", lang, code))]}
               for code, entry in (codes or {}).items()}
        for lang, codes in (data.get("translations") or {}).items()}
    for key in ("name", "version", "fuzzy_threshold"):
        if key in data:
            part[key] = data[key]
    for fname, spec in (data.get("fields") or {}).items():
        part["fields"][fname] = list((spec or {}).get("aliases", []))
    for fname, aliases in (data.get("columns") or {}).items():  # user shorthand: field -> extra aliases
        part["fields"].setdefault(fname, []).extend([aliases] if isinstance(aliases, str) else list(aliases))
    for key in ("placeholders", "items", "us_country_names", "manufacturers", "matching", "calibers", "caliber_names",
                "agency_aliases",
                "ffl_districts", "us_states",
                "firearm_types", "models", "importers"):
        if key in data:
            part["reference"][key] = data[key]
    if data.get("vocabulary"):
        part["vocabulary"] = data["vocabulary"]
        part["_where"]["vocabulary"] = src
    family = data.get("family", "custom")
    for key, entry in _rule_entries(data.get("rules")):
        trail = [(src, ("rules", key))]
        if not isinstance(entry, dict) and isinstance(key, str):
            raise problem(trail, (), f"expected a mapping of keys to change, got {entry!r}", label=f"rule {key}: ")
        if not isinstance(entry, dict) or not ("code" in entry or "name" in entry):
            raise problem([(src, ())], ("rules", key), f"each rule needs a code or a name, got {entry!r}")
        entry = {**entry, "_source": src, "_trail": trail}
        if "check" in entry:
            part["rules"].append({"family": family, **entry})
        else:
            _validate_override(entry)
            part["overrides"].append(entry)
    return part


def _validate_override(entry: dict[str, Any]) -> None:
    data = {k: v for k, v in entry.items() if k not in BOOKKEEPING}
    try:
        Override.model_validate(data)
    except ValidationError as exc:
        label = f"rule {entry.get('code') or entry.get('name')}: "
        raise from_validation(exc, entry["_trail"], data, label=label, phrases={
            ("extra", ()): f"cannot be overridden; overridable: {', '.join(OVERRIDABLE)}"}) from None


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key in ("name", "version", "fuzzy_threshold"):
        if key in part:
            into[key] = part[key]
    into["rules"].extend(part["rules"])
    into["overrides"].extend(part["overrides"])
    for fname, aliases in part["fields"].items():
        into["fields"].setdefault(fname, []).extend(aliases)
    into["map"].update(part["map"])
    into["reference"] = _merge_reference(into["reference"], part["reference"])
    into["translations"] = _deep_merge(into["translations"], part["translations"])
    if part.get("select") is not None:
        into["select"] = list(part["select"])
        into["_where"]["select"] = list(part["_where"]["select"])
    into["ignore"] = list(into.get("ignore") or []) + list(part.get("ignore") or [])
    into["_where"]["ignore"] += part["_where"]["ignore"]
    into["_where"]["map"].update(part["_where"]["map"])
    into["vocabulary"] = _extend(into["vocabulary"], part["vocabulary"])
    if "vocabulary" in part["_where"]:
        into["_where"]["vocabulary"] = part["_where"]["vocabulary"]


def _merge_reference(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The reference tables of a later pack extend the earlier ones, so a user pack adds words without
    repeating the defaults: word lists (placeholders, items, us_country_names, calibers, agency_aliases)
    by adding the new words; ``manufacturers`` by name (a known maker takes the new aliases, and any
    other key the entry sets; a new maker is added). Scalars (``placeholders.serial_label``) and
    ``matching`` parameters replace."""
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        if key == "matching" or old is None:
            merged[key] = _deep_merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        elif key == "manufacturers" and isinstance(old, list) and isinstance(value, list):
            merged[key] = _merge_makers(old, value)
        else:
            merged[key] = _extend(old, value)
    return merged


def _merge_makers(base: list[Any], extra: list[Any]) -> list[Any]:
    makers = list(base)
    index = {str(m.get("name", "")).casefold(): i for i, m in enumerate(makers) if isinstance(m, dict)}
    for entry in extra:
        at = index.get(str(entry.get("name", "")).casefold()) if isinstance(entry, dict) else None
        if at is None:
            index[str(entry.get("name", "")).casefold() if isinstance(entry, dict) else ""] = len(makers)
            makers.append(entry)
        else:
            makers[at] = {**makers[at], **entry, "aliases": _extend(list(makers[at].get("aliases") or []),
                                                                   list(entry.get("aliases") or []))}
    return makers


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key at every depth; anything else (lists, scalars) replaces."""
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        merged[key] = _deep_merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def _extend(base: Any, extra: Any) -> Any:
    """The header vocabulary merges by extension: mappings key by key, lists by adding the new items
    (a user pack adds words and field names, it never has to repeat the default ones)."""
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _extend(base[k], v) if k in base else v for k, v in extra.items()}}
    if isinstance(base, list) and isinstance(extra, list):
        return base + [item for item in extra if item not in base]
    return extra


def digest(merged: dict[str, Any]) -> str:
    """Content hash of the merged pack; file locations are left out so every checkout agrees."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in BOOKKEEPING}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return hashlib.sha256(json.dumps(strip(merged), sort_keys=True, default=str).encode()).hexdigest()[:16]
