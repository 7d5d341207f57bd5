"""Models of the reference parts of a rule pack: header aliases, placeholder words, makers,
duplicate-matching parameters, and the names these refer to (canonical fields, catalogue languages).

Leaf of the ruleset package: pydantic models and validators only (no loading, no rules).
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from annotated_types import Ge
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from tracecheck.catalogue import languages
from tracecheck.matching.compare import CALIBER_LEVELS, MAKER_LEVELS, MODEL_LEVELS, RECOVERY_LEVELS, SERIAL_LEVELS
from tracecheck.schema import CANONICAL_FIELDS

# Text where YAML's numbers are fine as they are (9 for a caliber alias, 2.0 for a version): the
# loader folds or str()s these values. Elsewhere a pack file's strings must be strings.
Word = Annotated[str | int | float, WithJsonSchema({"type": ["string", "number"]})]


def problem_error(text: str) -> PydanticCustomError:
    """A validation error whose message is ``text`` as written (it names the offending value)."""
    return PydanticCustomError("tc_problem", "{text}", {"text": text})


def compiled_pattern(pattern: str) -> str:
    """``pattern`` unchanged when it is a regular expression Python compiles, else a pack problem."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise problem_error(f"not a valid regular expression: {exc}") from None
    return pattern


def _one_of(known: tuple[str, ...], what: str) -> Any:
    def check(value: str) -> str:
        if value not in known:
            close = difflib.get_close_matches(value, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
            raise problem_error(f"unknown {what} {value!r}; {hint}")
        return value

    return check


CanonicalField = Annotated[str, AfterValidator(_one_of(CANONICAL_FIELDS, "field")),
                           WithJsonSchema({"enum": list(CANONICAL_FIELDS)})]
Language = Annotated[str, AfterValidator(lambda v: _one_of(languages(), "language (no message catalogue)")(v)),
                     WithJsonSchema({"type": "string", "examples": ["en", "es"]})]


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aliases: list[str] = []


Concept = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="A concept id (a key of vocabulary.words).")]


class FieldWords(BaseModel):
    """How a field is named by the concepts of a header's words."""

    model_config = ConfigDict(extra="forbid")
    names: list[list[Concept]] = Field([], description="Combinations of concepts that name the field (all of one "
                                                       "list must appear), e.g. [[serial]] or [[purchase, date]].")
    weak: list[list[Concept]] = Field([], description="Combinations taken only when no header names the field "
                                                      "better, and never for a required field without content "
                                                      "that confirms it.")
    qualifiers: list[Concept] = Field([], description="Concepts that may accompany a name without changing it "
                                                      "(firearm serial, serial number); any other known concept "
                                                      "means the header names another thing.")


class ValueWords(BaseModel):
    """Words the content check looks for in a column's values (makers and calibers come from the pack's
    manufacturers and calibers)."""

    model_config = ConfigDict(extra="forbid")
    countries: list[Word] = []
    firearm_types: list[Word] = []
    agency_words: list[Word] = []


class Vocabulary(BaseModel):
    """How headers without an alias are read (rules/headers.yml). A user pack extends every list."""

    model_config = ConfigDict(extra="forbid")
    words: dict[Concept, list[Word]] = Field({}, description="Concept -> the words (any language) that mean it.")
    abbreviations: dict[str, list[Concept]] = Field({}, description="Short form -> the concepts it stands for "
                                                                    "(NO: [number], 'S N': [serial, number]).")
    leading: dict[str, list[Concept]] = Field({}, description="Words that mean a concept only as a header's first "
                                                              "word (F: [date] for 'F. de compra').")
    stopwords: list[Word] = []
    fields: dict[CanonicalField, FieldWords] = {}
    meaningless: list[Annotated[str, AfterValidator(compiled_pattern)]] = Field(
        [], description="Regular expressions (on the folded header) of headers that say nothing about their column.")
    values: ValueWords | None = None


class Placeholders(BaseModel):
    model_config = ConfigDict(extra="forbid")
    missing: list[Word | None] = Field([], description="Serial values that mean no usable serial.")
    obliterated: list[Word] = Field(
        [], description="Word stems that mean the serial was destroyed (anywhere in the cell).")
    privately_made: list[Word] = Field([], description="Words that mean a privately made firearm, which has no serial.")
    serial_label: Annotated[str, AfterValidator(compiled_pattern)] | None = Field(
        None, description="Regular expression of labels cleaned off serials.")


class Items(BaseModel):
    """Words of the firearm type column that say whether a row is a firearm at all."""

    model_config = ConfigDict(extra="forbid")
    not_firearm: dict[str, list[Word]] = Field({}, description="Kind of item (ammunition, magazine, ...) -> words.")
    firearm: list[Word] = Field([], description="Words that make the row a firearm whatever else it names.")


class Manufacturer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Word
    country: str = "US"
    us_plant: bool = False
    aliases: list[Word] = []


class Importer(BaseModel):
    """A US importer (rules/vocabulary.yml): the names its markings use, the city and state marked on
    the guns it imports, and the makers it imports (a ``closed`` list is complete)."""

    model_config = ConfigDict(extra="forbid")
    name: Word
    aliases: list[Word] = []
    places: list[Word] = Field([], description="City and state as marked (ST ALBANS VT).")
    makers: list[Word] = Field([], description="Makers it imports, by their `manufacturers` name.")
    closed: bool = Field(False, description="The maker list is complete: another maker is a mismatch.")




_LEVELS = {"serial": SERIAL_LEVELS, "maker": MAKER_LEVELS, "model": MODEL_LEVELS, "caliber": CALIBER_LEVELS,
           "recovery": RECOVERY_LEVELS}
_WEIGHTS: dict[str, Any] = {f"{field}_{level}": (float | None, None) for field, levels in _LEVELS.items()
                            for level in levels}
Weights = create_model("Weights", __config__=ConfigDict(extra="forbid"),
                       __doc__="Log2-odds weight of each comparison level (field_level), added up per pair.",
                       **_WEIGHTS)


class Matching(BaseModel):
    """Duplicate-request matching parameters (rules/matching.yml); a user pack overrides key by key."""

    model_config = ConfigDict(extra="forbid")
    recovery_window_days: Annotated[int, Ge(0)] | None = None
    min_serial_length: Annotated[int, Ge(1)] | None = None
    flag_threshold: float | None = None
    review_threshold: float | None = None
    max_group_size: Annotated[int, Ge(2)] | None = None
    max_block_size: Annotated[int, Ge(2)] | None = None
    max_event_block_size: Annotated[int, Ge(2)] | None = None
    weights: Weights | None = None  # a model built from the level names
    confusables: dict[str, str] | None = None
    model_stopwords: list[str] | None = None


class Example(BaseModel):
    """Rows the rule flags (``bad``) and rows it leaves alone (``good``): a list of row mappings, or
    ``{columns: [...], rows: [[...]]}`` for headers a mapping cannot hold (repeated ones)."""

    model_config = ConfigDict(extra="forbid")

    class Table(BaseModel):
        model_config = ConfigDict(extra="forbid")
        columns: list[Any]
        rows: list[list[Any]] = []

    bad: list[dict[Any, Any]] | Table
    good: list[dict[Any, Any]] | Table
    earlier: list[dict[Any, Any]] = Field([], description="Rows of a batch recorded in a history store before "
                                                            "bad and good are checked (rules about earlier batches).")
