"""The mapping decision as the report's tables (plain data, JSON-ready): the mapped columns with their
method, confidence and evidence; the fields a batch was expected to have and does not, each with the
best header that could feed it and a ready ``--map`` option; and the headers no field uses.

Pure: the report layer calls these once and every writer (JSON, terminal, HTML, workbook) and
``tracecheck map`` show what they give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tracecheck.mapping.records import ColumnMapping
from tracecheck.ruleset import RulePack


def expected_fields(pack: RulePack) -> tuple[str, ...]:
    """Fields a batch is expected to have: those any ``column_missing`` rule of the pack names (active
    or not), in the pack's field order."""
    named = {f for rule in pack.all_rules if rule.check == "column_missing" for f in rule.params.get("fields", [])}
    return tuple(f for f in pack.fields if f in named)


def map_option(field: str, header: str) -> str:
    """The ``--map`` option that maps ``header`` to ``field`` (shell-ready: the header double-quoted)."""
    quoted = header.replace("\\", "\\\\").replace('"', '\\"')
    return f'--map {field}="{quoted}"'


def mapped_columns(mapping: ColumnMapping, letters: Mapping[str, str]) -> list[dict[str, Any]]:
    """One entry per mapped field, in header order: field, header, column letter, method, score,
    confidence (0-1), date_order (from a format hint) and evidence."""
    return [{"field": c.field, "header": c.header, "column": letters.get(c.header), "method": c.method,
             "score": c.score, "confidence": round(c.confidence, 3), "date_order": c.date_order,
             "evidence": [e.to_dict() for e in c.evidence]} for c in mapping.columns]


def fields_not_found(mapping: ColumnMapping, expected: Iterable[str], letters: Mapping[str, str]
                     ) -> list[dict[str, Any]]:
    """Each expected field no header feeds, with the best header that could (null when none) and the
    ``--map`` option that would map it."""
    out = []
    for name in expected:
        if name in mapping.fields:
            continue
        found = mapping.candidate_for(name)
        header, candidate = found if found else (None, None)
        out.append({"field": name, "candidate": header, "column": letters.get(header) if header else None,
                    "confidence": round(candidate.confidence, 3) if candidate else None,
                    "map": map_option(name, header) if header else None})
    return out


def headers_not_used(mapping: ColumnMapping, letters: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each header no field uses: its status (unmapped, conflict: another header took its field,
    compound: it names several fields), the fields it names (compound) and its best candidate."""
    out = []
    for d in mapping.decisions:
        if d.status == "mapped":
            continue
        best = d.best
        out.append({"header": d.header, "column": letters.get(d.header), "status": d.status,
                    "fields": list(d.fields), "candidate": best.field if best else None,
                    "confidence": round(best.confidence, 3) if best else None})
    return out
