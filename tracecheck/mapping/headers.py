"""Which fields one header may name, from its text alone, each with a confidence and its evidence.

In order: a known header (an alias of rules/columns.yml, after folding case, accents and
punctuation, and without a date format hint); the header's words read as concepts
(``vocabulary.read_words``) and matched against the combinations that name each field, where a
known word naming another thing rules the field out; a misspelt known header (similarity at or
above the pack's ``fuzzy_threshold``). A header that names two fields ("Make/Model") is compound.
Pure: no I/O.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from tracecheck.mapping.records import Candidate, Evidence
from tracecheck.mapping.tokens import Tokens, tokenise
from tracecheck.mapping.vocabulary import TRUNCATED_LENGTHS, Option, Slot, Vocabulary, is_meaningless, read_words
from tracecheck.text import fold

UNKNOWN_WORD = 0.85  # confidence kept per header word the vocabulary does not know
QUALIFIER = 0.95  # confidence kept per concept that accompanies the name ("firearm" serial): the name says less
FUZZY_CONFIDENCE = 0.9  # a misspelt known header: confidence = similarity / 100 * this
KEEP = 0.3  # candidates below this confidence are not kept (not even as suggestions)
MAX_READINGS = 256


@dataclass(frozen=True)
class HeaderReading:
    """A header's candidates (best first), the fields its words rule out (field -> the concepts
    naming another thing), the fields it names if compound, and its tokens."""

    tokens: Tokens
    candidates: tuple[Candidate, ...] = ()
    ruled_out: dict[str, tuple[str, ...]] = field(default_factory=dict)
    compound: tuple[str, ...] = ()
    meaningless: bool = False


def read_header(header: str, vocab: Vocabulary, *, fuzzy_threshold: float) -> HeaderReading:
    """The fields ``header`` may name; see the module docstring."""
    tokens = tokenise(header)
    hint = (Evidence("date_hint", tokens.date_hint),) if tokens.date_hint else ()
    for key in (fold(header), fold(" ".join(w for w in tokens.words if w != "#"))):
        if key in vocab.aliases:
            return HeaderReading(tokens, (Candidate(vocab.aliases[key], 1.0, "alias", 100.0,
                                                    (Evidence("alias", key.lower()), *hint)),))
    if is_meaningless(tokens.words, vocab):
        return HeaderReading(tokens, meaningless=True)
    cut_short = tokens.length in TRUNCATED_LENGTHS
    slots = read_words(tokens.words, vocab, cut_short=cut_short)
    found, ruled_out = _by_words(slots, vocab)
    best = {c.field: c for c in found}
    key = fold(" ".join(tokens.words))
    similar = process.extractOne(key, list(vocab.aliases), scorer=fuzz.ratio, score_cutoff=fuzzy_threshold) \
        if key else None
    if similar is not None:
        target = vocab.aliases[similar[0]]
        conf = round(float(similar[1]) / 100 * FUZZY_CONFIDENCE, 3)
        if target not in ruled_out and (target not in best or best[target].confidence < conf):
            best[target] = Candidate(target, conf, "fuzzy", round(float(similar[1]), 1),
                                     (Evidence("similar_header", similar[0].lower()),))
    candidates = tuple(sorted((_with(c, hint) for c in best.values() if c.confidence >= KEEP),
                              key=lambda c: -c.confidence))
    compound: tuple[str, ...] = ()
    if not candidates and len(tokens.parts) > 1:
        candidates, compound = _parts(tokens, vocab, hint)
    return HeaderReading(tokens, candidates, ruled_out, compound)


def _with(candidate: Candidate, extra: tuple[Evidence, ...]) -> Candidate:
    return Candidate(candidate.field, candidate.confidence, candidate.method, candidate.score,
                     (*candidate.evidence, *extra), candidate.weak)


def _parts(tokens: Tokens, vocab: Vocabulary, hint: tuple[Evidence, ...]
           ) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
    """A header joining names ("Marca/Fabricante", "Make/Model"): one field if every part names the
    same one (a candidate), else the fields the parts name (compound)."""
    named: list[Candidate] = []
    for part in tokens.parts:
        found, _ = _by_words(read_words(part, vocab), vocab)
        strong = [c for c in found if not c.weak]
        if strong:
            named.append(max(strong, key=lambda c: c.confidence))
    fields = tuple(dict.fromkeys(c.field for c in named))
    if len(named) == len(tokens.parts) and len(fields) == 1:
        low = min(named, key=lambda c: c.confidence)
        return (_with(low, (Evidence("parts_agree", " / ".join(" ".join(p) for p in tokens.parts)), *hint)),), ()
    if len(fields) >= 2:
        return (), fields
    return (), ()


def _by_words(slots: list[Slot], vocab: Vocabulary) -> tuple[list[Candidate], dict[str, tuple[str, ...]]]:
    """The best candidate per field over the readings of the header's words, and the fields ruled
    out because the header also names another thing."""
    unknown = sum(1 for s in slots if not s)
    known = [s for s in slots if s]
    readings = list(itertools.islice(itertools.product(*known), MAX_READINGS)) if known else []
    best: dict[str, Candidate] = {}
    ruled_out: dict[str, tuple[str, ...]] = {}
    for reading in readings:
        concepts = {c for option in reading for c in option.concepts}
        factor = 1.0
        for option in reading:
            factor *= option.factor
        for name, words in vocab.fields.items():
            for sig in words.signatures:
                if not sig.concepts <= concepts:
                    continue
                leftover = concepts - sig.concepts - words.qualifiers
                if leftover:
                    ruled_out.setdefault(name, tuple(sorted(leftover)))
                    continue
                if sig.weak and unknown:
                    continue
                extra = len(concepts - sig.concepts)
                conf = round(sig.weight * factor * UNKNOWN_WORD ** unknown * QUALIFIER ** extra, 3)
                if name not in best or conf > best[name].confidence:
                    fuzzy = _fuzzy(reading)  # a misspelt word: its score is the reading's confidence
                    best[name] = Candidate(name, conf, "fuzzy" if fuzzy else "tokens",
                                           round(conf * 100, 1) if fuzzy else 100.0,
                                           _evidence(reading, unknown, sig.weak), sig.weak)
    for name in best:
        ruled_out.pop(name, None)
    return list(best.values()), ruled_out


def _fuzzy(reading: tuple[Option, ...]) -> bool:
    return any(o.how == "fuzzy" for o in reading)


def _evidence(reading: tuple[Option, ...], unknown: int, weak: bool) -> tuple[Evidence, ...]:
    found = [Evidence("words", " ".join(o.text.split("=")[0] for o in reading))]
    kinds = {"abbreviation": "abbreviation", "leading": "abbreviation", "joined": "joined_words",
             "prefix": "cut_short", "fuzzy": "similar_word"}
    for option in reading:
        if option.how in kinds:
            detail = option.text if "=" in option.text else f"{option.text}={'+'.join(option.concepts)}"
            found.append(Evidence(kinds[option.how], detail))
    if unknown:
        found.append(Evidence("unknown_words", str(unknown)))
    if weak:
        found.append(Evidence("weak"))
    return tuple(found)
