"""``History``: the store of recorded batches, opened once, used by ``check`` and ``record``.

One code path for SQLite and PostgreSQL (SQLAlchemy Core); writes are single transactions, so a
run killed while recording leaves the store as it was, and a batch (by the SHA-256 of its file)
is recorded at most once however many processes record it at the same time.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from tracecheck.errors import HistoryError
from tracecheck.history.bulk import insert_rows
from tracecheck.history.database import open_engine, reason, shown, store_url, writing
from tracecheck.history.lookup import candidates
from tracecheck.history.prior import prior_matches
from tracecheck.history.requests import QUALITY_COLUMNS, batch_identity, quality
from tracecheck.history.tables import agency_quality, batches, requests, serial_deletions
from tracecheck.matching.blocking import serial_keys
from tracecheck.matching.keys import KEY_COLUMNS, keys_from_columns

INSERT_CHUNK = 50_000  # deletion keys per insert or delete (bounded memory for large batches)
STORED = ("sheet", "request_id", *KEY_COLUMNS, "agency_name", "row_data")
PREVIOUS_SHOWN = 12  # earlier batches a report compares itself with


@dataclass(frozen=True)
class Recorded:
    """What ``History.record`` did: the batch's ``digest`` and store ``number``; ``added`` False when
    it was already recorded (nothing written); ``requests`` stored."""

    digest: str
    number: int
    added: bool
    requests: int


class History:
    """A history store. ``url``: a SQLite file path, ``sqlite:///PATH`` or ``postgresql://user@host/db``
    (default: ``TRACECHECK_HISTORY``, else the per-user file, ``tracecheck.history.database``).
    ``create``: make a missing SQLite file. The schema is migrated to the newest revision on opening.
    Raises HistoryError for an unreachable server, a missing store (``create=False``) or a store
    written by a newer tracecheck. Use as a context manager, or call ``close``."""

    def __init__(self, url: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        self.url = store_url(url)
        self.name = shown(self.url)
        self.engine = open_engine(self.url, create=create)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ check and record

    def prior(self, new: pd.DataFrame, digest: str, config: dict, words: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The batch's requests (``request_frame``) matched against the batches recorded before it
        (all, unless the batch itself, ``digest``, was recorded): the prior matches
        (``tracecheck.history.prior.MATCH_COLUMNS``) and what the report says of the store (its
        name, batches and requests, the previous batches' quality for a comparison)."""
        with self._errors("read"), self.engine.connect() as connection:
            own = connection.execute(select(batches.c.number).where(batches.c.digest == digest)).scalar()
            found = candidates(connection, new, config, before=own)
            about = self._about(connection, own)
        return prior_matches(new, found, config, words), about

    def record(self, report: Any, *, recorded_at: dt.datetime | None = None) -> Recorded:
        """Add a checked batch: its requests' matching keys and its quality numbers. ``report`` must come
        from ``check(..., history=...)`` (which keeps the requests' keys). A batch already recorded
        (same file digest) is left as it is. One transaction: all or nothing. ``recorded_at``: when
        (default: now, UTC)."""
        new = getattr(report, "history_requests", None)
        if new is None:
            raise HistoryError("this report was checked without a history store: check(..., history=History(...)) "
                               "keeps what record stores")
        meta = report.batch
        digest = batch_identity(str(meta["sha256"]), meta.get("sheet"), meta.get("sheets") or [])
        totals, per_agency = quality(report, new)
        with self._errors("record the batch in"), writing(self.engine.connect()) as connection:
            try:
                with connection.begin():
                    number = _number(connection, digest)
                    if number is not None:
                        return Recorded(digest, number, False, 0)
                    number = _add_batch(connection, report, digest, totals, int(new["row_data"].notna().sum()),
                                        _utc(recorded_at or dt.datetime.now(dt.UTC)))
                    _add_quality(connection, number, per_agency)
                    _add_requests(connection, number, new)
            except IntegrityError:  # another process recorded the same batch first (PostgreSQL)
                with connection.begin():
                    number = _number(connection, digest)
                if number is None:
                    raise
                return Recorded(digest, number, False, 0)
        return Recorded(digest, number, True, len(new))

    # ------------------------------------------------------------------ list, show, forget, trend

    def batches(self) -> pd.DataFrame:
        """One row per recorded batch, oldest first: number, digest, source, sheet, recorded_at, as_of,
        tracecheck_version, rule_pack, stored_rows and the quality numbers (QUALITY_COLUMNS)."""
        with self.engine.connect() as connection:
            result = connection.execute(select(batches).order_by(batches.c.number))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def batch(self, ref: str) -> tuple[dict[str, Any], pd.DataFrame]:
        """A batch named by its number or a digest prefix (at least 6 characters): its row of ``batches``
        and its quality per agency. HistoryError when none or several match."""
        with self.engine.connect() as connection:
            number = self._resolve(connection, ref)
            row = connection.execute(select(batches).where(batches.c.number == number)).mappings().one()
            result = connection.execute(select(agency_quality).where(agency_quality.c.batch == number)
                                        .order_by(agency_quality.c.rows.desc(), agency_quality.c.agency))
            return dict(row), pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def forget(self, ref: str) -> dict[str, Any]:
        """Remove a batch (number or digest prefix) and everything stored of it, in one transaction.
        Returns the batch's row as it was."""
        with writing(self.engine.connect()) as connection, connection.begin():
            number = self._resolve(connection, ref)
            row = dict(connection.execute(select(batches).where(batches.c.number == number)).mappings().one())
            stored = pd.DataFrame(connection.execute(select(requests.c.row, *(requests.c[k] for k in KEY_COLUMNS))
                                                     .where(requests.c.batch == number)).fetchall(),
                                  columns=["row", *KEY_COLUMNS]).set_index("row")
            for chunk in _deletion_rows(stored, number, chunk=INSERT_CHUNK, keys_only=True):
                connection.execute(delete(serial_deletions).where(serial_deletions.c.batch == number,
                                                                  serial_deletions.c.key.in_(chunk)))
            for table in (requests, agency_quality):
                connection.execute(delete(table).where(table.c.batch == number))
            connection.execute(delete(batches).where(batches.c.number == number))
        return row

    def trend(self, *, by_agency: bool = False) -> pd.DataFrame:
        """Quality over time, oldest batch first: per batch (and with ``by_agency`` per agency within
        it) its number, digest, source, recorded_at, the counts (QUALITY_COLUMNS) and the shares of
        usable serials, missing import markings, duplicate and prior-duplicate requests (0-1)."""
        columns = [batches.c.number, batches.c.digest, batches.c.source, batches.c.recorded_at]
        with self.engine.connect() as connection:
            if by_agency:
                query = (select(*columns, agency_quality.c.agency, *(agency_quality.c[c] for c in QUALITY_COLUMNS))
                         .join(agency_quality, agency_quality.c.batch == batches.c.number)
                         .order_by(batches.c.number, agency_quality.c.agency))
            else:
                query = select(*columns, *(batches.c[c] for c in QUALITY_COLUMNS)).order_by(batches.c.number)
            result = connection.execute(query)
            table = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        return with_shares(table)

    def counts(self) -> dict[str, int]:
        """Batches and requests recorded."""
        with self.engine.connect() as connection:
            return _counts(connection)

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """A database error as one HistoryError line naming the store (the transaction rolled back)."""
        try:
            yield
        except DBAPIError as exc:
            raise HistoryError(f"cannot {doing} the history store {self.name}: {reason(exc)}") from None

    def _about(self, connection: Connection, own: int | None) -> dict[str, Any]:
        previous = select(batches).order_by(batches.c.number.desc()).limit(PREVIOUS_SHOWN)
        if own is not None:
            previous = previous.where(batches.c.number < own)
        result = connection.execute(previous)
        table = with_shares(pd.DataFrame(result.fetchall(), columns=list(result.keys())).iloc[::-1])
        shown_columns = ["digest", "source", "recorded_at", "rows", "usable_serial_share", "missing_import_share",
                         "duplicate_share", "prior_duplicate_share", "repeated_share", "request_age_median"]
        records = [{k: _plain(r[k]) for k in shown_columns} for r in table.to_dict("records")] if len(table) else []
        for record in records:
            record["batch"] = str(record.pop("digest"))[:12]
        return {"store": self.name, **_counts(connection, before=own), "recorded": own is not None,
                "previous": records}

    def _resolve(self, connection: Connection, ref: str) -> int:
        ref = ref.strip().lower()
        if ref.isdigit() and len(ref) < 6:
            number = connection.execute(select(batches.c.number).where(batches.c.number == int(ref))).scalar()
            if number is None:
                raise HistoryError(f"no batch number {ref} in the history store {self.name}")
            return int(number)
        if len(ref) < 6:
            raise HistoryError(f"name a batch by its number or at least 6 characters of its digest, not {ref!r}")
        found = connection.execute(select(batches.c.number).where(batches.c.digest.startswith(ref))).scalars().all()
        if len(found) != 1:
            raise HistoryError(f"{'no batch' if not found else f'{len(found)} batches'} with a digest starting "
                               f"{ref!r} in the history store {self.name}")
        return int(found[0])


