"""The rule pack file format as pydantic models, and the pack's JSON Schema generated from them.

* ``PackFile``: one YAML file (the default pack's parts, or a user pack). Unknown keys are refused.
* ``Override``: an entry of ``rules:`` without ``check``; changes a rule defined elsewhere.
* ``RuleSpec``: an entry with ``check``: a complete new rule. One subclass per check kind
  (``rule_model``) types its ``params`` with that kind's parameter model (``params_model``),
  which is built from the check function's keyword-only signature and type hints: the
  signature *is* the parameter schema.

A file is validated as ``PackFile`` when read; the rules once merged, with every file's overrides
applied (``build``). The loader works on the plain data (the pack digest does not depend on the
models); the check parameters it hands to the checks are the validated values.
"""

from __future__ import annotations

import functools
import re
import string
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from tracecheck.catalogue import PLURAL
from tracecheck.checks import REGISTRY
from tracecheck.checks.plugins import load_plugins
from tracecheck.findings import Severity
from tracecheck.ruleset.params import model_name, params_model
from tracecheck.ruleset.tables import (
    CanonicalField,
    Example,
    FieldSpec,
    Importer,
    Items,
    Language,
    Manufacturer,
    Matching,
    Placeholders,
    Vocabulary,
    Word,
    problem_error,
)

CODE_RE = re.compile(r"^TC\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
FINDING_FIELDS = frozenset({"value", "field", "field_id", "column", "row", "reason", "as_of"})
STATUSES = ("stable", "preview", "deprecated", "removed")


_problem = problem_error


def _matches(pattern: re.Pattern[str], text: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise _problem(f"{value!r} {text}")
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern.pattern})]


Code = _matches(CODE_RE, "must look like TC123 (TC and three digits)")
RuleName = _matches(NAME_RE, "must be kebab-case, like serial-missing")


# A value of each context type, to try a template's format specs on (``{days:d}``, ``{years:.1f}``).
_SAMPLES: dict[Any, Any] = {str: "x", int: 1, float: 1.5, bool: True, list[int]: [2, 3]}
_FINDING_SAMPLES = {name: "x" for name in FINDING_FIELDS} | {"row": 2}


def template_samples(params: dict[str, Any], kind: Any) -> dict[str, Any]:
    """The names a rule's message may use, each with a value of its type: the finding's fields, the
    rule's parameters (their values) and the check kind's declared context fields."""
    context = {name: _SAMPLES.get(kind_type, "x") for name, kind_type in kind.context.items()} if kind else {}
    return {**_FINDING_SAMPLES, **context, "reason": "x", **params}


def template_problem(template: str, samples: dict[str, Any]) -> str | None:
    """Why a message template cannot be rendered: a malformed template, a placeholder that is not a
    finding, parameter or context field, a conversion other than !r, or a format spec the field's
    values cannot take (``{days:%Q}``)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"bad message template {template!r}: {exc}"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in samples:
            return f"placeholder {{{name}}} is not a finding, parameter or context field"
        if conversion not in (None, "r"):
            return f"placeholder {{{name}!{conversion}}}: only !r is supported"
        if spec and spec.startswith(PLURAL):  # {related_rows:plural:row #|rows #}
            sample = samples[name]
            if len(spec.split("|")) != 2 or isinstance(sample, bool) or not isinstance(sample, (int, float, list)):
                return (f"placeholder {{{name}:{spec}}}: a plural spec takes a count or a list and two forms, "
                        f"one|other, e.g. {{{name}:plural:# row|# rows}}")
            continue
        try:
            format(repr(samples[name]) if conversion else samples[name], spec or "")
        except (ValueError, TypeError) as exc:
            return f"placeholder {{{name}:{spec}}}: {exc}"
    return None


Text = Annotated[str, Field(min_length=1)]


def _renders(template: str, info: ValidationInfo) -> str:
    """A rule's message template: placeholders must be finding fields, parameters the rule sets,
    or the context fields of its check kind (checked once ``check`` and ``params`` are valid)."""
    params, kind = info.data.get("params"), REGISTRY.get(info.data.get("check", ""))
    if isinstance(params, BaseModel) and kind is not None:
        values = {name: getattr(params, name) for name in params.model_fields_set}
        problem = template_problem(template, template_samples(values, kind))
        if problem:
            raise _problem(problem)
    return template


Template = Annotated[Text, AfterValidator(_renders)]
SeverityLevel = Annotated[Severity, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)]
Status = Literal[STATUSES]  # type: ignore[valid-type]


# ---------------------------------------------------------------- rules and overrides


class RuleSpec(BaseModel):
    """A new rule: identity, documentation and the parameters of its check kind."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    code: Code  # type: ignore[valid-type]  # an Annotated type built by _matches
    name: RuleName  # type: ignore[valid-type]
    title: Text | None = Field(None, description="A short human title (the name stays the stable id).")
    severity: SeverityLevel
    severity_by_reason: dict[str, SeverityLevel] = {}
    severity_by_field: dict[CanonicalField, SeverityLevel] = {}
    check: str
    params: dict[str, Any] = {}
    message: Template
    messages: dict[str, Template] = {}
    fix: Text
    why: Text
    example: Example
    since: Annotated[str, WithJsonSchema({"type": ["string", "number"]})] = "0.1.0"  # numbers become text
    status: Status = "stable"
    family: str = "custom"
    fact: bool = Field(False, description="A batch fact, nothing to fix in the sheet (an old purchase): "
                                          "counted apart from the fix list, not in a row's status.")

    @field_validator("params", "messages", "severity_by_reason", "severity_by_field", mode="before")
    @classmethod
    def _blank_is_empty(cls, value: Any) -> Any:  # `params:` with nothing after it
        return {} if value is None else value

    @model_validator(mode="after")
    def _known_reasons(self) -> RuleSpec:
        """``messages`` and ``severity_by_reason`` key on reasons the check kind gives (a typo there
        would silently never apply)."""
        kind = REGISTRY.get(self.check)
        reasons = set(kind.reasons) if kind else set()
        for key, mapping in (("messages", self.messages), ("severity_by_reason", self.severity_by_reason)):
            unknown = sorted(set(mapping) - reasons)
            if unknown:
                raise _problem(f"{key}.{unknown[0]}: check {self.check!r} gives no reason {unknown[0]!r}; "
                               f"its reasons: {', '.join(sorted(reasons)) or 'none'}")
        return self


