"""The pack's header vocabulary, compiled, and a header's words read as concepts.

``compile_vocabulary(pack.vocabulary, pack.fields)`` turns the data of ``rules/headers.yml`` (words,
abbreviations, leading words, stopwords, the concepts that name each field) and the aliases of
``rules/columns.yml`` into lookups. ``read_words(words, vocabulary, cut_short=...)`` reads each
header word as one or more possible concepts: a known word, an abbreviation, a word at the start
("F." = fecha), words written together ("SERIALNO"), a word cut short ("RECOVERY_D"), or a
misspelt word ("NUMBR"). Pure: no I/O.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from tracecheck.mapping.tokens import words_of
from tracecheck.text import fold

WEAK_WEIGHT = 0.6  # a weak combination names a field only when nothing better does
TRUNCATED_LENGTHS = (8, 10)  # dBase/shapefile field names (10), and old 8-character exports
FUZZY_WORD = 88.0  # similarity (0-100) for a misspelt word ("NUMBR" for NUMBER); words of 5 letters or more
FACTORS = {"word": 1.0, "leading": 0.95, "abbreviation": 0.95, "joined": 0.92, "prefix": 0.85, "fuzzy": 0.85}


@dataclass(frozen=True)
class Signature:
    concepts: frozenset[str]
    weight: float
    weak: bool


@dataclass(frozen=True)
class FieldWords:
    signatures: tuple[Signature, ...]
    qualifiers: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    """Compiled lookups. ``words``: folded word sequence → concepts (known words and abbreviations,
    with how each was written); ``fields``: field → the signatures naming it and its qualifiers."""

    words: dict[tuple[str, ...], tuple[tuple[str, ...], str]]
    leading: dict[str, tuple[str, ...]]
    stopwords: frozenset[str]
    fields: dict[str, FieldWords]
    aliases: dict[str, str]  # folded alias -> field
    full_words: tuple[str, ...]  # known words (no abbreviations), for prefixes and misspellings
    meaningless: tuple[re.Pattern[str], ...]
    countries: frozenset[str]
    firearm_types: frozenset[str]
    agency_words: frozenset[str]
    longest: int

    def concepts_of(self, word: str) -> tuple[str, ...]:
        found = self.words.get((word,))
        return found[0] if found else ()


@dataclass(frozen=True)
class Option:
    """One reading of a header word: its concepts, how it was read, and what that costs."""

    concepts: tuple[str, ...]
    how: str  # word | abbreviation | leading | joined | prefix | fuzzy
    text: str  # the header word(s) as folded
    factor: float


Slot = tuple[Option, ...]  # the readings of one word (empty: an unknown word)


def compile_vocabulary(data: Mapping[str, Any], aliases: Mapping[str, Iterable[str]]) -> Vocabulary:
    """Lookups from the pack's ``vocabulary`` data and field ``aliases`` (field -> alias texts)."""
    key = json.dumps([data, {f: list(a) for f, a in aliases.items()}], sort_keys=True, default=str)
    return _compile(key)


@functools.lru_cache(maxsize=8)
def _compile(key: str) -> Vocabulary:
    data, aliases = json.loads(key)
    words: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
    for concept, listed in (data.get("words") or {}).items():
        for word in listed:
            seq = words_of(str(word))
            if seq:
                old = words.get(seq, ((), "word"))[0]
                words[seq] = (tuple(dict.fromkeys((*old, concept))), "word")
    for short, concepts in (data.get("abbreviations") or {}).items():
        seq = ("#",) if str(short).strip() == "#" else words_of(str(short))
        if seq:
            words[seq] = (tuple(concepts), "abbreviation")
    fields = {}
    for name, spec in (data.get("fields") or {}).items():
        sigs = [Signature(frozenset(c), 1.0, False) for c in spec.get("names") or []]
        sigs += [Signature(frozenset(c), WEAK_WEIGHT, True) for c in spec.get("weak") or []]
        fields[name] = FieldWords(tuple(sigs), frozenset(spec.get("qualifiers") or []))
    values = data.get("values") or {}
    full = sorted({seq[0] for seq, (_, how) in words.items() if how == "word" and len(seq) == 1 and len(seq[0]) > 2})
    return Vocabulary(
        words=words, leading={fold(w): tuple(c) for w, c in (data.get("leading") or {}).items()},
        stopwords=frozenset(fold(w) for w in data.get("stopwords") or []), fields=fields,
        aliases={fold(a): f for f, listed in aliases.items() for a in [f, *listed] if fold(a)},
        full_words=tuple(full), meaningless=tuple(re.compile(p) for p in data.get("meaningless") or []),
        countries=frozenset(fold(c) for c in values.get("countries") or []),
        firearm_types=frozenset(fold(c) for c in values.get("firearm_types") or []),
        agency_words=frozenset(fold(c) for c in values.get("agency_words") or []),
        longest=max((len(k) for k in words), default=1))


