"""Check kinds: the reusable, vectorised logic behind the declarative rules.

A rule in ``rules/*.yml`` names a check kind and its parameters; many rules can share a kind.
A check is called as ``fn(ctx, **params)`` and returns either

* a boolean Series aligned to ``ctx.frame`` — one finding per True, on ``params["column"]``; or
* a DataFrame with one row per finding: column ``row`` (sheet row, or missing for a batch-level
  finding) or, without it, the index; optional ``field``, ``column`` (letter), ``value`` and
  ``reason`` (a stable id that picks the rule's message); every other column is context
  (``days``, ``score``, ``related_rows``, ...), declared with its type when the kind is
  registered, usable in message templates and kept in the report's typed ``context`` column.

Checks never read files, print or mutate the frame.

Plugins: another package can add check kinds (``plugins``). Its ``pyproject.toml`` declares
``[project.entry-points."tracecheck.checks"] myorg = "myorg_checks"``; importing ``myorg_checks``
registers its kinds with ``@check`` (from ``tracecheck.checks``; parameter types such as
``FieldName`` from ``tracecheck.checks.params``), exactly as the built-in ones are. The entry points
are imported once, before a pack is loaded; a rule then names the kind in its pack file
(``check: myorg_kind``), and its parameters are validated from the signature like any other;
a pack file shipped in the plugin's package is taken with ``include: ["package:myorg_checks/pack.yml"]``.
A plugin that fails to import is a ``PluginError`` naming it. tests/plugins/tracecheck_denylist is
a complete example.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa


@dataclass
class CheckContext:
    batch: Any  # tracecheck.normalise.Batch
    reference: Any  # tracecheck.reference.Reference
    words: Any  # tracecheck.catalogue.Catalogue: the report's language (duplicate evidence is written in it)
    cache: dict[str, Any] = field(default_factory=dict)
    prior: Any = None  # the batch's matches in the history store (tracecheck.history.prior.MATCH_COLUMNS), if any

    @property
    def frame(self) -> pd.DataFrame:
        return self.batch.frame

    def present(self, field_name: str) -> bool:
        return self.batch.present(field_name)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


# The types a context field may be declared with, and their Arrow types in the findings table.
CONTEXT_TYPES: dict[Any, pa.DataType] = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_(),
                                         list[int]: pa.list_(pa.int64())}


@dataclass(frozen=True)
class CheckKind:
    name: str
    fn: Callable[..., Any]
    context: dict[str, Any]  # context field -> its declared type (a key of CONTEXT_TYPES)
    reasons: tuple[str, ...] = ()  # the reason ids its findings can carry (what messages and severities key on)
    scope: str = "rows"  # which rows a finding depends on (SCOPES): how an engine may split a batch
    key: Callable[..., pd.Series] | None = None  # scope "group": fn(ctx, **params) -> the group key per row
    counts: tuple[str, ...] = ()  # context fields of its batch-level findings that add up over parts of a batch
    after_duplicates: bool = False  # reads the batch's duplicate groups (tracecheck.checks.duplicates)

    @property
    def context_fields(self) -> frozenset[str]:
        """Fields a message template may use besides the finding's own: context and ``reason``."""
        return frozenset(self.context) | {"reason"}

    def __call__(self, ctx: CheckContext, **params: Any) -> pd.Series | pd.DataFrame:
        return self.fn(ctx, **params)


REGISTRY: dict[str, CheckKind] = {}


# What a check kind's findings depend on, so that an engine that splits a batch (tracecheck.spark)
# runs each kind on the right part: "rows", each row alone (a plugin's kinds are taken to be so);
# "batch", the header, the mapping and the date orders only (run once); "group", the rows sharing a
# key the kind computes (``key``, missing: the row stands alone); "duplicates", the duplicate groups.
SCOPES = ("rows", "batch", "group", "duplicates")


def check(name: str, *, context: dict[str, Any] | None = None, reasons: tuple[str, ...] = (),
          scope: str = "rows", key: Callable[..., pd.Series] | None = None, counts: tuple[str, ...] = (),
          after_duplicates: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a check kind under ``name``; ``context`` declares the extra fields it returns and
    their types (str, int, float, bool or list[int]); ``reasons`` the reason ids its findings carry.
    A field declared by two kinds has one type. ``scope`` (SCOPES) says which rows a finding depends
    on; a "group" kind gives ``key(ctx, **params)``, the group of each row (a Series on the frame's
    index): the kind must give the same findings on every set of whole groups as on the batch.
    ``counts`` names context fields of its batch-level findings that add up over parts of a batch;
    ``after_duplicates`` says it reads the duplicate groups. ValueError for a bad declaration."""
    context = dict(context or {})
    if scope not in SCOPES or (scope == "group") != (key is not None):
        raise ValueError(f"check kind {name!r}: scope must be one of {', '.join(SCOPES)}, with a key only for group")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise ValueError(f"check kind {name!r} registered twice")
        for field_name, kind in context.items():
            if kind not in CONTEXT_TYPES:
                raise ValueError(f"check kind {name!r}: context field {field_name!r} has unsupported type {kind!r}")
            other = _declared().get(field_name)
            if other is not None and other != CONTEXT_TYPES[kind]:
                raise ValueError(f"check kind {name!r}: context field {field_name!r} is declared elsewhere as {other}")
        REGISTRY[name] = CheckKind(name, fn, context, tuple(reasons), scope, key, tuple(counts), after_duplicates)
        return fn

    return register


def context_schema() -> dict[str, pa.DataType]:
    """Every context field any registered kind declares, with its Arrow type, sorted by name: the
    fields of the findings table's ``context`` struct (the same whatever rules fire). Plugins'
    kinds included (loaded first: ``plugins.load_plugins``)."""
    from tracecheck.checks.plugins import load_plugins

    load_plugins()
    return dict(sorted(_declared().items()))


def _declared() -> dict[str, pa.DataType]:
    return {f: CONTEXT_TYPES[k] for kind in REGISTRY.values() for f, k in kind.context.items()}


def findings_frame(rows: Any, **columns: Any) -> pd.DataFrame:
    """Build a check result frame; ``rows`` are sheet row numbers (None for batch-level)."""
    frame = pd.DataFrame({"row": pd.Series(list(rows), dtype="Int64")})
    for name, values in columns.items():
        frame[name] = values.array if isinstance(values, pd.Series) else values
    return frame


from tracecheck.checks import (  # noqa: E402,F401  (registers the kinds)
    dates,
    duplicates,
    identifiers,
    licences,
    request_ids,
    sales,
    structure,
    vocabulary,
)
