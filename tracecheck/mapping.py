"""Map a batch's headers to canonical fields: fixed map, then aliases, then a fuzzy fallback."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tracecheck.text import fold


@dataclass(frozen=True)
class MappedColumn:
    field: str
    header: str
    method: str  # "override" | "alias" | "fuzzy"
    score: float  # 100 for override/alias


@dataclass(frozen=True)
class ColumnMapping:
    columns: tuple[MappedColumn, ...]  # one per mapped field, in header order
    unmapped: tuple[str, ...]  # headers that map to nothing
    conflicts: tuple[tuple[str, str, str], ...]  # (field, header used, header ignored)

    def header_for(self, field: str) -> str | None:
        return next((c.header for c in self.columns if c.field == field), None)

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}


def map_headers(headers: list[str], fields: dict[str, list[str]], *, fixed: dict[str, str] | None = None,
                fuzzy_threshold: float = 88.0) -> ColumnMapping:
    """Decide which header feeds which canonical field.

    ``fixed`` (field → header) wins; a fixed header that is absent is simply not mapped, and the
    missing-column rules report the field. Other headers match an alias exactly after folding
    (case, accents, punctuation), else by rapidfuzz similarity at or above ``fuzzy_threshold``.
    The first header for a field wins; later ones are recorded as conflicts.
    """
    fixed = fixed or {}
    alias_index = {fold(alias): f for f, aliases in fields.items() for alias in [f, *aliases]}
    alias_keys = list(alias_index)
    fixed_by_header = {fold(h): f for f, h in fixed.items()}
    chosen: dict[str, MappedColumn] = {}
    conflicts: list[tuple[str, str, str]] = []
    unmapped: list[str] = []
    candidates = [(h, _candidate(h, fixed_by_header, alias_index, alias_keys, fuzzy_threshold)) for h in headers]
    # fixed mappings first, then exact aliases, then fuzzy guesses: a fuzzy guess never displaces a sure match
    for rank in ("override", "alias", "fuzzy"):
        for header, cand in candidates:
            if cand is None or cand.method != rank:
                continue
            if cand.field in chosen and chosen[cand.field].method == "override":
                unmapped.append(header)  # the user chose another header for this field
            elif cand.field in chosen:
                conflicts.append((cand.field, chosen[cand.field].header, header))
            else:
                chosen[cand.field] = cand
    unmapped += [h for h, cand in candidates if cand is None]
    order = {h: i for i, h in enumerate(headers)}
    return ColumnMapping(columns=tuple(sorted(chosen.values(), key=lambda c: order[c.header])),
                         unmapped=tuple(sorted(unmapped, key=order.__getitem__)),
                         conflicts=tuple(sorted(conflicts, key=lambda c: order[c[2]])))


def _candidate(header: str, fixed_by_header: dict[str, str], alias_index: dict[str, str],
               alias_keys: list[str], threshold: float) -> MappedColumn | None:
    key = fold(header)
    if not key:
        return None
    if key in fixed_by_header:
        return MappedColumn(fixed_by_header[key], header, "override", 100.0)
    if key in alias_index:
        return MappedColumn(alias_index[key], header, "alias", 100.0)
    best = process.extractOne(key, alias_keys, scorer=fuzz.ratio, score_cutoff=threshold)
    if best is None:
        return None
    return MappedColumn(alias_index[best[0]], header, "fuzzy", round(float(best[1]), 1))
