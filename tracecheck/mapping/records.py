"""The mapping decision as records: which header feeds which field, how sure, and why.

``ColumnMapping`` is what the rest of tracecheck reads (normalise, the structure checks, the
report); ``decisions`` keeps one ``HeaderDecision`` per header, with its candidates and their
evidence, for the report's mapping table, the terminal summary and ``tracecheck map``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

METHODS = ("override", "alias", "tokens", "fuzzy", "content", "split")
STATUSES = ("mapped", "conflict", "compound", "unmapped")


@dataclass(frozen=True)
class Evidence:
    """One reason for (or against) a mapping, as data: ``kind`` is a stable id the catalogue words
    (``mapping_evidence.<kind>``), ``detail`` the header words or value kind it is about, ``share``
    a share of sampled values (0-1) when the reason is the column's content."""

    kind: str
    detail: str | None = None
    share: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "detail": self.detail, "share": None if self.share is None else round(self.share, 2)}


@dataclass(frozen=True)
class Candidate:
    """A field a header may feed. ``confidence`` 0-1; ``score`` the header's similarity to a known
    header (0-100; 100 when it is one, 0 when only the content spoke); ``refused``: ruled out (the
    content contradicts it, or the evidence is too weak for a required field)."""

    field: str
    confidence: float
    method: str
    score: float
    evidence: tuple[Evidence, ...] = ()
    weak: bool = False
    refused: bool = False


@dataclass(frozen=True)
class MappedColumn:
    """A header that feeds a field: ``method`` one of METHODS, ``confidence`` 0-1, ``score`` the
    header similarity 0-100, ``date_order`` the day/month order its format hint gives (or None)."""

    field: str
    header: str
    method: str
    score: float
    confidence: float = 1.0
    evidence: tuple[Evidence, ...] = ()
    date_order: str | None = None


@dataclass(frozen=True)
class HeaderDecision:
    """What became of one header: ``status`` (STATUSES), the field it feeds (mapped), the fields it
    names (compound), and its candidates, best first (refused ones included, marked)."""

    header: str
    status: str
    field: str | None = None
    candidates: tuple[Candidate, ...] = ()
    fields: tuple[str, ...] = ()  # a compound header: the fields it names
    meaningless: bool = False

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class ColumnMapping:
    columns: tuple[MappedColumn, ...]  # one per mapped field, in header order
    unmapped: tuple[str, ...]  # headers that feed no field (compound headers excluded)
    conflicts: tuple[tuple[str, str, str], ...]  # (field, header used, header ignored)
    compound: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (header, the fields it names)
    decisions: tuple[HeaderDecision, ...] = field(default=())  # one per header, in header order

    def header_for(self, field: str) -> str | None:
        return next((c.header for c in self.columns if c.field == field), None)

    def column_for(self, field: str) -> MappedColumn | None:
        return next((c for c in self.columns if c.field == field), None)

    def date_order_for(self, field: str) -> str | None:
        """The day/month order a format hint in the field's header gives, or None."""
        column = self.column_for(field)
        return column.date_order if column else None

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}

    def candidate_for(self, field: str) -> tuple[str, Candidate] | None:
        """The best header not used for anything that could feed ``field`` (refused ones too), with
        its candidate; None when no header could."""
        found = [(c.confidence, -i, d.header, c) for i, d in enumerate(self.decisions) if d.status != "mapped"
                 for c in d.candidates if c.field == field]
        if not found:
            return None
        _, _, header, candidate = max(found, key=lambda f: (f[0], f[1]))
        return header, candidate