@functools.cache
def rule_model(kind: str, keyed: bool = False) -> type[RuleSpec]:
    """The model of a new rule using check kind ``kind``: ``params`` typed by the kind's signature.
    ``keyed``: as written in the ``{code: entry}`` form of ``rules:``, where ``code`` may be left out
    (the loader takes it from the key; used for the JSON Schema)."""
    params = params_model(kind)
    default = Field(default_factory=dict, validate_default=True) if _required(params) else Field(
        default_factory=params)
    check: Any = (Literal[kind], ...)  # a Literal of a value known at run time
    code: Any = {"code": (Code | None, Field(None, description="The key's code when left out."))} if keyed else {}
    return create_model(model_name(kind, "KeyedRule" if keyed else "Rule"), __base__=RuleSpec,
                        __doc__=f"A new rule on the check kind `{kind}`.", check=check, params=(params, default),
                        **code)


def _required(model: type[BaseModel]) -> bool:
    return any(f.is_required() for f in model.model_fields.values())


class Override(BaseModel):
    """A change to a rule defined elsewhere, found by ``code`` (or ``name``). ``params``,
    ``messages`` and ``severity_by_reason`` merge key by key; the rest replace."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    code: str | None = None
    name: str | None = None
    severity: SeverityLevel | None = None
    severity_by_reason: dict[str, SeverityLevel] | None = None
    severity_by_field: dict[CanonicalField, SeverityLevel] | None = None
    params: dict[str, Any] | None = Field(None, description="Merged into the rule's parameters; checked "
                                                            "against its check kind once the packs are merged.")
    message: Text | None = None
    messages: dict[str, str] | None = None
    fix: Text | None = None
    status: Status | None = None
    title: Text | None = None
    fact: bool | None = None


OVERRIDABLE = tuple(k for k in Override.model_fields if k not in ("code", "name"))


class Translation(BaseModel):
    """A rule's title, messages, fix hint and why in another language (placeholders as in English)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    message: str | None = None
    messages: dict[str, str] | None = None
    fix: str | None = None
    why: str | None = None


TRANSLATABLE = tuple(Translation.model_fields)


# ---------------------------------------------------------------- the pack file


def _new_rule_union(keyed: bool = False) -> Any:
    kinds = sorted(REGISTRY)
    return Annotated[Union[tuple(rule_model(k, keyed) for k in kinds)], Field(discriminator="check")]  # noqa: UP007


def _rules_field(value: Any) -> Any:
    """``rules:`` as written: a list of entries, or the ``{code or name: entry}`` shorthand.
    The entries are validated by the loader, once it knows which rules exist."""
    if value is None or isinstance(value, (list, dict)):
        return value
    raise _problem(f"expected a list of rules or a mapping of code to changes, got {type(value).__name__}")


FflDistrict = Annotated[str, Field(pattern=r"^[0-9]-[0-9]{2}$", description="Region digit, hyphen, district digits.")]
StateCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="A two-letter US state or territory code.")]


