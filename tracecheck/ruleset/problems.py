"""One-line errors for bad packs: the file and line, the rule, the key path, and what is wrong.

``pack.yml:4: rule TC310: params.max_years: Input should be a valid number, unable to parse string
as a number (got 'five')``. Lines come from PyYAML's node marks; the file is read again only when
there is an error to report, so loading a good pack costs nothing extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tracecheck.errors import RulePackError

Loc = tuple[Any, ...]
Trail = Sequence[tuple[str, Loc]]  # where an entry was written: (file, key path), first definition first


def key_path(loc: Sequence[Any]) -> str:
    """``("params", "max_years")`` -> ``params.max_years``; ``("select", 0)`` -> ``select[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def line_of(source: str, path: Sequence[Any], *, exact: bool = False) -> int | None:
    """The 1-based line of the key at ``path`` in a YAML file; when the path ends early (a missing
    key), the line of the deepest key found, or None with ``exact``."""
    try:
        node = yaml.compose(Path(source).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = None
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:  # the last of repeated keys wins, as when the YAML is read
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line, child = key.start_mark.line + 1, value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            return None if exact else line
        node = child
    return line


def locate(trail: Trail, loc: Sequence[Any] = ()) -> tuple[str, int | None]:
    """The file (and line) that wrote the key at ``loc`` of an entry: the latest file of the trail
    holding that key, else the latest file, at the entry's line."""
    for source, prefix in reversed(trail):
        line = line_of(source, (*prefix, *loc), exact=True)
        if line is not None:
            return source, line
    source, prefix = trail[-1]
    return source, line_of(source, (*prefix, *loc))


def problem(trail: Trail, loc: Sequence[Any], text: str, *, label: str = "") -> RulePackError:
    """A RulePackError about the key at ``loc`` of an entry written at ``trail``."""
    source, line = locate(trail, loc)
    path = key_path(loc)
    return RulePackError(f"{label}{path + ': ' if path else ''}{text}", path=source, line=line)


def from_validation(exc: ValidationError, trail: Trail, data: Any, *, label: str = "", skip: int = 0,
                    phrases: Mapping[tuple[str, Loc], str] | None = None) -> RulePackError:
    """The first problem of a pydantic ValidationError (about ``data``) as a one-line RulePackError.

    ``phrases`` replaces pydantic's words for unknown and missing keys under a key path:
    ``{("extra", ("params",)): "check 'x' takes no such parameter; it takes: column"}``. ``skip``
    drops the first parts of the key path (those the trail's key path already holds).
    """
    errors = [(key_loc(data, e["loc"], keep_last=e["type"] == "missing"), e) for e in exc.errors(include_url=False)]
    loc, first = errors[0]
    kind = first["type"]
    if kind in ("extra_forbidden", "missing"):
        text = (phrases or {}).get(("extra" if kind == "extra_forbidden" else "missing", loc[skip:-1]),
                                   "unknown key" if kind == "extra_forbidden" else "missing")
    else:  # a union reports one error per alternative, all at the same key: say them together
        said = list(dict.fromkeys(e["msg"] for at, e in errors if at == loc))
        text = said[0] if len(said) == 1 else "Input should be " + " or ".join(
            m.removeprefix("Input should be ") for m in said)
        text += "" if kind.startswith("tc_") else _got(first["input"])
    others = len({at for at, _ in errors} - {loc})
    if others:
        text += f" (and {others} more problem{'s' if others > 1 else ''})"
    return problem(trail, loc[skip:], text, label=label)


def key_loc(data: Any, loc: Sequence[Any], *, keep_last: bool = False) -> Loc:
    """The parts of a pydantic error location that are keys of ``data`` (it also names union
    alternatives, such as ``str`` or ``list[str]``); ``keep_last`` keeps a missing key."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, Mapping) and part in node or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            out.append(part)
            node = node[part]
        elif keep_last and i == len(loc) - 1:
            out.append(part)
    return tuple(out)


def _got(value: Any) -> str:
    if isinstance(value, Mapping):
        return " (got a mapping)"
    if isinstance(value, (list, tuple)):
        return " (got a list)"
    text = repr(value)
    return f" (got {text if len(text) <= 60 else text[:57] + '...'})"
