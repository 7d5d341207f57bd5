"""TC0xx check kinds: the shape of the batch (columns, headers, emptiness, schema)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tracecheck.checks import CheckContext, check, findings_frame
from tracecheck.checks.params import FieldName
from tracecheck.schema import SCHEMA_CHECKS
from tracecheck.text import map_distinct


@check("column_missing", scope="batch")
def column_missing(ctx: CheckContext, *, fields: list[FieldName]) -> pd.DataFrame:
    """One batch-level finding per listed field that no header maps to."""
    missing = [f for f in fields if not ctx.present(f)]
    return findings_frame([None] * len(missing), field=missing)


@check("batch_empty", scope="batch")
def batch_empty(ctx: CheckContext) -> pd.DataFrame:
    return findings_frame([None] if ctx.frame.empty else [])


@check("header_duplicate", context={"used": str}, reasons=("repeated", "same_field"), scope="batch")
def header_duplicate(ctx: CheckContext) -> pd.DataFrame:
    """Repeated header texts (reason ``repeated``), and several headers that map to one field
    (reason ``same_field``: the first one, ``used``, is used). The finding points at the column
    that is ignored."""
    letters = ctx.batch.raw.column_letters
    reasons, fields, values, columns, used_headers = [], [], [], [], []
    for header in ctx.batch.raw.duplicate_headers:
        copies = [h for h in letters if h.rsplit(" (", 1)[0] == header and h != header]
        reasons.append("repeated")
        fields.append(next((c.field for c in ctx.batch.mapping.columns if c.header == header), None))
        values.append(header)
        columns.append(", ".join(letters[h] for h in copies) or None)
        used_headers.append(header)
    for field_name, used, ignored in ctx.batch.mapping.conflicts:
        if ignored.rsplit(" (", 1)[0] in ctx.batch.raw.duplicate_headers:
            continue  # already reported as a repeated header
        reasons.append("same_field")
        fields.append(field_name)
        values.append(ignored)
        columns.append(letters.get(ignored))
        used_headers.append(used)
    return findings_frame([None] * len(reasons), field=fields, value=values, reason=reasons, column=columns,
                          used=used_headers)


@check("header_fuzzy", context={"score": float}, scope="batch")
def header_fuzzy(ctx: CheckContext) -> pd.DataFrame:
    fuzzy = [c for c in ctx.batch.mapping.columns if c.method == "fuzzy"]
    return findings_frame([None] * len(fuzzy), field=[c.field for c in fuzzy], value=[c.header for c in fuzzy],
                          score=[c.score for c in fuzzy])


@check("column_unmapped", reasons=("blank_header",), scope="batch")
def column_unmapped(ctx: CheckContext) -> pd.DataFrame:
    """Columns no header maps to a field; reason ``blank_header`` for a column with values but no header."""
    raw = ctx.batch.raw
    unmapped = [h for h in ctx.batch.mapping.unmapped if h.rsplit(" (", 1)[0] not in raw.duplicate_headers]
    letters = [raw.column_letters.get(h) for h in unmapped]
    headers = raw.header_by_letter()
    blank = [None if letter is None or headers.get(letter) is not None else "blank_header" for letter in letters]
    return findings_frame([None] * len(unmapped), value=unmapped, column=letters, reason=blank)


@check("schema_invalid", reasons=SCHEMA_CHECKS)
def schema_invalid(ctx: CheckContext) -> pd.DataFrame:
    """Failure cases of the pandera canonical schema (tracecheck.schema), one per cell; the reason
    is the name of the schema check that failed (e.g. ``one_line_identifier``)."""
    cases = ctx.batch.schema_failures
    present = cases[cases["field"].map(ctx.present)] if len(cases) else cases
    return findings_frame(present["row"], field=present["field"], value=present["value"], reason=present["check"])


def repeat_key(ctx: CheckContext, *, column: FieldName) -> pd.Series:
    """The value of ``column`` as ``value_repeated`` compares it: upper case, no spaces (missing: none)."""
    if not ctx.present(column):
        return pd.Series(None, index=ctx.frame.index, dtype="str")
    return ctx.frame[column].astype("str").str.upper().str.replace(r"\s+", "", regex=True)  # Arrow-backed: C++ regex


@check("value_repeated", context={"related_rows": list[int]}, scope="group", key=repeat_key)
def value_repeated(ctx: CheckContext, *, column: FieldName) -> pd.DataFrame:
    """Rows whose value in ``column`` also appears on other rows (case and spacing ignored)."""
    if not ctx.present(column):
        return findings_frame([])
    keys = repeat_key(ctx, column=column)
    dup = keys.notna() & keys.duplicated(keep=False)
    if not dup.any():
        return findings_frame([])
    rows = pd.Series(ctx.frame.index[dup], index=keys[dup].to_numpy())
    groups = rows.groupby(level=0).agg(list)
    related = [tuple(r for r in groups[k] if r != row) for k, row in zip(keys[dup], rows)]
    return findings_frame(rows, related_rows=related)


@check("read_note", context={"fields": int, "expected_fields": int})
def read_note(ctx: CheckContext, *, kind: str) -> pd.DataFrame:
    """What the reader mended or could not read as written, of one ``kind`` (tracecheck.read.notes),
    on its row and column; the note's numbers (``fields``, ``expected_fields``) as context."""
    notes = [n for n in ctx.batch.raw.notes if n.kind == kind]
    header_field = {ctx.batch.raw.column_letters.get(c.header): c.field for c in ctx.batch.mapping.columns}
    numbers = {name: pd.array([n.details.get(name) for n in notes], dtype="Int64")
               for name in ("fields", "expected_fields")}
    return findings_frame([n.row for n in notes], column=[n.column for n in notes], value=[n.value for n in notes],
                          field=[header_field.get(n.column) for n in notes], **numbers)