class PackFile(BaseModel):
    """A tracecheck rule pack (YAML). A user pack usually starts with ``extends: default``."""

    model_config = ConfigDict(extra="forbid", title="tracecheck rule pack")

    name: Word | None = None
    version: Word | None = None
    description: str | None = None
    extends: str | None = Field(None, description="`default` (the shipped pack) or a pack file, relative to this one.")
    include: list[str] | None = Field(None, description="Pack files merged into this one, relative to it, or "
                                                        "`package:MODULE/FILE` for one shipped in a package.")
    select: list[str] | None = Field(None, description="Only these rules: codes, prefixes (TC1), names or families.")
    ignore: list[str] | None = Field(None, description="Skip these rules: codes, prefixes, names or families.")
    family: str | None = Field(None, description="Family of the new rules in this file.")
    rules: Annotated[Any, PlainValidator(_rules_field)] = None  # entries: see pack_file_model() and the loader
    fields: dict[CanonicalField, FieldSpec | None] | None = Field(None, description="Field -> header aliases.")
    columns: dict[CanonicalField, str | list[str]] | None = Field(None, description="Extra header aliases for fields.")
    map: dict[str, str] | None = Field(None, description="A fixed header for a field (field -> header).")
    fuzzy_threshold: Annotated[float, Field(ge=0, le=100)] | None = None
    placeholders: Placeholders | None = Field(None, description="Serial values and words that mean no usable serial; "
                                                                "lists extend the default ones.")
    items: Items | None = Field(None, description="Rows that are ammunition, magazines, parts or accessories; "
                                                  "lists extend the default ones.")
    us_country_names: list[Word] | None = Field(None, description="Names of the United States; extend the default.")
    manufacturers: list[Manufacturer] | None = Field(None, description=(
        "Makers and their countries. A maker already known (by name) takes the new aliases and keys; a new one "
        "is added."))
    agency_aliases: dict[str, list[Word]] | None = Field(None, description=(
        "Agency name -> its other names (acronyms, former names), matched ignoring case, accents, punctuation and "
        "spaces; the report shows the name. Lists extend the defaults; a name given to another agency moves there."))
    matching: Matching | None = Field(None, description="Duplicate matching parameters (rules/matching.yml).")
    calibers: dict[str, list[Word]] | None = Field(None, description="Caliber class -> aliases (extend the default).")
    caliber_names: dict[str, str] | None = Field(None, description=(
        "Caliber class -> the name messages show for it ('45acp' -> '.45 ACP'); a class without one shows its id."))
    ffl_districts: dict[FflDistrict, list[StateCode]] | None = Field(None, description=(
        "FFL region and IRS district ('1-54') -> the state codes of licences issued there (rules/ffl_districts.yml)."))
    us_states: dict[StateCode, list[Word]] | None = Field(None, description=(
        "State or territory code -> names and abbreviations of it in a dealer-state cell (Texas, Tex., Tejas)."))
    firearm_types: dict[str, list[Word]] | None = Field(None, description="Firearm type -> the words that name it.")
    models: dict[str, dict[str, list[Word]]] | None = Field(
        None, description="Maker -> model -> every caliber class it was made in (only complete sets).")
    importers: list[Importer] | None = Field(None, description="US importers: names, places, makers imported.")
    vocabulary: Vocabulary | None = Field(None, description="How headers without an alias are read "
                                                            "(rules/headers.yml); lists extend the default ones.")
    serial_label: str | None = Field(None, description="Not read; see `placeholders.serial_label`.")
    translations: dict[Language, dict[str, Translation | None] | None] | None = Field(
        None, description="Language (a message catalogue: en, es) -> rule code -> translated texts.")


PACK_KEYS = tuple(PackFile.model_fields)


@functools.cache
def pack_file_model() -> type[PackFile]:
    """``PackFile`` with ``rules`` typed for the JSON Schema: each entry is a new rule (one branch per
    check kind, chosen by ``check``) or an override."""
    load_plugins()  # plugins' kinds are branches too
    entry = Union[_new_rule_union(), Override]  # type: ignore[valid-type]  # noqa: UP007  (built at run time)
    keyed = Union[_new_rule_union(keyed=True), Override]  # type: ignore[valid-type]  # noqa: UP007
    rules = Annotated[Any, PlainValidator(_rules_field, json_schema_input_type=Union[  # noqa: UP007
        list[entry], dict[str, keyed], None])]  # type: ignore[valid-type]
    return create_model("PackFile", __base__=PackFile, __doc__=PackFile.__doc__,
                        rules=(rules, Field(None, description="New rules, and changes to existing ones.")))


def pack_json_schema() -> dict[str, Any]:
    """The JSON Schema of a pack file (docs/rule-pack.schema.json), for editors and other tools."""
    schema = pack_file_model().model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
