"""Decide the mapping of a whole batch: content checks the header readings, then each field gets
the header that names it best.

1. Fixed mappings (``--map``, the pack's ``map:``) come first; a fixed header the batch does not
   have is an error (``MissingHeader``) naming the headers it has.
2. Each header's candidates (``headers.read_header``) meet the column's content
   (``content.fit``): values that confirm a field raise its confidence a little; values that
   contradict it refuse it (an exact known header keeps a required field: the header is explicit).
   A required field (serial number, maker) is never taken on weak evidence: a weak or uncertain
   reading needs values that confirm it.
3. Headers take their best candidate, the surest first; a header that loses its field to a surer
   one is a conflict when it was sure itself (TC004), else it is simply not used.
4. A column whose header says nothing ("Unnamed: 3", "Columna7") is mapped when its values alone
   are unmistakable, to a field no header took.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tracecheck.mapping import content
from tracecheck.mapping.content import Profile
from tracecheck.mapping.headers import HeaderReading, read_header
from tracecheck.mapping.records import Candidate, ColumnMapping, Evidence, HeaderDecision, MappedColumn
from tracecheck.mapping.vocabulary import Vocabulary
from tracecheck.text import fold

ACCEPT = 0.5  # least confidence to map a header
REQUIRED = 0.75  # least confidence to map a required field (serial number, maker)
SURE = 0.75  # a header this sure that loses its field to another is a conflict (TC004), not just unused
CONFIRM_BONUS = 0.05
AMBIGUOUS = 0.03  # two fields within this confidence: the header does not say which


class MissingHeader(ValueError):
    """A fixed mapping names a header the batch does not have."""

    def __init__(self, field: str, header: str, origin: str, headers: Sequence[str]) -> None:
        listed = ", ".join(f'"{h}"' for h in headers) or "none"
        where = "--map" if origin == "--map" else f"the map: of {origin}"
        super().__init__(f'{where} maps {field} to "{header}", which is not a header of this batch; '
                         f"its headers are: {listed}")
        self.field, self.header = field, header


def decide(headers: Sequence[str], vocab: Vocabulary, *, fixed: Mapping[str, str] | None = None,
           origins: Mapping[str, str] | None = None, profiles: Mapping[str, Profile] | None = None,
           required: frozenset[str] = frozenset(), fuzzy_threshold: float = 88.0) -> ColumnMapping:
    """The mapping of ``headers`` (in sheet order). ``fixed``: field -> header; ``origins``: field ->
    where its fixed header was given ("--map" or a pack path); ``profiles``: header -> its content
    profile; ``required``: fields never mapped on weak evidence. Raises MissingHeader."""
    profiles = profiles or {}
    order = {h: i for i, h in enumerate(headers)}
    by_fold: dict[str, str] = {}
    for h in headers:
        by_fold.setdefault(fold(h), h)
    overrides: dict[str, str] = {}  # header -> field
    for name, header in (fixed or {}).items():
        actual = by_fold.get(fold(header))
        if actual is None:
            raise MissingHeader(name, header, (origins or {}).get(name, "--map"), list(headers))
        overrides[actual] = name
    readings = {h: read_header(h, vocab, fuzzy_threshold=fuzzy_threshold) for h in headers if h not in overrides}
    judged = {h: _judge(r, profiles.get(h, content.EMPTY), required) for h, r in readings.items()}
    chosen: dict[str, MappedColumn] = {}
    by_override = {f: h for h, f in overrides.items()}
    for header, name in overrides.items():
        reading = read_header(header, vocab, fuzzy_threshold=fuzzy_threshold)
        chosen[name] = MappedColumn(name, header, "override", 100.0, 1.0,
                                    (Evidence("override", (origins or {}).get(name, "--map")),),
                                    reading.tokens.date_order)
    status: dict[str, str] = {}
    conflicts: list[tuple[str, str, str]] = []
    queue = sorted(((c, h) for h, c in ((h, _pick(cands, required)) for h, cands in judged.items()) if c),
                   key=lambda ch: (-ch[0].confidence, order[ch[1]]))
    for cand, header in queue:
        if cand.field not in chosen:
            chosen[cand.field] = MappedColumn(cand.field, header, cand.method, cand.score, cand.confidence,
                                              cand.evidence, readings[header].tokens.date_order)
            status[header] = "mapped"
        elif cand.confidence >= SURE and cand.field not in by_override:
            conflicts.append((cand.field, chosen[cand.field].header, header))
            status[header] = "conflict"
    _by_content(readings, judged, profiles, chosen, status, required)
    decisions = tuple(_decision(h, overrides, chosen, status, readings, judged) for h in headers)
    return ColumnMapping(
        columns=tuple(sorted(chosen.values(), key=lambda c: order[c.header])),
        unmapped=tuple(d.header for d in decisions if d.status in ("unmapped", "conflict")),
        conflicts=tuple(sorted(conflicts, key=lambda c: order[c[2]])),
        compound=tuple((d.header, d.fields) for d in decisions if d.status == "compound"),
        decisions=decisions)


def _judge(reading: HeaderReading, prof: Profile, required: frozenset[str]) -> tuple[Candidate, ...]:
    """The header's candidates after its content had its say, best first (refused ones last). A
    required field named with words the vocabulary does not know ("Marca del vehículo") needs its
    values to confirm it: never map a required field on weak evidence."""
    out = []
    for cand in reading.candidates:
        verdict, share = content.fit(cand.field, prof)
        evidence = list(cand.evidence)
        conf, refused = cand.confidence, False
        kind = prof.main()
        if verdict == "confirms":
            conf = min(1.0, round(conf + CONFIRM_BONUS, 3))
            evidence.append(Evidence("content_fits", _expected_kind(cand.field), share))
        elif verdict == "contradicts":
            evidence.append(Evidence("content_against", kind[0] if kind else None, share))
            refused = not (cand.method == "alias" and cand.field in required)
        unsure = cand.weak or conf < REQUIRED or any(e.kind == "unknown_words" for e in cand.evidence)
        if cand.field in required and not refused and cand.method != "alias" and unsure:
            if verdict == "confirms" and share >= 0.6:
                conf = max(conf, REQUIRED)
            else:
                evidence.append(Evidence("required_needs_more"))
                refused = True
        out.append(Candidate(cand.field, conf, cand.method, cand.score, tuple(evidence), cand.weak, refused))
    return tuple(sorted(out, key=lambda c: (c.refused, -c.confidence)))


def _pick(candidates: tuple[Candidate, ...], required: frozenset[str]) -> Candidate | None:
    """The candidate a header competes with: its best one not refused, if sure enough and not tied
    with a candidate for another field."""
    usable = [c for c in candidates if not c.refused and c.confidence >= (REQUIRED if c.field in required else ACCEPT)]
    if not usable:
        return None
    if len(usable) > 1 and usable[0].confidence - usable[1].confidence < AMBIGUOUS:
        return None  # the header does not say which of two fields (a name cut short, say)
    return usable[0]


def _by_content(readings: Mapping[str, HeaderReading], judged: dict[str, tuple[Candidate, ...]],
                profiles: Mapping[str, Profile], chosen: dict[str, MappedColumn], status: dict[str, str],
                required: frozenset[str]) -> None:
    """Map columns whose header says nothing when their values are unmistakable (fields still free)."""
    found = []
    for header, reading in readings.items():
        if not reading.meaningless or header in status:
            continue
        verdict = content.unmistakable(profiles.get(header, content.EMPTY))
        if verdict is None:
            continue
        name, share = verdict
        conf = round(share * 0.9, 3)
        cand = Candidate(name, conf, "content", 0.0, (Evidence("meaningless_header"),
                                                      Evidence("content_fits", _expected_kind(name), share)))
        judged[header] = (cand,)
        if conf >= (REQUIRED if name in required else ACCEPT):
            found.append((conf, header, cand))
    for conf, header, cand in sorted(found, key=lambda f: -f[0]):
        if cand.field not in chosen:
            chosen[cand.field] = MappedColumn(cand.field, header, "content", 0.0, conf, cand.evidence)
            status[header] = "mapped"


def _decision(header: str, overrides: Mapping[str, str], chosen: Mapping[str, MappedColumn],
              status: Mapping[str, str], readings: Mapping[str, HeaderReading],
              judged: Mapping[str, tuple[Candidate, ...]]) -> HeaderDecision:
    if header in overrides:
        fixed = overrides[header]
        mapped = chosen[fixed]
        return HeaderDecision(header, "mapped", fixed, (Candidate(fixed, 1.0, "override", 100.0, mapped.evidence),))
    reading = readings[header]
    state = status.get(header, "compound" if reading.compound else "unmapped")
    name = next((c.field for c in chosen.values() if c.header == header), None)
    return HeaderDecision(header, state, name, judged.get(header, ()), reading.compound, reading.meaningless)


def _expected_kind(field: str) -> str | None:
    kinds = content.EXPECT.get(field)
    return min(kinds, key=lambda k: (k == "placeholder", k)) if kinds else None  # "serial" before "placeholder"
