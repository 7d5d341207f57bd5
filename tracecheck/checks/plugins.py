"""Check kinds from other packages: the ``tracecheck.checks`` entry-point group.

An organisation with logic no built-in kind covers ships a small package whose ``pyproject.toml``
declares ``[project.entry-points."tracecheck.checks"] denylist = "tracecheck_denylist"``: the entry
point names a module (or an object in one) whose import registers its kinds with
``@tracecheck.checks.check``. Its rules are then written in a pack file like any other, naming
the new kind in ``check:``; or the plugin ships them, as a pack file in its package that a user
pack takes with ``include: ["package:tracecheck_denylist/pack.yml"]``.

``load_plugins()`` imports every such entry point once per process, before anything reads the
registry to build the pack models (``tracecheck.ruleset.load_pack``, the pack JSON Schema) or the
findings' context struct (``tracecheck.checks.context_schema``). A plugin that fails to import,
registers a kind twice, or registers no kind raises ``PluginError`` (exit code 2), one line naming
the plugin; the same error again on every later call. A plugin's kind that fails while a batch is
checked (it raises, or returns something that is not a Series or DataFrame) is a ``PluginError`` too,
naming the rule, the kind and the plugin (``tracecheck.engine``); a built-in kind that fails is a bug.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable
from typing import Any

from tracecheck.errors import TracecheckError

GROUP = "tracecheck.checks"


class PluginError(TracecheckError):
    """A ``tracecheck.checks`` entry point could not be loaded."""


_state: dict[str, Any] = {"done": False, "error": None, "loaded": {}}
_origin: dict[str, str] = {}  # a plugin's check kind -> "'denylist' (tracecheck_denylist, from tracecheck-denylist)"


def plugin_of(kind: str) -> str | None:
    """The plugin that registered check kind ``kind`` (its entry point, module and distribution), or
    None for a built-in kind."""
    return _origin.get(kind)


def load_plugins(entry_points: Callable[[], Iterable[Any]] | None = None) -> dict[str, tuple[str, ...]]:
    """Import the ``tracecheck.checks`` entry points (once); returns plugin name -> the kinds it
    registered. ``entry_points`` replaces the installed ones (for tests). PluginError if one fails."""
    from tracecheck.checks import REGISTRY

    if _state["error"] is not None:
        raise _state["error"]
    if _state["done"]:
        return dict(_state["loaded"])
    _state["done"] = True  # set first: registering a kind reads context_schema(), which calls back here
    found = entry_points() if entry_points else importlib.metadata.entry_points(group=GROUP)
    for point in sorted(found, key=lambda p: p.name):
        before = set(REGISTRY)
        dist = getattr(getattr(point, "dist", None), "name", None)
        named = f"{point.name!r} ({point.value}{', from ' + dist if dist else ''})"
        label = f"check plugin {named}"
        try:
            point.load()
        except Exception as exc:  # a third party's import: any error, said on one line
            error = PluginError(f"{label} failed to load: {type(exc).__name__}: {exc}")
            _state["error"] = error
            raise error from None
        added = tuple(sorted(set(REGISTRY) - before))
        if not added:
            error = PluginError(f"{label} registered no check kind (decorate its functions with "
                                f"@tracecheck.checks.check)")
            _state["error"] = error
            raise error
        _state["loaded"][point.name] = added
        _origin.update(dict.fromkeys(added, named))
    return dict(_state["loaded"])
