"""Check kinds: the reusable, vectorised logic behind the declarative rules.

A rule in ``rules/*.yml`` names a check kind and its parameters; many rules can share a kind.
A check is called as ``fn(ctx, **params)`` and returns either

* a boolean Series aligned to ``ctx.frame`` — one finding per True, on ``params["column"]``; or
* a DataFrame with one row per finding: column ``row`` (sheet row, or missing for a batch-level
  finding) or, without it, the index; optional ``field``, ``column`` (letter), ``value``,
  ``reason`` and ``detail`` (message text only); every other column is context (``days``,
  ``score``, ``related_rows``, ...) usable in message templates and kept in the report.

Checks never read files, print or mutate the frame.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd


@dataclass
class CheckContext:
    batch: Any  # tracecheck.normalise.Batch
    reference: Any  # tracecheck.checks.reference.Reference
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def frame(self) -> pd.DataFrame:
        return self.batch.frame

    def present(self, field_name: str) -> bool:
        return self.batch.present(field_name)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class CheckKind:
    name: str
    fn: Callable[..., Any]
    context_fields: frozenset[str]

    def validate_params(self, params: dict[str, Any], fail: Callable[[str], Exception]) -> None:
        sig = inspect.signature(self.fn)
        accepted = {n: p for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}
        for name in params:
            if name not in accepted:
                raise fail(f"check {self.name!r} takes no parameter {name!r}; it takes: "
                           f"{', '.join(accepted) or 'none'}")
        for name, p in accepted.items():
            if p.default is p.empty and name not in params:
                raise fail(f"check {self.name!r} needs parameter {name!r}")

    def __call__(self, ctx: CheckContext, **params: Any) -> pd.Series | pd.DataFrame:
        return self.fn(ctx, **params)


REGISTRY: dict[str, CheckKind] = {}


def check(name: str, *, context: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a check kind under ``name``; ``context`` lists the extra fields it returns."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise ValueError(f"check kind {name!r} registered twice")
        REGISTRY[name] = CheckKind(name, fn, frozenset(context) | {"detail", "reason"})
        return fn

    return register


def findings_frame(rows: Any, **columns: Any) -> pd.DataFrame:
    """Build a check result frame; ``rows`` are sheet row numbers (None for batch-level)."""
    frame = pd.DataFrame({"row": pd.array(list(rows) if not isinstance(rows, pd.Index) else rows, dtype="Int64")})
    for name, values in columns.items():
        frame[name] = values.array if isinstance(values, pd.Series) else values
    return frame


from tracecheck.checks import dates, duplicates, identifiers, structure  # noqa: E402,F401  (registers the kinds)
