"""``tracecheck map FILE``: the mapping decision as text, and as a pack ``map:`` snippet to keep.

``decision_table`` lists every header with its column, what became of it (mapped, conflict,
compound, unmapped), its field, method, confidence and evidence, then the expected fields not
found with a ready ``--map`` option. ``map_snippet`` is a rule pack (``extends: default`` plus
``map:``) that fixes every mapped field to its header, so the next run maps the same way.
Pure text: the CLI prints and writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from tracecheck.mapping.records import Candidate, ColumnMapping, Evidence
from tracecheck.mapping.table import fields_not_found


def decision_table(mapping: ColumnMapping, letters: Mapping[str, str], expected: Iterable[str]) -> str:
    """One line per header (see the module docstring), then the fields not found."""
    lines = [f"{'col':<4} {'header':<32} {'status':<9} {'field':<18} {'method':<8} {'conf':>5}  evidence"]
    for d in mapping.decisions:
        column = mapping.column_for(d.field) if d.field else None
        best: Candidate | None = d.best
        if column is not None:
            method, confidence, evidence = column.method, column.confidence, column.evidence
        elif best is not None:
            method, confidence, evidence = best.method, best.confidence, best.evidence
        else:
            method, confidence, evidence = "", None, ()
        field = d.field or (",".join(d.fields) if d.fields else (f"({best.field})" if best else ""))
        conf = f"{confidence:.2f}" if confidence is not None else ""
        lines.append(f"{letters.get(d.header, ''):<4} {_cut(d.header, 32):<32} {d.status:<9} {field:<18} "
                     f"{method:<8} {conf:>5}  {_evidence(evidence, d.meaningless)}")
    missing = fields_not_found(mapping, expected, letters)
    if missing:
        lines.append("")
        lines.append("fields not found:")
        for entry in missing:
            lines.append(f"  {entry['field']}: {entry['map']}" if entry["map"] else
                         f"  {entry['field']}: no header names it")
    return "\n".join(lines)


def map_snippet(mapping: ColumnMapping, source: str) -> str:
    """A rule pack that maps every mapped field to its header (YAML; headers quoted as JSON strings,
    which YAML reads as written)."""
    lines = [f"# Header mapping of {source}, as tracecheck decided it (tracecheck map). Keep it as a pack",
             "# (--rules FILE) so later batches with these headers map the same way; edit a line to change it.",
             "extends: default", "map:"]
    for column in mapping.columns:
        if column.method == "split":  # a fixed header would feed the whole value to each field
            lines.append(f"  # {column.field}: split from {json.dumps(column.header, ensure_ascii=False)} "
                         f"(a Make/Model column; left to the mapper)")
            continue
        lines.append(f"  {column.field}: {json.dumps(column.header, ensure_ascii=False)}"
                     f"  # {column.method}, confidence {column.confidence:.2f}")
    if not mapping.columns:
        lines[-1] = "map: {}"
    return "\n".join(lines) + "\n"


def _evidence(evidence: Iterable[Evidence], meaningless: bool) -> str:
    parts = []
    for e in evidence:
        text = e.kind if e.detail is None else f"{e.kind}={e.detail}"
        parts.append(text if e.share is None else f"{text} ({e.share:.0%})")
    if meaningless and not parts:
        parts.append("meaningless_header")
    return "; ".join(parts)


def _cut(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"
