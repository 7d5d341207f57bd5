"""The history store's tables (SQLAlchemy Core), as the newest migration leaves them.

* ``batches``: one row per recorded batch. ``digest`` is the SHA-256 of the submitted file (the
  batch's identity: recording it again changes nothing); ``number`` a short integer id used by the
  other tables. Quality numbers for ``history trend`` are kept here, computed when recorded.
* ``agency_quality``: the same numbers per agency (under the pack's alias name) and batch.
* ``requests``: per request the matching keys only (``tracecheck.matching.keys.KEY_COLUMNS``:
  cleaned and folded serial, maker and importer family, model key, caliber class, recovery day,
  folded agency), the integer serial key the blocking joins on, sheet row and request id. Never a
  purchaser or possessor name; ``row_data`` (the submitted values, after redaction) only with
  ``--store-rows``.
* ``serial_deletions``: the keys of each stored serial's one-character deletions, so a later
  batch whose serial lost a character finds it by index (the blocking of
  ``tracecheck.matching.blocking``, split between the store and the batch).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()



def _quality() -> list[Column]:
    """The quality numbers kept per batch and per agency (tracecheck.history.requests.quality)."""
    counts = ("rows", "usable_serial", "missing_import_marking", "duplicate_rows", "prior_duplicate_rows")
    # repeated_rows (revision 0002): rows in a duplicate-request group or repeating an earlier request,
    # each once; NULL for batches recorded before that revision
    return [*(Column(name, Integer, nullable=False) for name in counts), Column("request_age_median", Float),
            Column("repeated_rows", Integer)]


batches = Table(
    "batches", metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("sheet", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("as_of", String(10), nullable=False),
    Column("tracecheck_version", String(32), nullable=False),
    Column("rule_pack", String(64), nullable=False),
    Column("stored_rows", Integer, nullable=False),  # requests kept with --store-rows (0 without)
    *_quality(),
    sqlite_autoincrement=True,  # a forgotten batch's number is never given to another
)

agency_quality = Table(
    "agency_quality", metadata,
    Column("batch", Integer, primary_key=True),
    Column("agency", Text, primary_key=True),  # "" for rows without an agency
    *_quality(),
)

requests = Table(
    "requests", metadata,
    Column("batch", Integer, primary_key=True),
    Column("row", BigInteger, primary_key=True),  # the report's row number (sheet k: k x 10,000,000 + row)
    Column("sheet", Text),
    Column("request_id", Text),
    Column("serial", Text), Column("folded", Text), Column("serial_key", BigInteger), Column("undone", Text),
    Column("maker", Text), Column("importer", Text), Column("model", Text), Column("caliber", Text),
    Column("recovery", Integer),  # days since 1970-01-01
    Column("agency", Text), Column("agency_name", Text),
    Column("row_data", Text),  # JSON of the submitted values, only with --store-rows
    Index("ix_requests_serial_key", "serial_key"),
    Index("ix_requests_event", "maker", "model", "caliber", "recovery"),
)

serial_deletions = Table(
    "serial_deletions", metadata,
    Column("key", BigInteger, primary_key=True),
    Column("batch", Integer, primary_key=True),
    Column("row", BigInteger, primary_key=True),
    sqlite_with_rowid=False,
)