def with_shares(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (QUALITY_COLUMNS counts) with the shares of rows: usable_serial_share,
    missing_import_share, duplicate_share, prior_duplicate_share, repeated_share (0-1, rounded to 4
    places; repeated_share is missing for batches recorded before schema revision 0002)."""
    table = table.copy()
    rows = pd.to_numeric(table["rows"]).astype("float64")
    for count, share in (("usable_serial", "usable_serial_share"), ("missing_import_marking", "missing_import_share"),
                         ("duplicate_rows", "duplicate_share"), ("prior_duplicate_rows", "prior_duplicate_share"),
                         ("repeated_rows", "repeated_share")):
        table[share] = (pd.to_numeric(table[count]).astype("float64") / rows.where(rows > 0)).round(4)
    return table


def _utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC (a naive time is taken as UTC already)."""
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _plain(value: Any) -> Any:
    """A value as JSON holds it (numpy numbers, timestamps as ISO text in UTC, NaN as None)."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return _utc(value).isoformat(timespec="seconds")
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return value


def _counts(connection: Connection, *, before: int | None = None) -> dict[str, int]:
    """Batches and requests recorded (with ``before``, in the batches recorded before that number)."""
    query = select(func.count(), func.coalesce(func.sum(batches.c.rows), 0))
    row = connection.execute(query if before is None else query.where(batches.c.number < before)).one()
    return {"batches": int(row[0]), "requests": int(row[1])}


def _number(connection: Connection, digest: str) -> int | None:
    number = connection.execute(select(batches.c.number).where(batches.c.digest == digest)).scalar()
    return None if number is None else int(number)


def _add_batch(connection: Connection, report: Any, digest: str, totals: dict[str, Any], stored_rows: int,
               recorded_at: dt.datetime) -> int:
    meta = report.batch
    values = {"digest": digest, "source": str(meta.get("source") or ""), "sheet": meta.get("sheet"),
              "recorded_at": recorded_at, "as_of": str(meta["as_of"]),
              "tracecheck_version": str(meta.get("tracecheck_version", "")),
              "rule_pack": str(report.rule_pack.get("digest", "")), "stored_rows": stored_rows, **totals}
    return int(connection.execute(insert(batches).values(values).returning(batches.c.number)).scalar_one())


def _add_quality(connection: Connection, number: int, per_agency: pd.DataFrame) -> None:
    rows = [{"batch": number, "agency": str(agency), **{str(c): _plain(v) for c, v in values.items()}}
            for agency, values in per_agency.to_dict("index").items()]
    if rows:
        connection.execute(insert(agency_quality), rows)


def _add_requests(connection: Connection, number: int, new: pd.DataFrame) -> None:
    """The batch's requests and their serials' deletion keys (``tracecheck.history.bulk``), as plain
    Python values: ints, text and None (never NaN)."""
    keys = keys_from_columns(new[list(KEY_COLUMNS)])
    _rows, full, _deletions = serial_keys(keys)
    key = np.full(len(new), None, dtype=object)
    key[keys.usable] = full.view(np.int64).tolist()
    values = {name: new[name].astype(object).where(new[name].notna(), None).tolist() for name in STORED}
    values["recovery"] = [None if np.isnan(d) else int(d) for d in new["recovery"].to_numpy(dtype="float64")]
    rows = zip(repeat(number), new.index.to_numpy(dtype=np.int64).tolist(), *values.values(), key.tolist())
    insert_rows(connection, requests, ["batch", "row", *STORED, "serial_key"], rows)
    for chunk in _deletion_rows(new, number, chunk=INSERT_CHUNK):
        insert_rows(connection, serial_deletions, ["key", "batch", "row"], chunk)


def _deletion_rows(frame: pd.DataFrame, number: int, *, chunk: int, keys_only: bool = False):
    """The (key, batch, row) tuples of every usable serial's distinct one-character deletions, in
    chunks; with ``keys_only``, chunks of the distinct keys."""
    positions, _full, deletions = serial_keys(keys_from_columns(frame[list(KEY_COLUMNS)]))
    rows = np.broadcast_to(frame.index.to_numpy(dtype=np.int64)[positions][:, None], deletions.shape)
    keep = deletions != 0
    keys, rows = deletions[keep].view(np.int64), rows[keep]
    order = np.lexsort((rows, keys))  # by key: the inserts walk the index in order
    keys, rows = keys[order], rows[order]
    distinct = np.ones(len(keys), dtype=bool)  # none when no serial is usable
    distinct[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
    keys, rows = keys[distinct], rows[distinct]
    if keys_only:
        keys = np.unique(keys)
        for start in range(0, len(keys), chunk):
            yield keys[start:start + chunk].tolist()
        return
    for start in range(0, len(keys), chunk):
        yield list(zip(keys[start:start + chunk].tolist(), repeat(number), rows[start:start + chunk].tolist()))
