"""Header mapping: which column of a batch feeds each canonical field, how sure, and why.

Headers come as analysts write them: ``Nº de Serie``, ``F. de Compra``, ``Purch. Date``,
``firearm_serial``, ``RECOVERY_D`` (cut at 10 characters), ``Fecha de compra (dd/mm/aaaa)``,
``Marca/Fabricante``, or ``Unnamed: 3``. The mapper reads them as words and concepts instead of
matching a fixed list, lets each column's values confirm or refuse a reading, and records for each
mapped column its method (override, alias, tokens, fuzzy, content), a confidence (0-1) and the
evidence, so the decision can be shown and corrected (``--map``, ``tracecheck map``).

* ``tokens``: a header as words, its date format hint and its parts;
* ``vocabulary``: the pack's words, abbreviations and field names (rules/headers.yml), compiled;
* ``headers``: the fields one header may name, from its text;
* ``content``: what a column's values look like (bounded sample) and whether they fit a field;
* ``decide``: the whole batch's decision; ``records``: the records it is made of;
* ``split``: a Make/Model column feeding both fields, divided at a known maker.

Everything here is pure; ``map_batch`` is the entry point normalise and ``tracecheck map`` use.
"""

from __future__ import annotations

from tracecheck.errors import InputError
from tracecheck.mapping import content
from tracecheck.mapping.decide import MissingHeader, decide
from tracecheck.mapping.records import (
    METHODS,
    Candidate,
    ColumnMapping,
    Evidence,
    HeaderDecision,
    MappedColumn,
)
from tracecheck.mapping.split import split_columns
from tracecheck.mapping.vocabulary import Vocabulary, compile_vocabulary
from tracecheck.read import RawBatch
from tracecheck.reference import compile_reference
from tracecheck.ruleset import RulePack

__all__ = ["METHODS", "Candidate", "ColumnMapping", "Evidence", "HeaderDecision", "MappedColumn", "MissingHeader",
           "Vocabulary", "map_batch", "map_header_text", "required_fields", "vocabulary_of"]


def vocabulary_of(pack: RulePack) -> Vocabulary:
    """The pack's header vocabulary and aliases, compiled (cached by content)."""
    return compile_vocabulary(pack.vocabulary, pack.fields)


def required_fields(pack: RulePack) -> frozenset[str]:
    """Fields whose column a batch cannot do without: those an error-level ``column_missing`` rule
    of the pack names (serial_number and manufacturer by default), active or not."""
    return frozenset(f for rule in pack.all_rules if rule.check == "column_missing" and rule.severity == "error"
                     for f in rule.params.get("fields", []))


def map_batch(raw: RawBatch, pack: RulePack) -> ColumnMapping:
    """Decide which header of ``raw`` feeds each field of ``pack``. Each column's content is profiled
    from at most ``content.SAMPLE_SIZE`` values. Raises InputError when a fixed mapping (``--map``
    or the pack's ``map:``) names a header the batch does not have, listing the headers it has."""
    headers = [str(c) for c in raw.frame.columns]
    vocab = vocabulary_of(pack)
    reference = compile_reference(pack.reference)
    samples = {h: content.sample(raw.frame, h) for h in headers}
    profiles = {h: content.profile(samples[h], reference, vocab) for h in headers}
    try:
        decided = decide(headers, vocab, fixed=pack.fixed_map, origins=pack.map_origins, profiles=profiles,
                         required=required_fields(pack), fuzzy_threshold=pack.fuzzy_threshold)
    except MissingHeader as exc:
        raise InputError(str(exc), path=raw.source, sheet=raw.sheet) from None
    return split_columns(decided, samples, reference)


def map_header_text(headers: list[str], pack: RulePack) -> ColumnMapping:
    """The mapping of ``headers`` from their text alone (no values): how well a candidate header row
    or sheet names the trace fields. A fixed mapping to a header not among them is left out, not an
    error (the reader is still looking for the header row)."""
    fixed = {name: header for name, header in pack.fixed_map.items() if header in headers}
    return decide(headers, vocabulary_of(pack), fixed=fixed, origins=pack.map_origins,
                  required=required_fields(pack), fuzzy_threshold=pack.fuzzy_threshold)
