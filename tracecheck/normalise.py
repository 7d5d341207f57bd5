"""Raw batch → canonical table: map headers, turn cells into text or dates, compute ages.

Pure: no I/O. The output frame has one column per canonical field (missing fields are
all-null), helper columns named ``<field>__<what>`` that rules and the report read (raw date
text, date parse status, serial-stored-as-number flag, the agency under the name the pack's alias
table gives it), the age metrics, and the sheet row number as
index. Nothing here decides what is a problem; the rules do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from tracecheck import metrics
from tracecheck.date_columns import DateOrder, read_date_columns
from tracecheck.items import FIREARM, item_kinds
from tracecheck.mapping import ColumnMapping, map_batch
from tracecheck.mapping.split import split_values
from tracecheck.read import RawBatch
from tracecheck.read.notes import DroppedRow
from tracecheck.reference import agency_name, agency_names, compile_reference, item_words
from tracecheck.ruleset import RulePack
from tracecheck.schema import DATE_FIELDS, TEXT_FIELDS, schema_failures
from tracecheck.text import fold_series, map_distinct

TRUE_WORDS = {"Y", "YES", "SI", "S", "TRUE", "1", "X", "VERDADERO", "OBLITERATED", "LIMADO", "LIMADA"}
FALSE_WORDS = {"N", "NO", "FALSE", "0", "FALSO"}


@dataclass(frozen=True)
class Batch:
    frame: pd.DataFrame
    raw: RawBatch
    mapping: ColumnMapping
    as_of: dt.date
    date_orders: dict[str, str | None] = field(default_factory=dict)
    date_order_basis: dict[str, DateOrder] = field(default_factory=dict)  # present date fields only
    schema_failures: pd.DataFrame | None = None
    # field -> per-row keyed match key of the name (tracecheck.sales.person_keys), set by redaction
    # from the names it replaces, so names can still be matched (multiple sales) without them
    match_keys: dict[str, pd.Series] = field(default_factory=dict)
    # set by redaction: name -> its token under the key, for the findings the engine makes from cell
    # text read before the names were replaced (reader notes, formulas, schema failures)
    personal_token: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    # set by redaction: header -> which cells of a name column held formula text before it was replaced
    formula_texts: dict[str, Any] = field(default_factory=dict)

    def present(self, field_name: str) -> bool:
        return field_name in self.mapping.fields

    def letter(self, field_name: str) -> str | None:
        header = self.mapping.header_for(field_name)
        return self.raw.column_letters.get(header) if header else None


def normalise(raw: RawBatch, pack: RulePack, *, date_order: str = "auto", as_of: dt.date,
              mapping: ColumnMapping | None = None, date_plan: dict[str, DateOrder] | None = None) -> Batch:
    """The canonical table of ``raw`` (see the module docstring). ``date_order`` is "auto" (each date
    column's order from a format hint in its header, else from its values), "dayfirst" or "monthfirst"
    (every date column). Raises InputError when a fixed mapping names a header the batch lacks.
    ``mapping`` and ``date_plan`` (a Batch's ``mapping`` and ``date_order_basis``): what was decided
    for a whole batch of which ``raw`` is a part, used as they are (tracecheck.spark)."""
    mapping = map_batch(raw, pack) if mapping is None else mapping
    raw = _without_other_items(raw, mapping, pack)
    index = pd.Index(raw.frame.index.astype("int64"), name="row")
    columns: dict[str, pd.Series] = {}
    for name in TEXT_FIELDS:
        header = mapping.header_for(name)
        source = raw.frame[header] if header else None
        columns[name] = _text(source, index)
        if name == "serial_number":
            columns["serial_number__numeric"] = _typed_cells(source, index, _NUMBER_TYPES, _is_number_dtype)
            columns["serial_number__date"] = _typed_cells(source, index, _DATE_TYPES, is_datetime64_any_dtype)
    _split_make_model(raw, mapping, pack, index, columns)
    orders = _date_columns(raw, mapping, index, date_order, as_of, columns, date_plan)
    columns["obliterated__flag"] = _flag(columns["obliterated"])
    columns["agency__name"] = _agency_names(columns["agency"], agency_names(pack.reference))
    for name, substitute in metrics.FALLBACK.items():  # a blank recovery date: measured to the request date
        present = mapping.header_for(name) is not None
        columns[f"{name}__fallback"] = (metrics.fallback_rows(columns[f"{name}__status"], columns[substitute])
                                         if present else pd.Series(False, index=index))
    frame = pd.DataFrame(columns, index=index)
    frame = pd.concat([frame, metrics.compute(frame, as_of)], axis=1)
    return Batch(frame=frame, raw=raw, mapping=mapping, as_of=as_of,
                 date_orders={f: orders[f].order if f in orders else None for f in DATE_FIELDS},
                 date_order_basis=orders, schema_failures=schema_failures(frame))


def _split_make_model(raw: RawBatch, mapping: ColumnMapping, pack: RulePack, index: pd.Index,
                      columns: dict[str, pd.Series]) -> None:
    """A Make/Model column the mapper split (tracecheck.mapping.split): maker and model from each value.
    A value no known maker starts is kept whole in the maker when the column feeds the maker
    (``manufacturer__split`` False), else in the model (beside a maker column of its own)."""
    split = [c for c in (mapping.column_for(f) for f in ("manufacturer", "model")) if c and c.method == "split"]
    columns["manufacturer__split"] = columns["make_model__split"] = pd.Series(True, index=index)
    if not split:
        return
    parts = split_values(_text(raw.frame[split[0].header], index), compile_reference(pack.reference))
    columns["make_model__split"] = parts["split"]
    fields = {c.field for c in split}
    if "manufacturer" in fields:
        columns["manufacturer"], columns["model"] = parts["manufacturer"], parts["model"]
        columns["manufacturer__split"] = parts["split"]
    else:  # the sheet has a maker column: the Make/Model column gives the model
        columns["model"] = parts["model"].where(parts["split"], parts["whole"])


def _without_other_items(raw: RawBatch, mapping: ColumnMapping, pack: RulePack) -> RawBatch:
    """The batch without the rows whose type cell names ammunition, a magazine, a part or an accessory:
    those are no firearm requests; they are listed as dropped rows (reason ``not_a_firearm``)."""
    header = mapping.header_for("firearm_type")
    if header is None or raw.frame.empty:
        return raw
    kinds = item_kinds(_text(raw.frame[header], raw.frame.index), item_words(pack.reference))
    other = (kinds != FIREARM).to_numpy()
    if not other.any():
        return raw
    rows = {int(r) for r in raw.frame.index[other]}
    dropped = sorted([*raw.dropped_rows, *(DroppedRow(r, "not_a_firearm") for r in rows)], key=lambda d: d.row)
    return dataclasses.replace(
        raw, frame=raw.frame[~other], dropped_rows=dropped,
        labels=None if raw.labels is None else raw.labels[~raw.labels.index.isin(rows)],
        notes=tuple(n for n in raw.notes if n.row not in rows),
        formulas=tuple(f for f in raw.formulas if f.row not in rows))


def _text(source: pd.Series | None, index: pd.Index) -> pd.Series:
    """Cells as stripped text; numbers written without a spurious '.0'; dates as ISO; blanks missing."""
    if source is None:
        return pd.Series(np.nan, index=index, dtype="str")
    if pd.api.types.is_string_dtype(source.dtype) and source.dtype != object:  # csv text: already clean
        return source.set_axis(index)
    values = source.astype(object).where(source.notna(), None).to_numpy()
    if infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = np.array([_cell_text(v) for v in values], dtype=object)
    series = pd.Series(values, index=index, dtype="str").str.strip()
    return series.where(series.str.len() > 0)


def _cell_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):  # None, NaN, NaT, NA
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_NUMBER_TYPES = (int, float, np.integer, np.floating)
_DATE_TYPES = (dt.date, dt.time, np.datetime64)  # datetime and Timestamp are dates too


def _is_number_dtype(dtype: Any) -> bool:
    return is_numeric_dtype(dtype) and not is_bool_dtype(dtype)


def _typed_cells(source: pd.Series | None, index: pd.Index, types: tuple[type, ...],
                 typed_dtype: Callable[[Any], bool]) -> pd.Series:
    """True where the sheet stored the cell as one of ``types`` (an xlsx number or date), not as the
    text that was typed: leading zeros, or the whole serial, may be gone."""
    if source is not None and typed_dtype(source.dtype):
        return pd.Series(source.notna().to_numpy(), index=index)  # a typed DataFrame column
    if source is None or source.dtype != object or infer_dtype(source, skipna=True) in ("string", "empty"):
        return pd.Series(False, index=index)  # a csv, or a text-only column: nothing was typed
    flags = [isinstance(v, types) and not isinstance(v, bool) and v == v for v in source.to_numpy()]
    return pd.Series(flags, index=index, dtype=bool)


def _date_columns(raw: RawBatch, mapping: ColumnMapping, index: pd.Index, order: str, as_of: dt.date,
                  columns: dict[str, pd.Series], plan: dict[str, DateOrder] | None = None) -> dict[str, DateOrder]:
    """Parse the date fields into ``columns`` (see tracecheck.date_columns); return how each
    present field's day/month order was decided (or the ``plan``'s)."""
    read = read_date_columns(raw, mapping, index, order, as_of, agency=columns["agency"], plan=plan)
    for f in DATE_FIELDS:
        if f in read:
            columns[f] = read[f].parsed.dates.astype("datetime64[ns]")
            columns[f"{f}__raw"] = _text(raw.frame[read[f].header], index)
            columns[f"{f}__status"] = read[f].parsed.status.astype("str")
        else:
            columns[f] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
            columns[f"{f}__raw"] = pd.Series(np.nan, index=index, dtype="str")
            columns[f"{f}__status"] = pd.Series("blank", index=index, dtype="str")
    return {f: c.order for f, c in read.items()}


def _agency_names(agency: pd.Series, names: dict[str, str]) -> pd.Series:
    """Each row's agency under the name the pack's ``agency_aliases`` table gives it ("FGR" ->
    "Fiscalía General de la República"), else as written; missing where blank. The report counts and
    shows agencies by this name; ``agency`` keeps the cell as submitted."""
    named = map_distinct(agency, lambda value: agency_name(str(value), names)) if names else agency.to_numpy()
    return pd.Series(named, index=agency.index, dtype="str")


def _flag(values: pd.Series) -> pd.Series:
    """Obliterated flag as nullable boolean: Y/SI/TRUE → True, N/NO/FALSE → False, else missing."""
    keys = fold_series(values)
    flags = np.full(len(keys), None, dtype=object)
    flags[keys.isin(TRUE_WORDS).to_numpy()] = True
    flags[keys.isin(FALSE_WORDS).to_numpy()] = False
    return pd.Series(flags, index=values.index, dtype="boolean")
