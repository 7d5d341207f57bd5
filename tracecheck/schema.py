"""The pandera schema of the canonical table that every rule reads.

Exported as ``tracecheck.canonical_schema`` for pipelines that want to validate or coerce
their own frames. Severities stay in tracecheck's own layer: a schema failure becomes a
``cell-text-invalid`` finding (TC007) with a row number, never an exception.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa  # (pandera's pyspark.pandas warning: filtered in tracecheck/__init__.py)

TEXT_FIELDS = ("request_id", "agency", "manufacturer", "model", "caliber", "firearm_type", "serial_number",
               "import_marking", "import_serial", "country_of_origin", "recovery_location", "ffl_number",
               "dealer_state", "purchaser", "possessor", "obliterated")
DATE_FIELDS = ("purchase_date", "recovery_date", "request_date")
CANONICAL_FIELDS = TEXT_FIELDS + DATE_FIELDS
METRICS = ("request_age_days", "time_to_crime_days", "submission_lag_days")

# Identifier cells: one short line of text. Free-text fields (agency, location, purchaser) may be longer.
IDENTIFIER_FIELDS = ("request_id", "manufacturer", "model", "caliber", "firearm_type", "serial_number",
                     "import_marking", "import_serial", "country_of_origin", "ffl_number")
MAX_IDENTIFIER_LENGTH = 120


def _one_line(series: pd.Series) -> pd.Series:
    """Vectorised: no control characters (line breaks, tabs) and at most MAX_IDENTIFIER_LENGTH characters."""
    bad = series.str.contains(r"[\x00-\x1f\x7f]", regex=True, na=False) | (series.str.len() > MAX_IDENTIFIER_LENGTH)
    return ~bad


ONE_LINE = pa.Check(_one_line, name="one_line_identifier",
                    error=f"one line of at most {MAX_IDENTIFIER_LENGTH} characters, no line breaks or control "
                          "characters")
SCHEMA_CHECKS = ("one_line_identifier",)  # the names of the checks above: cell-text-invalid's reasons
_CHECK_NAMES = {ONE_LINE.error: ONE_LINE.name}  # pandera reports a check by its error text


def _column(field: str) -> pa.Column:
    if field in DATE_FIELDS:
        return pa.Column("datetime64[ns]", nullable=True, required=False, coerce=True)
    checks = [ONE_LINE] if field in IDENTIFIER_FIELDS else []
    return pa.Column(str, nullable=True, required=False, coerce=True, checks=checks)


canonical_schema = pa.DataFrameSchema(
    {field: _column(field) for field in CANONICAL_FIELDS},
    index=pa.Index(int, name="row", unique=True),
    strict=False,
    coerce=True,
    name="tracecheck canonical trace-request table",
    description="One row per trace request, columns named by canonical field, index = sheet row number.",
)


def schema_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate lazily; return failures as a tidy frame (row, field, value, check). Never raises."""
    try:
        canonical_schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["column"].isin(CANONICAL_FIELDS) & cases["index"].notna()]
        return pd.DataFrame({"row": cases["index"].astype("int64").to_numpy(),
                             "field": cases["column"].astype(str).to_numpy(),
                             "value": cases["failure_case"].astype(str).to_numpy(),
                             "check": cases["check"].astype(str).map(lambda c: _CHECK_NAMES.get(c, c)).to_numpy()})
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "field": pd.Series(dtype=str),
                         "value": pd.Series(dtype=str), "check": pd.Series(dtype=str)})