# A function call or a cell reference after "=": "=A2&B2", "=CONCATENAR(A2;B2)", "= $B$4"; not "=" alone.
_FORMULA_TEXT = re.compile(r"^=\s*(?:[A-Za-z_][\w.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+)")


def _is_formula_text(value: object) -> bool:
    return isinstance(value, str) and _FORMULA_TEXT.match(value.strip()) is not None


def formula_text_mask(values: pd.Series) -> np.ndarray | None:
    """Which cells of a column hold formula text (None: a column of numbers or dates, none can)."""
    if values.dtype == object:  # workbook or DataFrame cells: test each distinct text once
        return np.asarray(map_distinct(values, _is_formula_text, missing=False), dtype=bool)
    if pd.api.types.is_string_dtype(values.dtype):  # csv text: a substring test inside Arrow first
        hit = values.str.contains("=", regex=False).fillna(False).to_numpy(dtype=bool, copy=True)
        hit[hit] = values[hit].str.strip().str.match(_FORMULA_TEXT).fillna(False).to_numpy(dtype=bool)
        return hit
    return None


@check("formula_unresolved", context={"cell": str}, reasons=("no_saved_result", "formula_text"))
def formula_unresolved(ctx: CheckContext) -> pd.DataFrame:
    """Cells holding a formula instead of its result.

    Reason ``no_saved_result``: a workbook formula whose result was never saved (the reader sees a
    blank), in any column of the table; in the header row it is a batch-level finding. Reason
    ``formula_text``: text such as ``=A2&B2`` in a mapped column (a sheet exported with formulas shown).
    """
    raw = ctx.batch.raw
    header_of = {letter: header for header, letter in raw.column_letters.items()}
    field_of = {c.header: c.field for c in ctx.batch.mapping.columns}
    found: list[tuple] = []
    for cell in raw.formulas:
        header = header_of.get(cell.letter)
        row = None if cell.row == raw.header_row else cell.row
        found.append((row, field_of.get(header), cell.letter, cell.formula, "no_saved_result",
                      f"{cell.letter}{cell.row}"))
    for column in ctx.batch.mapping.columns:
        values = raw.frame[column.header]
        # a redacted name column: the cells that held formula text before the names were replaced
        hit = ctx.batch.formula_texts.get(column.header)
        hit = formula_text_mask(values) if hit is None else hit
        if hit is None:
            continue
        letter = raw.column_letters.get(column.header)
        for row, value in values[hit].items():
            found.append((int(row), column.field, letter, str(value).strip(), "formula_text", f"{letter}{row}"))
    rows, fields, letters, values, reasons, cells = zip(*found) if found else ([],) * 6
    return findings_frame(rows, field=list(fields), column=list(letters), value=list(values),
                          reason=list(reasons), cell=list(cells))


@check("make_model_split", context={"compound_header": str, "split_rows": int, "example": str},
       reasons=("split", "no_maker"), counts=("split_rows",))
def make_model_split(ctx: CheckContext) -> pd.DataFrame:
    """A Make/Model column split at a known maker (tracecheck.mapping.split): one batch-level finding
    naming the column, the rows split and an example (reason ``split``), and one per value that does
    not start with a known maker, kept whole as the maker (``no_maker``)."""
    mapping = ctx.batch.mapping
    split_fields = [c for c in (mapping.column_for(f) for f in ("manufacturer", "model")) if c and c.method == "split"]
    if not split_fields:
        return findings_frame([])
    column, frame = split_fields[0], ctx.frame
    split = frame["make_model__split"].to_numpy(dtype=bool) & frame[column.field].notna().to_numpy()
    done = frame.loc[split, ["manufacturer", "model"]].head(1)
    example = next((f"{m} | {'' if pd.isna(d) else d}" for m, d in zip(done["manufacturer"], done["model"])), "")
    letter = ctx.batch.letter(column.field)
    summary = findings_frame([None], field=column.field, column=letter, reason="split",
                             compound_header=column.header, split_rows=pd.array([int(split.sum())], dtype="Int64"),
                             example=example)
    kept = frame.loc[~frame["manufacturer__split"].to_numpy(dtype=bool), "manufacturer"]
    rows = findings_frame(kept.index, field="manufacturer", column=letter, value=kept, reason="no_maker",
                          compound_header=column.header, split_rows=pd.array([pd.NA] * len(kept), dtype="Int64"))
    return pd.concat([summary, rows], ignore_index=True)
