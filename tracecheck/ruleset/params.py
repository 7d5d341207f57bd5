"""Check parameters as the pack validates them: a check kind's keyword-only signature and type hints
are its parameter schema (``params_model``). Field names are checked against the pack's fields,
regular expressions must compile, numbers refuse booleans and non-finite values.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import types
import typing
from typing import Annotated, Any, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    WithJsonSchema,
    WrapValidator,
    create_model,
)

from tracecheck.checks import REGISTRY
from tracecheck.checks.params import FieldRef, PatternRef
from tracecheck.ruleset.tables import compiled_pattern
from tracecheck.ruleset.tables import problem_error as _problem
from tracecheck.schema import CANONICAL_FIELDS


def _known_field(value: str, info: ValidationInfo) -> str:
    """A field name must be one of the pack's fields (when the loader says which: validation context)."""
    fields = (info.context or {}).get("fields")
    if fields is not None and value not in fields:
        close = difflib.get_close_matches(value, sorted(fields), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(sorted(fields))}"
        raise _problem(f"unknown field {value!r}; {hint}")
    return value


FieldNameParam = Annotated[str, AfterValidator(_known_field), WithJsonSchema(
    {"type": "string", "description": "A canonical field name (rules/columns.yml `fields:`).",
     "examples": list(CANONICAL_FIELDS)})]


PatternParam = Annotated[str, AfterValidator(compiled_pattern), WithJsonSchema(
    {"type": "string", "format": "regex", "description": "A regular expression (Python re syntax)."})]


def _number(value: Any, handler: Any) -> Any:
    """A float parameter: whole numbers stay whole, so a message reads "limit 5 years", not "5.0"."""
    if isinstance(value, bool):
        raise _problem(f"Input should be a number, not {value!r}")
    number = value if isinstance(value, int) else handler(value)
    if isinstance(number, float) and not math.isfinite(number):
        raise _problem(f"Input should be a finite number, not {value!r}")
    return number


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise _problem(f"Input should be a whole number, not {value!r}")
    return value


def _param_type(hint: Any) -> Any:
    """The check's type hint as the pack validates it: field names checked against the pack,
    no booleans for numbers; list, tuple, dict, union and Annotated are rebuilt around their parts."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        base, *meta = args
        if any(isinstance(m, FieldRef) for m in meta):
            return FieldNameParam
        if any(isinstance(m, PatternRef) for m in meta):
            return PatternParam
        return Annotated[(_param_type(base), *meta)]
    if hint is float:
        return Annotated[float, WrapValidator(_number)]
    if hint is int:
        return Annotated[int, BeforeValidator(_no_bool)]
    if origin in (Union, types.UnionType):
        return Union[tuple(_param_type(a) for a in args)]  # noqa: UP007  (built from a tuple of types)
    if origin in (list, tuple, set, frozenset, dict):
        return origin[tuple(a if a is Ellipsis else _param_type(a) for a in args)]
    return hint


def model_name(kind: str, suffix: str) -> str:
    return "".join(part.title() for part in kind.split("_")) + suffix


@functools.cache
def params_model(kind: str) -> type[BaseModel]:
    """The parameter model of a check kind, from its keyword-only signature and type hints (cached)."""
    fn = REGISTRY[kind].fn
    hints = typing.get_type_hints(fn, include_extras=True)
    fields: dict[str, Any] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind is not param.KEYWORD_ONLY:
            continue
        if name not in hints:
            raise TypeError(f"check kind {kind!r}: parameter {name!r} has no type hint")
        default = ... if param.default is param.empty else param.default
        fields[name] = (_param_type(hints[name]), default)
    doc = inspect.getdoc(fn)
    return create_model(model_name(kind, "Params"), __config__=ConfigDict(extra="forbid"),
                        __doc__=f"Parameters of the check kind `{kind}`." + (f" {doc}" if doc else ""), **fields)