def read_words(words: tuple[str, ...], vocab: Vocabulary, *, cut_short: bool = False) -> list[Slot]:
    """Each meaningful word (or run of words) of a header with its possible readings, in order;
    stopwords are dropped. ``cut_short``: the header may have been cut at a fixed length, so its
    last word may be the start of a longer one."""
    slots: list[Slot] = []
    i = 0
    while i < len(words):
        size, options = _known(words, i, vocab)
        word = words[i]
        if not options and word in vocab.stopwords:
            i += 1
            continue
        if not options:
            options = _unknown(word, vocab)
        if cut_short and i + size == len(words):
            options = options + _prefix(word, vocab, exclude={c for o in options for c in o.concepts})
        if options or not word.isdigit():
            slots.append(options)
        i += size
    return slots


def _known(words: tuple[str, ...], i: int, vocab: Vocabulary) -> tuple[int, Slot]:
    if i == 0 and words[0] in vocab.leading and len(words) > 1:
        return 1, (Option(vocab.leading[words[0]], "leading", words[0], FACTORS["leading"]),)
    for size in range(min(vocab.longest, len(words) - i), 0, -1):
        seq = words[i:i + size]
        if seq in vocab.words:
            concepts, how = vocab.words[seq]
            return size, (Option(concepts, how, " ".join(seq), FACTORS[how]),)
    return 1, ()


def _unknown(word: str, vocab: Vocabulary) -> Slot:
    """Readings of a word the vocabulary does not hold: two or three known words written together
    ("SERIALNO", "FECHACOMPRA"), else a misspelt known word."""
    joined = _split(word, vocab)
    if joined:
        concepts = tuple(dict.fromkeys(c for part in joined for c in vocab.words[(part,)][0]))
        return (Option(concepts, "joined", word, FACTORS["joined"]),)
    if 5 <= len(word) <= MAX_JOINED and not word.isdigit():
        best = process.extractOne(word, vocab.full_words, scorer=fuzz.ratio, score_cutoff=FUZZY_WORD)
        if best is not None:
            return (Option(vocab.concepts_of(best[0]), "fuzzy", f"{word}={best[0]}", FACTORS["fuzzy"]),)
    return ()


MAX_JOINED = 32  # longest word read as known words written together; the search is quadratic in its length


def _split(word: str, vocab: Vocabulary) -> tuple[str, ...] | None:
    if len(word) < 5 or len(word) > MAX_JOINED or word.isdigit():
        return None
    for cuts in itertools.chain(itertools.combinations(range(2, len(word) - 1), 1),
                                itertools.combinations(range(2, len(word) - 1), 2)):
        bounds = (0, *cuts, len(word))
        parts = tuple(word[a:b] for a, b in zip(bounds, bounds[1:]))
        if all(len(p) >= 2 and (p,) in vocab.words and p not in vocab.stopwords for p in parts):
            return parts
    return None


def _prefix(word: str, vocab: Vocabulary, *, exclude: set[str]) -> Slot:
    """Readings of the last word of a name cut short: every known word it starts (one per concept)."""
    if word.isdigit():
        return ()
    found: dict[tuple[str, ...], str] = {}
    for full in vocab.full_words:
        if full != word and full.startswith(word):
            concepts = vocab.concepts_of(full)
            if concepts and not set(concepts) <= exclude:
                found.setdefault(concepts, full)
    return tuple(Option(c, "prefix", f"{word}={full}", FACTORS["prefix"]) for c, full in found.items())


def is_meaningless(words: tuple[str, ...], vocab: Vocabulary) -> bool:
    """A header that says nothing about its column: blank, "Unnamed: 3", "Columna7", "Column F"."""
    text = " ".join(words)
    if any(vocab.words.get((w,)) for w in words):
        return False
    return any(p.fullmatch(text) for p in vocab.meaningless)
